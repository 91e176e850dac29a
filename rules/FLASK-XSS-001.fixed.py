# fixture-path: app/views.py
import html
import json

import bleach
import markdown
from flask import Blueprint, Flask, Response, abort, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask.views import MethodView
from flask_login import current_user
from jinja2 import Environment, FileSystemLoader, PackageLoader, Template, select_autoescape
from markupsafe import Markup, escape
from markupsafe import Markup as M
from werkzeug.wrappers import Response as WerkzeugResponse

from .models import Comment, Post, db

app = Flask(__name__)
bp = Blueprint("forum", __name__, url_prefix="/forum")

HEADER = "<header><h1>Forum</h1></header>"
ROW = "<tr><td>%s</td></tr>"


# --- Markup() on untrusted data ----------------------------------------------------------------------------------


@app.route("/notice")
def notice():
    return render_template("notice.html", notice=escape(request.args.get("msg", "")))  # expect: FLASK-XSS-001


@app.route("/profile", methods=["POST"])
def save_profile():
    raw_bio = request.form["bio"]
    bio = escape(raw_bio)  # expect: FLASK-XSS-001
    return render_template("profile.html", bio=bio)


@app.route("/hello/<name>")
def hello_card(name):
    card = M(f"<div class='card'>Hello {escape(name)}!</div>")  # expect: FLASK-XSS-001
    return render_template("card.html", card=card)


@bp.route("/quote")
def quote():
    text = request.args.get("text", "")
    return render_template("quote.html", quote=Markup("<blockquote>" + str(escape(text)) + "</blockquote>"))  # expect: FLASK-XSS-001


@bp.post("/tag")
def add_tag():
    label = request.form.get("label", "")
    flash(Markup("Added tag <b>%s</b>" % escape(label)))  # expect: FLASK-XSS-001
    return redirect(url_for("forum.quote"))


@bp.get("/badge")
def badge():
    color = request.args.get("color", "grey")
    return render_template("badge.html", badge=Markup('<span class="{}">new</span>'.format(escape(color))))  # expect: FLASK-XSS-001


@bp.route("/comments/<int:comment_id>")
def show_comment(comment_id):
    comment = Comment.query.get_or_404(comment_id)
    return render_template("comment.html", body=Markup(comment.body))  # expect: FLASK-XSS-001


@app.template_filter("nl2br")
def nl2br(value):
    return Markup(value.replace("\n", "<br>\n"))  # expect: FLASK-XSS-001


# --- HTML built from untrusted data and returned as the response ---------------------------------------------------


@app.route("/greet/<name>")
def greet(name):
    return f"<h1>Hello {escape(name)}!</h1>"  # expect: FLASK-XSS-001


@app.route("/search")
def search():
    q = request.args.get("q", "")
    return "<p>No results for " + str(escape(q)) + "</p>"  # expect: FLASK-XSS-001


@app.route("/lookup")
def lookup():
    term = request.args["term"]
    return "<p>Unknown term: %s</p>" % escape(term), 404  # expect: FLASK-XSS-001


@bp.route("/item")
def item():
    title = request.args.get("title", "")
    return "<li class='item'>{}</li>".format(escape(title))  # expect: FLASK-XSS-001


@app.route("/preview", methods=["POST"])
def preview():
    body = request.form.get("body", "")
    page = f"<article>{escape(body)}</article>"
    return make_response(page, 200)  # expect: FLASK-XSS-001


@app.route("/echo")
def echo():
    data = request.args.get("data", "")
    return Response(f"<pre>{escape(data)}</pre>", mimetype="text/html")  # expect: FLASK-XSS-001


@app.route("/tags")
def tags():
    html_out = HEADER + "<ul>"
    for tag in request.args.getlist("tag"):
        html_out += f"<li>{escape(tag)}</li>"
    html_out += "</ul>"
    return html_out  # expect: FLASK-XSS-001


@app.route("/table")
def table():
    cell = request.args.get("cell", "")
    return ROW % escape(cell)  # expect: FLASK-XSS-001


@app.errorhandler(404)
def not_found(error):
    return f"<h1>Not found</h1><p>{escape(request.path)} does not exist.</p>", 404  # expect: FLASK-XSS-001


class SearchView(MethodView):
    def get(self):
        query = request.args.get("query", "")
        return f"<h2>Results for {escape(query)}</h2>"  # expect: FLASK-XSS-001


