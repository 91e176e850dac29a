# fixture-path: shop/app.py
# expect-advisory: FLASK-HOST-001
import os

from flask import Flask, request, url_for
from flask_mail import Mail, Message

app = Flask(__name__)
app.config["SERVER_NAME"] = os.environ.get("SERVER_NAME", "shop.example.com")
mail = Mail(app)


@app.post("/forgot")
def forgot_password():
    link = url_for("reset_password", token=make_token(request.form["email"]), _external=True)  # ok: FLASK-HOST-001 (SERVER_NAME set: url_for builds the link with it)
    mail.send(Message("Reset", recipients=[request.form["email"]], body=link))
    return "sent"


@app.post("/invite")
def invite_member():
    accept = request.host_url + "join"  # expect: FLASK-HOST-001
    mail.send(Message("Join us", recipients=[request.form["email"]], body=accept))
    return "sent"
