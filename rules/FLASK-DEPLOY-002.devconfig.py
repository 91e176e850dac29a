# fixture-path: config/development.py
"""Development settings: loaded by `flask --app orders run` on a laptop, never by the production image."""
from flask import Flask

DEBUG = True  # ok: FLASK-DEPLOY-002 (development config module, spec note)
EXPLAIN_TEMPLATE_LOADING = True


class Config:
    DEBUG = True  # ok: FLASK-DEPLOY-002 (in the development config module)


app = Flask(__name__)
app.debug = True  # ok: FLASK-DEPLOY-002 (development config module)
