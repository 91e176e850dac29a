# fixture-path: shop/settings.py
# A plain settings module loaded with app.config.from_pyfile(); the app reads no uploads.
import os

SECRET_KEY = os.environ.get("SECRET_KEY")
MAX_CONTENT_LENGTH = None  # expect: FLASK-LIMITS-001
MAX_FORM_PARTS = 2 ** 40  # expect: FLASK-LIMITS-001
MAX_FORM_MEMORY_SIZE = 1_000_000  # ok: FLASK-LIMITS-001 (1 MB per field: bounded)
SESSION_COOKIE_SECURE = True
CONFIG = {"MAX_CONTENT_LENGTH": 8 * 1024 * 1024}  # ok: FLASK-LIMITS-001 (a real limit)
