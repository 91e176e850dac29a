import { it } from "vitest";
import { allRules } from "../../rules/index.js";
import { scanFiles } from "../../src/core/engine.js";
import { collectProjectFacts } from "../../src/core/project.js";

const src = `import subprocess
from flask import Flask, request, render_template_string

app = Flask(__name__)
app.config["SECRET_KEY"] = "s3cr3t-very-long-value-123"
app.secret_key = "hunter2hunter2"
SECRET_KEY = "abcdefabcdef1234"


@app.route("/hello")
def hello():
    name = request.args.get("name", "")
    return render_template_string(f"<h1>Hello {name}!</h1>")


@app.route("/ping")
def ping():
    host = request.args.get("host", "")
    result = subprocess.run(f"ping -c 1 {host}", shell=True, capture_output=True, text=True)
    return result.stdout


@app.route("/search")
def search():
    db = get_db()
    title = request.args.get("title", "")
    posts = db.execute(
        f"SELECT id FROM post WHERE title = '{title}'"
    ).fetchall()
    return str(posts)
`;
it("explore", () => {
  const files = [{ path: "app/views.py", content: src }];
  const r = scanFiles(files, { rules: allRules, project: collectProjectFacts(files) });
  console.log(JSON.stringify(r, null, 1));
});
