# fixture-path: shop/auth.py
import datetime
import os
import secrets
import time
from datetime import timedelta
from datetime import timedelta as td

import flask_login
import requests
from flask import Blueprint, Flask, abort, current_app, g, redirect, request, session, url_for
from flask import session as sess
from flask_login import current_user, login_required, login_user, logout_user

from .helpers import login_user as login_with_audit
from .models import User, check_password

SESSION_DAYS = 180
SESSION_TTL = 60 * 60 * 8


class Config:
    PERMANENT_SESSION_LIFETIME = timedelta(days=365)  # expect: FLASK-SESS-002
    REMEMBER_COOKIE_DURATION = timedelta(days=14)  # ok: FLASK-SESS-002 (two weeks)


class ProductionConfig(Config):
    PERMANENT_SESSION_LIFETIME = timedelta(days=SESSION_DAYS)  # expect: FLASK-SESS-002
    REMEMBER_COOKIE_DURATION = timedelta(days=3650)  # expect: FLASK-SESS-002
    PERMANENT_SESSION_LIFETIME_NOTE = "reviewed 2024"  # ok: FLASK-SESS-002


class StagingConfig(Config):
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)  # ok: FLASK-SESS-002
    REMEMBER_COOKIE_DURATION = timedelta(days=90)  # expect: FLASK-SESS-002


class DevelopmentConfig(Config):
    PERMANENT_SESSION_LIFETIME = timedelta(days=365)  # ok: FLASK-SESS-002 (development config)


class TestingConfig(Config):
    PERMANENT_SESSION_LIFETIME = timedelta.max  # ok: FLASK-SESS-002 (test config)


app = Flask(__name__)
app.config.from_object(ProductionConfig)
app.config["PERMANENT_SESSION_LIFETIME"] = 60 * 60 * 24 * 90  # expect: FLASK-SESS-002
app.permanent_session_lifetime = datetime.timedelta(weeks=52)  # expect: FLASK-SESS-002
app.config.update(PERMANENT_SESSION_LIFETIME=timedelta.max)  # expect: FLASK-SESS-002
app.config.from_mapping({"PERMANENT_SESSION_LIFETIME": td(days=60, hours=12)})  # expect: FLASK-SESS-002
app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=31)  # ok: FLASK-SESS-002 (Flask's default)
app.config["PERMANENT_SESSION_LIFETIME"] = SESSION_TTL  # ok: FLASK-SESS-002 (eight hours)
app.config["PERMANENT_SESSION_LIFETIME"] = 3600  # ok: FLASK-SESS-002
app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=int(os.environ.get("SESSION_TTL", "3600")))  # ok: FLASK-SESS-002 (from the environment)
app.permanent_session_lifetime = timedelta(minutes=30)  # ok: FLASK-SESS-002

bp = Blueprint("auth", __name__)
cache = {}


@bp.post("/login")
def login():
    user = User.query.filter_by(email=request.form["email"]).first()
    if user is None or not check_password(user, request.form["password"]):
        abort(401)
    login_user(user, remember=True)  # expect: FLASK-SESS-002
    return redirect(url_for("index"))


@bp.post("/login/fresh")
def login_fresh():
    user = User.query.filter_by(email=request.form["email"]).first_or_404()
    next_url = session.get("next")
    session.clear()
    login_user(user)  # ok: FLASK-SESS-002 (session cleared before login)
    return redirect(next_url or url_for("index"))


@bp.post("/login/long")
def login_long():
    user = User.query.filter_by(email=request.form["email"]).first_or_404()
    session.clear()
    login_user(user, remember=True, duration=timedelta(days=400))  # expect: FLASK-SESS-002
    return redirect(url_for("index"))


