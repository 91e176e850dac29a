# fixture-path: app/api/reports.py
# Flask-SQLAlchemy and SQLAlchemy Core: text(), raw strings to Session/Connection, pandas.read_sql.
import pandas
import sqlalchemy as sa
from flask import Blueprint, abort, current_app, jsonify, request
from sqlalchemy import bindparam, func, select, text
from sqlalchemy.sql import text as sql_text

from app.extensions import db
from app.models import Order, User

api = Blueprint("reports", __name__, url_prefix="/api/reports")

REPORT_COLUMNS = ("total", "created_at", "status")


# --- positives ------------------------------------------------------------------------------------------------


@api.get("/users/<username>")
def user_detail(username):
    row = db.session.execute(text(f"SELECT id, email FROM users WHERE username = '{username}'")).first()  # expect: FLASK-INJECT-001
    return jsonify(dict(row._mapping))


@api.get("/orders")
def orders():
    status = request.args.get("status", "open")
    rows = db.session.execute(sa.text("SELECT * FROM orders WHERE status = '" + status + "'")).all()  # expect: FLASK-INJECT-001
    return jsonify([dict(r._mapping) for r in rows])


@api.get("/orders/by-customer")
def orders_by_customer():
    customer = request.args["customer"]
    stmt = sql_text("SELECT * FROM orders WHERE customer = '%s' AND deleted = 0" % customer)  # expect: FLASK-INJECT-001
    return jsonify([dict(r._mapping) for r in db.session.execute(stmt)])


@api.get("/orders/search")
def search_orders():
    term = request.args.get("q", "")
    rows = Order.query.filter(db.text(f"note LIKE '%{term}%'")).all()  # expect: FLASK-INJECT-001
    return jsonify([o.to_dict() for o in rows])


@api.get("/orders/sorted")
def sorted_orders():
    rows = Order.query.order_by(text(request.args["sort"])).all()  # expect: FLASK-INJECT-001
    return jsonify([o.to_dict() for o in rows])


@api.post("/legacy/archive")
def legacy_archive():
    before = request.json["before"]
    db.session.execute(f"DELETE FROM orders WHERE created_at < '{before}'")  # expect: FLASK-INJECT-001
    db.session.commit()
    return jsonify(ok=True)


@api.get("/totals")
def totals():
    region = request.args.get("region")
    with db.engine.connect() as conn:
        result = conn.execute("SELECT sum(total) FROM orders WHERE region = '{}'".format(region))  # expect: FLASK-INJECT-001
        driver = conn.exec_driver_sql(f"SELECT count(*) FROM orders WHERE region = '{region}'")  # expect: FLASK-INJECT-001
        return jsonify(total=result.scalar(), count=driver.scalar())


@api.get("/users/<int:user_id>/peers")
def peers(user_id):
    user = User.query.get_or_404(user_id)
    peers = db.session.execute(text(f"SELECT id FROM users WHERE company = '{user.company}'")).all()  # expect: FLASK-INJECT-001
    return jsonify([p.id for p in peers])


@api.get("/export")
def export():
    since = request.args.get("since")
    frame = pandas.read_sql(f"SELECT * FROM orders WHERE created_at >= '{since}'", db.engine)  # expect: FLASK-INJECT-001
    return frame.to_json(orient="records")


@api.get("/users/by-email")
def users_by_email():
    email = request.args["email"]
    users = User.query.from_statement(text(f"SELECT * FROM users WHERE email = '{email}'")).all()  # expect: FLASK-INJECT-001
    return jsonify([u.to_dict() for u in users])


@api.get("/monthly")
def monthly():
    month = request.args.get("month")
    sql = f"""
        SELECT date_trunc('day', created_at) AS day, sum(total)
        FROM orders
        WHERE to_char(created_at, 'YYYY-MM') = '{month}'
        GROUP BY day
    """
    rows = db.session.execute(text(sql)).all()  # expect: FLASK-INJECT-001
    return jsonify([list(r) for r in rows])


# --- look-alikes that must stay silent ------------------------------------------------------------------------


@api.get("/safe/users/<username>")
def safe_user_detail(username):
    row = db.session.execute(text("SELECT id, email FROM users WHERE username = :username").bindparams(username=username)).first()  # ok: FLASK-INJECT-001 (bound with bindparams)
    same = db.session.execute(text("SELECT id FROM users WHERE username = :u"), {"u": username}).first()  # ok: FLASK-INJECT-001 (parameters passed to execute)
    return jsonify(row.id == same.id)


@api.get("/safe/orders")
def safe_orders():
    status = request.args.get("status", "open")
    by_orm = Order.query.filter_by(status=status).all()  # ok: FLASK-INJECT-001 (ORM keyword filter)
    stmt = select(Order).where(Order.status == status).order_by(Order.created_at.desc())  # ok: FLASK-INJECT-001 (SQLAlchemy Core expression)
    by_core = db.session.execute(stmt).scalars().all()  # ok: FLASK-INJECT-001 (executes a compiled statement object)
    expanding = text("SELECT * FROM orders WHERE id IN :ids").bindparams(bindparam("ids", expanding=True))  # ok: FLASK-INJECT-001 (constant text)
    return jsonify(len(by_orm) + len(by_core) + len(db.session.execute(expanding, {"ids": [1, 2]}).all()))


@api.get("/safe/sorted")
def safe_sorted():
    column = request.args.get("sort", "created_at")
    if column not in REPORT_COLUMNS:
        abort(400, "unknown sort column")
    rows = Order.query.order_by(text(f"{column} DESC")).all()  # ok: FLASK-INJECT-001 (allowlisted column)
    return jsonify([o.to_dict() for o in rows])


@api.get("/safe/export")
def safe_export():
    since = request.args.get("since")
    frame = pandas.read_sql(text("SELECT * FROM orders WHERE created_at >= :since"), db.engine, params={"since": since})  # ok: FLASK-INJECT-001 (bound parameter)
    return frame.to_json(orient="records")


@api.get("/safe/count")
def safe_count():
    limit = request.args.get("limit", 100, type=int)
    with db.engine.connect() as conn:
        total = conn.execute(text(f"SELECT count(*) FROM (SELECT id FROM orders LIMIT {limit}) t")).scalar()  # ok: FLASK-INJECT-001 (type=int converts the value)
    return jsonify(total=total, now=db.session.execute(select(func.now())).scalar())  # ok: FLASK-INJECT-001 (no SQL text at all)


def purge_older_than(days):
    db.session.execute(text(f"DELETE FROM audit WHERE created_at < now() - interval '{days} days'"))  # ok: FLASK-INJECT-001 (helper parameter: origin unknown, not flagged)


@api.post("/safe/maintenance")
def safe_maintenance():
    table = current_app.config["ARCHIVE_TABLE"]
    db.session.execute(text(f"VACUUM ANALYZE {table}"))  # ok: FLASK-INJECT-001 (table name from the app config, not the request)
    return jsonify(ok=True)
