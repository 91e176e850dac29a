# fixture-path: app/__init__.py
# An after_request hook that adds Access-Control-Allow-Credentials: true to every response makes every
# Access-Control-Allow-Origin in the application a credentialed one.
from flask import Flask, jsonify, make_response, request

app = Flask(__name__)
TRUSTED = {"https://app.example.com"}


@app.after_request
def add_cors_headers(response):
    response.headers["Access-Control-Allow-Origin"] = request.headers.get("Origin", "*")  # expect: FLASK-CORS-001
    response.headers["Access-Control-Allow-Credentials"] = "true"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    return response


@app.route("/api/feed")
def feed():
    resp = make_response(jsonify(items=[]))
    resp.headers["Access-Control-Allow-Origin"] = "*"  # expect: FLASK-CORS-001
    return resp


@app.route("/api/trusted")
def trusted():
    origin = request.headers.get("Origin", "")
    resp = make_response(jsonify(ok=True))
    if origin in TRUSTED:
        resp.headers["Access-Control-Allow-Origin"] = origin  # ok: FLASK-CORS-001 (allowlisted)
    return resp
