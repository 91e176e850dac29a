# fixture-path: tests/test_admin.py
from flask import request
from werkzeug.middleware.proxy_fix import ProxyFix


def test_forwarded_admin(app, client):
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=10)  # ok: FLASK-PROXY-001 (test code)
    with app.test_request_context(headers={"X-Forwarded-For": "203.0.113.7"}):
        assert request.headers.get("X-Forwarded-For") == "203.0.113.7"  # ok: FLASK-PROXY-001 (test code)
