# fixture-path: app/api.py
import os
import re

from flask import Blueprint, Flask, jsonify, make_response, request
from flask_cors import CORS, cross_origin
from flask_cors import CORS as Cors

ALLOWED_ORIGINS = ["https://app.example.com", "https://admin.example.com"]
ORIGIN_RE = re.compile(r"https://[a-z0-9-]+\.example\.com")

app = Flask(__name__)
api = Blueprint("api", __name__, url_prefix="/api")
v1 = Blueprint("v1", __name__, url_prefix="/v1")
cors = CORS()
cors_strict = CORS()
cors_eager = CORS(origins="*", supports_credentials=True)  # expect: FLASK-CORS-001


# --- positives: Flask-CORS -------------------------------------------------------------------------------

def create_public_api():
    public = Flask("public")
    CORS(public)  # expect: FLASK-CORS-001
    return public


def create_app():
    app = Flask(__name__)
    CORS(app, supports_credentials=True)  # expect: FLASK-CORS-001
    return app


def create_admin():
    admin = Flask("admin")
    Cors(admin, origins="*", supports_credentials=True)  # expect: FLASK-CORS-001
    return admin


CORS(api, resources={r"/api/*": {"origins": "*"}}, supports_credentials=True)  # expect: FLASK-CORS-001
CORS(v1, resources={r"/v1/*": {"origins": "*", "supports_credentials": True}})  # expect: FLASK-CORS-001
CORS(app, resources=r"/internal/*")  # expect: FLASK-CORS-001
CORS(app, origins=r"https://.*\.example\.com$")  # expect: FLASK-CORS-001
CORS(app, origins=[r"https://(www|app)\.example\.net$", "https://admin.example.net"], supports_credentials=True)  # expect: FLASK-CORS-001
CORS(app, origins=["https://app.example.com", "*"])  # expect: FLASK-CORS-001
CORS(app, origins=ORIGIN_RE)  # expect: FLASK-CORS-001
CORS(app, origins=[r"(?:https://a\.example\.org|https://b\.example\.org)$"])  # expect: FLASK-CORS-001
cors.init_app(app)  # expect: FLASK-CORS-001
cors_eager.init_app(app)  # ok: FLASK-CORS-001 (judged at the constructor above)


@app.route("/api/me")
@cross_origin()  # expect: FLASK-CORS-001
def me():
    return jsonify(user="ada")


@app.route("/api/orders")
@cross_origin(origins="*", supports_credentials=True)  # expect: FLASK-CORS-001
def orders():
    return jsonify(orders=[])


# --- positives: hand-written headers ---------------------------------------------------------------------

@api.route("/messages")
def messages():
    response = make_response(jsonify(messages=[]))
    response.headers["Access-Control-Allow-Origin"] = request.headers.get("Origin")  # expect: FLASK-CORS-001
    response.headers["Access-Control-Allow-Credentials"] = "true"
    return response


@api.route("/profile")
def profile():
    origin = request.headers.get("Origin", "")
    resp = make_response(jsonify(name="ada"))
    resp.headers.set("Access-Control-Allow-Origin", origin)  # expect: FLASK-CORS-001
    return resp


@api.route("/cart")
def cart():
    return jsonify(items=[]), 200, {"Access-Control-Allow-Origin": request.headers["Origin"], "Access-Control-Allow-Credentials": "true"}  # expect: FLASK-CORS-001


@api.route("/wallet")
def wallet():
    resp = make_response(jsonify(balance=10))
    resp.headers["Access-Control-Allow-Origin"] = "*"  # expect: FLASK-CORS-001
    resp.headers["Access-Control-Allow-Credentials"] = "true"
    return resp


@api.route("/account")
def account():
    resp = make_response(jsonify(plan="pro"))
    resp.headers["Access-Control-Allow-Origin"] = "*"  # expect: FLASK-CORS-001
    return resp


@api.route("/prefix-checked")
def prefix_checked():
    origin = request.headers.get("Origin", "")
    resp = make_response(jsonify(ok=True))
    if origin.startswith("https://app.example.com"):
        # https://app.example.com.attacker.example starts with it too
        resp.headers["Access-Control-Allow-Origin"] = origin  # expect: FLASK-CORS-001
    return resp


