"""Inventory routes. Each vulnerable line has a safe counterpart next to it."""
import ipaddress
import os
import sqlite3
import subprocess
import uuid
from urllib.parse import urlparse

import requests
from flask import (
    Blueprint, abort, current_app, g, render_template, render_template_string, request, send_file, send_from_directory,
)
from flask_login import login_required

bp = Blueprint("inventory", __name__)

IMAGE_EXTENSIONS = {"png", "jpg", "jpeg", "gif"}
SUPPLIER_HOSTS = {"images.acme-supply.example", "cdn.globex.example"}


def get_db():
    if "db" not in g:
        g.db = sqlite3.connect(current_app.config["DATABASE"])
        g.db.row_factory = sqlite3.Row
    return g.db


def close_db(exc=None):
    db = g.pop("db", None)
    if db is not None:
        db.close()


@bp.route("/greet")
def greet():
    return render_template_string(f"<h1>Hello {request.args.get('name', 'guest')}!</h1>")  # flask-audit example: FLASK-SSTI-001


@bp.route("/hello")
def hello():
    # Safe: a template file, with the name passed as an (autoescaped) variable.
    return render_template("hello.html", name=request.args.get("name", "guest"))


@bp.route("/search")
def search():
    cursor = get_db().cursor()
    cursor.execute(f"SELECT id, name, price FROM products WHERE name LIKE '%{request.args['q']}%'")  # flask-audit example: FLASK-INJECT-001
    return {"results": [dict(row) for row in cursor.fetchall()]}


@bp.route("/products/<int:product_id>")
def product(product_id):
    # Safe: a bound parameter. The template escapes the name, but not the description (see product.html).
    cursor = get_db().cursor()
    cursor.execute("SELECT id, name, price, description FROM products WHERE id = ?", (product_id,))
    row = cursor.fetchone()
    if row is None:
        abort(404)
    return render_template("product.html", product=row)


@bp.route("/diagnostics/ping", methods=["POST"])
@login_required
def ping():
    host = request.form["host"]
    result = subprocess.run(f"ping -c 1 {host}", shell=True, capture_output=True, text=True, timeout=10)  # flask-audit example: FLASK-INJECT-002
    return {"reachable": result.returncode == 0}


@bp.route("/diagnostics/ping-ip", methods=["POST"])
@login_required
def ping_ip():
    # Safe: the address is validated and passed as one argument of a list, with no shell.
    try:
        address = ipaddress.ip_address(request.form["host"])
    except ValueError:
        abort(400)
    result = subprocess.run(["ping", "-c", "1", "--", str(address)], capture_output=True, text=True, timeout=10)
    return {"reachable": result.returncode == 0}


@bp.route("/reports/download")
@login_required
def download_report():
    name = request.args["name"]
    return send_file(os.path.join(current_app.config["REPORTS_FOLDER"], name))  # flask-audit example: FLASK-PATH-001


@bp.route("/reports/<path:name>")
@login_required
def report(name):
    # Safe: send_from_directory refuses names that leave the folder (404).
    return send_from_directory(current_app.config["REPORTS_FOLDER"], name, as_attachment=True)


@bp.route("/products/<int:product_id>/manual", methods=["POST"])
@login_required
def upload_manual(product_id):
    manual = request.files["manual"]
    manual.save(os.path.join(current_app.config["UPLOAD_FOLDER"], manual.filename))  # flask-audit example: FLASK-UPLOAD-001
    return "", 201


@bp.route("/products/<int:product_id>/photo", methods=["POST"])
@login_required
def upload_photo(product_id):
    # Safe: an allowlisted extension and a random name chosen by the server.
    photo = request.files["photo"]
    ext = photo.filename.rsplit(".", 1)[-1].lower() if "." in photo.filename else ""
    if ext not in IMAGE_EXTENSIONS:
        abort(400)
    photo.save(os.path.join(current_app.config["UPLOAD_FOLDER"], f"{uuid.uuid4().hex}.{ext}"))
    return "", 201


@bp.route("/suppliers/preview")
@login_required
def supplier_preview():
    url = request.args["url"]
    page = requests.get(url, timeout=10)  # flask-audit example: FLASK-SSRF-001
    return {"status": page.status_code, "length": len(page.content)}


@bp.route("/suppliers/image")
@login_required
def supplier_image():
    # Safe: only https URLs of known supplier hosts, and no redirects.
    url = request.args["url"]
    parsed = urlparse(url)
    if parsed.scheme != "https" or parsed.hostname not in SUPPLIER_HOSTS:
        abort(400)
    image = requests.get(url, timeout=10, allow_redirects=False)
    return image.content, 200, {"Content-Type": "application/octet-stream"}
