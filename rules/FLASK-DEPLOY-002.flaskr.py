# fixture-path: flaskr.py
"""The classic single-module Flask app: upper-case globals become the config via from_object(__name__)."""
import sqlite3

from flask import Flask, g

DATABASE = "/var/lib/flaskr/flaskr.db"
DEBUG = True  # expect: FLASK-DEPLOY-002
PER_PAGE = 20

app = Flask(__name__)
app.config.from_object(__name__)
app.config.from_envvar("FLASKR_SETTINGS", silent=True)


def get_db():
    if "db" not in g:
        g.db = sqlite3.connect(app.config["DATABASE"])
    return g.db
