# fixture-path: tests/conftest.py
import pytest

from bank import create_app


@pytest.fixture
def app():
    app = create_app({"WTF_CSRF_ENABLED": False})  # ok: FLASK-CSRF-001 (test file)
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # ok: FLASK-CSRF-001 (test file)
    return app
