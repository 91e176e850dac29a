"""Orders service: app module, factory helpers and a few launch scripts folded into one fixture.

Docstrings and comments that mention app.run(debug=True) or DEBUG = True stay silent.
"""
import asyncio
import logging
import sys
from os import environ, getenv

from flask import Blueprint, Flask, current_app, jsonify
from flask_socketio import SocketIO
from werkzeug.debug import DebuggedApplication
from werkzeug.serving import run_simple as serve_dev

from orders import settings
from orders.factory import create_app

log = logging.getLogger(__name__)

app = Flask(__name__)
socketio = SocketIO(app)
api = Blueprint("api", __name__)
server = Flask("orders-admin")
DEBUG_MODE = True

environ["FLASK_DEBUG"] = "1"  # expect: FLASK-DEPLOY-002
environ.setdefault("FLASK_DEBUG", "true")  # expect: FLASK-DEPLOY-002
environ["FLASK_ENV"] = "development"  # expect: FLASK-DEPLOY-002
environ.setdefault("FLASK_DEBUG", "0")  # ok: FLASK-DEPLOY-002 (debug off by default)
environ["FLASK_RUN_PORT"] = "8000"  # ok: FLASK-DEPLOY-002 (not a debug switch)

app.debug = True  # expect: FLASK-DEPLOY-002
app.config["DEBUG"] = True  # expect: FLASK-DEPLOY-002
app.config["DEBUG"] = False  # ok: FLASK-DEPLOY-002 (debug off)
app.config["TESTING"] = True  # ok: FLASK-DEPLOY-002 (not debug mode)
app.config["TRAP_HTTP_EXCEPTIONS"] = True  # ok: FLASK-DEPLOY-002 (turns HTTP errors into 500s; no debugger, no traceback to clients)
app.config["PROPAGATE_EXCEPTIONS"] = True  # ok: FLASK-DEPLOY-002 (the WSGI server logs the error and returns a plain 500)
app.config["DEBUG"] = getenv("FLASK_DEBUG", "1") == "1"  # expect: FLASK-DEPLOY-002
app.config["DEBUG"] = getenv("FLASK_DEBUG", "0") == "1"  # ok: FLASK-DEPLOY-002 (off unless the environment says so)
app.config["DEBUG"] = environ.get("FLASK_DEBUG") == "1"  # ok: FLASK-DEPLOY-002 (no default: off unless set)
app.config["DEBUG"] = settings.DEBUG  # ok: FLASK-DEPLOY-002 (not a literal: depends on the settings in use)
verbose = getenv("VERBOSE", "1")  # ok: FLASK-DEPLOY-002 (not a debug variable)
self_check = {"debug": True}  # ok: FLASK-DEPLOY-002 (a plain dict, not the app config)

if environ.get("FLASK_ENV") == "development":
    app.debug = True  # ok: FLASK-DEPLOY-002 (gated on the environment)
    app.wsgi_app = DebuggedApplication(app.wsgi_app, evalex=True)  # ok: FLASK-DEPLOY-002 (gated on the environment)

if "--debug" in sys.argv:
    app.config.update(DEBUG=True)  # ok: FLASK-DEPLOY-002 (explicit command-line switch)

if settings.ENVIRONMENT == "production":
    app.config["DEBUG"] = False  # ok: FLASK-DEPLOY-002 (debug off)
else:
    app.config["DEBUG"] = True  # ok: FLASK-DEPLOY-002 (the non-production branch)


def configure(flask_app):
    flask_app.config.update(DEBUG=True, JSON_SORT_KEYS=False)  # expect: FLASK-DEPLOY-002
    flask_app.config.from_mapping({"DEBUG": True, "SERVER_NAME": "orders.example.com"})  # expect: FLASK-DEPLOY-002
    flask_app.config.update(dict(DEBUG="1"))  # expect: FLASK-DEPLOY-002
    flask_app.config.update(DEBUG=False)  # ok: FLASK-DEPLOY-002 (debug off)
    flask_app.config.update(TESTING=True, DEBUG=True)  # ok: FLASK-DEPLOY-002 (a test configuration)
    flask_app.wsgi_app = DebuggedApplication(flask_app.wsgi_app, evalex=True)  # expect: FLASK-DEPLOY-002
    if flask_app.config.get("DEBUG_TB_ENABLED"):
        flask_app.wsgi_app = DebuggedApplication(flask_app.wsgi_app, True)  # ok: FLASK-DEPLOY-002 (gated on a debug setting)


