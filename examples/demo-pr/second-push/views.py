"""Inventory routes."""
import ipaddress
import sqlite3
import subprocess

from flask import Blueprint, abort, current_app, g, render_template, render_template_string, request

bp = Blueprint("inventory", __name__)


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
    return render_template_string(f"<h1>Hello {request.args.get('name', 'guest')}!</h1>")


@bp.route("/hello")
def hello():
    # Safe: a template file, with the name passed as an (autoescaped) variable.
    return render_template("hello.html", name=request.args.get("name", "guest"))


@bp.route("/search")
def search():
    cursor = get_db().cursor()
    cursor.execute(f"SELECT id, name, price FROM products WHERE name LIKE '%{request.args['q']}%'")
    return {"results": [dict(row) for row in cursor.fetchall()]}


@bp.route("/products/<int:product_id>")
def product(product_id):
    # Safe: a bound parameter.
    cursor = get_db().cursor()
    cursor.execute("SELECT id, name, price FROM products WHERE id = ?", (product_id,))
    row = cursor.fetchone()
    if row is None:
        abort(404)
    return dict(row)


@bp.route("/diagnostics/ping", methods=["POST"])
def ping():
    host = request.form["host"]
    result = subprocess.run(["ping", "-c", "1", "--", host], capture_output=True, text=True, timeout=10)
    return {"reachable": result.returncode == 0}


@bp.route("/diagnostics/ping-ip", methods=["POST"])
def ping_ip():
    # Safe: the address is validated and passed as one argument of a list, with no shell.
    try:
        address = ipaddress.ip_address(request.form["host"])
    except ValueError:
        abort(400)
    result = subprocess.run(["ping", "-c", "1", "--", str(address)], capture_output=True, text=True, timeout=10)
    return {"reachable": result.returncode == 0}
