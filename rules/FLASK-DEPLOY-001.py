"""Shop application module: the app object, its routes, and launch code folded into one fixture.

A module that builds the app is what gunicorn, uWSGI and `flask run` import: a bare app.run() here starts
Werkzeug's development server on every import. Mentions of app.run() in docstrings stay silent.
"""
# fixture-path: shop/app.py
import asyncio
import os
import subprocess

from flask import Flask, jsonify
from flask_socketio import SocketIO
from waitress import serve
from werkzeug.serving import run_simple as serve_dev

from shop.factory import create_app
from shop import settings

app = Flask(__name__)
admin = Flask("shop-admin")
application = app
socketio = SocketIO(app)


@app.get("/health")
def health():
    return jsonify(status="ok")


class Launcher:
    def __init__(self, app):
        self.app = app

    def start(self):
        self.app.run(port=5001)  # ok: FLASK-DEPLOY-001 (a method: nothing shows production calls it)


def main():
    app.run(host="0.0.0.0")  # ok: FLASK-DEPLOY-001 (a function only a local launcher calls; the file is not run by deployment)


app.run()  # expect: FLASK-DEPLOY-001
app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 5000)))  # expect: FLASK-DEPLOY-001
application.run(port=8080, threaded=True)  # expect: FLASK-DEPLOY-001
admin.run(port=5050)  # expect: FLASK-DEPLOY-001
create_app().run(host="0.0.0.0")  # expect: FLASK-DEPLOY-001
serve_dev("0.0.0.0", 5000, app, use_reloader=False)  # expect: FLASK-DEPLOY-001
app.run(debug=True)  # expect: FLASK-DEPLOY-001
app.run(  # expect: FLASK-DEPLOY-001
    host="0.0.0.0",
    port=8000,
)
(app.run(port=5002))  # expect: FLASK-DEPLOY-001

socketio.run(app, host="0.0.0.0")  # ok: FLASK-DEPLOY-001 (Flask-SocketIO picks eventlet/gevent and refuses Werkzeug in production)
subprocess.run(["gunicorn", "shop.app:app"], check=True)  # ok: FLASK-DEPLOY-001 (subprocess.run, not an app)
asyncio.run(asyncio.sleep(0))  # ok: FLASK-DEPLOY-001 (asyncio.run, not an app)
serve(app, host="0.0.0.0", port=8080)  # ok: FLASK-DEPLOY-001 (waitress, a production WSGI server)
app.run_server = None  # ok: FLASK-DEPLOY-001 (not a call)
# app.run(host="0.0.0.0")  # ok: FLASK-DEPLOY-001 (a comment)

if os.environ.get("FLASK_ENV") == "development":
    app.run(debug=True)  # ok: FLASK-DEPLOY-001 (gated on the environment)

if settings.USE_DEV_SERVER:
    app.run()  # ok: FLASK-DEPLOY-001 (gated on a setting)

if os.environ.get("SERVER") == "waitress":
    serve(app, port=8080)
else:
    admin.run(port=5051)  # ok: FLASK-DEPLOY-001 (the other branch picks the production server by environment)

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)  # ok: FLASK-DEPLOY-001 (local dev entrypoint; no deployment file runs this module)
    serve_dev("localhost", 5000, app)  # ok: FLASK-DEPLOY-001 (local dev entrypoint)
