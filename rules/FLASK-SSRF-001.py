# fixture-path: app/integrations.py
import ipaddress
import socket
import urllib.request
import urllib.request as ur
from urllib.parse import quote, urlparse
from urllib.request import Request, urlopen

import aiohttp
import httpx
import pycurl
import requests
import requests as rq
import urllib3
from flask import Blueprint, Flask, abort, current_app, jsonify, request
from flask import request as req

from .models import Webhook, db

app = Flask(__name__)
bp = Blueprint("integrations", __name__, url_prefix="/integrations")

API_BASE = "https://api.example.com"
API_ROOT = "https://api.example.com/v2/"
ALLOWED_HOSTS = {"images.example.com", "cdn.example.com"}
http = urllib3.PoolManager()
shared = requests.Session()


# --- positives -------------------------------------------------------------------------------------------

@app.route("/preview")
def preview():
    url = request.args["url"]
    resp = requests.get(url)  # expect: FLASK-SSRF-001
    return resp.text


@app.route("/fetch", methods=["POST"])
def fetch():
    return rq.post(request.form.get("target"), data={"a": 1}, timeout=5).text  # expect: FLASK-SSRF-001


@app.post("/proxy")
def proxy():
    payload = request.get_json()
    target = payload["callback"].strip()
    r = requests.request("POST", target, json=payload, timeout=3)  # expect: FLASK-SSRF-001
    return r.json()


@app.route("/image/<path:src>")
def image(src):
    with urlopen(src) as fh:  # expect: FLASK-SSRF-001
        return fh.read()


@app.route("/legacy")
def legacy():
    data = urllib.request.urlopen(request.args.get("feed"), timeout=10).read()  # expect: FLASK-SSRF-001
    return data


@app.route("/legacy2")
def legacy2():
    feed = req.values["feed"]
    rq_obj = ur.Request(feed, headers={"User-Agent": "bot"})  # expect: FLASK-SSRF-001
    return urlopen(rq_obj, timeout=5).read()


@bp.route("/host")
def by_host():
    host = request.args["host"]
    return httpx.get(f"https://{host}/status").text  # expect: FLASK-SSRF-001


@bp.route("/scheme")
def by_scheme():
    scheme_host = request.args["base"]
    url = scheme_host + "/api/health"
    return httpx.get(url).text  # expect: FLASK-SSRF-001


@bp.route("/suffix")
def by_suffix():
    # "https://api.example.com" + "@evil.test" points at evil.test
    return requests.get(API_BASE + request.args["path"], timeout=5).text  # expect: FLASK-SSRF-001


@bp.route("/percent")
def percent():
    return requests.get("http://%s:8080/metrics" % request.args["node"], timeout=5).text  # expect: FLASK-SSRF-001


@bp.route("/format")
def formatted():
    url = "{}://{}/x".format("https", request.args["h"])
    return requests.get(url, timeout=5).text  # expect: FLASK-SSRF-001


@bp.route("/session")
def with_session():
    s = requests.Session()
    return s.get(request.args["u"], timeout=5).text  # expect: FLASK-SSRF-001


@bp.route("/inline-session")
def inline_session():
    return requests.Session().get(request.args["u"]).text  # expect: FLASK-SSRF-001


@bp.route("/module-session")
def module_session():
    return shared.post(request.json["hook"], json={}, timeout=5).status_code  # expect: FLASK-SSRF-001


@bp.route("/httpx-client")
def httpx_client():
    with httpx.Client() as client:
        return client.get(request.args["u"]).text  # expect: FLASK-SSRF-001


@bp.route("/async")
async def async_fetch():
    link = request.args["link"]
    async with aiohttp.ClientSession() as session:
        async with session.get(link) as resp:  # expect: FLASK-SSRF-001
            return await resp.text()


@bp.route("/async-httpx")
async def async_httpx():
    async with httpx.AsyncClient(timeout=5) as client:
        r = await client.post(request.args["u"], json={})  # expect: FLASK-SSRF-001
        return r.text


@bp.route("/pool")
def pool():
    r = http.request("GET", request.args["u"])  # expect: FLASK-SSRF-001
    return r.data


@bp.route("/curl")
def curl():
    c = pycurl.Curl()
    c.setopt(pycurl.URL, request.args["u"])  # expect: FLASK-SSRF-001
    c.perform()
    return "ok"


@bp.route("/webhooks/<int:hook_id>/test", methods=["POST"])
def test_webhook(hook_id):
    hook = Webhook.query.get(hook_id)
    requests.post(hook.url, json={"ping": True}, timeout=5)  # expect: FLASK-SSRF-001
    return "", 204


@bp.route("/scheme-only")
def scheme_only():
    url = request.args["url"]
    if urlparse(url).scheme not in ("http", "https"):
        abort(400)
    # a scheme check alone still lets http://169.254.169.254/ through
    return requests.get(url, timeout=5).text  # expect: FLASK-SSRF-001


@bp.route("/config-base")
def config_base():
    base = current_app.config["UPSTREAM"]
    return requests.get(base + request.args["p"], timeout=5).text  # expect: FLASK-SSRF-001


@bp.route("/self-call")
def self_call():
    return requests.get(request.host_url + "internal/stats", timeout=5).text  # expect: FLASK-SSRF-001


# --- look-alikes that must stay silent -------------------------------------------------------------------

@app.route("/weather")
def weather():
    return requests.get("https://api.weather.example/v1/today", timeout=5).json()  # ok: FLASK-SSRF-001 (constant URL)


