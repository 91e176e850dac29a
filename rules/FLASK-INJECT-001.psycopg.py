# fixture-path: shop/inventory/views.py
# psycopg2 (DB-API "format" paramstyle: %s placeholders, a literal % must be doubled once parameters are passed).
import os

import psycopg2
import psycopg2.extras
from flask import Blueprint, Flask, abort, g, jsonify, request
from peewee import PostgresqlDatabase
from psycopg2 import sql

from shop.graphql import schema
from shop.legacy import Item

legacy_db = PostgresqlDatabase(os.environ.get("LEGACY_DB", "legacy"))

inventory = Blueprint("inventory", __name__)

WAREHOUSES = {"north", "south", "east"}


def get_conn():
    if "conn" not in g:
        g.conn = psycopg2.connect(os.environ["DATABASE_URL"], cursor_factory=psycopg2.extras.RealDictCursor)
    return g.conn


def create_app():
    app = Flask(__name__)
    app.register_blueprint(inventory, url_prefix="/inventory")
    return app


# --- positives ------------------------------------------------------------------------------------------------


@inventory.route("/items")
def items():
    category = request.args.get("category", "")
    with get_conn().cursor() as cur:
        cur.execute(f"SELECT sku, name FROM item WHERE category = '{category}' AND discount LIKE '10%'")  # expect: FLASK-INJECT-001
        return jsonify(cur.fetchall())


@inventory.route("/items/<sku>")
def item(sku):
    cur = get_conn().cursor()
    cur.execute("SELECT * FROM item WHERE sku = '%(sku)s'" % {"sku": sku})  # expect: FLASK-INJECT-001
    return jsonify(cur.fetchone())


@inventory.post("/items/<sku>/stock")
def set_stock(sku):
    payload = request.get_json(force=True)
    conn = get_conn()
    cur = conn.cursor()
    cur.execute("UPDATE item SET stock = {stock} WHERE sku = '{sku}'".format(stock=payload["stock"], sku=sku))  # expect: FLASK-INJECT-001
    conn.commit()
    return jsonify(ok=True)


@inventory.route("/warehouses/<name>/items")
def warehouse_items(name):
    cur = get_conn().cursor()
    cur.execute("SELECT * FROM item WHERE warehouse = " + name)  # expect: FLASK-INJECT-001
    return jsonify(cur.fetchall())


@inventory.route("/report")
def report():
    group = request.args.get("group", "category")
    cur = get_conn().cursor()
    cur.execute(f"SELECT {group}, sum(stock) FROM item GROUP BY {group}")  # expect: FLASK-INJECT-001
    return jsonify(cur.fetchall())


@inventory.route("/search")
def search():
    words = request.args.get("q", "").split()
    clause = " OR ".join(f"name ILIKE '%{w}%'" for w in words)
    cur = get_conn().cursor()
    cur.execute("SELECT * FROM item WHERE " + clause)  # expect: FLASK-INJECT-001
    return jsonify(cur.fetchall())


@inventory.route("/legacy/items")
def legacy_items():
    name = request.args.get("name", "")
    rows = Item.raw(f"SELECT * FROM item WHERE name = '{name}'")  # expect: FLASK-INJECT-001
    cursor = legacy_db.execute_sql("SELECT count(*) FROM item WHERE name = '%s'" % name)  # expect: FLASK-INJECT-001
    return jsonify(items=[i.name for i in rows], count=cursor.fetchone()[0])


# --- look-alikes that must stay silent ------------------------------------------------------------------------


@inventory.route("/safe/items")
def safe_items():
    category = request.args.get("category", "")
    with get_conn().cursor() as cur:
        cur.execute("SELECT sku FROM item WHERE category = %s AND discount LIKE '10%%'", (category,))  # ok: FLASK-INJECT-001 (parameterised, %s style)
        cur.execute("SELECT sku FROM item WHERE category = %(category)s", {"category": category})  # ok: FLASK-INJECT-001 (parameterised, %(name)s style)
        return jsonify(cur.fetchall())


@inventory.route("/safe/warehouses/<name>/items")
def safe_warehouse_items(name):
    if name not in WAREHOUSES:
        abort(404)
    cur = get_conn().cursor()
    cur.execute(sql.SQL("SELECT * FROM {} WHERE stock > %s").format(sql.Identifier(f"item_{name}")), (0,))  # ok: FLASK-INJECT-001 (psycopg2.sql composes identifiers safely)
    cur.execute(f"SELECT * FROM item_{name}")  # ok: FLASK-INJECT-001 (name checked against an allowlist before use)
    return jsonify(cur.fetchall())


@inventory.route("/safe/item/<int:item_id>")
def safe_item(item_id):
    cur = get_conn().cursor()
    cur.execute("SELECT * FROM item WHERE id = %d" % item_id)  # ok: FLASK-INJECT-001 (int route converter)
    return jsonify(cur.fetchone())


@inventory.route("/legacy/safe/items")
def legacy_safe_items():
    name = request.args.get("name", "")
    rows = Item.raw("SELECT * FROM item WHERE name = %s", name)  # ok: FLASK-INJECT-001 (peewee binds the extra arguments)
    cursor = legacy_db.execute_sql("SELECT count(*) FROM item WHERE name = %s", (name,))  # ok: FLASK-INJECT-001 (parameterised)
    return jsonify(items=[i.name for i in rows], count=cursor.fetchone()[0])


@inventory.post("/graphql")
def graphql():
    body = request.get_json()
    result = schema.execute(body["query"], variables=body.get("variables"))  # ok: FLASK-INJECT-001 (a GraphQL document, not SQL)
    name = request.args.get("name", "")
    preview = schema.execute(f'{{ item(name: "{name}") {{ sku stock }} }}')  # ok: FLASK-INJECT-001 (GraphQL text: no SQL in it)
    return jsonify(data=result.data, preview=preview.data)
