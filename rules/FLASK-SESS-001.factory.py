# fixture-path: flaskr/__init__.py
import os

from flask import Flask


def create_app(test_config=None):
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY=os.environ["SECRET_KEY"],
        SESSION_COOKIE_SAMESITE=None,  # expect: FLASK-SESS-001
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.update(SESSION_COOKIE_SECURE=False)  # expect: FLASK-SESS-001
    else:
        app.config.update(test_config)
        app.config["SESSION_COOKIE_SECURE"] = False  # ok: FLASK-SESS-001 (test configuration branch)

    if app.config.get("ENV") != "production":
        app.config["SESSION_COOKIE_SECURE"] = False  # ok: FLASK-SESS-001 (non-production branch)
    if not app.debug:
        app.config["REMEMBER_COOKIE_SECURE"] = False  # expect: FLASK-SESS-001

    return app


def create_test_app():
    app = create_app({"TESTING": True})
    app.config.update(SESSION_COOKIE_HTTPONLY=False)  # ok: FLASK-SESS-001 (test factory)
    return app
