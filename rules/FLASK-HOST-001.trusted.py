# fixture-path: shop/__init__.py
import os

from flask import Flask, request, url_for
from flask_mail import Mail, Message

app = Flask(__name__)
app.config["TRUSTED_HOSTS"] = os.environ["TRUSTED_HOSTS"].split(",")
mail = Mail(app)


@app.post("/forgot")
def forgot_password():
    link = url_for("reset_password", token=make_token(request.form["email"]), _external=True)  # ok: FLASK-HOST-001 (TRUSTED_HOSTS validates the Host header)
    root = request.url_root  # ok: FLASK-HOST-001 (TRUSTED_HOSTS validates the Host header)
    mail.send(Message("Reset", recipients=[request.form["email"]], body=link + " " + root))
    return "sent"


@app.post("/invite")
def invite_member():
    host = request.headers.get("X-Forwarded-Host", request.host)  # expect: FLASK-HOST-001
    mail.send(Message("Join us", recipients=[request.form["email"]], body=f"https://{host}/join"))
    return "sent"


def send_activation(user):
    host = request.environ["HTTP_X_FORWARDED_HOST"]  # expect: FLASK-HOST-001
    mail.send(Message("Activate", recipients=[user.email], body=f"https://{host}/activate"))


@app.get("/where")
def where():
    return request.headers.get("X-Forwarded-Host", "")  # ok: FLASK-HOST-001 (echoed to the requester, no e-mail)
