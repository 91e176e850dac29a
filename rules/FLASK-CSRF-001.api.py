# fixture-path: api/app.py
# A pure JSON API: clients send a bearer token; no cookie carries the user's identity.
from flask import Flask, abort, jsonify, request

from .models import Note, User, db

app = Flask(__name__)


def current_api_user():
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        abort(401)
    return User.from_token(header.removeprefix("Bearer ")) or abort(401)


@app.post("/notes")  # ok: FLASK-CSRF-001 (token-only API: spec says no CSRF risk)
def create_note():
    user = current_api_user()
    db.session.add(Note(owner=user, body=request.json["body"]))
    db.session.commit()
    return jsonify(ok=True), 201


@app.route("/notes/<int:note_id>", methods=["DELETE"])  # ok: FLASK-CSRF-001 (token-only API)
def delete_note(note_id):
    Note.query.filter_by(id=note_id, owner=current_api_user()).delete()
    db.session.commit()
    return "", 204
