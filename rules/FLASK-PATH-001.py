# fixture-path: docs_app/views.py
# A document-management app: reports, notes, exports and backups served and edited by name.
import codecs
import io
import os
import re
import shutil
import tarfile
import zipfile
from pathlib import Path

import flask
from flask import Blueprint, Flask, abort, current_app, redirect, request, send_file, send_from_directory, url_for
from flask import send_file as sf
from flask.views import MethodView
from werkzeug.security import safe_join
from werkzeug.utils import secure_filename

from .models import Document, db

app = Flask(__name__)
app.config["UPLOAD_FOLDER"] = "/srv/docs/uploads"
bp = Blueprint("files", __name__, url_prefix="/files")

BASE_DIR = "/srv/docs"
REPORTS = os.path.join(BASE_DIR, "reports")
NOTES_DIR = os.path.join(BASE_DIR, "notes")
EXPORTS = "/srv/docs/exports"
BACKUPS = "/srv/docs/backups"
THEMES = "/srv/docs/themes"
ARCHIVE = "/srv/docs/archive"
INBOX = "/srv/docs/inbox"
LEGACY = "/srv/docs/legacy"
FILES = {"terms": "/srv/docs/legal/terms.pdf", "privacy": "/srv/docs/legal/privacy.pdf"}
ALLOWED_REPORTS = {"q1.pdf", "q2.pdf", "q3.pdf", "q4.pdf"}
SLUG_RE = re.compile(r"[a-z0-9-]{1,64}")
_cache = {}


def allowed_report(filename):
    return filename.lower().endswith(".pdf")


def is_safe_path(base, path):
    return os.path.realpath(path).startswith(os.path.realpath(base) + os.sep)


# --- positives ------------------------------------------------------------------------------------------------


@app.route("/reports/download")
def download_report():
    name = request.args.get("name", "")
    return send_file(os.path.join(REPORTS, name))  # expect: FLASK-PATH-001


@app.route("/raw")
def raw_file():
    return send_file(request.args["path"])  # expect: FLASK-PATH-001


@app.route("/uploads/<path:filename>")
def uploaded(filename):
    return send_file(os.path.join(app.config["UPLOAD_FOLDER"], filename), as_attachment=True)  # expect: FLASK-PATH-001


@bp.get("/exports/<name>")
def export(name):
    return flask.send_file(Path(EXPORTS) / name, mimetype="text/csv")  # expect: FLASK-PATH-001


@bp.route("/legacy")
def legacy_download():
    name = request.values.get("file")
    return sf(os.path.join(LEGACY, name))  # expect: FLASK-PATH-001


@bp.route("/legacy/<year>/<name>")
def legacy_by_year(year, name):
    return send_file(os.path.join(LEGACY, year, name))  # expect: FLASK-PATH-001


@bp.route("/report-by-id")
def report_by_id():
    name = request.args["name"].replace("../", "")
    return send_file(os.path.join(REPORTS, name))  # expect: FLASK-PATH-001


@bp.route("/dotdot")
def dotdot_check():
    name = request.args.get("name", "")
    if ".." in name:
        abort(400)
    return send_file(os.path.join(REPORTS, name))  # expect: FLASK-PATH-001


@bp.route("/prefix-only")
def prefix_without_normalising():
    path = os.path.join(REPORTS, request.args["name"])
    if not path.startswith(REPORTS):
        abort(403)
    return send_file(path)  # expect: FLASK-PATH-001


@bp.route("/exports.csv")
def export_csv():
    name = request.args.get("name")
    return send_file("exports/{}.csv".format(name), as_attachment=True)  # expect: FLASK-PATH-001


@app.route("/notes/<slug>")
def read_note(slug):
    with open(f"{NOTES_DIR}/{slug}.md", encoding="utf-8") as fh:  # expect: FLASK-PATH-001
        return fh.read()


@app.route("/notes/raw")
def read_note_raw():
    path = os.path.normpath(os.path.join(NOTES_DIR, request.args["note"]))
    with open(path, "rb") as fh:  # expect: FLASK-PATH-001
        return fh.read()


@app.route("/notes/join")
def read_note_joined():
    note = request.args["note"]
    with open(os.path.join(NOTES_DIR, note)) as fh:  # expect: FLASK-PATH-001
        return fh.read()


@app.route("/notes/<slug>/preview")
def preview_note(slug):
    return (Path(NOTES_DIR) / slug).read_text()  # expect: FLASK-PATH-001


@app.post("/notes")
def save_note():
    target = Path(NOTES_DIR) / request.form["slug"]
    target.with_suffix(".md").write_text(request.form["body"])  # expect: FLASK-PATH-001
    return "", 204


@app.route("/notes/resolved")
def resolved_note():
    note = Path(NOTES_DIR).joinpath(request.args["note"]).resolve()
    return note.read_bytes()  # expect: FLASK-PATH-001


@app.post("/logs/day")
def day_log():
    with io.open("/var/log/docs/%s.log" % request.form["day"]) as fh:  # expect: FLASK-PATH-001
        return fh.read()


