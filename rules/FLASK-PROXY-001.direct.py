# fixture-path: ops/app.py
# No proxy middleware anywhere in this app: request.remote_addr is the TCP peer, which is the proxy when one
# fronts the app.
from ipaddress import ip_address, ip_network

from flask import Flask, abort, jsonify, request

app = Flask(__name__)

LOCAL_ADDRESSES = frozenset({"127.0.0.1", "::1", "localhost"})
PARTNER_IPS = {"203.0.113.7"}


@app.route("/internal/metrics")
def metrics():
    if request.remote_addr not in ("127.0.0.1", "::1"):  # expect: FLASK-PROXY-001
        abort(403)
    return jsonify(up=1)


@app.route("/internal/flush", methods=["POST"])
def flush():
    if not ip_address(request.remote_addr).is_loopback:  # expect: FLASK-PROXY-001
        abort(403)
    return "flushed"


@app.route("/internal/rebuild", methods=["POST"])
def rebuild():
    if not request.remote_addr.startswith("10."):  # expect: FLASK-PROXY-001
        abort(403)
    return "rebuilding"


def is_local_request():
    return request.remote_addr in LOCAL_ADDRESSES  # expect: FLASK-PROXY-001


@app.route("/internal/debug-info")
def debug_info():
    if request.environ["REMOTE_ADDR"] == "127.0.0.1":  # expect: FLASK-PROXY-001
        return jsonify(config="...")
    abort(404)


@app.route("/internal/cluster")
def cluster():
    peer = ip_address(request.remote_addr)
    if peer not in ip_network("10.0.0.0/8"):  # expect: FLASK-PROXY-001
        abort(403)
    return "ok"


@app.route("/internal/status")
def status():
    if request.headers.get("X-Forwarded-For") == "127.0.0.1":  # expect: FLASK-PROXY-001
        return jsonify(detail="full")
    return jsonify(detail="short")


@app.route("/partner/feed")
def partner_feed():
    if request.remote_addr not in PARTNER_IPS:  # ok: FLASK-PROXY-001 (public allowlist on the peer address: correct without a proxy, fails closed behind one)
        abort(403)
    if request.remote_addr == "203.0.113.9":  # ok: FLASK-PROXY-001 (public address on the peer: not spoofable)
        return jsonify(feed=[], partner="acme")
    return jsonify(feed=[])


@app.route("/whoami")
def whoami():
    local = request.remote_addr == "127.0.0.1"  # ok: FLASK-PROXY-001 (no decision: a value shown to the user)
    app.logger.info("local=%s", request.remote_addr in LOCAL_ADDRESSES)  # ok: FLASK-PROXY-001 (logging)
    if request.remote_addr is None:  # ok: FLASK-PROXY-001 (not compared with an address)
        abort(400)
    return jsonify(local=local, ip=request.remote_addr)


@app.route("/geo")
def geo():
    if ip_address(request.remote_addr).is_global:  # ok: FLASK-PROXY-001 (is_global decides routing, not access)
        return jsonify(region="lookup")
    return jsonify(region="unknown")