@bp.route("/oauth/callback")
def oauth_callback():
    token = requests.post("https://oauth.example.com/token", data={"code": request.args["code"]}, timeout=10).json()
    session["access_token"] = token["access_token"]  # expect: FLASK-SESS-002
    session.update(refresh_token=token["refresh_token"])  # expect: FLASK-SESS-002
    session.setdefault("github_token", token["access_token"])  # expect: FLASK-SESS-002
    session["token_expires_at"] = time.time() + token["expires_in"]  # ok: FLASK-SESS-002 (expiry, not the token)
    session["oauth_state"] = None  # ok: FLASK-SESS-002
    session["credentials"] = {"token": token["access_token"], "client_secret": os.environ["CLIENT_SECRET"]}  # expect: FLASK-SESS-002
    user = User.from_oauth(token)
    flask_login.login_user(user)  # expect: FLASK-SESS-002
    return redirect(url_for("index"))


@bp.route("/signin", methods=["POST"])
def signin():
    row = current_app.db.execute("SELECT id, pw_hash FROM users WHERE name = ?", (request.form["name"],)).fetchone()
    if row is None:
        abort(401)
    session["user_id"] = row["id"]  # expect: FLASK-SESS-002
    session["username"] = request.form["name"]  # ok: FLASK-SESS-002 (one finding per login view)
    return redirect(url_for("index"))


@bp.route("/sign-in/legacy", methods=["POST"])
def legacy():
    row = current_app.db.execute("SELECT id FROM users WHERE name = ?", (request.form["name"],)).fetchone()
    session.clear()
    session["user_id"] = row["id"]  # ok: FLASK-SESS-002 (session cleared first)
    return redirect(url_for("index"))


@bp.post("/switch-account")
@login_required
def switch_account():
    logout_user()
    login_user(User.query.get(request.form["id"]))  # ok: FLASK-SESS-002 (logout_user() ends the old session first)
    return redirect(url_for("index"))


@bp.post("/login/audited")
def login_audited():
    user = User.query.filter_by(email=request.form["email"]).first_or_404()
    login_with_audit(user)  # ok: FLASK-SESS-002 (the project's own helper, which may rotate the session)
    return redirect(url_for("index"))


@bp.post("/profile")
@login_required
def profile():
    session["user_id"] = current_user.id  # ok: FLASK-SESS-002 (not a login view)
    session["theme"] = request.form.get("theme", "light")  # ok: FLASK-SESS-002
    session["next"] = request.args.get("next")  # ok: FLASK-SESS-002
    return "", 204


@bp.post("/settings/integrations")
@login_required
def integrations():
    api_key = request.form["api_key"]
    session["api_key"] = api_key  # expect: FLASK-SESS-002
    session["pw"] = request.form["password"]  # expect: FLASK-SESS-002
    session["card"] = {"holder": request.form["holder"], "credit_card": request.form["cc"]}  # expect: FLASK-SESS-002
    session.update({"client_secret": request.form["client_secret"]})  # expect: FLASK-SESS-002
    sess["otp_secret"] = secrets.token_hex(20)  # expect: FLASK-SESS-002
    sess["password"] = request.form["new_password"]  # expect: FLASK-SESS-002
    session["ssn"] = request.form.get("ssn", "").strip()  # expect: FLASK-SESS-002
    session["integration_name"] = request.form["name"]  # ok: FLASK-SESS-002
    session["api_key_id"] = current_user.store_api_key(api_key)  # ok: FLASK-SESS-002 (an id of the server-side key)
    session["password_changed"] = True  # ok: FLASK-SESS-002 (a flag)
    session["password_changed_at"] = time.time()  # ok: FLASK-SESS-002 (a timestamp)
    session["csrf_token"] = secrets.token_hex(16)  # ok: FLASK-SESS-002 (CSRF token is meant to live in the session)
    session["access_token"] = None  # ok: FLASK-SESS-002 (clears it)
    cache["password"] = request.form["password"]  # ok: FLASK-SESS-002 (not the session)
    g.token = request.headers.get("X-Token")  # ok: FLASK-SESS-002 (request-scoped)
    session.pop("access_token", None)  # ok: FLASK-SESS-002
    return "", 204
