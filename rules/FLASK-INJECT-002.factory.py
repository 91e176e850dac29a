# fixture-path: app/admin/routes.py
"""Admin blueprint registered by the app factory; this module never imports subprocess by that name."""
import os
from os import popen as shell_output
from subprocess import PIPE, run

from flask import Blueprint, Flask, current_app, g, request

admin = Blueprint("admin", __name__, url_prefix="/admin")


def create_app(config_object="app.config.ProductionConfig"):
    app = Flask(__name__)
    app.config.from_object(config_object)
    app.register_blueprint(admin)
    return app


@admin.route("/logs/<service>")
def tail_logs(service):
    lines = request.args.get("lines", "100")
    return run(f"journalctl -u {service} -n {lines}", shell=True, stdout=PIPE, text=True).stdout  # expect: FLASK-INJECT-002


@admin.post("/restart")
def restart():
    unit = request.form.get("unit", "")
    os.system("systemctl restart " + unit)  # expect: FLASK-INJECT-002
    return "", 202


@admin.get("/cert")
def cert_info():
    domain = request.headers.get("X-Domain", "")
    return shell_output(f"openssl s_client -connect {domain}:443 </dev/null").read()  # expect: FLASK-INJECT-002


@admin.put("/hostname")
def set_hostname():
    name = (request.get_json(silent=True) or {}).get("hostname", "")
    exit_code = os.system(f"hostnamectl set-hostname {name}")  # expect: FLASK-INJECT-002
    return {"ok": exit_code == 0}


@admin.get("/whoami")
def whoami():
    user = g.user.name
    return run(f"id {user}", shell=True, stdout=PIPE, text=True).stdout  # ok: FLASK-INJECT-002 (g.user is set by the app, not the request)


@admin.get("/version")
def version():
    binary = current_app.config["APP_BINARY"]
    return run(f"{binary} --version", shell=True, stdout=PIPE, text=True).stdout  # ok: FLASK-INJECT-002 (configuration value)


@admin.get("/health")
def health():
    return run("systemctl is-active nginx", shell=True, stdout=PIPE, text=True).stdout  # ok: FLASK-INJECT-002 (constant command)
