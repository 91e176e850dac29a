# fixture-path: tests/conftest.py
import pytest

from shop import create_app


@pytest.fixture
def app():
    app = create_app({
        "TESTING": True,
        "SESSION_COOKIE_SECURE": False,  # ok: FLASK-SESS-001 (test file)
        "SESSION_COOKIE_HTTPONLY": False,  # ok: FLASK-SESS-001 (test file)
        "SESSION_COOKIE_SAMESITE": None,  # ok: FLASK-SESS-001 (test file)
    })
    app.config["REMEMBER_COOKIE_SECURE"] = False  # ok: FLASK-SESS-001 (test file)
    return app


@pytest.fixture
def client(app):
    client = app.test_client()
    client.set_cookie("session", "x", httponly=False)  # ok: FLASK-SESS-001 (test client in a test file)
    return client
