# fixture-path: app/config.py
# Flask-CORS reads CORS_* keys from app.config when CORS(app) passes no options.
import os

from flask import Flask
from flask_cors import CORS


class Config:
    SECRET_KEY = os.environ["SECRET_KEY"]
    CORS_ORIGINS = "*"  # expect: FLASK-CORS-001
    CORS_SUPPORTS_CREDENTIALS = True


class StagingConfig(Config):
    CORS_ORIGINS = ["https://staging.example.com"]  # ok: FLASK-CORS-001 (explicit list)


class PartnerConfig(Config):
    CORS_ORIGINS = [r"https://[a-z]+\.partner\.example"]  # expect: FLASK-CORS-001


def create_app(config=Config):
    app = Flask(__name__)
    app.config.from_object(config)
    app.config.update(CORS_ORIGINS="*")  # expect: FLASK-CORS-001
    app.config["CORS_ORIGINS"] = os.environ.get("ALLOWED_ORIGINS", "").split(",")  # ok: FLASK-CORS-001 (from the environment)
    CORS(app)  # ok: FLASK-CORS-001 (options come from the config keys above, judged there)
    return app