# --- look-alikes that must stay silent -------------------------------------------------------------------

CORS(app, origins=["https://app.example.com"], supports_credentials=True)  # ok: FLASK-CORS-001 (explicit allowlist)
CORS(app, origins="https://app.example.com", supports_credentials=True)  # ok: FLASK-CORS-001 (one exact origin: dots alone are not regex to Flask-CORS)
CORS(app, origins=r"https://[a-z]+\.example\.com$", supports_credentials=True)  # ok: FLASK-CORS-001 (anchored regex)
CORS(app, origins=ALLOWED_ORIGINS, supports_credentials=True)  # ok: FLASK-CORS-001 (module-level allowlist)
CORS(app, origins=os.environ["CORS_ORIGINS"].split(","))  # ok: FLASK-CORS-001 (from the environment: not visible here)
CORS(app, resources={r"/public/*": {"origins": "*"}})  # ok: FLASK-CORS-001 (public data, no credentials)
CORS(app, resources={r"/static/*": {}})  # ok: FLASK-CORS-001 (public path, default origins, no credentials)
CORS(app, resources={r"/api/*": {"origins": ALLOWED_ORIGINS}}, supports_credentials=True)  # ok: FLASK-CORS-001 (allowlist per resource)
cors_strict.init_app(app, origins=ALLOWED_ORIGINS)  # ok: FLASK-CORS-001 (allowlist given to init_app)
CORS(app, origins=os.environ.get("CORS_ORIGINS", "*"))  # todo: FLASK-CORS-001 (falls back to '*' when the variable is unset)
CORS(app, origins=r"https://app.example.com$")  # todo: FLASK-CORS-001 (unescaped dots: https://appxexample.com matches)


@app.route("/health")
@cross_origin()  # ok: FLASK-CORS-001 (health check: public by nature)
def health():
    return "ok"


@app.route("/api/settings")
@cross_origin(origins=["https://app.example.com"], supports_credentials=True)  # ok: FLASK-CORS-001 (explicit allowlist)
def settings():
    return jsonify(theme="dark")


@api.route("/checked")
def checked():
    origin = request.headers.get("Origin")
    resp = make_response(jsonify(ok=True))
    if origin in ALLOWED_ORIGINS:
        resp.headers["Access-Control-Allow-Origin"] = origin  # ok: FLASK-CORS-001 (inside the allowlist check)
        resp.headers["Access-Control-Allow-Credentials"] = "true"
        resp.headers["Vary"] = "Origin"  # ok: FLASK-CORS-001 (not the allow-origin header)
    return resp


@api.route("/early-exit")
def early_exit():
    origin = request.headers.get("Origin", "")
    resp = make_response(jsonify(ok=True))
    if origin not in ALLOWED_ORIGINS:
        return resp
    resp.headers["Access-Control-Allow-Origin"] = origin  # ok: FLASK-CORS-001 (rejected before unless allowlisted)
    return resp


@api.route("/ternary")
def ternary():
    origin = request.headers.get("Origin", "")
    resp = make_response(jsonify(ok=True))
    resp.headers["Access-Control-Allow-Origin"] = origin if origin in ALLOWED_ORIGINS else "null"  # ok: FLASK-CORS-001 (allowlisted in the expression)
    return resp


@api.route("/regex-checked")
def regex_checked():
    origin = request.headers.get("Origin", "")
    resp = make_response(jsonify(ok=True))
    if ORIGIN_RE.fullmatch(origin):
        resp.headers["Access-Control-Allow-Origin"] = origin  # ok: FLASK-CORS-001 (full regex match)
    return resp


@api.route("/fixed")
def fixed():
    resp = make_response(jsonify(ok=True))
    resp.headers["Access-Control-Allow-Origin"] = "https://app.example.com"  # ok: FLASK-CORS-001 (one fixed origin)
    resp.headers["Access-Control-Allow-Methods"] = request.headers.get("Access-Control-Request-Method", "GET")  # ok: FLASK-CORS-001 (not the allow-origin header)
    return resp


@app.route("/public/fonts/<name>")
def fonts(name):
    resp = make_response(b"")
    resp.headers["Access-Control-Allow-Origin"] = "*"  # ok: FLASK-CORS-001 (public assets, no credentials)
    return resp
