# fixture-path: portal/app.py
import ipaddress
import os
from ipaddress import ip_address, ip_network

from flask import Blueprint, Flask, abort, g, jsonify, request, session
from flask import request as req
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware import proxy_fix
from werkzeug.middleware.proxy_fix import ProxyFix

app = Flask(__name__)
app.wsgi_app = ProxyFix(app.wsgi_app, x_for=10, x_proto=10, x_host=10, x_port=10, x_prefix=10)  # expect: FLASK-PROXY-001

ADMIN_IPS = {"203.0.113.7", "203.0.113.8"}
TRUSTED_IPS = ["198.51.100.4"]
BANNED_IPS = set()
OFFICE_NETWORK = ip_network("198.51.100.0/24")


def build_app(kind):
    application = Flask(kind)
    if kind == "edge":
        application.wsgi_app = ProxyFix(application.wsgi_app, 100)  # expect: FLASK-PROXY-001
    elif kind == "cdn":
        application.wsgi_app = ProxyFix(application.wsgi_app, x_for=3, x_proto=1)  # expect: FLASK-PROXY-001
    elif kind == "lb":
        application.wsgi_app = ProxyFix(application.wsgi_app, x_for=2, x_proto=1)  # ok: FLASK-PROXY-001 (CDN + load balancer: two hops is common)
    elif kind == "nginx":
        application.wsgi_app = proxy_fix.ProxyFix(application.wsgi_app, x_for=1, x_proto=1, x_host=1)  # ok: FLASK-PROXY-001 (one proxy)
    elif kind == "env":
        hops = int(os.environ.get("PROXY_HOPS", "1"))
        application.wsgi_app = ProxyFix(application.wsgi_app, x_for=hops, x_proto=hops)  # ok: FLASK-PROXY-001 (deployment decides the count)
    else:
        application.wsgi_app = ProxyFix(application.wsgi_app)  # ok: FLASK-PROXY-001 (defaults: one hop for X-Forwarded-For/-Proto)
    return application


def client_ip():
    return request.headers.get("X-Real-IP") or request.remote_addr


def forwarded_key():
    return request.headers.get("X-Forwarded-For", request.remote_addr)


limiter = Limiter(key_func=forwarded_key, app=app)  # expect: FLASK-PROXY-001
search_limiter = Limiter(get_remote_address, app=app)  # ok: FLASK-PROXY-001 (the peer address: without ProxyFix everyone shares a bucket, not spoofable)
admin = Blueprint("admin", __name__)


@admin.before_request
def only_admins():
    if request.headers.get("X-Forwarded-For") not in ADMIN_IPS:  # expect: FLASK-PROXY-001
        abort(403)


@admin.route("/dashboard")
def dashboard():
    ip = request.headers.get("X-Forwarded-For", request.remote_addr).split(",")[0].strip()
    if ip not in ADMIN_IPS:  # expect: FLASK-PROXY-001
        abort(403)
    app.logger.info("dashboard for %s", ip)  # ok: FLASK-PROXY-001 (logging, no decision)
    return jsonify(ok=True)


@admin.route("/reports")
def reports():
    if request.access_route[0] in TRUSTED_IPS:  # expect: FLASK-PROXY-001
        return jsonify(reports=[])
    abort(401)


@admin.route("/metrics")
def metrics():
    if client_ip() != "203.0.113.7":  # expect: FLASK-PROXY-001
        abort(403)
    return "ok"


@app.route("/internal/jobs", methods=["POST"])
def internal_jobs():
    if not req.environ.get("HTTP_X_FORWARDED_FOR", "").startswith("10."):  # expect: FLASK-PROXY-001
        abort(403)
    return "queued"


@app.route("/internal/cache", methods=["DELETE"])
def purge_cache():
    if not ipaddress.ip_address(request.headers["X-Forwarded-For"]).is_private:  # expect: FLASK-PROXY-001
        abort(403)
    return "purged"


def from_office():
    forwarded = request.headers.get("X-Forwarded-For", "")
    return ip_address(forwarded.split(",")[0]) in OFFICE_NETWORK  # expect: FLASK-PROXY-001


