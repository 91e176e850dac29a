# fixture-path: shop/views.py
import hashlib
import hmac
import os

from flask import Blueprint, Flask, abort, jsonify, request, session
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFProtect

from .extensions import csrf as csrf_ext
from .models import Order, db

app = Flask(__name__)
csrf = CSRFProtect(app)
protector = CSRFProtect()
bp = Blueprint("shop", __name__)


@bp.route("/orders", methods=["POST"])  # ok: FLASK-CSRF-001 (CSRFProtect covers it)
@login_required
def create_order():
    db.session.add(Order(user=current_user, sku=request.form["sku"]))
    db.session.commit()
    return "", 201


@bp.post("/orders/<int:order_id>/cancel")
@csrf.exempt  # expect: FLASK-CSRF-001
@login_required
def cancel_order(order_id):
    Order.query.filter_by(id=order_id, user=current_user).delete()
    db.session.commit()
    return "", 204


@csrf_ext.exempt  # expect: FLASK-CSRF-001
@bp.post("/cart")
def add_to_cart():
    session.setdefault("cart", []).append(request.form["sku"])
    return "", 204


@bp.post("/wishlist")
@protector.exempt  # expect: FLASK-CSRF-001
def wishlist():
    current_user.wishlist.add(request.form["sku"])
    return "", 204


@bp.post("/hooks/payments")
@csrf.exempt  # ok: FLASK-CSRF-001 (webhook that verifies a signature header)
def payment_hook():
    digest = hmac.new(os.environ["PAY_SECRET"].encode(), request.data, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(digest, request.headers.get("X-Signature", "")):
        abort(403)
    Order.mark_paid(request.json["order_id"])
    return "", 204


@bp.post("/api/orders")
@csrf.exempt  # ok: FLASK-CSRF-001 (authenticates with the Authorization header)
def api_orders():
    token = request.headers.get("Authorization", "")
    return jsonify(Order.for_token(token))


@bp.post("/newsletter")
@csrf.exempt  # ok: FLASK-CSRF-001 (anonymous endpoint: no session to ride on)
def newsletter():
    db.session.add(Order.subscriber(request.form["email"]))
    db.session.commit()
    return "", 204


@bp.post("/cache/clear")
@app.cache.exempt  # ok: FLASK-CSRF-001 (not a CSRF extension)
@login_required
def clear_cache():
    return "", 204
