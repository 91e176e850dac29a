# fixture-path: legacy/views.py
# Old-style imports (Flask < 3 re-exported Markup) and no markupsafe.escape imported: fixes use Markup.escape().
from html import escape as html_escape

import flask
from flask import Flask, Markup, request
from flask import make_response as respond

app = Flask(__name__)


@app.route("/motd")
def motd():
    return flask.render_template("motd.html", motd=Markup(request.args["motd"]))  # expect: FLASK-XSS-001


@app.route("/sig")
def signature():
    sig = request.cookies.get("sig", "")
    return flask.render_template("sig.html", sig=flask.Markup(sig))  # expect: FLASK-XSS-001


@app.route("/hello")
def hello():
    who = request.values.get("who", "")
    return respond("<h3>Welcome back, " + who + "</h3>")  # expect: FLASK-XSS-001


@app.route("/raw", methods=["POST"])
def raw():
    payload = request.get_json()
    return app.response_class(f"<code>{payload['snippet']}</code>")  # expect: FLASK-XSS-001


@app.route("/ua")
def user_agent():
    return f"<p>Your browser: {request.headers.get('User-Agent')}</p>"  # expect: FLASK-XSS-001


@app.route("/ok")
def ok():
    who = request.values.get("who", "")
    return flask.render_template("hello.html", who=who)  # ok: FLASK-XSS-001 (autoescaped template)


@app.route("/ok/escape")
def ok_escape():
    who = request.values.get("who", "")
    return f"<p>{html_escape(who)}</p>"  # ok: FLASK-XSS-001 (html.escape)


@app.route("/ok/markup")
def ok_markup():
    return Markup("<hr>")  # ok: FLASK-XSS-001 (constant)
