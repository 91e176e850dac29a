# fixture-path: tests/test_debug.py
import os

import pytest
from flask import Flask

os.environ["FLASK_DEBUG"] = "1"  # ok: FLASK-DEPLOY-002 (test file)
app = Flask(__name__)
app.debug = True  # ok: FLASK-DEPLOY-002 (test file)


class TestConfig:
    DEBUG = True  # ok: FLASK-DEPLOY-002 (test file)


@pytest.fixture
def client():
    app.config.update(DEBUG=True)  # ok: FLASK-DEPLOY-002 (test file)
    return app.test_client()


def test_run_debug(monkeypatch):
    monkeypatch.setattr(app, "run", lambda **kw: kw)
    assert app.run(debug=True)["debug"]  # ok: FLASK-DEPLOY-002 (test file)
