"""JSON API for the storefront, which runs on its own origin and calls it with the staff's session cookie."""
from flask import Blueprint, request
from flask_cors import CORS, cross_origin
from flask_login import current_user, login_required

from extensions import csrf
from views import get_db

bp = Blueprint("api", __name__, url_prefix="/api")
CORS(bp, supports_credentials=True)  # flask-audit example: FLASK-CORS-001


@bp.route("/public/stock/<int:product_id>")
@cross_origin(origins="*")
def public_stock(product_id):
    # Safe: anonymous, public data that any site may read.
    row = get_db().execute("SELECT stock FROM products WHERE id = ?", (product_id,)).fetchone()
    return {"stock": row["stock"] if row else 0}


@bp.route("/reservations", methods=["POST"])
@csrf.exempt  # flask-audit example: FLASK-CSRF-001
@login_required
def reserve():
    db = get_db()
    db.execute(
        "INSERT INTO reservations (user_id, product_id, quantity) VALUES (?, ?, ?)",
        (current_user.id, request.form.get("product_id", type=int), request.form.get("quantity", 1, type=int)),
    )
    db.commit()
    return {"ok": True}, 201


@bp.route("/watchlist", methods=["POST"])
@login_required
def watch():
    # Safe: CSRFProtect checks this request (the storefront sends the token in an X-CSRFToken header).
    db = get_db()
    db.execute("INSERT INTO watchlist (user_id, product_id) VALUES (?, ?)", (current_user.id, request.form.get("product_id", type=int)))
    db.commit()
    return {"ok": True}, 201
