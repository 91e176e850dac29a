# fixture-path: config/production.py
"""Production settings, loaded with app.config.from_object("config.production")."""
import logging
import os

from config.base import *  # noqa: F401,F403

log = logging.getLogger(__name__)

SECRET_KEY = "prod-3c1d9b0e5a7f"  # expect: FLASK-CONFIG-001
JWT_SECRET_KEY = os.environ["JWT_SECRET_KEY"]  # ok: FLASK-CONFIG-001 (from the environment)
SECURITY_PASSWORD_SALT = os.environ.get("SECURITY_PASSWORD_SALT", "salt-9e2b")  # expect: FLASK-CONFIG-001
SECRET_KEY_FALLBACKS = [k for k in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if k]  # ok: FLASK-CONFIG-001 (from the environment)
WTF_CSRF_SECRET_KEY = None  # ok: FLASK-CONFIG-001 (unset: Flask-WTF uses SECRET_KEY)
SESSION_COOKIE_SECURE = True
ENV_NAMES = {"JWT_SECRET_KEY": "FLASK_JWT_SECRET_KEY"}  # ok: FLASK-CONFIG-001 (maps a setting to the variable that holds it)

log.info(f"production config loaded, SECRET_KEY={SECRET_KEY}")  # expect: FLASK-CONFIG-001
log.info("production config loaded")  # ok: FLASK-CONFIG-001 (no key in the message)
