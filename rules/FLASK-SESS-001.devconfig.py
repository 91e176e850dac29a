# fixture-path: config/development.py
# Settings for `flask run` on a laptop, over plain HTTP.
from .base import BaseConfig

DEBUG = True
SESSION_COOKIE_SECURE = False  # ok: FLASK-SESS-001 (development module: spec says no Secure over local HTTP)
REMEMBER_COOKIE_SECURE = False  # ok: FLASK-SESS-001 (development module)
SESSION_COOKIE_DOMAIN = ".dev.example-shop.com"  # ok: FLASK-SESS-001 (development module)
SESSION_COOKIE_HTTPONLY = False  # expect: FLASK-SESS-001
SESSION_COOKIE_SAMESITE = "None"  # expect: FLASK-SESS-001


class DevConfig(BaseConfig):
    SESSION_COOKIE_SECURE = False  # ok: FLASK-SESS-001 (development config)
    REMEMBER_COOKIE_HTTPONLY = False  # expect: FLASK-SESS-001
