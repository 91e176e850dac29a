"""Back-office routes, reachable from the office network only."""
from flask import Blueprint, abort, redirect, request, url_for
from flask_login import login_required

from views import get_db

bp = Blueprint("admin", __name__, url_prefix="/admin")

OFFICE_IPS = {"203.0.113.7", "203.0.113.8"}


@bp.before_request
@login_required
def office_staff_only():
    # The client writes X-Forwarded-For. Safe: request.remote_addr, which ProxyFix (app.py) takes from the one trusted proxy.
    if request.headers.get("X-Forwarded-For", request.remote_addr) not in OFFICE_IPS:  # flask-audit example: FLASK-PROXY-001
        abort(403)


@bp.route("/products/<int:product_id>/delete")
def delete_product(product_id):
    db = get_db()
    db.execute("DELETE FROM products WHERE id = ?", (product_id,))  # flask-audit example: FLASK-HTTP-001
    db.commit()
    return redirect(url_for("inventory.search", q=""))


@bp.route("/products/<int:product_id>/archive", methods=["POST"])
def archive_product(product_id):
    # Safe: a state change over POST, with Flask-WTF's CSRF token.
    db = get_db()
    db.execute("UPDATE products SET archived = 1 WHERE id = ?", (product_id,))
    db.commit()
    return redirect(url_for("inventory.search", q=""))
