# fixture-path: app/auth/views.py
from urllib.parse import urlparse

import flask
from flask import Blueprint, Flask, Response, abort, make_response, redirect, request, session, url_for
from flask import redirect as go
from werkzeug.utils import redirect as wz_redirect

from .models import ShortLink, db

app = Flask(__name__)
auth = Blueprint("auth", __name__, url_prefix="/auth")
ALLOWED_NEXT = {"/dashboard", "/settings", "/billing"}
FRONTEND = "https://app.example.com"


def url_has_allowed_host_and_scheme(url, allowed_hosts):
    parsed = urlparse(url)
    return not parsed.netloc or parsed.netloc in allowed_hosts


# --- positives -------------------------------------------------------------------------------------------

@auth.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        session["user_id"] = 1
        return redirect(request.args.get("next"))  # expect: FLASK-REDIRECT-001
    return "form"


@auth.post("/login2")
def login2():
    next_url = request.form.get("next") or url_for("index")
    return redirect(next_url)  # expect: FLASK-REDIRECT-001


@auth.route("/logout")
def logout():
    session.clear()
    target = request.values["return_to"]
    return go(target, code=303)  # expect: FLASK-REDIRECT-001


@app.route("/out/<path:dest>")
def out(dest):
    return flask.redirect(dest)  # expect: FLASK-REDIRECT-001


@app.route("/go")
def go_link():
    return wz_redirect(location=request.args["to"])  # expect: FLASK-REDIRECT-001


@app.route("/lang/<lang>")
def switch_lang(lang):
    # "/" + "/evil.example" + "/home" is "//evil.example/home": protocol-relative, off-site
    return redirect("/" + lang + "/home")  # expect: FLASK-REDIRECT-001


@app.route("/tenant")
def tenant():
    name = request.args["tenant"]
    return redirect(f"https://{name}.example.com/dashboard")  # expect: FLASK-REDIRECT-001


@app.route("/frontend")
def frontend():
    # "https://app.example.com" + ".evil.example" is another host
    return redirect(FRONTEND + request.args.get("path", ""))  # expect: FLASK-REDIRECT-001


@app.route("/s/<code>")
def short(code):
    link = ShortLink.query.filter_by(code=code).first()
    return redirect(link.target_url)  # expect: FLASK-REDIRECT-001


@app.route("/cookie-return")
def cookie_return():
    return redirect(request.cookies.get("return_to", "/"))  # expect: FLASK-REDIRECT-001


@app.route("/json-return", methods=["POST"])
def json_return():
    data = request.get_json()
    return redirect("%s" % data["redirect_uri"])  # expect: FLASK-REDIRECT-001


@app.route("/header-location")
def header_location():
    resp = make_response("", 302)
    resp.headers["Location"] = request.args["next"]  # expect: FLASK-REDIRECT-001
    return resp


@app.route("/header-set")
def header_set():
    resp = Response(status=302)
    resp.headers.set("Location", request.args["next"])  # expect: FLASK-REDIRECT-001
    return resp


@app.route("/raw-response")
def raw_response():
    return Response(status=302, headers={"Location": request.args["next"]})  # expect: FLASK-REDIRECT-001


@app.route("/tuple-return")
def tuple_return():
    return "", 302, {"Location": request.args.get("url")}  # expect: FLASK-REDIRECT-001


@app.route("/half-check")
def half_check():
    nxt = request.args.get("next", "/")
    if not nxt.startswith("/"):
        abort(400)
    # "//evil.example" starts with "/" too
    return redirect(nxt)  # expect: FLASK-REDIRECT-001


@app.route("/wrong-branch")
def wrong_branch():
    nxt = request.args.get("next", "")
    return redirect(nxt if not url_has_allowed_host_and_scheme(nxt, {"example.com"}) else url_for("index"))  # expect: FLASK-REDIRECT-001


@app.route("/format")
def formatted():
    return redirect("{}".format(request.args["u"]))  # expect: FLASK-REDIRECT-001