@bp.route("/latest")
def latest():
    comments = Comment.query.order_by(Comment.id.desc()).limit(10).all()
    items = "".join(f"<li>{c.body}</li>" for c in comments)
    return "<ul>" + items + "</ul>"  # expect: FLASK-XSS-001


@bp.route("/post/<int:post_id>")
def post_page(post_id):
    post = db.session.get(Post, post_id)
    return f"<h1>{post.title}</h1><div>{post.body}</div>"  # expect: FLASK-XSS-001


@app.route("/legacy")
def legacy():
    msg = request.args.get("msg", "")
    return WerkzeugResponse("<p>" + str(escape(msg)) + "</p>", content_type="text/html; charset=utf-8")  # expect: FLASK-XSS-001


# --- Jinja environments without autoescaping ------------------------------------------------------------------------

report_env = Environment(loader=FileSystemLoader("reports"), autoescape=False)  # expect: FLASK-XSS-001


@app.route("/report")
def report():
    return report_env.get_template("weekly.html").render(rows=request.args.getlist("row"))


widget_env = Environment(loader=PackageLoader("app", "widgets"))  # expect: FLASK-XSS-001
WIDGET = widget_env.get_template("widget.html")

plugin_env = Environment(loader=FileSystemLoader("plugins"), autoescape=False)  # expect: FLASK-XSS-001

BANNER = Template("<div class='banner'>{{ message }}</div>")  # expect: FLASK-XSS-001

app.jinja_env.autoescape = False  # expect: FLASK-XSS-001


class LegacyFlask(Flask):
    jinja_options = {"autoescape": False, "trim_blocks": True}  # expect: FLASK-XSS-001


# --- look-alikes that must stay silent -----------------------------------------------------------------------------


@app.route("/notice/safe")
def notice_safe():
    return render_template("notice.html", notice=Markup(escape(request.args.get("msg", ""))))  # ok: FLASK-XSS-001 (escaped before marking safe)


@app.route("/bold")
def bold():
    name = request.args.get("name", "")
    return render_template("card.html", card=Markup("<b>%s</b>") % name)  # ok: FLASK-XSS-001 (Markup % escapes its arguments)


@app.route("/italic")
def italic():
    name = request.args.get("name", "")
    return render_template("card.html", card=Markup("<i>{}</i>").format(name))  # ok: FLASK-XSS-001 (Markup.format escapes its arguments)


@app.route("/clean", methods=["POST"])
def clean():
    allowed = bleach.clean(request.form["html"], tags=["b", "i", "a"])
    return render_template("post.html", body=Markup(allowed))  # ok: FLASK-XSS-001 (sanitized by bleach.clean)


@app.route("/count")
def count():
    n = int(request.args.get("n", "0"))
    return Markup(f"<b>{n}</b> items")  # ok: FLASK-XSS-001 (int() leaves no markup)


@app.route("/lines")
def lines():
    parts = request.args.getlist("line")
    return render_template("lines.html", text=Markup("<br>").join(parts))  # ok: FLASK-XSS-001 (Markup.join escapes the parts)


ICON = Markup('<svg class="icon"><use href="#star"/></svg>')  # ok: FLASK-XSS-001 (constant markup)


@app.template_filter("nl2br_safe")
def nl2br_safe(value):
    return Markup(escape(value).replace("\n", Markup("<br>\n")))  # ok: FLASK-XSS-001 (escaped first)


@app.template_filter("paragraphs")
def paragraphs(value):
    value = escape(value)
    return Markup(value.replace("\n\n", "</p><p>"))  # ok: FLASK-XSS-001 (parameter re-bound to its escaped form)


@app.route("/greet/safe/<name>")
def greet_safe(name):
    return f"<h1>Hello {escape(name)}!</h1>"  # ok: FLASK-XSS-001 (escaped)


@app.route("/page/<int:page>")
def page_number(page):
    return f"<p>Page {page}</p>"  # ok: FLASK-XSS-001 (int converter)


@app.route("/search/safe")
def search_safe():
    q = request.args.get("q", "")
    return render_template("search.html", q=q)  # ok: FLASK-XSS-001 (autoescaped template)


@app.route("/api/search")
def api_search():
    q = request.args.get("q", "")
    return jsonify(html=f"<b>{q}</b>", query=q)  # ok: FLASK-XSS-001 (JSON response, not parsed as HTML)