@app.route("/theme.css")
def theme_css():
    theme = request.cookies.get("theme", "light")
    return codecs.open(THEMES + "/" + theme + ".css", encoding="utf-8").read()  # expect: FLASK-PATH-001


@app.route("/template")
def header_template():
    tpl = request.headers.get("X-Template", "default.html")
    return codecs.open(os.path.join(THEMES, tpl), encoding="utf-8").read()  # expect: FLASK-PATH-001


@bp.post("/delete")
def delete_file():
    os.remove(os.path.join(current_app.config["UPLOAD_FOLDER"], request.form["name"]))  # expect: FLASK-PATH-001
    return "", 204


@bp.post("/rename")
def rename_file():
    data = request.get_json()
    os.rename(os.path.join(INBOX, data["from"]), os.path.join(INBOX, data["to"]))  # expect: FLASK-PATH-001
    return "", 204


@bp.post("/archive")
def archive_file():
    dest = os.path.join(ARCHIVE, request.form["folder"])
    shutil.move(os.path.join(INBOX, "latest.pdf"), dest)  # expect: FLASK-PATH-001
    return "", 204


@bp.post("/purge")
def purge_folder():
    shutil.rmtree(Path(ARCHIVE) / request.json["folder"])  # expect: FLASK-PATH-001
    return "", 204


@bp.route("/browse")
def browse():
    folder = request.args.get("dir", "")
    return {"files": os.listdir(os.path.join(BASE_DIR, folder))}  # expect: FLASK-PATH-001


@bp.route("/backups/<name>")
def backup_listing(name):
    with tarfile.open(os.path.join(BACKUPS, name)) as tar:  # expect: FLASK-PATH-001
        return {"members": tar.getnames()}


@bp.post("/inbox")
def receive():
    upload = request.files["document"]
    with open(os.path.join(INBOX, upload.filename), "wb") as out:  # expect: FLASK-PATH-001
        out.write(upload.read())
    return "", 201


@bp.route("/documents/<int:doc_id>")
def document(doc_id):
    doc = Document.query.get_or_404(doc_id)
    return send_file(doc.path, download_name=doc.title)  # expect: FLASK-PATH-001


@bp.route("/cached")
def cached_report():
    name = request.args["name"]
    if name not in _cache:
        _cache[name] = open(os.path.join(REPORTS, name), "rb").read()  # expect: FLASK-PATH-001
    return _cache[name]


@bp.route("/typed")
def typed_report():
    name = request.args["name"]
    if not allowed_report(name):
        abort(400)
    return send_file(os.path.join(REPORTS, name))  # expect: FLASK-PATH-001


class AttachmentAPI(MethodView):
    def get(self):
        name = request.args["name"]
        return send_file(os.path.join(INBOX, name))  # expect: FLASK-PATH-001


# --- look-alikes that must stay silent -------------------------------------------------------------------------


@app.route("/safe/reports")
def safe_report():
    return send_from_directory(REPORTS, request.args["name"])  # ok: FLASK-PATH-001 (send_from_directory uses safe_join)


@app.route("/safe/<path:filename>")
def safe_uploaded(filename):
    return send_from_directory(app.config["UPLOAD_FOLDER"], filename, as_attachment=True)  # ok: FLASK-PATH-001 (safe_join inside)


@app.route("/safe/joined")
def safe_joined():
    path = safe_join(REPORTS, request.args["name"])
    if path is None:
        abort(404)
    return send_file(path)  # ok: FLASK-PATH-001 (werkzeug safe_join, None checked)


@app.route("/safe/joined-unchecked")
def safe_joined_unchecked():
    return send_file(safe_join(REPORTS, request.args["name"]))  # ok: FLASK-PATH-001 (safe_join: a missing None check is another bug)


@app.route("/safe/secure")
def safe_secure():
    with open(os.path.join(NOTES_DIR, secure_filename(request.args["note"]))) as fh:  # ok: FLASK-PATH-001 (secure_filename)
        return fh.read()


@app.route("/safe/basename")
def safe_basename():
    name = os.path.basename(request.args["name"])
    return send_file(os.path.join(REPORTS, name))  # ok: FLASK-PATH-001 (basename drops the directories)


@app.route("/safe/pathname")
def safe_path_name():
    return (Path(NOTES_DIR) / Path(request.args["note"]).name).read_text()  # ok: FLASK-PATH-001 (Path(x).name is a basename)


@app.route("/safe/reports/<int:report_id>")
def safe_numbered(report_id):
    return send_file(os.path.join(REPORTS, f"{report_id}.pdf"))  # ok: FLASK-PATH-001 (int converter)


@app.route("/safe/page")
def safe_page():
    page = request.args.get("page", 1, type=int)
    return send_file(os.path.join(REPORTS, "page-%d.pdf" % page))  # ok: FLASK-PATH-001 (type=int)


@app.route("/safe/legal/<doc>")
def safe_legal(doc):
    if doc not in FILES:
        abort(404)
    return send_file(FILES[doc])  # ok: FLASK-PATH-001 (allowlist dict lookup)


@app.route("/safe/legal-get")
def safe_legal_get():
    path = FILES.get(request.args.get("doc", "terms"), FILES["terms"])
    return send_file(path)  # ok: FLASK-PATH-001 (value comes from the allowlist, not the request)