@app.route("/users/<uid>")
def user(uid):
    return requests.get(f"https://api.example.com/users/{uid}", timeout=5).json()  # ok: FLASK-SSRF-001 (host fixed, only the path varies)


@app.route("/search")
def search():
    q = request.args["q"]
    url = "https://search.example.com/?q=" + quote(q)
    return requests.get(url, timeout=5).json()  # ok: FLASK-SSRF-001 (tainted query after a fixed host)


@app.route("/search2")
def search2():
    return requests.get("https://search.example.com/find", params={"q": request.args["q"]}, timeout=5).json()  # ok: FLASK-SSRF-001 (the value is a query parameter, not the URL)


@app.route("/repo/<owner>/<name>")
def repo(owner, name):
    url = "https://api.github.com/repos/%s/%s" % (owner, name)
    return requests.get(url, timeout=5).json()  # ok: FLASK-SSRF-001 (fixed host, %-format in the path)


@app.route("/v2/<item>")
def v2(item):
    return requests.get(API_ROOT + item, timeout=5).json()  # ok: FLASK-SSRF-001 (module constant ends with a path)


@app.route("/v2b/<item>")
def v2b(item):
    return requests.get(f"{API_BASE}/items/{item}", timeout=5).json()  # ok: FLASK-SSRF-001 (base URL then a fixed '/')


@app.route("/fmt/<item>")
def fmt(item):
    return requests.get("https://api.example.com/items/{}".format(item), timeout=5).json()  # ok: FLASK-SSRF-001 (.format into the path)


@app.route("/allowlisted")
def allowlisted():
    url = request.args["url"]
    if urlparse(url).hostname not in ALLOWED_HOSTS:
        abort(400)
    return requests.get(url, timeout=5).content  # ok: FLASK-SSRF-001 (host checked against an allowlist before the call)


@app.route("/allowlisted2")
def allowlisted2():
    url = request.args["url"]
    parsed = urlparse(url)
    if parsed.scheme in ("http", "https") and parsed.hostname in ALLOWED_HOSTS:
        return requests.get(url, timeout=5).content  # ok: FLASK-SSRF-001 (call inside the allowlist check)
    abort(400)


@app.route("/validated")
def validated():
    url = request.args["url"]
    if not is_allowed_url(url):
        return jsonify(error="blocked"), 400
    return httpx.get(url).text  # ok: FLASK-SSRF-001 (validator function before the call)


@app.route("/private-check")
def private_check():
    url = request.args["url"]
    host = urlparse(url).hostname
    ip = ipaddress.ip_address(socket.gethostbyname(host))
    if ip.is_private or ip.is_loopback or ip.is_link_local:
        abort(403)
    return requests.get(url, timeout=5).text  # ok: FLASK-SSRF-001 (resolved address checked against private ranges)


@app.route("/prefix-check")
def prefix_check():
    url = request.args["url"]
    if not url.startswith("https://hooks.example.com/"):
        abort(400)
    return requests.post(url, json={}, timeout=5).status_code  # ok: FLASK-SSRF-001 (prefix check pins the host)


@app.route("/local-helper")
def local_helper():
    name = request.args["name"]
    return urlopen(f"https://static.example.com/{name}.json", timeout=5).read()  # ok: FLASK-SSRF-001 (urlopen with a fixed https host)


@app.route("/cache")
def cache():
    key = request.args["key"]
    cached = db.session.get(key)  # ok: FLASK-SSRF-001 (not an HTTP client)
    return cached or ""


@app.route("/dict")
def dict_get():
    mapping = {"a": "https://a.example.com"}
    return requests.get(mapping.get("a"), timeout=5).text  # ok: FLASK-SSRF-001 (constant mapping lookup)


@app.route("/choose")
def choose():
    which = request.args.get("which")
    url = "https://a.example.com/" if which == "a" else "https://b.example.com/"
    return requests.get(url, timeout=5).text  # ok: FLASK-SSRF-001 (the input only picks between constants)


@app.route("/int-port")
def int_port():
    port = request.args.get("port", 80, type=int)
    return requests.get(f"http://localhost:{port}/health", timeout=2).text  # ok: FLASK-SSRF-001 (converted to int)


@app.route("/proxy-path")
def proxy_path():
    upstream = current_app.config["UPSTREAM"]
    return requests.get(upstream + request.full_path, timeout=5).text  # ok: FLASK-SSRF-001 (request.full_path always starts with '/')


@app.route("/client-base")
def client_base():
    with httpx.Client(base_url="https://api.example.com") as client:
        return client.get("/users/" + request.args["id"]).text  # ok: FLASK-SSRF-001 (relative path on the client's fixed base_url)


@app.route("/notify", methods=["POST"])
def notify():
    hook = current_app.config["SLACK_WEBHOOK_URL"]
    return requests.post(hook, json=request.get_json(), timeout=5).text  # ok: FLASK-SSRF-001 (configured URL; only the body is user data)


def send_ping(hook_url):
    return requests.post(hook_url, json={}, timeout=5)  # todo: FLASK-SSRF-001 (callers pass request data: needs inter-procedural flow)


class Notifier:
    def __init__(self):
        self.session = requests.Session()

    def notify(self):
        return self.session.get(request.args["u"], timeout=5)  # todo: FLASK-SSRF-001 (client stored on self)


def is_allowed_url(url):
    return urlparse(url).hostname in ALLOWED_HOSTS
