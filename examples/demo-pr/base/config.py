"""Configuration classes, selected by the app factory."""
import os


class Config:
    DATABASE = os.environ.get("INVENTORY_DATABASE", "inventory.db")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    MAX_CONTENT_LENGTH = 1 * 1024 * 1024


class ProductionConfig(Config):
    SECRET_KEY = os.environ["FLASK_SECRET_KEY"]
    SESSION_COOKIE_SECURE = True
    TRUSTED_HOSTS = [h for h in os.environ.get("INVENTORY_HOSTS", "").split(",") if h]


class DevelopmentConfig(Config):
    # Safe: the key comes from the environment, never from the repository.
    SECRET_KEY = os.environ.get("FLASK_SECRET_KEY")
