# fixture-path: blog/extensions.py
from flask import Flask
from flask_talisman import Talisman

CSP = {
    "default-src": "'self'",
    "script-src": ["'self'", "'unsafe-inline'", "https://cdn.example.com"],  # ok: FLASK-HEADERS-001 (Talisman adds a nonce to script-src: browsers ignore 'unsafe-inline')
    "style-src": "'self' 'unsafe-inline'",  # ok: FLASK-HEADERS-001 (styles only)
}

ADMIN_CSP = {
    "script-src": "'self' 'unsafe-eval'",  # expect: FLASK-HEADERS-001
}


def init_security(app: Flask) -> None:
    Talisman(app, content_security_policy=CSP, content_security_policy_nonce_in=["script-src"])  # ok: FLASK-HEADERS-001 (nonce-based policy)
