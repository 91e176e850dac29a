# fixture-path: portal/app.py
# Flask-Session keeps session data in Redis: the cookie holds only a random session id.
from datetime import timedelta

import redis
from flask import Flask, request, session
from flask_login import LoginManager, login_user
from flask_session import Session

from .models import User

app = Flask(__name__)
app.config["SESSION_TYPE"] = "redis"
app.config["SESSION_REDIS"] = redis.from_url("redis://cache:6379/0")
app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=120)  # expect: FLASK-SESS-002
Session(app)
LoginManager(app)


@app.post("/login")
def login():
    user = User.query.filter_by(email=request.form["email"]).first_or_404()
    login_user(user)  # expect: FLASK-SESS-002
    session["access_token"] = user.issue_token()  # ok: FLASK-SESS-002 (stored server-side by Flask-Session)
    session["password"] = request.form["password"]  # ok: FLASK-SESS-002 (server-side session; still a smell, not this rule's cookie risk)
    return "", 204


@app.post("/login/rotated")
def login_rotated():
    user = User.query.filter_by(email=request.form["email"]).first_or_404()
    app.session_interface.regenerate(session)
    login_user(user)  # ok: FLASK-SESS-002 (new session id before login)
    return "", 204


@app.post("/login/cleared")
def login_cleared():
    user = User.query.filter_by(email=request.form["email"]).first_or_404()
    session.clear()
    login_user(user)  # expect: FLASK-SESS-002
    return "", 204
