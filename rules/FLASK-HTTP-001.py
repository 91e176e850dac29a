"""Shop views: routes that change data, routes that only read, and query-string credentials."""
# fixture-path: shop/views.py
import os
import tempfile
from datetime import datetime

from bson import ObjectId
from flask import Blueprint, Flask, abort, after_this_request, g, jsonify, redirect, render_template, request, send_file, session, url_for
from flask import request as req
from flask.views import MethodView
from flask_login import current_user, logout_user
from flask_restful import Resource
from sqlalchemy import delete, text

from shop.extensions import cache, db, dynamo, mongo, redis_client
from shop.forms import ProfileForm
from shop.models import Cart, Document, Item, Note, PageView, Post, Subscription, Task, User, Visit

app = Flask(__name__)
bp = Blueprint("posts", __name__)
admin = Blueprint("admin", __name__, url_prefix="/admin")
UPLOAD_DIR = "/srv/uploads"
HTTP_METHODS = ["GET", "POST"]


# --- GET routes that change data -------------------------------------------------------------------------------

@app.route("/items/<int:item_id>/delete")
def delete_item(item_id):
    item = Item.query.get_or_404(item_id)
    db.session.delete(item)  # expect: FLASK-HTTP-001
    db.session.commit()
    return redirect(url_for("index"))


@bp.get("/posts/<int:post_id>/publish")
def publish_post(post_id):
    post = Post.query.get_or_404(post_id)
    post.published = True
    post.published_at = datetime.utcnow()
    db.session.commit()  # expect: FLASK-HTTP-001
    return redirect(url_for("posts.show", post_id=post_id))


@admin.route("/users/<int:uid>/ban", methods=["GET"])
def ban_user(uid):
    User.query.filter_by(id=uid).delete()  # expect: FLASK-HTTP-001
    db.session.commit()
    return redirect(url_for("admin.users"))


@admin.route("/sessions/purge")
def purge_sessions():
    cursor = db.connection.cursor()
    cursor.execute("DELETE FROM sessions WHERE expires_at < now()")  # expect: FLASK-HTTP-001
    return "purged"


@admin.route("/users/<int:uid>/deactivate")
def deactivate(uid):
    db.engine.execute(f"UPDATE users SET active = 0 WHERE id = {uid}")  # expect: FLASK-HTTP-001
    return "ok"


@app.route("/cart/<int:uid>/clear")
def clear_cart(uid):
    db.session.execute(text("DELETE FROM carts WHERE user_id = :u"), {"u": uid})  # expect: FLASK-HTTP-001
    db.session.commit()
    return redirect("/")


@app.route("/cart/<int:uid>/empty")
def empty_cart(uid):
    db.session.execute(delete(Cart).where(Cart.user_id == uid))  # expect: FLASK-HTTP-001
    return redirect("/")


@bp.route("/comments/<cid>/remove")
def remove_comment(cid):
    mongo.db.comments.delete_one({"_id": ObjectId(cid)})  # expect: FLASK-HTTP-001
    return redirect(url_for("posts.index"))


@app.route("/documents/<doc_id>/discard")
def discard_document(doc_id):
    doc = Document.objects.get(id=doc_id)
    doc.delete()  # expect: FLASK-HTTP-001
    return redirect("/documents")


@app.route("/notes/<nid>/archive")
def archive_note(nid):
    note = Note.objects(id=nid).first()
    note.archived = True
    note.save()  # expect: FLASK-HTTP-001
    return redirect("/notes")


@app.route("/notes/<int:nid>/drop")
def drop_note(nid):
    Note.delete().where(Note.id == nid).execute()  # expect: FLASK-HTTP-001
    return redirect("/notes")


@app.route("/files/<path:filename>/delete")
def delete_file(filename):
    os.remove(os.path.join(UPLOAD_DIR, filename))  # expect: FLASK-HTTP-001
    return redirect("/files")


@app.route("/subscribe/<plan>")
def subscribe(plan):
    sub = Subscription(user_id=current_user.id, plan=plan)
    db.session.add(sub)  # expect: FLASK-HTTP-001
    db.session.commit()
    return redirect("/account")


@app.route("/carts/<int:cid>/close", methods=["GET", "HEAD"])
def close_cart(cid):
    Cart.query.filter(Cart.id == cid).update({"status": "closed"})  # expect: FLASK-HTTP-001
    db.session.commit()
    return "closed"


@app.route("/orders/import")
def import_orders():
    rows = [(1, "a"), (2, "b")]
    db.connection.cursor().executemany("INSERT INTO orders (id, ref) VALUES (%s, %s)", rows)  # expect: FLASK-HTTP-001
    return "imported"


