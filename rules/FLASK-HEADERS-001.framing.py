# fixture-path: partner/app.py
# The app sends CSP frame-ancestors, which modern browsers apply instead of X-Frame-Options.
from flask import Flask
from flask_talisman import Talisman

app = Flask(__name__)

Talisman(
    app,
    frame_options=None,  # ok: FLASK-HEADERS-001 (the policy's frame-ancestors restricts framing instead)
    content_security_policy={"default-src": "'self'", "frame-ancestors": "'self' https://partner.example.com"},
)


@app.after_request
def legacy_headers(response):
    del response.headers["X-Frame-Options"]  # ok: FLASK-HEADERS-001 (frame-ancestors restricts framing)
    response.headers["X-Frame-Options"] = "ALLOW-FROM https://partner.example.com"  # ok: FLASK-HEADERS-001 (frame-ancestors restricts framing)
    response.headers["X-Content-Type-Options"] = ""  # expect: FLASK-HEADERS-001
    return response
