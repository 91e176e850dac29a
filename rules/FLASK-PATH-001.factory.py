# fixture-path: gallery/exports.py
# An app-factory project on sqlite3 whose module imports only send_file (the fix to send_from_directory needs an
# import, so it is offered for review), with paths stored in the database.
import os
import shutil
import sqlite3
import zipfile
from pathlib import Path

from flask import Blueprint, abort, current_app, g, request, send_file

bp = Blueprint("exports", __name__)


def get_db():
    if "db" not in g:
        g.db = sqlite3.connect(current_app.config["DATABASE"])
        g.db.row_factory = sqlite3.Row
    return g.db


def export_dir():
    return Path(current_app.instance_path) / "exports"


# --- positives ------------------------------------------------------------------------------------------------


@bp.route("/exports/file")
def export_file():
    name = request.args["name"]
    return send_file(os.path.join(current_app.config["EXPORT_DIR"], name), as_attachment=True)  # expect: FLASK-PATH-001


@bp.route("/exports/keyword")
def export_keyword():
    return send_file(path_or_file=current_app.config["EXPORT_DIR"] + "/" + request.args["name"])  # expect: FLASK-PATH-001


@bp.route("/photos/<int:photo_id>/original")
def photo_original(photo_id):
    row = get_db().execute("SELECT path FROM photo WHERE id = ?", (photo_id,)).fetchone()
    if row is None:
        abort(404)
    return send_file(row["path"])  # expect: FLASK-PATH-001


@bp.post("/photos/copy")
def copy_photo():
    src = os.path.join(current_app.config["PHOTOS"], request.form["src"])
    shutil.copy(src, os.path.join(current_app.config["PHOTOS"], "copies"))  # expect: FLASK-PATH-001
    return "", 204


@bp.route("/bundles/<bundle>")
def bundle_members(bundle):
    with zipfile.ZipFile(os.path.join(current_app.config["BUNDLES"], bundle + ".zip")) as zf:  # expect: FLASK-PATH-001
        return {"members": zf.namelist()}


@bp.route("/raw-fd")
def raw_fd():
    fd = os.open(os.path.join(current_app.instance_path, request.args["f"]), os.O_RDONLY)  # expect: FLASK-PATH-001
    try:
        return os.read(fd, 4096)
    finally:
        os.close(fd)


@bp.route("/resolved-str")
def resolved_without_check():
    target = (export_dir() / request.args["name"]).resolve()
    return send_file(target)  # expect: FLASK-PATH-001


@bp.post("/exports/delete")
def delete_export():
    Path(os.path.join(current_app.config["EXPORT_DIR"], request.form["name"])).unlink()  # expect: FLASK-PATH-001
    return "", 204


# --- look-alikes that must stay silent -------------------------------------------------------------------------


@bp.route("/safe/resolved")
def resolved_with_check():
    base = export_dir().resolve()
    target = (base / request.args["name"]).resolve()
    if not str(target).startswith(str(base) + os.sep):
        abort(404)
    return send_file(target)  # ok: FLASK-PATH-001 (resolve() + prefix check before the sink)


@bp.route("/safe/else-branch")
def else_branch():
    name = request.args.get("name", "")
    real = os.path.realpath(os.path.join(current_app.config["EXPORT_DIR"], name))
    if not real.startswith(current_app.config["EXPORT_DIR"]):
        abort(403)
    else:
        return send_file(real)  # ok: FLASK-PATH-001 (guarded by the if around it)


@bp.route("/safe/isalnum")
def alnum_only():
    code = request.args.get("code", "")
    if not code.isalnum():
        abort(400)
    return send_file(os.path.join(current_app.config["EXPORT_DIR"], code + ".csv"))  # ok: FLASK-PATH-001 (alphanumeric only)


@bp.route("/safe/photos/<int:photo_id>")
def photo_by_id(photo_id):
    return send_file(os.path.join(current_app.config["PHOTOS"], f"{photo_id}.jpg"))  # ok: FLASK-PATH-001 (int converter)


@bp.post("/safe/upload-archive")
def upload_archive():
    archive = request.files["bundle"]
    with zipfile.ZipFile(archive.stream) as zf:  # ok: FLASK-PATH-001 (the upload's stream, not a path)
        return {"members": zf.namelist()}


@bp.route("/safe/default-export")
def default_export():
    return send_file(export_dir() / "latest.csv")  # ok: FLASK-PATH-001 (constant name under a trusted base)


@bp.route("/safe/extension-check-is-not-a-guard")
def ext_only():
    name = request.args.get("name", "")
    ext = name.rsplit(".", 1)[-1]
    if ext not in {"csv", "xlsx"}:
        abort(400)
    return send_file(os.path.join(current_app.config["EXPORT_DIR"], os.path.basename(name)))  # ok: FLASK-PATH-001 (basename; the extension test alone would not be a guard)