@app.route("/comment", methods=["POST"])
def comment():
    address = request.headers.get("X-Forwarded-For")
    if address in BANNED_IPS:  # expect: FLASK-PROXY-001
        abort(429)
    return "thanks"


@app.route("/export")
def export():
    assert request.headers.get("CF-Connecting-IP") in ADMIN_IPS  # expect: FLASK-PROXY-001
    return "csv"


@app.route("/search")
@limiter.limit("5/minute", exempt_when=lambda: request.headers.get("X-Forwarded-For") in TRUSTED_IPS)  # expect: FLASK-PROXY-001
def search():
    role = "staff" if request.access_route[0] == "203.0.113.7" else "guest"  # expect: FLASK-PROXY-001
    return jsonify(role=role)


@app.route("/session-check")
def session_check():
    if session.get("ip") != request.headers.get("X-Forwarded-For"):  # expect: FLASK-PROXY-001
        session.clear()
    elif request.environ["HTTP_X_FORWARDED_FOR"] == "198.51.100.4":  # expect: FLASK-PROXY-001
        g.trusted = True
    return "ok"


@app.route("/beta")
def beta():
    if "203.0.113.7" in request.headers.get("X-Forwarded-For", ""):  # expect: FLASK-PROXY-001
        return "beta"
    return "stable"


@app.route("/upload", methods=["POST"])
@limiter.limit("10/hour", key_func=lambda: request.headers.get("X-Forwarded-For"))  # expect: FLASK-PROXY-001
def upload():
    return "stored"


def get_addr():
    return request.access_route[0]


@app.route("/ops")
def ops():
    who = get_addr()
    if who not in ADMIN_IPS:  # expect: FLASK-PROXY-001
        abort(403)
    origin = (
        request.headers.get("X-Forwarded-For", "")
    )
    if origin == "198.51.100.4":  # expect: FLASK-PROXY-001
        return "ops"
    label = request.args.get("label", "").strip()
    if label in ADMIN_IPS:  # ok: FLASK-PROXY-001 (a query parameter that happens to be compared with the list)
        abort(400)
    return "no"


@app.route("/profile")
@limiter.limit("10/hour", key_func=get_remote_address)  # ok: FLASK-PROXY-001 (peer address)
@limiter.limit("100/day", key_func=lambda: request.remote_addr)  # ok: FLASK-PROXY-001 (peer address)
def profile():
    if request.remote_addr not in ADMIN_IPS:  # ok: FLASK-PROXY-001 (ProxyFix resolves remote_addr; its hop count is reported where it is applied)
        abort(403)
    nearest = request.access_route[-1]
    if nearest in ADMIN_IPS:  # ok: FLASK-PROXY-001 (rightmost entry: added by the nearest proxy)
        g.admin = True
    if request.headers.get("X-Forwarded-For", "").split(",")[-1].strip() in ADMIN_IPS:  # ok: FLASK-PROXY-001 (rightmost entry)
        g.admin = True
    if request.headers.get("X-Forwarded-For"):  # ok: FLASK-PROXY-001 (presence test, no address decision)
        g.proxied = True
    if client_ip() == "unknown" or client_ip() is None:  # ok: FLASK-PROXY-001 (not compared with an address)
        g.anonymous = True
    if request.remote_addr != request.headers.get("X-Real-IP"):  # ok: FLASK-PROXY-001 (address against address: a proxy check)
        g.via_proxy = True
    if request.headers.get("X-Forwarded-Proto") == "https":  # ok: FLASK-PROXY-001 (scheme, not an address)
        g.secure = True
    if request.headers.get("User-Agent") in BANNED_IPS:  # ok: FLASK-PROXY-001 (not an address header)
        abort(403)
    if request.args.get("ip") in TRUSTED_IPS:  # ok: FLASK-PROXY-001 (a query parameter, not the client address)
        g.lookup = True
    g.client = request.access_route[0]  # ok: FLASK-PROXY-001 (stored, no decision)
    is_office = request.access_route[0] in TRUSTED_IPS  # todo: FLASK-PROXY-001 (decision stored in a variable first)
    if is_office:
        g.office = True
    private = any(client_ip().startswith(p) for p in ("10.", "192.168."))  # todo: FLASK-PROXY-001 (test inside a generator)
    return jsonify(office=is_office, private=private)
