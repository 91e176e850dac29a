# fixture-path: app/public_api.py
# A read-only public API: '*' without credentials is the intended setting for these routes.
from flask import Flask, jsonify
from flask_cors import CORS, cross_origin

app = Flask(__name__)
CORS(app, resources={r"/public/*": {"origins": "*"}, r"/docs/*": {}})  # ok: FLASK-CORS-001 (public paths, no credentials)
CORS(app, resources={r"/api/v1/*": {}})  # expect: FLASK-CORS-001


@app.route("/status")
@cross_origin(origins="*")  # ok: FLASK-CORS-001 (status endpoint, no credentials)
def status():
    return jsonify(up=True)


@app.route("/openapi.json")
@cross_origin()  # ok: FLASK-CORS-001 (API description: public)
def openapi():
    return jsonify(openapi="3.1.0")


@app.route("/catalog")
@cross_origin(origins="*")  # expect: FLASK-CORS-001
def catalog():
    return jsonify(items=[])