@app.route("/posts/<int:pid>/like", methods=["GET", "POST"])
def like_post(pid):
    post = Post.query.get_or_404(pid)
    post.likes += 1
    db.session.commit()  # expect: FLASK-HTTP-001
    return jsonify(likes=post.likes)


@app.route("/theme/<name>")
def set_theme(name):
    current_user.theme = name
    db.session.add(current_user)  # expect: FLASK-HTTP-001
    db.session.commit()
    return redirect(request.referrer or "/")


@bp.get("/drafts/<draft_id>/discard")
def discard_draft(draft_id):
    dynamo.Table("drafts").delete_item(Key={"id": draft_id})  # expect: FLASK-HTTP-001
    return redirect("/drafts")


class TaskAPI(MethodView):
    def get(self, task_id):
        Task.query.filter_by(id=task_id).delete()  # expect: FLASK-HTTP-001
        db.session.commit()
        return "", 204


class ItemResource(Resource):
    def get(self, item_id):
        item = Item.query.get_or_404(item_id)
        db.session.delete(item)  # expect: FLASK-HTTP-001
        db.session.commit()
        return {}, 204


# --- credentials in the query string -------------------------------------------------------------------------

@app.route("/reset")
def reset_password_form():
    token = request.args.get("token")  # expect: FLASK-HTTP-001
    return render_template("reset.html", token=token)


@app.route("/api/export")
def export():
    key = request.args["api_key"]  # expect: FLASK-HTTP-001
    if key != os.environ["EXPORT_KEY"]:
        abort(403)
    return jsonify(items=[i.to_dict() for i in Item.query.all()])


@app.route("/legacy/login")
def legacy_login():
    args = req.args
    username = args.get("username")
    password = args.get("password")  # expect: FLASK-HTTP-001
    return jsonify(ok=bool(username and password))


@app.route("/oauth/implicit")
def oauth_implicit():
    session["access_token"] = req.args.get("access_token", "")  # expect: FLASK-HTTP-001
    return redirect("/")


@app.route("/api/v1/reports")
def reports():
    if request.args.get("API-KEY") is None:  # expect: FLASK-HTTP-001
        abort(401)
    return jsonify([])


# --- look-alikes that stay silent ------------------------------------------------------------------------------

@app.route("/items")
def list_items():
    page = request.args.get("page", 1, type=int)  # ok: FLASK-HTTP-001 (not a credential)
    cursor_token = request.args.get("next_token")  # ok: FLASK-HTTP-001 (a pagination cursor, not a credential)
    items = Item.query.paginate(page=page)  # ok: FLASK-HTTP-001 (reads only)
    return render_template("items.html", items=items, cursor=cursor_token)


@app.route("/posts/<int:post_id>")
def show_post(post_id):
    post = Post.query.get_or_404(post_id)
    post.views += 1  # ok: FLASK-HTTP-001 (a view counter: analytics)
    db.session.add(PageView(path=request.path, user_id=current_user.get_id()))  # ok: FLASK-HTTP-001 (a page-view record)
    visit = Visit(post_id=post_id, at=datetime.utcnow())
    db.session.add(visit)  # ok: FLASK-HTTP-001 (a visit record)
    db.session.commit()  # ok: FLASK-HTTP-001 (commits analytics only)
    return render_template("post.html", post=post)


@app.route("/dashboard")
def dashboard():
    user = User.query.get(current_user.id)
    user.last_seen = datetime.utcnow()  # ok: FLASK-HTTP-001 (a last-seen timestamp)
    db.session.commit()  # ok: FLASK-HTTP-001 (commits a timestamp)
    g.user = user  # ok: FLASK-HTTP-001 (request context, not a row)
    session["visited_dashboard"] = True  # ok: FLASK-HTTP-001 (Flask's session cookie, not stored data)
    cache.delete("dashboard:%s" % user.id)  # ok: FLASK-HTTP-001 (cache invalidation)
    redis_client.delete(f"rate:{request.remote_addr}")  # ok: FLASK-HTTP-001 (a rate-limit counter)
    mongo.db.audit_log.insert_one({"event": "dashboard", "user": user.id})  # ok: FLASK-HTTP-001 (an audit record)
    cur = db.connection.cursor()
    cur.execute("INSERT INTO page_views (path) VALUES (%s)", (request.path,))  # ok: FLASK-HTTP-001 (analytics table)
    cur.execute("SELECT * FROM items WHERE owner = %s", (user.id,))  # ok: FLASK-HTTP-001 (a read)
    return render_template("dashboard.html")


