# fixture-path: config/local_settings.py
from datetime import timedelta

PERMANENT_SESSION_LIFETIME = timedelta(days=365)  # ok: FLASK-SESS-002 (local settings module)
REMEMBER_COOKIE_DURATION = timedelta(days=3650)  # ok: FLASK-SESS-002 (local settings module)
