# fixture-path: app/status.py
# TRUSTED_HOSTS pins the Host header, so request.host_url can only name this application.
import requests
from flask import Flask, request

app = Flask(__name__)
app.config["TRUSTED_HOSTS"] = ["shop.example.com"]


@app.route("/self-check")
def self_check():
    return requests.get(request.host_url + "internal/stats", timeout=5).text  # ok: FLASK-SSRF-001 (TRUSTED_HOSTS restricts the Host header)


@app.route("/still-ssrf")
def still_ssrf():
    return requests.get(request.args["url"], timeout=5).text  # expect: FLASK-SSRF-001
