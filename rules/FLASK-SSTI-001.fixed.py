# fixture-path: app/views.py
import os
import string
from pathlib import Path

import flask
import jinja2
from flask import Blueprint, Flask, current_app, render_template, request
from flask import render_template_string
from flask import render_template_string as rts
from flask.templating import render_template_string as render_str
from flask.templating import stream_template_string
from flask.views import MethodView
from flask_login import current_user
from jinja2 import Environment, BaseLoader, Template
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedEnvironment
from markupsafe import Markup, escape
from werkzeug.utils import secure_filename

from .models import Page, Snippet, db
from .colors import Color
from .templating import load_template_source

app = Flask(__name__)
bp = Blueprint("pages", __name__, url_prefix="/pages")

string_env = Environment(loader=BaseLoader(), autoescape=True)
sandbox = SandboxedEnvironment(autoescape=True)

WELCOME = "<h1>Welcome {{ user }}</h1>"


# --- positives: the template source comes from the request -----------------------------------------------------


@app.route("/preview", methods=["POST"])
def preview():
    return render_template_string(request.form["template"])  # expect: FLASK-SSTI-001


@app.route("/hello")
def hello():
    name = request.args.get("name", "")
    return render_template_string("<h1>Hello {{ name }}!</h1>", name=name)  # expect: FLASK-SSTI-001


@app.route("/greet")
def greet():
    name = request.args.get("name", "guest")
    return render_template_string("<p>Hi {{ name }}, welcome back.</p>", title="Home", name=name)  # expect: FLASK-SSTI-001


@app.route("/bye")
def bye():
    name = request.args["name"]
    return rts("<p>Goodbye {{ name }}, see you at {{ time }}</p>", name=name, time=request.args["time"])  # expect: FLASK-SSTI-001


@app.route("/card")
def card():
    title = request.args.get("title", "")
    return render_str("<div class='card'>{{ title }}</div>", title=title)  # expect: FLASK-SSTI-001


@app.route("/user/<username>")
def profile(username):
    html = """
<section>
  <h2>{{ username }}</h2>
</section>
"""
    return flask.render_template_string(html, username=username)  # expect: FLASK-SSTI-001


@app.get("/search")
def search():
    query = request.args.get("q", "")
    page = int(request.args.get("page", "1"))
    results = Page.query.filter(Page.title.contains(query)).paginate(page=page)
    return render_template_string(
        f"<p>Results for {escape(query)}</p><ul>{{% for r in results %}}<li>{{{{ r.title }}}}</li>{{% endfor %}}</ul>",  # expect: FLASK-SSTI-001
        results=results,
    )


@app.get("/search-escaped")
def search_escaped():
    query = request.args.get("q", "")
    page = int(request.args.get("page", "1"))
    heading = "<h2>Results for {{ query }} (page {{ page }})</h2>"
    return render_template_string(heading, page=page, query=query)  # expect: FLASK-SSTI-001


@app.route("/whoami")
def whoami():
    return render_template_string("<p>{{ user_agent }} as {{ current_user_name }}</p>", user_agent=request.headers.get('User-Agent'), current_user_name=current_user.name)  # expect: FLASK-SSTI-001


@bp.route("/banner")
def banner():
    text = request.args.get("text", "")
    ctx = {"site": "example"}
    return render_template_string(f"<div>{text}</div>", **ctx)  # expect: FLASK-SSTI-001


@bp.route("/bio", methods=["POST"])
def bio():
    bio_html = request.form.get("bio", "")
    return render_template_string("<article>" + Markup(bio_html) + "</article>")  # expect: FLASK-SSTI-001


@bp.route("/debug")
def debug_value():
    value = request.args.get("v", "")
    return render_template_string(f"<pre>{value!r}</pre>")  # expect: FLASK-SSTI-001


@bp.route("/stream")
def stream():
    greeting = request.args.get("greeting", "Hello")
    return stream_template_string(source="<p>{{ greeting }}</p>", greeting=greeting)  # expect: FLASK-SSTI-001


@app.route("/upload-template", methods=["POST"])
def upload_template():
    source = request.files["template"].read().decode("utf-8")
    return jinja2.Template(source).render()  # expect: FLASK-SSTI-001


@app.route("/render", methods=["POST"])
def render_json():
    payload = request.get_json()
    template = Environment(loader=BaseLoader()).from_string(payload["template"])  # expect: FLASK-SSTI-001
    return template.render(user=current_user)


