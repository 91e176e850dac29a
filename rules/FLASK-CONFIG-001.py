"""Orders service: configuration, app factory and a few helpers folded into one fixture.

Docstrings that mention SECRET_KEY = "..." or app.secret_key stay silent.
"""
import json
import logging
import os
import secrets
import sys
from os import environ

import click
import stripe
from decouple import config
from flask import Blueprint, Flask, current_app, session
from itsdangerous import URLSafeTimedSerializer
from pydantic_settings import BaseSettings

from orders.vault import read_secret

log = logging.getLogger(__name__)
logger = logging.getLogger("orders.security")
bp = Blueprint("admin", __name__)

SECRET_KEY = "9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d"  # expect: FLASK-CONFIG-001
JWT_SECRET_KEY = environ.get("JWT_SECRET_KEY", "jwt-signing-2024")  # expect: FLASK-CONFIG-001
SECRET_KEY_FALLBACKS = ["rotated-2023-q4-key", os.environ.get("OLD_SECRET_KEY")]  # expect: FLASK-CONFIG-001
DEFAULT_SIGNING_KEY = "orders-signing-key-2f9c"
KEY_LENGTH = 32  # ok: FLASK-CONFIG-001 (not a key)
SESSION_KEY_PREFIX = "session:"  # ok: FLASK-CONFIG-001 (not a signing key)
stripe.api_key = os.getenv("STRIPE_SECRET_KEY", "")  # ok: FLASK-CONFIG-001 (a third-party API key, not Flask's signing key)
CACHE_URL = config("CACHE_URL", default="redis://localhost:6379/0")  # ok: FLASK-CONFIG-001 (not a key)


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY") or "hard to guess string"  # expect: FLASK-CONFIG-001
    SESSION_COOKIE_SECURE = True
    SQLALCHEMY_TRACK_MODIFICATIONS = False


class ProductionConfig(Config):
    SECRET_KEY = os.getenv("SECRET_KEY", "prod-key-change-me")  # expect: FLASK-CONFIG-001
    WTF_CSRF_SECRET_KEY = "csrf-4d1f0b8a9e7c"  # expect: FLASK-CONFIG-001
    SECURITY_PASSWORD_SALT = "146585145368132386173505678016728509634"  # expect: FLASK-CONFIG-001


class StagingConfig(Config):
    SECRET_KEY = config("SECRET_KEY", default="staging-not-so-random")  # expect: FLASK-CONFIG-001
    SECRET_KEY_FALLBACKS = [k for k in os.environ.get("OLD_KEYS", "").split(",") if k]  # ok: FLASK-CONFIG-001 (from the environment)


class HerokuConfig(ProductionConfig):
    SECRET_KEY = ""  # expect: FLASK-CONFIG-001


class KubernetesConfig(ProductionConfig):
    SECRET_KEY = os.environ["SECRET_KEY"]  # ok: FLASK-CONFIG-001 (from the environment, fails closed)
    JWT_SECRET_KEY = os.environ.get("JWT_SECRET_KEY")  # ok: FLASK-CONFIG-001 (no hard-coded fallback)
    SECURITY_PASSWORD_SALT = read_secret("flask/password-salt")  # ok: FLASK-CONFIG-001 (secret manager)


class VaultConfig(ProductionConfig):
    SECRET_KEY = open("/run/secrets/flask_secret_key").read().strip()  # ok: FLASK-CONFIG-001 (mounted secret file)
    WTF_CSRF_SECRET_KEY = os.environ.get("CSRF_SECRET", os.urandom(24).hex())  # ok: FLASK-CONFIG-001 (random fallback, not a known value)


class DevelopmentConfig(Config):
    SECRET_KEY = "insecure-local-dev-key"  # ok: FLASK-CONFIG-001 (development config; production overrides it, spec note)


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing"  # ok: FLASK-CONFIG-001 (test config)


class LocalConfig(Config):
    SECRET_KEY = os.getenv("SECRET_KEY", "local-only")  # ok: FLASK-CONFIG-001 (local config)


class CIConfig(Config):
    TESTING = True
    SECRET_KEY = "ci-only-key"  # ok: FLASK-CONFIG-001 (a config with TESTING = True)


class Settings(BaseSettings):
    SECRET_KEY: str = "change-me-in-production"  # expect: FLASK-CONFIG-001
    ADMIN_EMAIL: str = "ops@example.com"


class Defaults:
    SECRET_KEY = None  # ok: FLASK-CONFIG-001 (unset, not a value)


if os.environ.get("FLASK_ENV") == "production":
    SESSION_COOKIE_SECURE = True
else:
    SECRET_KEY = "insecure-local-key"  # ok: FLASK-CONFIG-001 (the non-production branch)

signer_key = os.environ.get("SECRET_KEY") or "fallback-signer-2b1d"  # expect: FLASK-CONFIG-001