def make_app():
    instance = create_app()
    instance.debug = True  # expect: FLASK-DEPLOY-002
    current_app_config = instance.config
    current_app_config["DEBUG"] = True  # todo: FLASK-DEPLOY-002 (the config reached through a local alias)
    return instance


def create_dev_app():
    dev = create_app()
    dev.debug = True  # ok: FLASK-DEPLOY-002 (a development-only factory)
    dev.config["DEBUG"] = True  # ok: FLASK-DEPLOY-002 (a development-only factory)
    return dev


class Job:
    def __init__(self):
        self.debug = True  # ok: FLASK-DEPLOY-002 (not a Flask app)
        self.app = None

    def enable(self):
        self.app.debug = True  # expect: FLASK-DEPLOY-002


@api.route("/debug-info")
def debug_info():
    current_app.logger.debug("debug info requested")  # ok: FLASK-DEPLOY-002 (logging, not debug mode)
    return jsonify(debug=current_app.debug)  # ok: FLASK-DEPLOY-002 (reads the flag)


async def warmup():
    return None


asyncio.run(warmup(), debug=True)  # ok: FLASK-DEPLOY-002 (asyncio's own debug mode, not Flask)
pipeline = settings.make_pipeline()
pipeline.run(debug=True)  # ok: FLASK-DEPLOY-002 (not a Flask application)


def start():
    app.run(host="0.0.0.0", port=8000, debug=True)  # expect: FLASK-DEPLOY-002


def serve_admin():
    server.run("0.0.0.0", 5001, True)  # expect: FLASK-DEPLOY-002


def run_worker():
    app.run(debug=True)  # ok: FLASK-DEPLOY-002 (a function nothing in this file calls at import: not clearly production)


start()
serve_admin()

application = create_app()
application.run(debug=1)  # expect: FLASK-DEPLOY-002
create_app().run(debug=True, use_reloader=False)  # expect: FLASK-DEPLOY-002
socketio.run(app, host="0.0.0.0", port=5000, debug=True)  # expect: FLASK-DEPLOY-002
app.run(debug=DEBUG_MODE)  # expect: FLASK-DEPLOY-002
app.run(
    host="0.0.0.0",
    debug=True,  # expect: FLASK-DEPLOY-002
)
app.run(
    host="0.0.0.0",
    port=8080,
    debug=True  # expect: FLASK-DEPLOY-002
)
serve_dev("0.0.0.0", 5000, app, use_reloader=True, use_debugger=True)  # expect: FLASK-DEPLOY-002
app.run(host="0.0.0.0", debug=False)  # ok: FLASK-DEPLOY-002 (debug off)
app.run(debug=settings.DEBUG)  # ok: FLASK-DEPLOY-002 (not a literal)
app.run(debug=environ.get("FLASK_DEBUG") == "1")  # ok: FLASK-DEPLOY-002 (environment toggle, off by default)
app.run(debug=getenv("FLASK_DEBUG", "true").lower() == "true")  # expect: FLASK-DEPLOY-002
app.run(**settings.RUN_OPTIONS)  # ok: FLASK-DEPLOY-002 (options not visible here)
app.run(host="0.0.0.0", port=8000)  # ok: FLASK-DEPLOY-002 (debug not enabled; the dev server itself is FLASK-DEPLOY-001)


def main():
    app.run(debug=True)  # ok: FLASK-DEPLOY-002 (called only from the __main__ block: local dev entrypoint)


if __name__ == "__main__":
    app.debug = True  # ok: FLASK-DEPLOY-002 (local dev entrypoint, spec note)
    app.run(host="127.0.0.1", debug=True)  # ok: FLASK-DEPLOY-002 (local dev entrypoint, spec note)
    socketio.run(app, debug=True)  # ok: FLASK-DEPLOY-002 (local dev entrypoint, spec note)
    serve_dev("localhost", 5000, app, use_debugger=True, use_evalex=True)  # ok: FLASK-DEPLOY-002 (local dev entrypoint)
    main()
