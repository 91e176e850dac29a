// A small Flask shop before and after a pull request that adds two vulnerable routes (command injection and
// template injection), with an app factory elsewhere in the repository that enables CSRF protection.
import type { Snapshot } from "../../src/github/fake/pull-model.js";
import type { ScanJob } from "../../src/github/scan.js";

export const APP_PY = `from flask import Flask
from flask_wtf.csrf import CSRFProtect

from shop.views import bp

csrf = CSRFProtect()


def create_app():
    app = Flask(__name__)
    app.config["SECRET_KEY"] = __import__("os").environ["SECRET_KEY"]
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    app.config["TRUSTED_HOSTS"] = ["shop.example.com"]
    csrf.init_app(app)
    app.register_blueprint(bp)

    @app.after_request
    def security_headers(response):
        response.headers["Content-Security-Policy"] = "default-src 'self'"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    return app
`;

export const VIEWS_BEFORE = `import sqlite3
import subprocess

from flask import Blueprint, render_template_string, request

bp = Blueprint("tools", __name__)


@bp.route("/health")
def health():
    return {"ok": True}
`;

export const VIEWS_AFTER = `${VIEWS_BEFORE}

@bp.route("/ping", methods=["POST"])
def ping():
    host = request.form["host"]
    result = subprocess.run(f"ping -c 1 {host}", shell=True, capture_output=True, text=True, timeout=10)
    return {"reachable": result.returncode == 0}


@bp.route("/greet")
def greet():
    return render_template_string(f"<h1>Hello {request.args.get('name', 'guest')}!</h1>")


@bp.route("/search")
def search():
    db = sqlite3.connect("shop.db")
    rows = db.execute(f"SELECT id, name FROM products WHERE name = '{request.args['q']}'").fetchall()
    return {"results": [list(row) for row in rows]}
`;

/** The same routes, fixed: an argument list without a shell, a constant template, a bound parameter. */
export const VIEWS_FIXED_PING = VIEWS_AFTER.replace(
  'subprocess.run(f"ping -c 1 {host}", shell=True, capture_output=True, text=True, timeout=10)',
  'subprocess.run(["ping", "-c", "1", "--", host], capture_output=True, text=True, timeout=10)',
);

/** Line numbers in VIEWS_AFTER. */
export const PING_LINE = 17;
export const GREET_LINE = 23;
export const SEARCH_LINE = 29;

export const BASE: Snapshot = {
  "README.md": "# shop\n",
  "shop/__init__.py": "",
  "shop/app.py": APP_PY,
  "shop/views.py": VIEWS_BEFORE,
  "wsgi.py": "from shop.app import create_app\n\napp = create_app()\n",
};

export const HEAD: Snapshot = { ...BASE, "shop/views.py": VIEWS_AFTER };

/** Fact files of HEAD that the app fetches besides the changed ones (FACT_FILE_PATTERNS). */
export const FACT_PATHS = ["shop/__init__.py", "shop/app.py", "wsgi.py"];

/** The scan of the sample pull request's head. */
export const SAMPLE_JOB: ScanJob = {
  owner: "octo-org",
  repo: "flask-shop",
  pullNumber: 7,
  headSha: "6dcb09b5b57875f334f61aebed695e2e4193db5e",
  draft: false,
  trigger: "test",
  deliveryId: "d-1",
};
