# fixture-path: tests/test_auth.py
from datetime import timedelta

from flask import session
from flask_login import login_user

from shop import create_app
from shop.models import User


def test_remember_me():
    app = create_app({"TESTING": True, "PERMANENT_SESSION_LIFETIME": timedelta(days=365)})  # ok: FLASK-SESS-002 (test file)
    with app.test_request_context():
        login_user(User(id=1))  # ok: FLASK-SESS-002 (test file)
        session["access_token"] = "t0k3n-for-tests"  # ok: FLASK-SESS-002 (test file)
