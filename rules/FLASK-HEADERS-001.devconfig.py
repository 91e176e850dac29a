# fixture-path: config/development.py
from flask_talisman import Talisman

CSP = {"default-src": "'self'", "script-src": "'self' 'unsafe-eval' 'unsafe-inline'"}  # ok: FLASK-HEADERS-001 (development module: hot reload)


def init_dev(app):
    Talisman(app, force_https=False, content_security_policy=None)  # ok: FLASK-HEADERS-001 (development module)
    app.after_request(lambda r: r)


def relax(response):
    response.headers["X-Frame-Options"] = "ALLOWALL"  # ok: FLASK-HEADERS-001 (development module)
    return response
