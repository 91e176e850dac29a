# fixture-path: flaskr/blog.py
# A flaskr-style application on sqlite3 (DB-API, `?` placeholders): raw SQL built in every common way.
import re
import sqlite3

from flask import Blueprint, Flask, abort, current_app, g, jsonify, redirect, request, session, url_for
from flask import request as req
from flask.views import MethodView

bp = Blueprint("blog", __name__, url_prefix="/blog")

POSTS_TABLE = "post"
SORTABLE_COLUMNS = {"created", "title", "author_id"}
ORDER_BY = {"new": "created DESC", "old": "created ASC"}
SLUG = re.compile(r"[a-z0-9-]{1,64}")


def get_db():
    if "db" not in g:
        g.db = sqlite3.connect(current_app.config["DATABASE"], detect_types=sqlite3.PARSE_DECLTYPES)
        g.db.row_factory = sqlite3.Row
    return g.db


def create_app():
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(DATABASE="instance/flaskr.sqlite")
    app.register_blueprint(bp)
    app.add_url_rule("/posts/<slug>", view_func=PostAPI.as_view("post_api"))
    return app


# --- positives ------------------------------------------------------------------------------------------------


@bp.route("/search")
def search():
    title = request.args.get("title", "")
    db = get_db()
    posts = db.execute("SELECT id, title, body FROM post WHERE title = ?", (title,)).fetchall()  # expect: FLASK-INJECT-001
    return jsonify([dict(p) for p in posts])


@bp.route("/by-author")
def by_author():
    username = request.args["username"]
    cur = get_db().cursor()
    cur.execute("SELECT p.id, p.title FROM post p JOIN user u ON p.author_id = u.id WHERE u.username = ?", (username,))  # expect: FLASK-INJECT-001
    return jsonify([dict(r) for r in cur.fetchall()])


@bp.post("/login")
def login():
    username = request.form["username"]
    db = get_db()
    user = db.execute("SELECT * FROM user WHERE username = ?", (username,)).fetchone()  # expect: FLASK-INJECT-001
    if user is None:
        abort(401)
    session["user_id"] = user["id"]
    return redirect(url_for("blog.search"))


@bp.route("/<author>/posts")
def posts_of(author):
    db = get_db()
    rows = db.execute("SELECT * FROM post WHERE author = ? ORDER BY created DESC", (author,)).fetchall()  # expect: FLASK-INJECT-001
    return jsonify([dict(r) for r in rows])


@bp.route("/archive")
def archive():
    year = req.args.get("year")
    month = req.args.get("month")
    db = get_db()
    rows = db.execute("SELECT * FROM post WHERE strftime('%Y', created) = ? AND strftime('%m', created) = ?", (year, month)).fetchall()  # expect: FLASK-INJECT-001
    return jsonify([dict(r) for r in rows])


@bp.route("/page")
def page():
    size = request.args.get("size", "20")
    offset = request.args.get("offset", "0")
    db = get_db()
    rows = db.execute(f"SELECT * FROM {POSTS_TABLE} ORDER BY created DESC LIMIT ? OFFSET ?", (size, offset)).fetchall()  # expect: FLASK-INJECT-001
    return jsonify([dict(r) for r in rows])


@bp.post("/create")
def create():
    data = request.get_json()
    db = get_db()
    db.execute("INSERT INTO post (title, body, author_id) VALUES (?, ?, ?)", (data['title'], data['body'], session['user_id']))  # expect: FLASK-INJECT-001
    db.commit()
    return jsonify(ok=True), 201


@bp.post("/<int:post_id>/update")
def update(post_id):
    title = request.form.get("title", "").strip()
    db = get_db()
    db.execute("UPDATE post SET title = ? WHERE id = ?", (title, post_id))  # expect: FLASK-INJECT-001
    db.commit()
    return jsonify(ok=True)


@bp.route("/tagged")
def tagged():
    tag = request.args.get("tag")
    db = get_db()
    rows = db.execute("SELECT p.* FROM post p "  # expect: FLASK-INJECT-001
                      "JOIN post_tag t ON t.post_id = p.id WHERE t.tag = ?", (tag,)).fetchall()
    return jsonify([dict(r) for r in rows])


@bp.route("/filter")
def filter_posts():
    status = request.args.get("status", "published")
    query = "SELECT * FROM post WHERE status = '" + status + "'"
    rows = get_db().execute(query).fetchall()  # expect: FLASK-INJECT-001
    return jsonify([dict(r) for r in rows])


