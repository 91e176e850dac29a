// The pull requests the end-to-end suite opens: the demo's (examples/demo-pr, five findings) and tiny generated ones
// with exactly one finding each (a shell command built from a form field), cheap enough to open fifty at once.
import { join } from "node:path";
import { readSnapshot, type Snapshot } from "../../src/github/fake/pull-model.js";
import { ROOT } from "./harness.js";

const DEMO = join(ROOT, "examples", "demo-pr");

/** examples/demo-pr: base/ -> head/ introduces five findings (3 critical, 2 high), each an inline comment. */
export const DEMO_PR = { base: readSnapshot(join(DEMO, "base")), head: readSnapshot(join(DEMO, "head")) };
export const DEMO_FINDINGS = 5;

const TOOLS_BEFORE = `import subprocess

from flask import Blueprint, request

bp = Blueprint("tools", __name__)


@bp.route("/health")
def health():
    return {"ok": True}
`;

/** A repository with a blueprint; the pull request adds one route that runs a shell command built from a form field. */
export function tinyPullRequest(variant: number): { base: Snapshot; head: Snapshot } {
  const base: Snapshot = { "README.md": "# tools\n", "tools/__init__.py": "", "tools/views.py": TOOLS_BEFORE };
  const route = `

@bp.route("/ping${variant}", methods=["POST"])
def ping${variant}():
    host = request.form["host"]
    return {"ok": subprocess.call(f"ping -c ${1 + (variant % 5)} {host}", shell=True) == 0}
`;
  return { base, head: { ...base, "tools/views.py": TOOLS_BEFORE + route } };
}
export const TINY_FINDINGS = 1;

/** One added file with `count` routes, each running a shell command built from a form field: `count` findings. */
export function manyFindingsPullRequest(count: number): { base: Snapshot; head: Snapshot } {
  const routes = Array.from(
    { length: count },
    (_, i) => `

@bp.route("/run${i}", methods=["POST"])
def run${i}():
    return {"code": subprocess.call(f"tool${i} {request.form['arg']}", shell=True)}
`,
  );
  const base: Snapshot = { "README.md": "# bulk\n" };
  return { base, head: { ...base, "bulk/views.py": `import subprocess\n\nfrom flask import Blueprint, request\n\nbp = Blueprint("bulk", __name__)\n${routes.join("")}` } };
}

/** Where the demo pull request's command injection is commented: its `shell=True` line in head/views.py. */
export const DEMO_COMMAND_INJECTION = {
  path: "views.py",
  line: String(DEMO_PR.head["views.py"]).split("\n").findIndex((l) => l.includes("shell=True")) + 1,
};
