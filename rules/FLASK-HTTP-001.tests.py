"""Tests call GET routes and build URLs with tokens on purpose."""
# fixture-path: tests/test_views.py
from flask import request

from shop.extensions import db
from shop.models import Item
from shop.views import app


@app.route("/_test/reset-db")
def reset_db():
    Item.query.delete()  # ok: FLASK-HTTP-001 (a test-only route in the test suite)
    db.session.commit()
    return "ok"


def current_token():
    return request.args.get("token")  # ok: FLASK-HTTP-001 (test helper)


def test_delete_requires_post(client):
    assert client.get("/items/1/delete").status_code == 405
