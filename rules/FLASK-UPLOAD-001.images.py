# fixture-path: photos/views.py
# A photo site whose allowlist admits only raster images: uploads kept in static/ and served inline are acceptable
# there (spec: only relevant when HTML/JS/CSS can be uploaded), but the client's filename is still no storage path.
import os
import uuid

from flask import Blueprint, Flask, abort, current_app, request, send_file, send_from_directory
from werkzeug.utils import secure_filename

bp = Blueprint("photos", __name__)
ALLOWED_EXTENSIONS = {"png", "jpg", "jpeg", "gif", "webp"}
PHOTO_UPLOAD_DIR = os.path.join(os.path.dirname(__file__), "static", "photos")  # ok: FLASK-UPLOAD-001 (image-only allowlist)


def create_app():
    app = Flask(__name__)
    app.config["UPLOAD_FOLDER"] = "static/photos"  # ok: FLASK-UPLOAD-001 (image-only allowlist)
    app.register_blueprint(bp)
    return app


def allowed(filename):
    return "." in filename and filename.rsplit(".", 1)[1].lower() in ALLOWED_EXTENSIONS


@bp.post("/photos")
def upload_photo():
    photo = request.files["photo"]
    if not allowed(photo.filename):
        abort(400)
    photo.save(os.path.join(current_app.config["UPLOAD_FOLDER"], photo.filename))  # expect: FLASK-UPLOAD-001
    return "", 201


@bp.post("/photos/<album>")
def upload_to_album(album):
    photo = request.files["photo"]
    if not allowed(photo.filename):
        abort(400)
    photo.save(os.path.join(PHOTO_UPLOAD_DIR, album, secure_filename(photo.filename)))  # expect: FLASK-UPLOAD-001
    return "", 201


@bp.post("/photos/bulk")
def upload_bulk():
    for photo in request.files.getlist("photos"):
        photo.save(os.path.join(PHOTO_UPLOAD_DIR, f"{uuid.uuid4().hex}.jpg"))  # expect: FLASK-UPLOAD-001
    return "", 201


@bp.post("/photos/checked")
def upload_checked():
    photo = request.files["photo"]
    if not allowed(photo.filename):
        abort(400)
    photo.save(os.path.join(PHOTO_UPLOAD_DIR, secure_filename(photo.filename)))  # ok: FLASK-UPLOAD-001 (allowlist + secure_filename; static is fine for images)
    return "", 201


@bp.route("/photos/<name>")
def photo(name):
    return send_from_directory(current_app.config["UPLOAD_FOLDER"], name)  # ok: FLASK-UPLOAD-001 (image-only allowlist)


@bp.route("/photos/<name>/full")
def photo_full(name):
    return send_file(os.path.join(PHOTO_UPLOAD_DIR, secure_filename(name)))  # ok: FLASK-UPLOAD-001 (image-only allowlist)