@bp.route("/stats")
def stats():
    since = request.headers.get("X-Since")
    sql = "SELECT count(*) FROM post"
    if since:
        sql += f" WHERE created >= '{since}'"
    return jsonify(count=get_db().execute(sql).fetchone()[0])  # expect: FLASK-INJECT-001


@bp.route("/find")
def find():
    q = request.args.get("q", "")
    db = get_db()
    rows = db.execute(f"SELECT * FROM post WHERE title LIKE '%{q}%'").fetchall()  # expect: FLASK-INJECT-001
    return jsonify([dict(r) for r in rows])


@bp.route("/sorted")
def sorted_posts():
    column = request.args.get("sort", "created")
    db = get_db()
    rows = db.execute(f"SELECT * FROM post ORDER BY {column}").fetchall()  # expect: FLASK-INJECT-001
    return jsonify([dict(r) for r in rows])


@bp.post("/<int:post_id>/notify-author")
def notify_author(post_id):
    db = get_db()
    post = db.execute("SELECT author FROM post WHERE id = ?", (post_id,)).fetchone()
    db.execute("INSERT INTO notification (recipient, kind) VALUES (?, 'comment')", (post['author'],))  # expect: FLASK-INJECT-001
    db.commit()
    return jsonify(ok=True)


@bp.post("/admin/sql")
def admin_console():
    db = get_db()
    db.executescript(request.form["script"])  # expect: FLASK-INJECT-001
    return jsonify(ok=True)


@bp.post("/import")
def import_rows():
    table = request.args.get("table")
    rows = request.get_json()["rows"]
    db = get_db()
    db.executemany(f"INSERT INTO {table} (title, body) VALUES (?, ?)", rows)  # expect: FLASK-INJECT-001
    db.commit()
    return jsonify(imported=len(rows))


class PostAPI(MethodView):
    def get(self, slug):
        db = get_db()
        post = db.execute("SELECT * FROM post WHERE slug = '%s'" % slug).fetchone()  # todo: FLASK-INJECT-001 (the slug comes from add_url_rule, not a @route decorator: the core does not see it as a route parameter)
        return jsonify(dict(post))

    def delete(self, slug):
        reason = request.args.get("reason", "")
        db = get_db()
        db.execute(f"DELETE FROM post WHERE slug = ? AND reason = '{reason}'", (slug,))  # expect: FLASK-INJECT-001
        db.commit()
        return "", 204


@bp.route("/drafts")
def drafts():
    author = request.args.get("author")
    filters = []
    filters.append(f"author = '{author}'")
    rows = get_db().execute("SELECT * FROM post WHERE " + " AND ".join(filters)).fetchall()  # todo: FLASK-INJECT-001 (list.append is not followed by the core's taint)
    return jsonify([dict(r) for r in rows])


# --- look-alikes that must stay silent ------------------------------------------------------------------------


@bp.route("/safe/search")
def safe_search():
    title = request.args.get("title", "")
    db = get_db()
    posts = db.execute("SELECT id, title FROM post WHERE title = ?", (title,)).fetchall()  # ok: FLASK-INJECT-001 (parameterised, ? style)
    named = db.execute("SELECT id FROM post WHERE title = :title", {"title": title}).fetchall()  # ok: FLASK-INJECT-001 (parameterised, :name style)
    return jsonify(len(posts) + len(named))


@bp.route("/safe/<int:post_id>")
def safe_show(post_id):
    db = get_db()
    post = db.execute(f"SELECT * FROM post WHERE id = {post_id}").fetchone()  # ok: FLASK-INJECT-001 (the int converter only lets digits through)
    return jsonify(dict(post))


@bp.route("/safe/page")
def safe_page():
    page_no = int(request.args.get("page", 1))
    size = request.args.get("size", 20, type=int)
    db = get_db()
    rows = db.execute(f"SELECT * FROM post LIMIT {size} OFFSET {(page_no - 1) * size}").fetchall()  # ok: FLASK-INJECT-001 (int() and type=int leave only numbers)
    return jsonify([dict(r) for r in rows])


@bp.route("/safe/table")
def safe_table():
    db = get_db()
    rows = db.execute(f"SELECT * FROM {POSTS_TABLE} ORDER BY created DESC").fetchall()  # ok: FLASK-INJECT-001 (constant SQL built from a module constant)
    return jsonify([dict(r) for r in rows])


@bp.route("/safe/sorted")
def safe_sorted():
    sort = request.args.get("sort", "created")
    if sort not in SORTABLE_COLUMNS:
        abort(400)
    db = get_db()
    rows = db.execute(f"SELECT * FROM post ORDER BY {sort}").fetchall()  # ok: FLASK-INJECT-001 (identifier checked against an allowlist first)
    return jsonify([dict(r) for r in rows])