def create_app(test_config=None):
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(SECRET_KEY="dev", DATABASE=os.path.join(app.instance_path, "orders.sqlite"))  # expect: FLASK-CONFIG-001
    app.secret_key = b'_5#y2L"F4Q8z\n\xec]/'  # expect: FLASK-CONFIG-001
    app.config["SECRET_KEY"] = "you-will-never-guess"  # expect: FLASK-CONFIG-001
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        WTF_CSRF_SECRET_KEY="a-csrf-key-2b7e",  # expect: FLASK-CONFIG-001
    )
    app.config.update({"SECRET_KEY": "8c3f1e0a7b5d"})  # expect: FLASK-CONFIG-001
    app.config.update(dict(JWT_SECRET_KEY="jwt-" + "fixed-suffix"))  # expect: FLASK-CONFIG-001
    app.config.setdefault("SECRET_KEY", "fallback-when-unset")  # expect: FLASK-CONFIG-001
    app.secret_key = os.environ.get("FLASK_SECRET_KEY", "")  # expect: FLASK-CONFIG-001
    app.secret_key = DEFAULT_SIGNING_KEY  # expect: FLASK-CONFIG-001
    app.config["SECRET_KEY_FALLBACKS"] = ["2023-key-retired", "2022-key-retired"]  # expect: FLASK-CONFIG-001
    app.config["SECRET_KEY"] = "rotating".encode()  # expect: FLASK-CONFIG-001
    app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]  # ok: FLASK-CONFIG-001 (from the environment)
    app.config["SECRET_KEY"] = os.urandom(32)  # ok: FLASK-CONFIG-001 (random per process)
    app.secret_key = secrets.token_hex(32)  # ok: FLASK-CONFIG-001 (random)
    app.secret_key = os.environ.get("SECRET_KEY")  # ok: FLASK-CONFIG-001 (no default: Flask refuses sessions when unset)
    app.config["SECRET_KEY"] = f"{os.environ['KEY_PREFIX']}{os.environ['KEY_BODY']}"  # ok: FLASK-CONFIG-001 (built from the environment)
    app.config["SESSION_COOKIE_NAME"] = "orders_session"  # ok: FLASK-CONFIG-001 (not a key)
    app.config.from_prefixed_env()
    if test_config is not None:
        app.config.update(test_config)
    if app.debug:
        app.secret_key = "debug-only-key"  # ok: FLASK-CONFIG-001 (development branch)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY is not set")  # ok: FLASK-CONFIG-001 (fail closed)
    if app.config["SECRET_KEY"] in {"changeme", "dev"}:  # ok: FLASK-CONFIG-001 (a comparison, not a value)
        raise RuntimeError("refusing a placeholder SECRET_KEY")
    os.environ.setdefault("SECRET_KEY", "setdefault-fallback")  # expect: FLASK-CONFIG-001
    os.environ["SECRET_KEY"] = "pinned-in-code"  # expect: FLASK-CONFIG-001
    app.config.update(TESTING=True, SECRET_KEY="testing")  # ok: FLASK-CONFIG-001 (test configuration)
    app.config.from_mapping({"TESTING": True, "SECRET_KEY": "testing"})  # ok: FLASK-CONFIG-001 (test configuration)
    return app


def create_test_app():
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "test-key"  # ok: FLASK-CONFIG-001 (test factory)
    return app


def log_startup(app):
    print(app.secret_key)  # expect: FLASK-CONFIG-001
    print(app.config["SECRET_KEY"])  # expect: FLASK-CONFIG-001
    app.logger.info("signing with %s", app.config["SECRET_KEY"])  # expect: FLASK-CONFIG-001
    logging.debug(f"secret={current_app.config['SECRET_KEY']}")  # expect: FLASK-CONFIG-001
    logger.info(os.environ["SECRET_KEY"])  # expect: FLASK-CONFIG-001
    log.warning("key is " + SECRET_KEY)  # expect: FLASK-CONFIG-001
    click.echo("JWT key: {}".format(app.config.get("JWT_SECRET_KEY")))  # expect: FLASK-CONFIG-001
    key = app.config["SECRET_KEY"]
    logger.debug("key prefix %s", key[:6])  # expect: FLASK-CONFIG-001
    sys.stderr.write("env key=%s\n" % os.getenv("SECRET_KEY"))  # expect: FLASK-CONFIG-001
    print(app.config)  # expect: FLASK-CONFIG-001
    log.debug("config: %s", json.dumps(dict(app.config), default=str))  # expect: FLASK-CONFIG-001
    app.logger.info("SECRET_KEY loaded from the environment")  # ok: FLASK-CONFIG-001 (mentions the name, not the value)
    app.logger.info("secret key length: %d", len(app.secret_key))  # ok: FLASK-CONFIG-001 (only the length)
    print("SECRET_KEY set:", bool(app.config.get("SECRET_KEY")))  # ok: FLASK-CONFIG-001 (only whether it is set)
    logger.info("key: %s", "set" if app.secret_key else "missing")  # ok: FLASK-CONFIG-001 (the key is only the condition)
    print(app.config["SQLALCHEMY_TRACK_MODIFICATIONS"])  # ok: FLASK-CONFIG-001 (another setting)
    log.info("config keys: %s", sorted(app.config.keys()))  # ok: FLASK-CONFIG-001 (names only, no values)
    logger.debug("session user: %s", session.get("user_id"))  # ok: FLASK-CONFIG-001 (not the key)
    if app.debug:
        print(app.config)  # ok: FLASK-CONFIG-001 (development branch)


@bp.route("/reset/<token>")
def reset(token):
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"])  # ok: FLASK-CONFIG-001 (uses the key)
    email = serializer.loads(token, salt=current_app.config["SECURITY_PASSWORD_SALT"], max_age=3600)  # ok: FLASK-CONFIG-001 (uses the salt)
    return email


if __name__ == "__main__":
    dev_app = create_app()
    dev_app.secret_key = "local-run-key"  # ok: FLASK-CONFIG-001 (local dev entrypoint)
    print(dev_app.secret_key)  # ok: FLASK-CONFIG-001 (local dev entrypoint)
    dev_app.run()
