# fixture-path: accounts/views.py
# expect-advisory: FLASK-HOST-001
import smtplib
from email.message import EmailMessage

import flask
from flask import Blueprint, Flask, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask import url_for as link_to
from flask_mail import Mail, Message

from .models import Message as ChatMessage
from .oauth import oauth
from .tasks import send_async_email
from .tokens import make_token

app = Flask(__name__)
mail = Mail(app)
auth = Blueprint("auth", __name__)


@auth.post("/forgot")
def forgot_password():
    user = find_user(request.form["email"])
    token = make_token(user)
    link = url_for("auth.reset_password", token=token, _external=True)  # expect: FLASK-HOST-001
    relative = url_for("auth.reset_password", token=token)  # ok: FLASK-HOST-001 (relative URL: no host in it)
    msg = Message("Reset your password", recipients=[user.email], body=f"Reset: {link} ({relative})")
    mail.send(msg)
    return "sent"


def send_confirmation(user):
    confirm_url = link_to("auth.confirm", token=make_token(user), _external=True)  # expect: FLASK-HOST-001
    send_async_email.delay(user.email, "Confirm your account", confirm_url)


@auth.route("/invite", methods=["POST"])
def invite_member():
    token = make_token(request.form["email"])
    accept = request.host_url + "invites/accept/" + token  # expect: FLASK-HOST-001
    queue_invitation(request.form["email"], accept)
    return "ok"


def password_reset_body(user, token):
    base = request.url_root  # expect: FLASK-HOST-001
    return "Hello %s, reset here: %sreset/%s" % (user.name, base, token)


@auth.post("/magic")
def passwordless_login():
    magic_url = "https://{}/login/{}".format(request.host, make_token(request.form["email"]))  # expect: FLASK-HOST-001
    deliver(request.form["email"], magic_url)
    return "check your inbox"


def email_verification(user):
    html = render_template("email/verify.html", verify_link=flask.url_for("auth.verify", token=make_token(user), _external=True))  # expect: FLASK-HOST-001
    server = smtplib.SMTP("localhost")
    server.sendmail("noreply@example.com", [user.email], html)


@auth.post("/resend")
def resend():
    user = find_user(request.form["email"])
    host = request.headers["Host"]  # expect: FLASK-HOST-001
    url = "https://" + host + "/activate/" + make_token(user)
    mail.send(Message("Activate", recipients=[user.email], body=url))
    return "sent"


def notify_owner(owner, order):
    msg = EmailMessage()
    msg["To"] = owner.email
    msg.set_content("New order: " + url_for("orders.show", order_id=order.id, _external=True))  # expect: FLASK-HOST-001
    deliver_message(msg)


@auth.post("/reset/request")
def reset_request():
    origin = request.headers.get("X-Forwarded-Host")  # expect: FLASK-HOST-001
    link = f"https://{origin}/reset/{make_token(request.form['email'])}"
    mail.send(Message("Reset", recipients=[request.form["email"]], body=link))
    return "sent"


@auth.post("/share")
def share_by_mail():
    page = request.base_url + "?ref=" + request.form["from"]  # expect: FLASK-HOST-001
    mail.send(Message("Have a look", recipients=[request.form["to"]], body=page))
    return "shared"


@auth.post("/newsletter/footer")
def newsletter_footer():
    return jsonify({"unsubscribe_url": url_for("news.unsubscribe", list_id=1, _external=True)})  # expect: FLASK-HOST-001


def activation_mail(user):
    host = request.environ.get("HTTP_HOST")  # expect: FLASK-HOST-001
    return f"https://{host}/activate/{make_token(user)}"


# Look-alikes: external URLs that no mailbox receives, hosts that are checked, links from configuration.

@app.get("/api/users/<int:user_id>")
def get_user(user_id):
    return jsonify(self=url_for("get_user", user_id=user_id, _external=True))  # ok: FLASK-HOST-001 (API response: the requester sees its own Host back)


@app.get("/sitemap.xml")
def sitemap():
    pages = [url_for("index", _external=True), url_for("about", _external=True)]  # ok: FLASK-HOST-001 (sitemap for the requester)
    return render_template("sitemap.xml", pages=pages)


@app.get("/login")
def login():
    redirect_uri = url_for("authorize", _external=True)  # ok: FLASK-HOST-001 (OAuth redirect URI: the provider checks it against the registered one)
    return oauth.google.authorize_redirect(redirect_uri)


@app.post("/checkout")
def checkout():
    success = url_for("paid", _external=False)  # ok: FLASK-HOST-001 (_external=False)
    return redirect(success)


@app.post("/chat")
def post_chat_message():
    ChatMessage(body=url_for("room", room_id=1, _external=True)).save()  # ok: FLASK-HOST-001 (a chat model named Message, not an e-mail)
    return "posted"


@auth.post("/reset/confirm")
def reset_with_base_url():
    base = current_app.config["PUBLIC_BASE_URL"]  # ok: FLASK-HOST-001 (link from configuration)
    if request.host != "accounts.example.com":  # ok: FLASK-HOST-001 (the code checks the host)
        abort(400)
    if not request.host.endswith(".example.com"):  # ok: FLASK-HOST-001 (the code checks the host)
        abort(400)
    link = f"{base}/reset/{make_token(request.form['email'])}"
    mail.send(Message("Reset", recipients=[request.form["email"]], body=link))
    return "sent"


@app.post("/signup/check")
def check_signup_email():
    address = validate_email(request.form["email"]).normalized
    return jsonify(email=address, next=url_for("signup", _external=True))  # ok: FLASK-HOST-001 (validates an address; nothing is mailed)


@app.post("/notify")
def notify_socket():
    socket.send(url_for("room", room_id=1, _external=True))  # ok: FLASK-HOST-001 (a socket send, not a message to a mailbox)
    return "sent"


@app.get("/debug/where")
def where_am_i():
    app.logger.info("served for %s at %s", request.host, request.path)  # ok: FLASK-HOST-001 (logging, no e-mail)
    return jsonify(host=request.host, url=request.url_root)  # ok: FLASK-HOST-001 (echoed to the requester)


@app.get("/mail/preview")
def preview():
    return render_template("email/preview.html", path=request.path, full=request.url)  # ok: FLASK-HOST-001 (path and URL attributes are not host reads)
