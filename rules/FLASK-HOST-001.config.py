# fixture-path: accounts/config.py
import os

from flask import Flask


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    TRUSTED_HOSTS = None  # ok: FLASK-HOST-001 (base default; ProductionConfig below lists the domains)


class ProductionConfig(Config):
    TRUSTED_HOSTS = ["shop.example.com", ".shop.example.com"]  # ok: FLASK-HOST-001 (own domain and its subdomains)


class StagingConfig:
    TRUSTED_HOSTS = None  # expect: FLASK-HOST-001


class EuropeConfig:
    TRUSTED_HOSTS = [".com", "shop.example.de"]  # expect: FLASK-HOST-001


class PartnerConfig:
    TRUSTED_HOSTS = ("partner.example.io", ".io")  # expect: FLASK-HOST-001


class IntranetConfig:
    TRUSTED_HOSTS = [".internal", ".localhost"]  # ok: FLASK-HOST-001 (reserved names nobody can register)


class DevelopmentConfig(Config):
    TRUSTED_HOSTS = None  # ok: FLASK-HOST-001 (development config)


class TestingConfig(Config):
    TRUSTED_HOSTS = None  # ok: FLASK-HOST-001 (test config)


class EnvConfig:
    TRUSTED_HOSTS = os.environ.get("TRUSTED_HOSTS", "").split(",")  # ok: FLASK-HOST-001 (from the environment)


class WildcardConfig:
    TRUSTED_HOSTS = ["*"]  # ok: FLASK-HOST-001 (Werkzeug has no wildcard: every request is rejected, a bug rather than an exposure)


class EmptyConfig:
    TRUSTED_HOSTS = []  # ok: FLASK-HOST-001 (an empty list rejects every host)


def create_app():
    app = Flask(__name__)
    app.config["TRUSTED_HOSTS"] = None  # expect: FLASK-HOST-001
    if app.debug:
        app.config["TRUSTED_HOSTS"] = None  # ok: FLASK-HOST-001 (debug branch)
    if not app.debug:
        app.config.update(TRUSTED_HOSTS=None)  # expect: FLASK-HOST-001
    return app


def configure(app):
    app.config.from_mapping({"TRUSTED_HOSTS": None, "SECRET_KEY": os.environ["SECRET_KEY"]})  # expect: FLASK-HOST-001


def configure_with_override(app):
    app.config["TRUSTED_HOSTS"] = None  # ok: FLASK-HOST-001 (replaced below in the same function)
    if os.environ.get("APP_ENV") == "production":
        app.config["TRUSTED_HOSTS"] = ["api.example.com"]  # ok: FLASK-HOST-001 (a real list)


def configure_suffix(app):
    app.config["TRUSTED_HOSTS"] = [".example.com"]  # ok: FLASK-HOST-001 (own registrable domain with subdomains)
    settings = {"trusted_hosts": None}  # ok: FLASK-HOST-001 (not the Flask key)
    if app.config.get("TRUSTED_HOSTS") == None:  # ok: FLASK-HOST-001 (a comparison, not a setting)
        settings["warn"] = True
    return settings


if __name__ == "__main__":
    local = create_app()
    local.config["TRUSTED_HOSTS"] = None  # ok: FLASK-HOST-001 (local run)
    local.run()
