# fixture-path: app/files.py
# A file drop whose accepted types are not visible in this module, and that does not import secure_filename (the
# fix is offered for review).
import os

from flask import Flask, request, send_from_directory
from flask import send_file as serve

app = Flask(__name__)
app.config["UPLOAD_FOLDER"] = os.environ.get("UPLOAD_FOLDER", "/var/lib/filedrop")  # ok: FLASK-UPLOAD-001 (outside static)


@app.post("/files")
def upload():
    f = request.files["file"]
    f.save(os.path.join(app.config["UPLOAD_FOLDER"], f.filename))  # expect: FLASK-UPLOAD-001
    return "", 201


@app.put("/files/<name>")
def replace(name):
    if "file" not in request.files:
        return "missing file", 400
    request.files["file"].save(os.path.join(app.config["UPLOAD_FOLDER"], name))  # expect: FLASK-UPLOAD-001
    return "", 204


@app.route("/files/<path:name>")
def download(name):
    return send_from_directory(app.config["UPLOAD_FOLDER"], name)  # expect: FLASK-UPLOAD-001


@app.route("/files/<path:name>/inline")
def inline(name):
    upload_dir = app.config["UPLOAD_FOLDER"]
    return serve(os.path.join(upload_dir, os.path.basename(name)), conditional=True)  # expect: FLASK-UPLOAD-001


@app.route("/files/<path:name>/download")
def attachment(name):
    return send_from_directory(app.config["UPLOAD_FOLDER"], name, as_attachment=True, download_name=os.path.basename(name))  # ok: FLASK-UPLOAD-001 (attachment)
