# fixture-path: config.py
"""Settings for the orders service, loaded by app.config.from_object("config.<Name>")."""
import os

from pydantic_settings import BaseSettings

DEBUG = True  # expect: FLASK-DEPLOY-002
TESTING = False
TRAP_HTTP_EXCEPTIONS = True  # ok: FLASK-DEPLOY-002 (HTTP errors become 500s; no debugger or traceback for clients)
PROPAGATE_EXCEPTIONS = True  # ok: FLASK-DEPLOY-002 (the WSGI server logs the error and answers a plain 500)
SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "sqlite:///orders.db")
SQLALCHEMY_ECHO = True  # ok: FLASK-DEPLOY-002 (SQL logging, not debug mode)
SQLALCHEMY_RECORD_QUERIES = os.environ.get("DEBUG_QUERIES", "1") == "1"  # ok: FLASK-DEPLOY-002 (not the debug switch)

if os.environ.get("APP_ENV") == "development":
    DEBUG = True  # ok: FLASK-DEPLOY-002 (gated on the environment)


class BaseConfig:
    DEBUG = True  # ok: FLASK-DEPLOY-002 (every production subclass below sets DEBUG itself)
    JSON_SORT_KEYS = False


class ProductionConfig(BaseConfig):
    DEBUG = False  # ok: FLASK-DEPLOY-002 (debug off)
    PROPAGATE_EXCEPTIONS = True  # ok: FLASK-DEPLOY-002 (not the debugger)


class StagingConfig(BaseConfig):
    DEBUG = os.environ.get("STAGING_DEBUG") == "1"  # ok: FLASK-DEPLOY-002 (off unless the environment says so)


class DevelopmentConfig(BaseConfig):
    DEBUG = True  # ok: FLASK-DEPLOY-002 (development config, spec note)


class DefaultConfig(object):
    DEBUG = True  # expect: FLASK-DEPLOY-002
    SECRET_KEY = None


class LocalConfig(DefaultConfig):
    DEBUG = True  # ok: FLASK-DEPLOY-002 (local config)


class TestingConfig(DefaultConfig):
    DEBUG = True  # ok: FLASK-DEPLOY-002 (test config)
    TESTING = True


class DebugConfig(DefaultConfig):
    DEBUG = 1  # ok: FLASK-DEPLOY-002 (a config named for debugging)


class HerokuConfig(ProductionConfig):
    DEBUG = 1  # expect: FLASK-DEPLOY-002


class LiveConfig(ProductionConfig):
    DEBUG: bool = True  # expect: FLASK-DEPLOY-002
    TRAP_HTTP_EXCEPTIONS = True  # ok: FLASK-DEPLOY-002 (not the debugger)


class CloudConfig(ProductionConfig):
    DEBUG = os.getenv("DEBUG", True)  # expect: FLASK-DEPLOY-002


class KubernetesConfig(ProductionConfig):
    DEBUG = os.getenv("FLASK_DEBUG", "False") == "True"  # ok: FLASK-DEPLOY-002 (off by default)


class Settings(BaseSettings):
    DEBUG: bool = True  # expect: FLASK-DEPLOY-002
    debug_toolbar: bool = False


class Feature:
    DEBUG = True  # ok: FLASK-DEPLOY-002 (not a config class)


config = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
    "default": DefaultConfig,
}