@app.route("/api/preview")
def api_preview():
    body = request.args.get("body", "")
    return {"preview": f"<p>{body}</p>"}  # ok: FLASK-XSS-001 (dict -> JSON response)


@app.route("/plain")
def plain():
    q = request.args.get("q", "")
    return Response(f"<b>{q}</b>", mimetype="text/plain")  # ok: FLASK-XSS-001 (text/plain is not rendered as HTML)


@app.route("/plain/werkzeug")
def plain_werkzeug():
    q = request.args.get("q", "")
    return WerkzeugResponse(f"<b>{q}</b>")  # ok: FLASK-XSS-001 (werkzeug's Response defaults to text/plain)


@app.route("/plain/headers")
def plain_headers():
    q = request.args.get("q", "")
    return f"<b>{q}</b>", 200, {"Content-Type": "text/plain; charset=utf-8"}  # ok: FLASK-XSS-001 (declared text/plain)


@app.route("/csv")
def csv_export():
    name = request.args.get("name", "")
    return make_response(f"name\n{name}\n", 200, {"Content-Type": "text/csv"})  # ok: FLASK-XSS-001 (not HTML)


@app.route("/escaped-concat")
def escaped_concat():
    q = request.args.get("q", "")
    return Markup("<p>") + q + "</p>"  # ok: FLASK-XSS-001 (Markup + str escapes the str)


@app.route("/link/<slug>")
def link(slug):
    return f'<a href="{url_for("forum.quote", text=slug)}">quote</a>'  # ok: FLASK-XSS-001 (url_for encodes the value)


def render_row(label):
    return f"<tr><td>{label}</td></tr>"  # ok: FLASK-XSS-001 (helper, not a view; its callers are checked where data enters)


@app.route("/length")
def length():
    q = request.args.get("q", "")
    return f"<p>{len(q)} characters</p>"  # ok: FLASK-XSS-001 (len() is a number)


@app.route("/go")
def go():
    q = request.args.get("q", "")
    return redirect(url_for("search", q=q))  # ok: FLASK-XSS-001 (redirect, no HTML built)


@app.route("/escaped-percent")
def escaped_percent():
    term = request.args.get("term", "")
    return "<p>Unknown term: %s</p>" % escape(term)  # ok: FLASK-XSS-001 (escaped)


@app.route("/attachment")
def attachment():
    name = request.args.get("name", "")
    body = f"<h1>{name}</h1>"
    return Response(body, mimetype="application/octet-stream", headers={"Content-Disposition": "attachment"})  # ok: FLASK-XSS-001 (download, not rendered)


safe_env = Environment(loader=FileSystemLoader("templates"), autoescape=select_autoescape(["html", "xml"]))  # ok: FLASK-XSS-001 (autoescape on)
strict_env = Environment(loader=FileSystemLoader("templates"), autoescape=True)  # ok: FLASK-XSS-001 (autoescape on)
text_env = Environment(loader=FileSystemLoader("emails"), autoescape=False)  # ok: FLASK-XSS-001 (renders .txt emails only)
WELCOME_TXT = text_env.get_template("welcome.txt")
code_env = Environment(loader=FileSystemLoader("codegen"))  # ok: FLASK-XSS-001 (default off, no HTML use visible)
SUBJECT = Template("Welcome, {{ name }}!")  # ok: FLASK-XSS-001 (plain-text template)

app.jinja_env.autoescape = True  # ok: FLASK-XSS-001 (turned on)
app.jinja_env.trim_blocks = False  # ok: FLASK-XSS-001 (unrelated option)


# --- known gaps -----------------------------------------------------------------------------------------------------


@app.route("/hi")
def hi():
    who = request.args.get("who", "")
    return f"Hi {who}"  # todo: FLASK-XSS-001 (no tag in the literal, yet Flask serves it as text/html: reflected XSS)


@app.route("/readme", methods=["POST"])
def readme():
    return render_template("readme.html", body=Markup(markdown.markdown(request.form["md"])))  # todo: FLASK-XSS-001 (markdown passes raw HTML through)


@app.route("/me")
def me():
    return render_template("me.html", bio=Markup(current_user.bio))  # todo: FLASK-XSS-001 (current_user fields are stored user content)
