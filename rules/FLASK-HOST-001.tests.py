# fixture-path: tests/test_mail.py
from flask import request, url_for


def test_reset_link(app, outbox):
    with app.test_request_context("/", base_url="http://evil.test"):
        link = url_for("reset_password", token="t", _external=True)  # ok: FLASK-HOST-001 (test code)
        assert request.host_url in link  # ok: FLASK-HOST-001 (test code)
        app.config["TRUSTED_HOSTS"] = None  # ok: FLASK-HOST-001 (test code)