@app.route("/home")
def home():
    current_user.last_login = datetime.utcnow()
    db.session.add(current_user)  # ok: FLASK-HTTP-001 (only a last-login timestamp changed)
    db.session.commit()  # ok: FLASK-HTTP-001 (commits a timestamp)
    return render_template("home.html")


@app.route("/logout")
def logout():
    logout_user()  # ok: FLASK-HTTP-001 (logout over GET: session state only, spec-accepted practice)
    session.pop("cart", None)  # ok: FLASK-HTTP-001 (Flask's session cookie)
    session.clear()  # ok: FLASK-HTTP-001 (Flask's session cookie)
    return redirect("/")


@app.route("/items/<int:item_id>/delete", methods=["POST"])
def delete_item_post(item_id):
    db.session.delete(Item.query.get_or_404(item_id))  # ok: FLASK-HTTP-001 (POST route)
    db.session.commit()
    return redirect("/")


@app.delete("/api/items/<int:item_id>")
def api_delete_item(item_id):
    Item.query.filter_by(id=item_id).delete()  # ok: FLASK-HTTP-001 (DELETE route)
    return "", 204


@app.route("/profile", methods=["GET", "POST"])
def profile():
    form = ProfileForm()
    if form.validate_on_submit():
        current_user.bio = form.bio.data
        db.session.add(current_user)  # ok: FLASK-HTTP-001 (only after validate_on_submit: POST)
        db.session.commit()
    return render_template("profile.html", form=form)


@app.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
def edit_item(item_id):
    item = Item.query.get_or_404(item_id)
    if request.method == "POST":
        item.name = request.form["name"]
        db.session.commit()  # ok: FLASK-HTTP-001 (branches on request.method)
        password = request.form.get("password")  # ok: FLASK-HTTP-001 (form body, not the URL)
    return render_template("edit.html", item=item)


@app.route("/confirm/<token>")
def confirm_email(token):
    user = User.query.filter_by(confirm_token=token).first_or_404()
    user.confirmed = True
    db.session.commit()  # ok: FLASK-HTTP-001 (a signed link: the token in the path authorises the change)
    return redirect("/")


@app.route("/unsubscribe")
def unsubscribe():
    token = request.args.get("token")  # expect: FLASK-HTTP-001
    sub = Subscription.query.filter_by(token=token).first_or_404()
    sub.active = False
    db.session.commit()  # ok: FLASK-HTTP-001 (a signed link; the query token is reported above)
    return "unsubscribed"


@app.route("/report.pdf")
def report_pdf():
    fd, tmp_path = tempfile.mkstemp(suffix=".pdf")

    @after_this_request
    def cleanup(response):
        os.remove(tmp_path)  # ok: FLASK-HTTP-001 (cleanup of a server-made temp file)
        return response

    os.remove(tmp_path + ".lock")  # ok: FLASK-HTTP-001 (a server-generated path, not chosen by the request)
    return send_file(tmp_path)


@app.route("/thumb/<int:item_id>")
def thumbnail(item_id):
    img = Item.query.get_or_404(item_id).image()
    img.save(os.path.join(UPLOAD_DIR, "thumbs", f"{item_id}.png"))  # ok: FLASK-HTTP-001 (an image file cache, with a path argument)
    return send_file(os.path.join(UPLOAD_DIR, "thumbs", f"{item_id}.png"))


@app.route("/api/login", methods=["POST"])
def api_login():
    data = request.get_json()
    token = data.get("token")  # ok: FLASK-HTTP-001 (JSON body)
    api_key = request.headers.get("X-Api-Key")  # ok: FLASK-HTTP-001 (a header)
    secret = request.form["secret"]  # ok: FLASK-HTTP-001 (form body)
    return jsonify(ok=bool(token and api_key and secret))


@app.route("/bulk", methods=HTTP_METHODS)
def bulk():
    Item.query.delete()  # ok: FLASK-HTTP-001 (methods from a variable: unknown)
    return "done"


def purge_old_items():
    Item.query.filter(Item.created < datetime(2020, 1, 1)).delete()  # ok: FLASK-HTTP-001 (not a route: a maintenance job)
    db.session.commit()


def wipe_all():
    db.session.query(Item).delete()
    db.session.commit()


app.add_url_rule("/wipe", view_func=wipe_all)  # todo: FLASK-HTTP-001 (views registered with add_url_rule are not read)


@app.route("/account/<int:uid>/close")
def close_account(uid):
    delete_account(uid)  # todo: FLASK-HTTP-001 (the mutation is inside a helper: needs inter-procedural analysis)
    return redirect("/")


@app.route("/login-link")
def login_link():
    password = request.values.get("password")  # todo: FLASK-HTTP-001 (request.values also reads the query string)
    return jsonify(ok=password is not None)