@app.route("/email-preview", methods=["POST"])
def email_preview():
    body = request.form["body"]
    return current_app.jinja_env.from_string(body).render(user=current_user)  # expect: FLASK-SSTI-001


@app.route("/note")
def note():
    return app.jinja_env.from_string("<p>" + request.args["note"] + "</p>").render()  # expect: FLASK-SSTI-001


@app.route("/template-class")
def template_class():
    return Template(request.values.get("t", "")).render()  # expect: FLASK-SSTI-001


@app.route("/module-env")
def module_env():
    return string_env.from_string(request.cookies.get("layout", "")).render()  # expect: FLASK-SSTI-001


class WidgetView(MethodView):
    def __init__(self):
        self.env = Environment(autoescape=True)

    def post(self):
        return self.env.from_string(request.form["widget"]).render()  # expect: FLASK-SSTI-001


@app.errorhandler(404)
def not_found(error):
    return render_template_string("<h1>{{ request_path }} was not found</h1>", request_path=request.path), 404  # expect: FLASK-SSTI-001


@bp.route("/list")
def tag_list():
    markup = "<ul>"
    for tag in request.args.getlist("tag"):
        markup += f"<li>{tag}</li>"
    return render_template_string(markup + "</ul>")  # expect: FLASK-SSTI-001


@bp.route("/notice")
def notice():
    level = request.args.get("level", "info")
    return f"<div class='{level}'>{{}}</div>".format(current_user.name)  # expect: FLASK-SSTI-001


@bp.route("/plain")
def plain_text():
    user = request.args.get("user", "")
    body = render_template_string("Dear " + user + ",\nyour export is ready.")  # expect: FLASK-SSTI-001
    return body, 200, {"Content-Type": "text/plain; charset=utf-8"}


def create_app():
    factory_app = Flask(__name__)

    @factory_app.route("/motd")
    def motd():
        message = request.args.get("motd", "")
        return render_template_string("<marquee>{{ message }}</marquee>", message=message)  # expect: FLASK-SSTI-001

    return factory_app


# --- positives: templates stored in the database (persisted, medium confidence) -------------------------------


@bp.route("/p/<int:page_id>")
def show_page(page_id):
    page = Page.query.get_or_404(page_id)
    return render_template_string(page.body, page=page)  # expect: FLASK-SSTI-001


@bp.route("/snippet/<int:snippet_id>")
def show_snippet(snippet_id):
    row = db.session.execute(db.select(Snippet.body).where(Snippet.id == snippet_id)).scalar_one()
    return string_env.from_string(row).render()  # expect: FLASK-SSTI-001


# --- positives: a user-controlled str.format() string -----------------------------------------------------------


@app.route("/format")
def format_message():
    return request.args["tmpl"].format(user=current_user)  # expect: FLASK-SSTI-001


@app.route("/format-map", methods=["POST"])
def format_map():
    pattern = request.form.get("pattern", "")
    return pattern.format_map({"config": current_app.config})  # expect: FLASK-SSTI-001


@app.route("/str-format")
def str_format():
    return str.format(request.args.get("fmt", "{}"), current_user)  # expect: FLASK-SSTI-001


# --- look-alikes that must stay silent ---------------------------------------------------------------------------


@app.route("/safe-hello")
def safe_hello():
    name = request.args.get("name", "")
    return render_template_string("<h1>Hello {{ name }}!</h1>", name=name)  # ok: FLASK-SSTI-001 (constant template, user data as context)


@app.route("/page")
def page_view():
    return render_template("page.html", name=request.args.get("name"))  # ok: FLASK-SSTI-001 (file template)


@app.route("/welcome")
def welcome():
    return render_template_string(WELCOME, user=request.args.get("user", ""))  # ok: FLASK-SSTI-001 (module constant template)


@app.route("/email")
def email():
    path = os.path.join(app.root_path, "templates", "email.html")
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    return render_template_string(source, name=request.args.get("name"))  # ok: FLASK-SSTI-001 (template read from the app's own files)


@app.route("/footer")
def footer():
    source = Path(__file__).with_name("footer.html").read_text()
    return jinja2.Template(source).render(year=request.args.get("year"))  # ok: FLASK-SSTI-001 (app file)


@app.route("/sandboxed", methods=["POST"])
def sandboxed():
    return SandboxedEnvironment().from_string(request.form["template"]).render()  # ok: FLASK-SSTI-001 (sandboxed environment, the spec's mitigation)


