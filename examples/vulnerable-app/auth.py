"""Login, logout and password reset for the shop staff (Flask-Login, cookie sessions)."""
from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_login import UserMixin, login_required, login_user, logout_user
from flask_mail import Message
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from extensions import login_manager, mail
from views import get_db

bp = Blueprint("auth", __name__)


class User(UserMixin):
    def __init__(self, row):
        self.id = row["id"]
        self.email = row["email"]
        self.password_hash = row["password_hash"]


def find_user(email):
    row = get_db().execute("SELECT id, email, password_hash FROM users WHERE email = ?", (email,)).fetchone()
    return User(row) if row else None


@login_manager.user_loader
def load_user(user_id):
    row = get_db().execute("SELECT id, email, password_hash FROM users WHERE id = ?", (int(user_id),)).fetchone()
    return User(row) if row else None


def reset_serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


@bp.route("/login", methods=["POST"])
def login():
    user = find_user(request.form["email"])
    if user is None or not check_password_hash(user.password_hash, request.form["password"]):
        abort(401)
    # Safe: a fresh session on login, so nothing planted before it carries over.
    session.clear()
    login_user(user)
    return redirect(request.args.get("next", "/"))  # flask-audit example: FLASK-REDIRECT-001


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    # Safe: url_for() always points into this app.
    return redirect(url_for("auth.login"))


@bp.route("/forgot", methods=["POST"])
def forgot_password():
    user = find_user(request.form["email"])
    if user is not None:
        token = reset_serializer().dumps(user.id)
        link = url_for("auth.reset_password", token=token, _external=True)  # flask-audit example: FLASK-HOST-001
        mail.send(Message("Reset your password", recipients=[user.email], body=f"Reset it here: {link}"))
    return "If the address is registered, a reset link is on its way."


@bp.route("/invite", methods=["POST"])
@login_required
def invite_colleague():
    # Safe: the link is built from the configured public URL, not from the request's Host header.
    db = get_db()
    new_user = db.execute("INSERT INTO users (email, password_hash) VALUES (?, '')", (request.form["email"],))
    db.commit()
    token = reset_serializer().dumps(new_user.lastrowid)
    link = current_app.config["PUBLIC_BASE_URL"] + url_for("auth.reset_password", token=token)
    mail.send(Message("You are invited", recipients=[request.form["email"]], body=f"Set your password: {link}"))
    return "", 204


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    try:
        user_id = reset_serializer().loads(token, max_age=3600)
    except BadSignature:
        abort(400)
    if request.method == "GET":
        return render_template("reset.html", token=token)
    db = get_db()
    db.execute("UPDATE users SET password_hash = ? WHERE id = ?", (generate_password_hash(request.form["password"]), user_id))
    db.commit()
    return redirect(url_for("auth.login"))