@bp.route("/safe/ordered")
def safe_ordered():
    direction = "DESC" if request.args.get("dir") == "desc" else "ASC"
    order = ORDER_BY.get(request.args.get("order"), "created DESC")
    db = get_db()
    rows = db.execute(f"SELECT * FROM post ORDER BY title {direction}").fetchall()  # ok: FLASK-INJECT-001 (both branches are constants)
    rows += db.execute(f"SELECT * FROM post ORDER BY {order}").fetchall()  # ok: FLASK-INJECT-001 (looked up in a constant mapping)
    return jsonify([dict(r) for r in rows])


@bp.route("/safe/columns")
def safe_columns():
    wanted = [c for c in request.args.getlist("col") if c in SORTABLE_COLUMNS]
    column = request.args.get("by", "created")
    column = column if column in SORTABLE_COLUMNS else "created"
    db = get_db()
    rows = db.execute(f"SELECT {', '.join(wanted)} FROM post ORDER BY {column}").fetchall()  # ok: FLASK-INJECT-001 (allowlist-filtered columns)
    return jsonify([dict(r) for r in rows])


@bp.route("/safe/many")
def safe_many():
    ids = request.args.getlist("id")
    marks = ", ".join("?" for _ in ids)
    db = get_db()
    rows = db.execute(f"SELECT * FROM post WHERE id IN ({marks})", ids).fetchall()  # ok: FLASK-INJECT-001 (placeholder list; the ids are bound)
    more = db.execute("SELECT * FROM post WHERE id IN (%s)" % ",".join(["?"] * len(ids)), ids).fetchall()  # ok: FLASK-INJECT-001 (placeholder list built with %)
    return jsonify(len(rows) + len(more))


@bp.route("/safe/year")
def safe_year():
    year = request.args.get("year", "")
    if not year.isdigit():
        abort(400)
    db = get_db()
    rows = db.execute(f"SELECT * FROM post WHERE strftime('%Y', created) = '{year}'").fetchall()  # ok: FLASK-INJECT-001 (validated: digits only)
    return jsonify([dict(r) for r in rows])


@bp.route("/safe/slug/<slug>")
def safe_slug(slug):
    if not SLUG.fullmatch(slug) or len(slug) < 3:
        abort(404)
    db = get_db()
    post = db.execute(f"SELECT * FROM post WHERE slug = '{slug}'").fetchone()  # ok: FLASK-INJECT-001 (validated with a full-match pattern)
    return jsonify(dict(post))


@bp.post("/safe/<int:post_id>/touch")
def safe_touch(post_id):
    db = get_db()
    post = db.execute("SELECT id, author_id FROM post WHERE id = ?", (post_id,)).fetchone()
    db.execute(f"UPDATE user SET last_post = {post['id']} WHERE id = {post['author_id']}")  # ok: FLASK-INJECT-001 (keys the database assigned, not stored user text)
    db.commit()
    return jsonify(ok=True)


@bp.route("/safe/mine")
def safe_mine():
    user_id = session.get("user_id")
    db = get_db()
    rows = db.execute(f"SELECT * FROM post WHERE author_id = {user_id}").fetchall()  # ok: FLASK-INJECT-001 (the signed session cookie is set by the app, not the client)
    return jsonify([dict(r) for r in rows])


def count_posts(author):
    db = get_db()
    return db.execute(f"SELECT count(*) FROM post WHERE author = '{author}'").fetchone()[0]  # ok: FLASK-INJECT-001 (helper parameter: origin unknown, not flagged)


@bp.route("/safe/static")
def safe_static():
    query = "SELECT * FROM post WHERE status = 'published'"
    db = get_db()
    db.execute(query)  # ok: FLASK-INJECT-001 (constant query in a variable)
    db.executescript(open(current_app.config["SCHEMA"]).read())  # ok: FLASK-INJECT-001 (schema file from config, not the request)
    return jsonify(ok=True)


@bp.route("/safe/log")
def safe_log():
    title = request.args.get("title", "")
    current_app.logger.info(f"SELECT * FROM post WHERE title = '{title}'")  # ok: FLASK-INJECT-001 (logged, never executed)
    message = f"no post titled '{title}'"  # ok: FLASK-INJECT-001 (not a query)
    return jsonify(error=message), 404


@bp.route("/safe/report")
def safe_report():
    job = request.args.get("job")
    runner = current_app.extensions["jobs"]
    runner.execute(f"report --name {job}")  # ok: FLASK-INJECT-001 (execute() of something that is not SQL: no SQL keyword in the text)
    return jsonify(queued=True)