@app.route("/sandboxed-module", methods=["POST"])
def sandboxed_module():
    return sandbox.from_string(request.form["template"]).render()  # ok: FLASK-SSTI-001 (module-level SandboxedEnvironment)


@app.route("/sandboxed-local", methods=["POST"])
def sandboxed_local():
    env = ImmutableSandboxedEnvironment()
    return env.from_string(request.get_json()["template"]).render()  # ok: FLASK-SSTI-001 (immutable sandbox)


class ReportView(MethodView):
    env = SandboxedEnvironment(autoescape=True)

    def post(self):
        return self.env.from_string(request.form["report"]).render()  # ok: FLASK-SSTI-001 (class attribute sandbox)


@app.route("/about")
def about():
    return render_template_string(f"<p>{WELCOME}</p>", user=request.args.get("user"))  # ok: FLASK-SSTI-001 (f-string of a module constant)


@app.route("/log-format")
def log_format():
    app.logger.info("search for {}".format(request.args.get("q")))  # ok: FLASK-SSTI-001 (constant format string)
    return render_template("search.html")


@app.route("/page-number")
def page_number():
    page = request.args.get("page", "1")
    return render_template_string(f"<p>Page {int(page)}</p>")  # ok: FLASK-SSTI-001 (int() leaves no template syntax)


@app.route("/link")
def link():
    next_url = flask.url_for("pages.show_page", page_id=request.args.get("id", type=int))
    return render_template_string(f"<a href='{next_url}'>next</a>")  # ok: FLASK-SSTI-001 (url_for() output)


@app.route("/file-label")
def file_label():
    name = secure_filename(request.args.get("file", ""))
    return render_template_string("<code>" + name + "</code>")  # ok: FLASK-SSTI-001 (secure_filename keeps no braces)


@app.route("/count")
def count():
    n = request.args.get("n", "0")
    n = int(n)
    return render_template_string("<p>%s items</p>" % n)  # ok: FLASK-SSTI-001 (reassigned through int())


@app.route("/jinja-constant")
def jinja_constant():
    return Template("Hello {{ name }}").render(name=request.args.get("name"))  # ok: FLASK-SSTI-001 (constant template)


@app.route("/env-constant")
def env_constant():
    return app.jinja_env.from_string("<b>{{ x }}</b>").render(x=request.args.get("x"))  # ok: FLASK-SSTI-001 (constant template)


@app.route("/context-splat")
def context_splat():
    return render_template_string(WELCOME, **request.args)  # ok: FLASK-SSTI-001 (request data only as context)


@app.route("/string-template")
def string_template():
    tmpl = string.Template(request.args.get("tmpl", "Hello $name"))  # ok: FLASK-SSTI-001 (string.Template, the spec's safe alternative)
    return tmpl.safe_substitute(name=current_user.name)


@app.route("/replace")
def replace_placeholder():
    return request.args.get("tmpl", "Hello {name}").replace("{name}", current_user.name)  # ok: FLASK-SSTI-001 (str.replace, the spec's safe alternative)


@app.route("/constant-format")
def constant_format():
    return "<p>Hello {}</p>".format(request.args.get("name"))  # ok: FLASK-SSTI-001 (constant format string; not rendered as a template)


@app.route("/format-no-args")
def format_no_args():
    return request.args.get("text", "").format()  # ok: FLASK-SSTI-001 (no arguments for the format string to read)


@app.route("/color")
def color():
    return Color.from_string(request.args.get("c", "#fff")).hex  # ok: FLASK-SSTI-001 (not a Jinja environment)


@app.route("/stored-format/<int:message_id>")
def stored_format(message_id):
    message = Page.query.get_or_404(message_id)
    return message.body.format(name=current_user.name)  # ok: FLASK-SSTI-001 (stored format string: only request-controlled ones are flagged)


@app.route("/markup")
def markup():
    return Markup(request.args.get("html", ""))  # ok: FLASK-SSTI-001 (XSS, not a template source: FLASK-XSS-001)


@app.route("/choose")
def choose():
    return render_template(request.args.get("page", "index") + ".html")  # ok: FLASK-SSTI-001 (a template name, not a template source)


@app.route("/helper/<slug>")
def helper(slug):
    return render_template_string(load_template_source(slug))  # todo: FLASK-SSTI-001 (the DB load happens in a project function: needs inter-procedural flow)
