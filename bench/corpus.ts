// A deterministic corpus of realistic Flask modules (views, models, services, config), clean code with a sprinkle
// of vulnerable patterns, built from a seed: the same seed gives byte-identical files on every machine.
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { SourceFile } from "../src/core/types.js";

/** mulberry32: tiny, fast, good enough for picking templates. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOUNS = ["order", "invoice", "customer", "product", "shipment", "ticket", "report", "account", "payment", "review", "coupon", "warehouse", "supplier", "refund", "session", "profile"];
const FIELDS = ["name", "email", "status", "total", "created_at", "updated_at", "owner_id", "sku", "quantity", "price", "note", "country", "currency"];

interface Gen {
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
  int(lo: number, hi: number): number;
}

function gen(random: () => number): Gen {
  return {
    pick: (items) => items[Math.floor(random() * items.length)]!,
    chance: (p) => random() < p,
    int: (lo, hi) => lo + Math.floor(random() * (hi - lo + 1)),
  };
}

function header(g: Gen, noun: string): string {
  const extra = [
    "import json", "import logging", "import os", "import subprocess", "import sqlite3", "from datetime import datetime, timedelta",
    "from functools import wraps", "import requests", "from werkzeug.utils import secure_filename",
  ].filter(() => g.chance(0.6));
  return `"""${noun.charAt(0).toUpperCase() + noun.slice(1)} views and helpers."""
${extra.join("\n")}
from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, render_template_string, request, session, url_for
from flask_login import current_user, login_required

from ..extensions import db
from ..models import ${noun.charAt(0).toUpperCase() + noun.slice(1)}

log = logging.getLogger(__name__)
bp = Blueprint("${noun}", __name__, url_prefix="/${noun}s")

PAGE_SIZE = ${g.int(10, 50)}
ALLOWED_SORT = {"${g.pick(FIELDS)}", "${g.pick(FIELDS)}", "id"}
`;
}

/** One route or helper, clean most of the time. */
function block(g: Gen, noun: string, i: number): string {
  const Model = noun.charAt(0).toUpperCase() + noun.slice(1);
  const field = g.pick(FIELDS);
  const kind = g.int(0, 11);
  const vulnerable = g.chance(0.12);
  switch (kind) {
    case 0:
      return `
@bp.route("/")
@login_required
def list_${noun}s_${i}():
    page = request.args.get("page", 1, type=int)
    sort = request.args.get("sort", "id")
    if sort not in ALLOWED_SORT:
        sort = "id"
    query = ${Model}.query.filter_by(owner_id=current_user.id)
    items = query.order_by(getattr(${Model}, sort)).paginate(page=page, per_page=PAGE_SIZE)
    return render_template("${noun}s/list.html", items=items, sort=sort)
`;
    case 1:
      return `
@bp.route("/<int:item_id>")
@login_required
def show_${noun}_${i}(item_id):
    item = ${Model}.query.get_or_404(item_id)
    if item.owner_id != current_user.id:
        abort(403)
    history = [entry.to_dict() for entry in item.history if entry.visible]
    return render_template("${noun}s/show.html", item=item, history=history)
`;
    case 2:
      return vulnerable
        ? `
@bp.route("/search")
def search_${noun}s_${i}():
    term = request.args.get("q", "")
    conn = sqlite3.connect(current_app.config["DATABASE"])
    rows = conn.execute(f"SELECT id, ${field} FROM ${noun} WHERE ${field} LIKE '%{term}%'").fetchall()
    return jsonify([dict(id=r[0], ${field}=r[1]) for r in rows])
`
        : `
@bp.route("/search")
def search_${noun}s_${i}():
    term = request.args.get("q", "")
    conn = sqlite3.connect(current_app.config["DATABASE"])
    rows = conn.execute("SELECT id, ${field} FROM ${noun} WHERE ${field} LIKE ?", (f"%{term}%",)).fetchall()
    return jsonify([dict(id=r[0], ${field}=r[1]) for r in rows])
`;
    case 3:
      return `
@bp.post("/<int:item_id>/${field}")
@login_required
def update_${field}_${i}(item_id):
    item = ${Model}.query.get_or_404(item_id)
    payload = request.get_json(silent=True) or {}
    value = payload.get("${field}")
    if value is None:
        return jsonify(error="missing ${field}"), 400
    item.${field} = value
    item.updated_at = datetime.utcnow()
    db.session.commit()
    log.info("updated %s %s", "${noun}", item.id)
    return jsonify(item.to_dict())
`;
    case 4:
      return vulnerable
        ? `
@bp.route("/preview")
def preview_${i}():
    title = request.args.get("title", "${Model}")
    return render_template_string(f"<h1>{title}</h1><p>Preview of ${noun}s</p>")
`
        : `
@bp.route("/preview")
def preview_${i}():
    title = request.args.get("title", "${Model}")
    return render_template_string("<h1>{{ title }}</h1><p>Preview of ${noun}s</p>", title=title)
`;
    case 5:
      return vulnerable
        ? `
@bp.post("/export")
@login_required
def export_${i}():
    fmt = request.form.get("format", "csv")
    out = subprocess.run(f"export-tool --${noun} --format {fmt}", shell=True, capture_output=True, text=True)
    return out.stdout
`
        : `
@bp.post("/export")
@login_required
def export_${i}():
    fmt = request.form.get("format", "csv")
    if fmt not in ("csv", "json"):
        abort(400)
    out = subprocess.run(["export-tool", "--${noun}", "--format", fmt], capture_output=True, text=True)
    return out.stdout
`;
    case 6:
      return `

def _serialize_${noun}_${i}(item, include_history=False):
    data = {
        "id": item.id,
        "${field}": item.${field},
        "created_at": item.created_at.isoformat() if item.created_at else None,
    }
    if include_history:
        data["history"] = [h.to_dict() for h in item.history]
    return data
`;
    case 7:
      return `

class ${Model}Service${i}:
    """Business rules around ${noun}s."""

    def __init__(self, session=None):
        self.session = session or db.session

    def create(self, owner, **fields):
        item = ${Model}(owner_id=owner.id, **fields)
        self.session.add(item)
        self.session.commit()
        return item

    def archive(self, item):
        item.status = "archived"
        self.session.commit()
        return item
`;
    case 8:
      return vulnerable
        ? `
@bp.route("/go")
def go_${i}():
    target = request.args.get("next")
    return redirect(target)
`
        : `
@bp.route("/go")
def go_${i}():
    return redirect(url_for("${noun}.list_${noun}s_0"))
`;
    case 9:
      return `
@bp.route("/<int:item_id>/attachments", methods=["POST"])
@login_required
def upload_${i}(item_id):
    f = request.files.get("file")
    if not f or not f.filename.lower().endswith((".png", ".jpg", ".pdf")):
        abort(400)
    name = secure_filename(f.filename)
    f.save(os.path.join(current_app.config["UPLOAD_FOLDER"], f"{item_id}-{name}"))
    flash("uploaded")
    return redirect(url_for("${noun}.show_${noun}_1", item_id=item_id))
`;
    case 10:
      return vulnerable
        ? `
@bp.route("/fetch")
def fetch_${i}():
    url = request.args["url"]
    resp = requests.get(url)
    return resp.text
`
        : `
@bp.route("/rates")
def rates_${i}():
    resp = requests.get("https://rates.example.com/v1/${noun}", timeout=5)
    return jsonify(resp.json())
`;
    default:
      return `

def require_${noun}_owner_${i}(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        item_id = kwargs.get("item_id")
        if item_id is None:
            abort(404)
        item = ${Model}.query.get_or_404(item_id)
        if item.owner_id != current_user.id and not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)
    return wrapper
`;
  }
}

