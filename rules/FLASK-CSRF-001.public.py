# fixture-path: site/app.py
# A brochure site: no accounts, no login; the contact form only sends an email.
from flask import Flask, redirect, render_template, request, url_for

from .mail import send_contact_mail

app = Flask(__name__)


@app.route("/contact", methods=["GET", "POST"])  # ok: FLASK-CSRF-001 (no cookie authentication in the app)
def contact():
    if request.method == "POST":
        send_contact_mail(request.form["email"], request.form["message"])
        return redirect(url_for("contact"))
    return render_template("contact.html")
