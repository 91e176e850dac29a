# fixture-path: shop/app.py
import os
from datetime import timedelta

from flask import Flask, current_app, make_response, request
from flask_login import LoginManager, current_user, login_required
from pydantic_settings import BaseSettings

SESSION_COOKIE = "shop_session"
THEME_COOKIE = "theme"


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SESSION_COOKIE_HTTPONLY = False  # expect: FLASK-SESS-001
    SESSION_COOKIE_SAMESITE = None  # expect: FLASK-SESS-001
    SESSION_COOKIE_SECURE = False  # ok: FLASK-SESS-001 (base config; ProductionConfig turns Secure on)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True  # ok: FLASK-SESS-001
    REMEMBER_COOKIE_HTTPONLY = False  # expect: FLASK-SESS-001
    REMEMBER_COOKIE_SAMESITE = "None"  # expect: FLASK-SESS-001
    REMEMBER_COOKIE_SECURE = False  # expect: FLASK-SESS-001
    SESSION_COOKIE_DOMAIN = ".example-shop.com"  # expect: FLASK-SESS-001


class StagingConfig(ProductionConfig):
    SESSION_COOKIE_SAMESITE = "Lax"  # ok: FLASK-SESS-001
    SESSION_COOKIE_DOMAIN = None  # ok: FLASK-SESS-001 (host-only cookie, the default)


class DevelopmentConfig(Config):
    SESSION_COOKIE_SECURE = False  # ok: FLASK-SESS-001 (spec: no Secure over local HTTP)
    REMEMBER_COOKIE_SECURE = False  # ok: FLASK-SESS-001 (development config)
    SESSION_COOKIE_DOMAIN = "localhost"  # ok: FLASK-SESS-001 (development host)


class TestingConfig(Config):
    TESTING = True
    SESSION_COOKIE_SAMESITE = None  # ok: FLASK-SESS-001 (test config)
    SESSION_COOKIE_HTTPONLY = False  # ok: FLASK-SESS-001 (test config)


class CIConfig:
    TESTING = True
    SESSION_COOKIE_SECURE = False  # ok: FLASK-SESS-001 (TESTING = True config)


class EmbedConfig(ProductionConfig):
    # the widget runs in a third-party iframe: a partitioned cookie is keyed to the embedding site
    SESSION_COOKIE_PARTITIONED = True
    SESSION_COOKIE_SAMESITE = "None"  # ok: FLASK-SESS-001 (partitioned cookie, spec's embedded case)


class LegacyConfig:
    SESSION_COOKIE_SECURE = False  # expect: FLASK-SESS-001


class LegacyLocalConfig(LegacyConfig):
    DEBUG = True


class Settings(BaseSettings):
    session_cookie_secure: bool = True  # ok: FLASK-SESS-001 (not a Flask config key)
    SESSION_COOKIE_SECURE: bool = False  # expect: FLASK-SESS-001
    SESSION_COOKIE_HTTPONLY: bool = True  # ok: FLASK-SESS-001


app = Flask(__name__)
app.config.from_object(ProductionConfig)
app.config["SESSION_COOKIE_SECURE"] = False  # expect: FLASK-SESS-001
app.config['REMEMBER_COOKIE_SECURE'] = 0  # expect: FLASK-SESS-001
app.config.update(
    SESSION_COOKIE_HTTPONLY=False,  # expect: FLASK-SESS-001
    SESSION_COOKIE_SAMESITE="Strict",  # ok: FLASK-SESS-001
)
app.config.from_mapping(SESSION_COOKIE_SAMESITE='none')  # expect: FLASK-SESS-001
cookie_settings = {"SESSION_COOKIE_SECURE": False, "SESSION_COOKIE_HTTPONLY": True}  # expect: FLASK-SESS-001
app.config.update(cookie_settings)
app.config["SESSION_COOKIE_SECURE"] = os.environ.get("FLASK_ENV") == "production"  # ok: FLASK-SESS-001 (spec's conditional pattern)
app.config["SESSION_COOKIE_SECURE"] = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"  # ok: FLASK-SESS-001 (switch for HTTP testing)
os.environ["SESSION_COOKIE_SECURE"] = "0"  # ok: FLASK-SESS-001 (an environment variable, not the config)
app.config["SESSION_COOKIE_NAME"] = "shop_session"  # ok: FLASK-SESS-001

