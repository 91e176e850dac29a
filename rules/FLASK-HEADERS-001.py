# fixture-path: shop/security.py
import os

import flask_talisman
from flask import Blueprint, Flask, make_response, render_template
from flask_talisman import Talisman

app = Flask(__name__)
CDN = "https://cdn.example.com"

CSP = {
    "default-src": "'self'",
    "script-src": [
        "'self'",
        "'unsafe-inline'",  # expect: FLASK-HEADERS-001
    ],
    "style-src": ["'self'", "'unsafe-inline'"],  # ok: FLASK-HEADERS-001 (inline styles: not script execution)
}

LEGACY_CSP = {
    "default-src": "'self' 'unsafe-eval'",  # expect: FLASK-HEADERS-001
    "img-src": "*",  # ok: FLASK-HEADERS-001 (images from anywhere: not scripts)
}

SPLIT_CSP = {
    "default-src": "'self' 'unsafe-inline'",  # ok: FLASK-HEADERS-001 (script-src below governs scripts)
    "script-src": "'self' https://cdn.example.com",  # ok: FLASK-HEADERS-001 (listed hosts)
}

HASHED_CSP = {
    "script-src": "'self' 'sha256-B2yPHKaXnvFWtRChIbabYmUBFZdVfKKXHbWtWidDVF8=' 'unsafe-inline'",  # ok: FLASK-HEADERS-001 (a hash makes browsers ignore 'unsafe-inline')
}

OPEN_CSP = {"default-src": "'self'", "script-src": "*"}  # expect: FLASK-HEADERS-001

Talisman(app, content_security_policy=CSP)  # ok: FLASK-HEADERS-001 (the policy's own weakness is reported where it is written)

talisman = Talisman()
talisman.init_app(app, content_security_policy=None)  # expect: FLASK-HEADERS-001


def secure(application):
    flask_talisman.Talisman(application, frame_options=None)  # expect: FLASK-HEADERS-001
    Talisman(application, x_content_type_options=False)  # expect: FLASK-HEADERS-001
    Talisman(application, content_security_policy={})  # expect: FLASK-HEADERS-001
    Talisman(application, force_https=False)  # expect: FLASK-HEADERS-001
    Talisman(application, strict_transport_security=False, force_https_permanent=True)  # expect: FLASK-HEADERS-001
    Talisman(application, content_security_policy="default-src 'self'; script-src 'self' 'unsafe-eval'")  # expect: FLASK-HEADERS-001
    Talisman(application, force_https=not application.debug)  # ok: FLASK-HEADERS-001 (decided by the environment)
    Talisman(application, content_security_policy=OPEN_CSP, content_security_policy_report_only=True, content_security_policy_report_uri="/csp")  # ok: FLASK-HEADERS-001 (report-only rollout; OPEN_CSP itself is reported above)
    if application.debug:
        Talisman(application, force_https=False, content_security_policy=None)  # ok: FLASK-HEADERS-001 (debug only)
    if os.environ.get("APP_ENV") == "development":
        Talisman(application, strict_transport_security=False)  # ok: FLASK-HEADERS-001 (development branch)


@app.after_request
def set_security_headers(response):
    response.headers["Content-Security-Policy"] = "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.example.com"  # expect: FLASK-HEADERS-001
    response.headers["X-Frame-Options"] = "ALLOWALL"  # expect: FLASK-HEADERS-001
    response.headers["X-Content-Type-Options"] = "nosniff"  # ok: FLASK-HEADERS-001 (the protecting value)
    response.headers["Referrer-Policy"] = "no-referrer"  # ok: FLASK-HEADERS-001 (not a weakened header)
    return response


@app.after_request
def add_csp(response):
    policy = (
        "default-src 'self'; "
        f"script-src 'self' 'unsafe-inline' {CDN}"  # expect: FLASK-HEADERS-001
    )
    response.headers["Content-Security-Policy"] = policy
    response.headers["Content-Security-Policy-Report-Only"] = "script-src 'self' 'unsafe-inline'"  # ok: FLASK-HEADERS-001 (report-only: not enforced)
    return response


@app.after_request
def nonce_csp(response):
    nonce = make_nonce()
    response.headers["Content-Security-Policy"] = f"script-src 'self' 'nonce-{nonce}' 'unsafe-inline'"  # ok: FLASK-HEADERS-001 (a nonce makes browsers ignore 'unsafe-inline')
    response.headers["X-Frame-Options"] = "deny"  # ok: FLASK-HEADERS-001 (protecting value, any case)
    return response


@app.after_request
def strict_dynamic(response):
    response.headers.set("Content-Security-Policy", "script-src 'strict-dynamic' 'nonce-abc' 'unsafe-inline' https:")  # ok: FLASK-HEADERS-001 ('strict-dynamic' with a nonce)
    response.headers.set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'")  # ok: FLASK-HEADERS-001 (styles only)
    return response


widgets = Blueprint("widgets", __name__)


@widgets.after_app_request
def partner_framing(response):
    response.headers.set("X-Frame-Options", "ALLOW-FROM https://partner.example.com")  # expect: FLASK-HEADERS-001
    response.headers["X-Content-Type-Options"] = "none"  # expect: FLASK-HEADERS-001
    return response


def strip_framing(response):
    del response.headers["X-Frame-Options"]  # expect: FLASK-HEADERS-001
    response.headers.pop("X-Content-Type-Options", None)  # expect: FLASK-HEADERS-001
    response.headers["Content-Security-Policy"] = "default-src 'self'; frame-ancestors *"  # expect: FLASK-HEADERS-001
    return response


app.after_request(strip_framing)


@widgets.route("/embed/<int:widget_id>")
def embed(widget_id):
    response = make_response(render_template("widget.html", widget_id=widget_id))
    response.headers["X-Frame-Options"] = "ALLOWALL"  # ok: FLASK-HEADERS-001 (one embeddable page, deliberately)
    del response.headers["X-Content-Type-Options"]  # ok: FLASK-HEADERS-001 (one page, deliberately)
    response.headers["Content-Security-Policy"] = "default-src 'self'; frame-ancestors *"  # ok: FLASK-HEADERS-001 (one embeddable page)
    return response


@widgets.route("/download")
def download():
    return make_response("data", 200, {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff"})  # ok: FLASK-HEADERS-001 (protecting values)


class DevelopmentConfig:
    TALISMAN_CSP = {"script-src": ["'self'", "'unsafe-eval'"]}  # ok: FLASK-HEADERS-001 (development config: hot reload)


HELP_TEXT = "Set script-src 'self' in production"  # ok: FLASK-HEADERS-001 (prose, not a policy)
