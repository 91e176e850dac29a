# fixture-path: app/__init__.py
# The spec's minimum for small apps: a required custom header plus SameSite=Lax.
from flask import Flask, abort, request
from flask_login import LoginManager, current_user, login_required

app = Flask(__name__)
app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
login_manager = LoginManager(app)


@app.before_request
def require_ajax_header():
    if request.method in {"POST", "PUT", "PATCH", "DELETE"} and request.headers.get("X-Requested-With") != "XMLHttpRequest":
        abort(403)


@app.post("/todos")  # ok: FLASK-CSRF-001 (before_request requires a custom header)
@login_required
def add_todo():
    current_user.todos.append(request.json["title"])
    return "", 201