if app.debug:
    app.config["SESSION_COOKIE_SECURE"] = False  # ok: FLASK-SESS-001 (debug branch)

if os.environ.get("FLASK_ENV") == "production":
    app.config.update(SESSION_COOKIE_SECURE=True)  # ok: FLASK-SESS-001
else:
    app.config.update(SESSION_COOKIE_SECURE=False)  # ok: FLASK-SESS-001 (non-production branch)

login_manager = LoginManager(app)


def configure_cookies(flask_app):
    flask_app.config["SESSION_COOKIE_HTTPONLY"] = False  # expect: FLASK-SESS-001
    SESSION_COOKIE_SECURE = False  # ok: FLASK-SESS-001 (a local variable, never read as config)
    return SESSION_COOKIE_SECURE


@app.post("/login")
def login():
    resp = make_response({"ok": True})
    token = os.urandom(16).hex()
    resp.set_cookie("session_token", token, httponly=False, secure=True)  # expect: FLASK-SESS-001
    resp.set_cookie("auth", token, secure=False, samesite=None, httponly=True)  # expect: FLASK-SESS-001
    resp.set_cookie(  # expect: FLASK-SESS-001
        "remember_me",
        token,
        max_age=int(timedelta(days=14).total_seconds()),
        secure=True,
        samesite="Lax",
    )
    resp.set_cookie(SESSION_COOKIE, token, secure=True, samesite="Lax")  # expect: FLASK-SESS-001
    resp.set_cookie(key="jwt", value=token, httponly=0, secure=True)  # expect: FLASK-SESS-001
    resp.set_cookie(current_app.config["SESSION_COOKIE_NAME"], token, samesite="None", secure=True, httponly=True)  # expect: FLASK-SESS-001
    resp.set_cookie("authToken", token, secure=True, samesite="Strict")  # expect: FLASK-SESS-001
    return resp


@app.post("/preferences")
@login_required
def preferences():
    resp = make_response("", 204)
    resp.set_cookie("theme", request.form.get("theme", "light"))  # ok: FLASK-SESS-001 (not a session cookie)
    resp.set_cookie(THEME_COOKIE, "dark", httponly=False)  # ok: FLASK-SESS-001 (not a session cookie)
    resp.set_cookie("locale", "de", samesite=None)  # ok: FLASK-SESS-001 (not a session cookie)
    resp.set_cookie("sidebar_state", "open")  # ok: FLASK-SESS-001 ("sid" inside another word)
    resp.set_cookie("oauth_state", "x", secure=True)  # ok: FLASK-SESS-001 (not a session cookie)
    return resp


@app.get("/csrf")
def csrf_cookie():
    resp = make_response("", 204)
    # double-submit pattern: page JavaScript must read the CSRF token cookie
    resp.set_cookie("csrf_token", os.urandom(16).hex(), httponly=False, secure=True, samesite="Strict")  # ok: FLASK-SESS-001 (JS must read it)
    resp.set_cookie("XSRF-TOKEN", os.urandom(16).hex(), secure=True)  # ok: FLASK-SESS-001 (CSRF cookie for the SPA)
    return resp


@app.post("/logout")
@login_required
def logout():
    resp = make_response("", 204)
    resp.set_cookie("session_token", "", expires=0)  # ok: FLASK-SESS-001 (deletes the cookie)
    resp.set_cookie("remember_token", "", max_age=0)  # ok: FLASK-SESS-001 (deletes the cookie)
    resp.delete_cookie("auth")  # ok: FLASK-SESS-001
    return resp


COOKIE_OPTIONS = {"httponly": True, "secure": True, "samesite": "Lax"}


@app.post("/session/refresh")
@login_required
def refresh():
    resp = make_response("", 204)
    token = os.urandom(16).hex()
    resp.set_cookie("session_token", token, **COOKIE_OPTIONS)  # ok: FLASK-SESS-001 (options passed as a mapping)
    resp.set_cookie("session_id", token, httponly=True, secure=not app.debug, samesite="Lax")  # ok: FLASK-SESS-001 (Secure off only in debug)
    resp.set_cookie("session_id", token, httponly=True, secure=request.is_secure, samesite="Lax")  # ok: FLASK-SESS-001
    if app.debug:
        resp.set_cookie("session_id", token, httponly=True, secure=False)  # ok: FLASK-SESS-001 (debug branch)
    return resp