export interface CorpusStats {
  files: number;
  lines: number;
}

/** Write about `targetLines` lines of Flask modules under `dir`; same seed, same bytes. */
export function writeCorpus(dir: string, targetLines = 100_000, seed = 20261127): CorpusStats {
  const g = gen(prng(seed));
  let lines = 0;
  let files = 0;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "extensions.py"), `from flask_sqlalchemy import SQLAlchemy\nfrom flask_wtf.csrf import CSRFProtect\n\ndb = SQLAlchemy()\ncsrf = CSRFProtect()\n`);
  writeFileSync(join(dir, "config.py"), `import os\n\n\nclass Config:\n    SECRET_KEY = os.environ["SECRET_KEY"]\n    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "sqlite:///app.db")\n    MAX_CONTENT_LENGTH = 16 * 1024 * 1024\n`);
  while (lines < targetLines) {
    const noun = g.pick(NOUNS);
    const pkg = `app${files % 20}`;
    let body = header(g, noun);
    const blocks = g.int(8, 30);
    for (let i = 0; i < blocks; i++) body += block(g, noun, i);
    mkdirSync(join(dir, pkg), { recursive: true });
    writeFileSync(join(dir, pkg, `${noun}_${files}.py`), body);
    lines += body.split("\n").length;
    files++;
  }
  return { files: files + 2, lines: lines + 12 };
}

/** The Python files of a tree to benchmark (dot folders, node_modules, __pycache__ and venv left out), in sorted order. */
export function readPythonTree(root: string): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (name.startsWith(".") || name === "node_modules" || name === "__pycache__" || name === "venv") continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".py")) out.push({ path: relative(root, path), content: readFileSync(path, "utf8") });
    }
  };
  walk(root);
  return out;
}
