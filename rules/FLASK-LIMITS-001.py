# fixture-path: shop/app.py
import os
import sys
import math

from flask import Flask, Request, request, jsonify
from flask import Blueprint

MiB = 1024 * 1024
GiB = 1024 * MiB


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    MAX_CONTENT_LENGTH = None  # ok: FLASK-LIMITS-001 (base default; ProductionConfig below sets the limit)
    MAX_FORM_PARTS = None  # ok: FLASK-LIMITS-001 (base default; ProductionConfig below sets the limit)


class ProductionConfig(Config):
    MAX_CONTENT_LENGTH = 16 * MiB  # ok: FLASK-LIMITS-001 (a real limit)
    MAX_FORM_PARTS = 500  # ok: FLASK-LIMITS-001 (below Flask's default)


class StagingConfig:
    MAX_CONTENT_LENGTH = None  # expect: FLASK-LIMITS-001
    MAX_FORM_MEMORY_SIZE = None  # expect: FLASK-LIMITS-001
    MAX_FORM_PARTS: int | None = None  # expect: FLASK-LIMITS-001


class MediaConfig:
    MAX_CONTENT_LENGTH = 1024 ** 4  # expect: FLASK-LIMITS-001
    MAX_FORM_MEMORY_SIZE = 1 << 30  # expect: FLASK-LIMITS-001
    MAX_FORM_PARTS = 10_000_000  # expect: FLASK-LIMITS-001


class ArchiveConfig:
    MAX_CONTENT_LENGTH = 50 * GiB  # expect: FLASK-LIMITS-001
    MAX_FORM_MEMORY_SIZE = 2 * MiB  # ok: FLASK-LIMITS-001 (a few MiB per field is a real bound)


class VideoConfig:
    MAX_CONTENT_LENGTH = 5 * GiB  # ok: FLASK-LIMITS-001 (large but bounded: a video upload service)
    MAX_FORM_PARTS = 5_000  # ok: FLASK-LIMITS-001 (bounded)


class UnboundedConfig:
    MAX_CONTENT_LENGTH = sys.maxsize  # expect: FLASK-LIMITS-001
    MAX_FORM_MEMORY_SIZE = float("inf")  # expect: FLASK-LIMITS-001


class BulkConfig:
    MAX_CONTENT_LENGTH = math.inf  # expect: FLASK-LIMITS-001


class DevelopmentConfig(Config):
    MAX_CONTENT_LENGTH = None  # ok: FLASK-LIMITS-001 (development config)


class TestingConfig(Config):
    TESTING = True
    MAX_FORM_PARTS = None  # ok: FLASK-LIMITS-001 (test config)


class EnvConfig:
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 16 * MiB))  # ok: FLASK-LIMITS-001 (from the environment)
    MAX_FORM_PARTS = 0  # ok: FLASK-LIMITS-001 (0 rejects every multipart field: strict, not unlimited)


class UnlimitedRequest(Request):
    max_content_length = None  # expect: FLASK-LIMITS-001


class SmallRequest(Request):
    max_content_length = 8 * MiB  # ok: FLASK-LIMITS-001 (a real limit)


def create_app(config_name="production"):
    app = Flask(__name__)
    app.config.from_object(ProductionConfig)
    app.config.update(
        SECRET_KEY=os.environ["SECRET_KEY"],
        MAX_FORM_MEMORY_SIZE=None,  # expect: FLASK-LIMITS-001
    )
    if config_name == "development":
        app.config["MAX_CONTENT_LENGTH"] = None  # ok: FLASK-LIMITS-001 (development branch)
    if app.debug:
        app.config.update(MAX_FORM_PARTS=None)  # ok: FLASK-LIMITS-001 (debug branch)
    return app


def configure_uploads(app):
    app.config["MAX_CONTENT_LENGTH"] = None  # expect: FLASK-LIMITS-001


def configure_from_mapping(app):
    app.config.from_mapping({"MAX_CONTENT_LENGTH": None, "SECRET_KEY": os.environ["SECRET_KEY"]})  # expect: FLASK-LIMITS-001


def configure_defaults(app):
    app.config["MAX_CONTENT_LENGTH"] = None  # ok: FLASK-LIMITS-001 (replaced below in the same function)
    if os.environ.get("APP_ENV") == "production":
        app.config["MAX_CONTENT_LENGTH"] = 32 * MiB  # ok: FLASK-LIMITS-001 (a real limit)


def configure_settings(app):
    settings = dict(MAX_FORM_PARTS=None)  # expect: FLASK-LIMITS-001
    app.config.update(settings)


uploads = Blueprint("uploads", __name__)


@uploads.post("/import")
def import_archive():
    request.max_content_length = None  # expect: FLASK-LIMITS-001
    archive = request.files["archive"]
    return jsonify(name=archive.filename)


@uploads.post("/avatar")
def upload_avatar():
    request.max_content_length = 2 * MiB  # ok: FLASK-LIMITS-001 (per-route limit, Flask 3.1)
    avatar = request.files["avatar"]
    return jsonify(name=avatar.filename)


@uploads.get("/limits")
def show_limits():
    max_content_length = None  # ok: FLASK-LIMITS-001 (a local variable, not a Request attribute)
    limit = request.max_content_length  # ok: FLASK-LIMITS-001 (reads the limit)
    if limit is None or max_content_length == None:  # ok: FLASK-LIMITS-001 (a comparison, not a setting)
        limit = 0
    return jsonify({"max_content_length": None, "limit": limit})  # ok: FLASK-LIMITS-001 (a JSON field, not a config key)


@uploads.post("/raw")
def raw_body():
    data = request.get_data()  # ok: FLASK-LIMITS-001 (Werkzeug applies MAX_CONTENT_LENGTH to the read; the config is the finding)
    chunk = request.stream.read()  # ok: FLASK-LIMITS-001 (same: one setting, not each read)
    return jsonify(size=len(data) + len(chunk))


if __name__ == "__main__":
    local = create_app("development")
    local.config["MAX_CONTENT_LENGTH"] = None  # ok: FLASK-LIMITS-001 (local run only)
    local.run()


def unrelated(make):
    return make(constructor=None, toString=10**12)  # ok: FLASK-LIMITS-001 (names Object.prototype has, not settings)