# --- look-alikes that must stay silent -------------------------------------------------------------------

@app.route("/home")
def home():
    return redirect(url_for("auth.login", next=request.url))  # ok: FLASK-REDIRECT-001 (url_for builds the target)


@app.route("/profile/<username>")
def profile(username):
    return redirect(f"/users/{username}")  # ok: FLASK-REDIRECT-001 (fixed path prefix: stays on this site)


@app.route("/search")
def search():
    return redirect("/search/results?q=" + request.args["q"])  # ok: FLASK-REDIRECT-001 (value in the query of a fixed path)


@app.route("/tab")
def tab():
    return redirect(url_for("settings") + "#" + request.args["tab"])  # ok: FLASK-REDIRECT-001 (fragment after url_for)


@app.route("/checked")
def checked():
    target = request.args.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {"example.com"}):
        target = url_for("index")
    return redirect(target)  # ok: FLASK-REDIRECT-001 (validated, replaced when unsafe)


@app.route("/netloc")
def netloc():
    target = request.args.get("next", "/")
    if urlparse(target).netloc != "":
        abort(400)
    return redirect(target)  # ok: FLASK-REDIRECT-001 (netloc must be empty: relative only)


@app.route("/netloc2")
def netloc2():
    target = request.args.get("next", "/")
    parsed = urlparse(target)
    if not parsed.netloc and not parsed.scheme:
        return redirect(target)  # ok: FLASK-REDIRECT-001 (inside the relative-URL check)
    return redirect(url_for("index"))


@app.route("/startswith")
def startswith_check():
    nxt = request.args.get("next", "/")
    if nxt.startswith("/") and not nxt.startswith("//"):
        return redirect(nxt)  # ok: FLASK-REDIRECT-001 (relative path, protocol-relative rejected)
    return redirect("/")


@app.route("/allowlist")
def allowlist():
    nxt = request.args.get("next")
    if nxt not in ALLOWED_NEXT:
        nxt = "/dashboard"
    return redirect(nxt)  # ok: FLASK-REDIRECT-001 (allowlist membership)


@app.route("/ternary")
def ternary():
    nxt = request.args.get("next", "")
    return redirect(nxt if url_has_allowed_host_and_scheme(nxt, {"example.com"}) else url_for("index"))  # ok: FLASK-REDIRECT-001 (the tainted branch is the checked one)


@app.route("/referrer")
def back():
    return redirect(request.referrer or url_for("index"))  # ok: FLASK-REDIRECT-001 (Referer only returns users where they came from)


@app.route("/referer-header")
def back2():
    return redirect(request.headers.get("Referer", "/"))  # ok: FLASK-REDIRECT-001 (Referer, same reasoning)


@app.before_request
def force_https():
    if not request.is_secure:
        return redirect(request.url.replace("http://", "https://", 1), code=301)  # ok: FLASK-REDIRECT-001 (host from the victim's own request)


@app.route("/int/<int:item_id>")
def item(item_id):
    return redirect(f"https://shop.example.com/items/{item_id}")  # ok: FLASK-REDIRECT-001 (int converter, fixed host)


@app.route("/fixed-host")
def fixed_host():
    return redirect("https://docs.example.com/" + request.args["page"])  # ok: FLASK-REDIRECT-001 (fixed scheme and host)


@app.route("/constant")
def constant():
    return redirect("https://www.example.com/")  # ok: FLASK-REDIRECT-001 (constant)


@app.route("/dict-header")
def dict_header():
    headers = {"X-Next": request.args.get("next", "")}
    return "", 204, headers  # ok: FLASK-REDIRECT-001 (not a Location header)


@app.route("/set-cookie")
def set_cookie():
    resp = make_response(redirect(url_for("index")))
    resp.headers["X-Return-To"] = request.args.get("next", "")  # ok: FLASK-REDIRECT-001 (not a Location header)
    return resp


def safe_redirect(target):
    return redirect(target)  # todo: FLASK-REDIRECT-001 (callers pass request data: needs inter-procedural flow)
