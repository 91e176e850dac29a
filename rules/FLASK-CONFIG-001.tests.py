# fixture-path: tests/conftest.py
import pytest

from orders import create_app


@pytest.fixture
def app():
    app = create_app({"SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False})  # ok: FLASK-CONFIG-001 (test file)
    app.secret_key = "another-test-key"  # ok: FLASK-CONFIG-001 (test file)
    print(app.config["SECRET_KEY"])  # ok: FLASK-CONFIG-001 (test file)
    return app
