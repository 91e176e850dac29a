# fixture-path: media_app/uploads.py
# A media library: avatars, attachments and documents uploaded and served back. The app accepts SVG logos, so
# uploads can hold active content.
import io
import os
import tempfile
import uuid
from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, request, send_file, send_from_directory
from flask_uploads import IMAGES, UploadSet
from werkzeug.utils import secure_filename

from .models import Attachment, db

basedir = os.path.abspath(os.path.dirname(__file__))


class Config:
    UPLOAD_FOLDER = "static/uploads"  # expect: FLASK-UPLOAD-001
    ATTACHMENTS_DIR = os.path.join(basedir, "instance", "attachments")  # ok: FLASK-UPLOAD-001 (not a static folder)
    STATIC_BUILD_DIR = os.path.join(basedir, "static", "build")  # ok: FLASK-UPLOAD-001 (build assets, not uploads)
    UPLOAD_EXTENSIONS = [".png", ".jpg", ".svg"]  # ok: FLASK-UPLOAD-001 (a type list, not a folder)


app = Flask(__name__)
app.config.from_object(Config)
app.config["UPLOAD_FOLDER"] = os.path.join(basedir, "static", "uploads")  # expect: FLASK-UPLOAD-001
app.config.update(AVATAR_UPLOAD_DIR=app.static_folder + "/avatars")  # expect: FLASK-UPLOAD-001
app.config["DOCUMENT_UPLOAD_DIR"] = os.path.join(app.instance_path, "documents")  # ok: FLASK-UPLOAD-001 (outside static)
bp = Blueprint("media", __name__)
photos = UploadSet("photos", IMAGES)

UPLOAD_DIR = "/srv/media/uploads"
REPORTS_DIR = "/srv/media/reports"
ALLOWED_EXTENSIONS = {"png", "jpg", "jpeg", "gif", "svg"}


def allowed_file(filename):
    return "." in filename and filename.rsplit(".", 1)[1].lower() in ALLOWED_EXTENSIONS


# --- positives ------------------------------------------------------------------------------------------------


@app.post("/upload")
def upload():
    f = request.files["file"]
    f.save(os.path.join(app.config["UPLOAD_FOLDER"], f.filename))  # expect: FLASK-UPLOAD-001
    return "", 201


@app.post("/upload/cwd")
def upload_to_cwd():
    file = request.files.get("file")
    if file and allowed_file(file.filename):
        file.save(file.filename)  # expect: FLASK-UPLOAD-001
    return "", 201


@bp.post("/attachments")
def add_attachment():
    attachment = request.files["attachment"]
    if not allowed_file(attachment.filename):
        abort(400)
    attachment.save(f"{UPLOAD_DIR}/{attachment.filename}")  # expect: FLASK-UPLOAD-001
    return "", 201


@bp.post("/photos")
def add_photo():
    photo = request.files["photo"]
    if not allowed_file(photo.filename):
        abort(400)
    photo.save(UPLOAD_DIR + "/" + photo.filename)  # expect: FLASK-UPLOAD-001
    return "", 201


@bp.post("/logos")
def add_logo():
    logo = request.files["logo"]
    if logo.mimetype not in {"image/png", "image/svg+xml"}:
        abort(415)
    logo.save(Path(UPLOAD_DIR) / logo.filename)  # expect: FLASK-UPLOAD-001
    return "", 201


@bp.post("/gallery")
def add_gallery():
    for item in request.files.getlist("photos"):
        if allowed_file(item.filename):
            item.save(os.path.join(UPLOAD_DIR, "gallery", item.filename))  # expect: FLASK-UPLOAD-001
    return "", 201


@bp.post("/documents")
def add_document():
    doc = request.files["document"]
    if not allowed_file(doc.filename):
        abort(400)
    doc.save("{}/{}".format(current_app.config["DOCUMENT_UPLOAD_DIR"], doc.filename))  # expect: FLASK-UPLOAD-001
    return "", 201


@bp.post("/scans")
def add_scan():
    scan = request.files["scan"]
    if not allowed_file(scan.filename):
        abort(400)
    scan.save("/srv/media/scans/%s" % scan.filename)  # expect: FLASK-UPLOAD-001
    return "", 201


@bp.post("/renamed")
def add_renamed():
    f = request.files["file"]
    target_name = request.form["name"]
    if not allowed_file(f.filename):
        abort(400)
    f.save(os.path.join(UPLOAD_DIR, target_name))  # expect: FLASK-UPLOAD-001
    return "", 201


@bp.post("/indirect")
def add_indirect():
    f = request.files["file"]
    filename = f.filename
    if not allowed_file(filename):
        abort(400)
    f.save(os.path.join(UPLOAD_DIR, filename))  # expect: FLASK-UPLOAD-001
    return "", 201


@bp.post("/any-type")
def add_any_type():
    f = request.files["file"]
    f.save(os.path.join(UPLOAD_DIR, secure_filename(f.filename)))  # expect: FLASK-UPLOAD-001
    return "", 201


@bp.post("/random-name")
def add_random_name():
    upload = request.files["upload"]
    stored = uuid.uuid4().hex
    upload.save(os.path.join(UPLOAD_DIR, stored))  # expect: FLASK-UPLOAD-001
    db.session.add(Attachment(stored_name=stored, original_name=secure_filename(upload.filename)))
    db.session.commit()
    return {"id": stored}, 201