@app.route("/safe/realpath")
def safe_realpath():
    real = os.path.realpath(os.path.join(REPORTS, request.args["name"]))
    if not real.startswith(REPORTS + os.sep):
        abort(404)
    return send_file(real)  # ok: FLASK-PATH-001 (normalise + prefix check before the sink)


@app.route("/safe/commonpath")
def safe_commonpath():
    name = request.args["name"]
    candidate = os.path.abspath(os.path.join(REPORTS, name))
    if os.path.commonpath([REPORTS, candidate]) != REPORTS:
        abort(404)
    return send_file(os.path.join(REPORTS, name))  # ok: FLASK-PATH-001 (commonpath check of the normalised path)


@app.route("/safe/relative/<path:note>")
def safe_relative(note):
    target = (Path(NOTES_DIR) / note).resolve()
    if target.is_relative_to(Path(NOTES_DIR).resolve()):
        return target.read_text()  # ok: FLASK-PATH-001 (resolve() + is_relative_to() around the sink)
    abort(404)


@app.route("/safe/helper")
def safe_helper():
    path = os.path.join(REPORTS, request.args["name"])
    if not is_safe_path(REPORTS, path):
        abort(400)
    return send_file(path)  # ok: FLASK-PATH-001 (validated by a path-safety helper)


@app.route("/safe/relative-to/<path:note>")
def safe_relative_to(note):
    target = (Path(NOTES_DIR) / note).resolve()
    try:
        target.relative_to(Path(NOTES_DIR).resolve())
    except ValueError:
        abort(404)
    return target.read_text()  # ok: FLASK-PATH-001 (relative_to() raises for a path outside the folder)


@app.route("/safe/allowlist")
def safe_allowlist():
    name = request.args.get("name", "")
    if name not in ALLOWED_REPORTS:
        abort(404)
    return send_file(os.path.join(REPORTS, name))  # ok: FLASK-PATH-001 (allowlist membership check)


@app.route("/safe/listed")
def safe_listed():
    name = request.args.get("name", "")
    if name not in os.listdir(REPORTS):
        abort(404)
    with open(os.path.join(REPORTS, name), "rb") as fh:  # ok: FLASK-PATH-001 (must be one of the directory's entries)
        return fh.read()


@app.route("/safe/regex")
def safe_regex():
    name = request.args.get("name", "")
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        abort(400)
    return send_file(os.path.join(REPORTS, name + ".pdf"))  # ok: FLASK-PATH-001 (strict pattern, no / or .)


@app.route("/safe/slug/<slug>")
def safe_slug(slug):
    if not SLUG_RE.fullmatch(slug):
        abort(404)
    return (Path(NOTES_DIR) / f"{slug}.md").read_text()  # ok: FLASK-PATH-001 (compiled strict pattern)


@app.route("/safe/static-file")
def safe_constant():
    return send_file(os.path.join(app.root_path, "static", "robots.txt"))  # ok: FLASK-PATH-001 (constant path)


@app.route("/safe/config-path")
def safe_config_path():
    return send_file(current_app.config["EXPORT_PATH"])  # ok: FLASK-PATH-001 (application config, not request data)


@app.route("/safe/static-redirect")
def safe_static_redirect():
    return redirect(url_for("static", filename=request.args["asset"]))  # ok: FLASK-PATH-001 (url_for, not file I/O)


@app.route("/safe/static-send")
def safe_static_send():
    return app.send_static_file(request.args["asset"])  # ok: FLASK-PATH-001 (send_static_file uses send_from_directory)


@app.route("/safe/exists")
def safe_exists():
    return {"exists": os.path.exists(os.path.join(REPORTS, request.args["name"]))}  # ok: FLASK-PATH-001 (existence test only)


@app.post("/safe/zip")
def safe_zip_upload():
    with zipfile.ZipFile(request.files["archive"]) as zf:  # ok: FLASK-PATH-001 (the upload's content, not a path)
        return {"members": zf.namelist()}


@app.post("/safe/zip-bytes")
def safe_zip_bytes():
    with zipfile.ZipFile(io.BytesIO(request.get_data())) as zf:  # ok: FLASK-PATH-001 (in-memory bytes)
        return {"members": zf.namelist()}


@app.route("/safe/generated")
def safe_generated():
    name = request.args.get("name", "report")
    data = io.BytesIO(render_csv())
    return send_file(data, download_name=f"{name}.csv", as_attachment=True)  # ok: FLASK-PATH-001 (file object; the name is only a download name)


@app.route("/safe/<uuid:token>")
def safe_uuid(token):
    return send_file(os.path.join(EXPORTS, f"{token}.zip"))  # ok: FLASK-PATH-001 (uuid converter)


def render_csv():
    return b"a,b\n"


def open_note(name):
    with open(os.path.join(NOTES_DIR, name)) as fh:  # todo: FLASK-PATH-001 (a helper's parameter: flow across functions is not followed)
        return fh.read()


@app.route("/notes/helper")
def note_via_helper():
    return open_note(request.args["note"])
