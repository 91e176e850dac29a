# fixture-path: bank/app.py
import hashlib
import hmac
import os

import stripe
from flask import Blueprint, Flask, abort, g, jsonify, redirect, render_template, request, session, url_for
from flask.views import MethodView
from flask_httpauth import HTTPTokenAuth
from flask_jwt_extended import jwt_required
from flask_login import LoginManager, current_user, login_required, login_user, logout_user

from .auth import require_api_key
from .models import Account, Comment, Post, User, db

ALLOWED_METHODS = ["GET", "POST"]


class Config:
    SECRET_KEY = os.environ["SECRET_KEY"]
    WTF_CSRF_ENABLED = True  # expect: FLASK-CSRF-001
    WTF_CSRF_CHECK_DEFAULT = False  # expect: FLASK-CSRF-001


class ProductionConfig(Config):
    WTF_CSRF_ENABLED = True  # ok: FLASK-CSRF-001
    CSRF_DISABLE = False  # expect: FLASK-CSRF-001


class DevelopmentConfig(Config):
    WTF_CSRF_ENABLED = True  # expect: FLASK-CSRF-001


class TestingConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = False  # ok: FLASK-CSRF-001 (testing config)


app = Flask(__name__)
app.config.from_object(ProductionConfig)
app.config["WTF_CSRF_ENABLED"] = True  # expect: FLASK-CSRF-001
app.config.update(WTF_CSRF_ENABLED=True)  # expect: FLASK-CSRF-001
app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)  # ok: FLASK-CSRF-001 (configures tests)
app.config["WTF_CSRF_ENABLED"] = os.environ.get("CSRF", "1") == "1"  # ok: FLASK-CSRF-001 (not a literal off)
app.config["WTF_CSRF_TIME_LIMIT"] = None  # ok: FLASK-CSRF-001
if app.testing:
    app.config["WTF_CSRF_ENABLED"] = False  # ok: FLASK-CSRF-001 (testing branch)

login_manager = LoginManager(app)
token_auth = HTTPTokenAuth(scheme="Bearer")
bp = Blueprint("account", __name__, url_prefix="/account")
api = Blueprint("api", __name__, url_prefix="/api")


@app.route("/")
def index():  # ok: FLASK-CSRF-001 (GET)
    return render_template("index.html")


@app.route("/login", methods=["GET", "POST"])  # expect: FLASK-CSRF-001
def login():
    if request.method == "POST":
        user = User.query.filter_by(email=request.form["email"]).first_or_404()
        login_user(user)
        return redirect(url_for("index"))
    return render_template("login.html")


@app.route("/logout")  # ok: FLASK-CSRF-001 (GET; state change over GET is FLASK-HTTP-001's)
def logout():
    logout_user()
    return redirect(url_for("index"))


@app.route("/transfer", methods=["POST"])  # expect: FLASK-CSRF-001
@login_required
def transfer():
    amount = int(request.form["amount"])
    Account.transfer(current_user.account, request.form["to"], amount)
    return redirect(url_for("index"))


@app.route("/comments", methods=("GET", "POST"))  # expect: FLASK-CSRF-001
def comments():
    if request.method == "POST":
        db.session.add(Comment(author=g.user, body=request.form["body"]))
        db.session.commit()
    return render_template("comments.html")


@app.route("/posts/new", methods=["post"])  # expect: FLASK-CSRF-001
@app.route("/posts/create", methods=["POST"])
@login_required
def new_post():
    db.session.add(Post(author=current_user, body=request.form["body"]))
    db.session.commit()
    return redirect(url_for("index"))


@bp.post("/delete")  # expect: FLASK-CSRF-001
@login_required
def delete_account():
    db.session.delete(current_user)
    db.session.commit()
    return redirect(url_for("index"))


@bp.put("/profile")  # expect: FLASK-CSRF-001
def update_profile():
    user = User.query.get_or_404(session["user_id"])
    user.display_name = request.form["display_name"]
    db.session.commit()
    return "", 204


@bp.patch("/settings")  # expect: FLASK-CSRF-001
@login_required
def update_settings():
    current_user.settings.update(request.form.to_dict())
    db.session.commit()
    return "", 204


@bp.delete("/posts/<int:post_id>")  # expect: FLASK-CSRF-001
@login_required
def delete_post(post_id):
    Post.query.filter_by(id=post_id, author=current_user).delete()
    db.session.commit()
    return "", 204


@bp.get("/profile")
@login_required
def show_profile():  # ok: FLASK-CSRF-001 (GET)
    return render_template("profile.html", user=current_user)


@api.route("/cart", methods=["POST"])  # expect: FLASK-CSRF-001
@login_required
def add_to_cart():
    item = request.get_json()
    current_user.cart.add(item["sku"], int(item["qty"]))
    return jsonify(ok=True)


@api.route("/v1/transfer", methods=["POST"])  # ok: FLASK-CSRF-001 (authenticates with the Authorization header)
def api_transfer():
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    account = Account.from_token(token) or abort(401)
    account.transfer(request.json["to"], int(request.json["amount"]))
    return jsonify(ok=True)


@api.post("/v1/keys")  # ok: FLASK-CSRF-001 (Flask-HTTPAuth token auth)
@token_auth.login_required
def create_key():
    return jsonify(key=token_auth.current_user().new_key())


@api.post("/v1/orders")  # ok: FLASK-CSRF-001 (JWT in the Authorization header)
@jwt_required()
def create_order():
    return jsonify(ok=True)


@api.delete("/v1/orders/<int:order_id>")  # ok: FLASK-CSRF-001 (API key decorator)
@require_api_key
def cancel_order(order_id):
    return jsonify(ok=True)


@api.post("/webhooks/stripe")  # ok: FLASK-CSRF-001 (verifies the Stripe signature)
def stripe_webhook():
    event = stripe.Webhook.construct_event(request.data, request.headers["Stripe-Signature"], os.environ["STRIPE_WEBHOOK_SECRET"])
    Account.apply_payment(event)
    return "", 204


@api.post("/webhooks/github")  # ok: FLASK-CSRF-001 (verifies the HMAC signature header)
def github_webhook():
    expected = "sha256=" + hmac.new(os.environ["GH_SECRET"].encode(), request.data, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, request.headers.get("X-Hub-Signature-256", "")):
        abort(403)
    return "", 204


@app.route("/search", methods=["GET", "HEAD", "OPTIONS"])
def search():  # ok: FLASK-CSRF-001 (safe methods only)
    return render_template("search.html", q=request.args.get("q", ""))


@app.route("/feedback", methods=ALLOWED_METHODS)  # todo: FLASK-CSRF-001 (methods from a constant are not resolved)
@login_required
def feedback():
    return "", 204


class ItemAPI(MethodView):
    decorators = [login_required]

    def post(self):  # todo: FLASK-CSRF-001 (class-based views registered with add_url_rule are not read)
        current_user.items.append(request.form["name"])
        return "", 201


app.add_url_rule("/items", view_func=ItemAPI.as_view("items"))
app.register_blueprint(bp)
app.register_blueprint(api)