@bp.post("/avatars")
def add_avatar():
    avatar = request.files["avatar"]
    if not allowed_file(avatar.filename):
        abort(400)
    avatar.save(os.path.join("static", "avatars", secure_filename(avatar.filename)))  # expect: FLASK-UPLOAD-001
    return "", 201


def store_upload(upload):
    upload.save(os.path.join(UPLOAD_DIR, upload.filename))  # todo: FLASK-UPLOAD-001 (a helper's parameter: flow across functions is not followed)


@bp.post("/via-helper")
def add_via_helper():
    store_upload(request.files["file"])
    return "", 201


@bp.route("/uploads/<name>")
def uploaded_file(name):
    return send_from_directory(app.config["UPLOAD_FOLDER"], name)  # expect: FLASK-UPLOAD-001


@bp.route("/attachments/<int:attachment_id>")
def get_attachment(attachment_id):
    attachment = Attachment.query.get_or_404(attachment_id)
    return send_from_directory(UPLOAD_DIR, attachment.stored_name, as_attachment=False)  # expect: FLASK-UPLOAD-001


@bp.route("/attachments/<int:attachment_id>/preview")
def preview_attachment(attachment_id):
    attachment = Attachment.query.get_or_404(attachment_id)
    path = os.path.join(UPLOAD_DIR, attachment.stored_name)
    return send_file(path, mimetype="text/html")  # expect: FLASK-UPLOAD-001


# --- look-alikes that must stay silent -------------------------------------------------------------------------


@bp.post("/safe/docs-pattern")
def docs_pattern():
    file = request.files.get("file")
    if file and allowed_file(file.filename):
        filename = secure_filename(file.filename)
        file.save(os.path.join(UPLOAD_DIR, filename))  # ok: FLASK-UPLOAD-001 (allowlist + secure_filename)
    return "", 201


@bp.post("/safe/random")
def random_name():
    f = request.files["file"]
    ext = f.filename.rsplit(".", 1)[-1].lower() if "." in f.filename else ""
    if ext not in ALLOWED_EXTENSIONS:
        abort(400)
    f.save(os.path.join(UPLOAD_DIR, f"{uuid.uuid4().hex}.{ext}"))  # ok: FLASK-UPLOAD-001 (random name, validated extension)
    return "", 201


@bp.post("/safe/mimetype")
def checked_mimetype():
    f = request.files["file"]
    if f.mimetype not in {"image/png", "image/jpeg"}:
        abort(415)
    f.save(os.path.join(UPLOAD_DIR, f"{uuid.uuid4().hex}.png"))  # ok: FLASK-UPLOAD-001 (MIME check, server-side name)
    return "", 201


@bp.post("/safe/realpath")
def realpath_checked():
    f = request.files["file"]
    if not allowed_file(f.filename):
        abort(400)
    path = os.path.realpath(os.path.join(UPLOAD_DIR, f.filename))
    if not path.startswith(UPLOAD_DIR + os.sep):
        abort(400)
    f.save(path)  # ok: FLASK-UPLOAD-001 (normalised path checked against the folder)
    return "", 201


@bp.post("/safe/memory")
def in_memory():
    f = request.files["csv"]
    buffer = io.BytesIO()
    f.save(buffer)  # ok: FLASK-UPLOAD-001 (in-memory buffer, not stored)
    return {"size": buffer.getbuffer().nbytes}


@bp.post("/safe/tempfile")
def temp_file():
    f = request.files["csv"]
    with tempfile.NamedTemporaryFile() as tmp:
        f.save(tmp.name)  # ok: FLASK-UPLOAD-001 (temporary file for processing)
        return {"rows": sum(1 for _ in open(tmp.name))}


@bp.post("/safe/mkstemp")
def temp_path():
    f = request.files["csv"]
    fd, tmp_path = tempfile.mkstemp()
    os.close(fd)
    f.save(tmp_path)  # ok: FLASK-UPLOAD-001 (temporary file for processing)
    return {"size": os.path.getsize(tmp_path)}


@bp.post("/safe/flask-uploads")
def flask_uploads():
    filename = photos.save(request.files["photo"])  # ok: FLASK-UPLOAD-001 (Flask-Uploads UploadSet checks IMAGES)
    return {"file": filename}, 201


@bp.route("/safe/uploads/<name>")
def download_upload(name):
    return send_from_directory(app.config["UPLOAD_FOLDER"], name, as_attachment=True)  # ok: FLASK-UPLOAD-001 (attachment)


@bp.route("/safe/uploads/<name>/maybe")
def maybe_download(name):
    download = request.args.get("download") == "1"
    return send_from_directory(UPLOAD_DIR, name, as_attachment=download)  # ok: FLASK-UPLOAD-001 (decided at runtime)


@bp.route("/safe/placeholder")
def placeholder():
    return send_from_directory(UPLOAD_DIR, "placeholder.png")  # ok: FLASK-UPLOAD-001 (a file the app chose)


@bp.route("/safe/reports/<name>")
def report(name):
    return send_from_directory(REPORTS_DIR, name)  # ok: FLASK-UPLOAD-001 (not the upload folder)


@bp.route("/safe/uploads/<name>/raw")
def raw_upload(name):
    return send_from_directory(UPLOAD_DIR, name, mimetype="application/octet-stream")  # ok: FLASK-UPLOAD-001 (inert type)


@bp.route("/safe/thumbnail")
def thumbnail():
    return send_file(io.BytesIO(b"\x89PNG"), mimetype="image/png")  # ok: FLASK-UPLOAD-001 (generated content)
