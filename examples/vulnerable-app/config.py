"""Configuration classes, selected by the app factory."""
import os
from datetime import timedelta


class Config:
    DATABASE = os.environ.get("INVENTORY_DATABASE", "inventory.db")
    UPLOAD_FOLDER = os.environ.get("INVENTORY_UPLOADS", "/srv/inventory/uploads")
    REPORTS_FOLDER = os.environ.get("INVENTORY_REPORTS", "/srv/inventory/reports")
    PUBLIC_BASE_URL = os.environ.get("INVENTORY_PUBLIC_URL", "https://inventory.example.com")
    MAIL_DEFAULT_SENDER = "inventory@example.com"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)


class ProductionConfig(Config):
    SECRET_KEY = "7d41f0c2b9e84a6f93c5e1a0d8b72f64"  # flask-audit example: FLASK-CONFIG-001
    SESSION_COOKIE_SECURE = True
    # the partner portal embeds the stock pages in an iframe and must keep the login
    SESSION_COOKIE_SAMESITE = "None"  # flask-audit example: FLASK-SESS-001
    # warehouse tablets should not have to log in every shift
    PERMANENT_SESSION_LIFETIME = timedelta(days=365)  # flask-audit example: FLASK-SESS-002
    # the bulk price-list form posts more than Flask's 500 kB per field
    MAX_FORM_MEMORY_SIZE = None  # flask-audit example: FLASK-LIMITS-001


class DevelopmentConfig(Config):
    # Safe: the key comes from the environment, never from the repository; Secure is off for local HTTP only.
    SECRET_KEY = os.environ.get("FLASK_SECRET_KEY")
    SESSION_COOKIE_SECURE = False
