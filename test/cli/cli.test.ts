// Runs the BUILT command (bin/flask-audit.js -> dist/) as a user would, against throwaway folders and git repos.
// Assertions that need findings use the example app's patterns, found by the real rules.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main, type CliIo } from "../../src/cli/main.js";
import { defineRule, type Rule } from "../../src/core/define-rule.js";
import { allRules } from "../../rules/index.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const bin = path.join(repoRoot, "bin", "flask-audit.js");
const builtMain = path.join(repoRoot, "dist", "src", "cli", "main.js");
const exampleApp = path.join(repoRoot, "examples", "vulnerable-app");

const TIMEOUT = 60_000;

const gitEnv = {
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: os.devNull,
};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], cwd: string): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, ...gitEnv, NO_COLOR: "1" };
  delete env.FORCE_COLOR;
  const run = spawnSync(process.execPath, [bin, ...args], { cwd, env, encoding: "utf8", timeout: TIMEOUT });
  if (run.error) throw run.error;
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function json(run: Run) {
  try {
    return JSON.parse(run.stdout);
  } catch {
    throw new Error(`stdout is not JSON (exit ${run.code}): ${run.stdout.slice(0, 500)}\nstderr: ${run.stderr}`);
  }
}

const tempDirs: string[] = [];

function tempDir(files: Record<string, string | Uint8Array> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flask-audit-cli-"));
  tempDirs.push(dir);
  writeFiles(dir, files);
  return dir;
}

function writeFiles(dir: string, files: Record<string, string | Uint8Array>): void {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
}

function git(cwd: string, ...args: string[]): string {
  const run = spawnSync("git", ["-c", "commit.gpgsign=false", ...args], {
    cwd,
    env: { ...process.env, ...gitEnv },
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`git ${args.join(" ")} failed: ${run.stderr}`);
  return run.stdout;
}

/** A route that runs a shell command built from a query argument (FLASK-INJECT-002, like the example app). */
const commandRoute = (name: string) => `
@app.route("/${name}")
def ${name}():
    result = subprocess.run(f"ping -c 1 {request.args['h']}", shell=True)
    return str(result.returncode)
`;

const header = `import subprocess

from flask import Flask, request

app = Flask(__name__)
`;

const cleanApp = `${header}

@app.route("/health")
def health():
    return {"ok": True}
`;

/** 1-based line numbers of the lines of `text` that contain `needle`. */
function linesWith(text: string, needle: string): number[] {
  return text.split("\n").flatMap((line, i) => (line.includes(needle) ? [i + 1] : []));
}

beforeAll(() => {
  if (!fs.existsSync(builtMain)) {
    throw new Error(`${path.relative(repoRoot, builtMain)} is missing: run npm run build first`);
  }
});

afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe("flask-audit scan", { timeout: TIMEOUT }, () => {
  it("exits 0 on a clean file", () => {
    const dir = tempDir({ "app.py": cleanApp });
    const run = cli(["scan"], dir);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("No findings in 1 file scanned");
  });

  it("exits 1 on a finding at --fail-on, 0 with --fail-on none", () => {
    const dir = tempDir({ "app.py": header + commandRoute("ping") });
    const run = cli(["scan", "--format", "json"], dir);
    const report = json(run);
    expect(report.findings.map((f: { ruleId: string }) => f.ruleId)).toContain("FLASK-INJECT-002");
    expect(run.code).toBe(1);
    expect(cli(["scan", "--fail-on", "none"], dir).code).toBe(0);
  });

  it("--fail-on none never fails, and --fail-on is validated", () => {
    const dir = tempDir({ "app.py": header + commandRoute("ping") });
    expect(cli(["scan", "--fail-on", "none"], dir).code).toBe(0);
    const bad = cli(["scan", "--fail-on", "severe"], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^flask-audit: .*--fail-on.*'severe' is invalid.*low, medium, high, critical, none/);
  });

  it("exits 2 with one clear line on a missing path", () => {
    const dir = tempDir({ "app.py": cleanApp });
    const run = cli(["scan", "does-not-exist"], dir);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^flask-audit: cannot read "does-not-exist": no such file or folder; check the path/);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("exits 2 on an unknown rule id, in --rule and in --disable", () => {
    const dir = tempDir({ "app.py": cleanApp });
    const run = cli(["scan", "--rule", "FLASK-NOPE-999"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'flask-audit: unknown rule id "FLASK-NOPE-999" in --rule; run "flask-audit rules" to list the ids\n',
    );
    const disabled = cli(["scan", "--disable", "nope"], dir);
    expect(disabled.code).toBe(2);
    expect(disabled.stderr).toContain('unknown rule id "nope" in --disable');
  });

  it("explains a path swallowed by --rule", () => {
    const dir = tempDir({ "app.py": cleanApp });
    const run = cli(["scan", "--rule", "FLASK-INJECT-002", "app.py"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown rule id "app.py" in --rule; it looks like a path');
    expect(cli(["scan", "app.py", "--rule", "FLASK-INJECT-002"], dir).code).toBe(0);
    expect(cli(["scan", "--rule=FLASK-INJECT-002", "app.py"], dir).code).toBe(0);
  });

  it("exits 2 on a bad --format", () => {
    const dir = tempDir({ "app.py": cleanApp });
    const run = cli(["scan", "--format", "xml"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^flask-audit: option .*--format.* 'xml' is invalid\. Allowed choices are text, json, sarif\./);
  });

  it("exits 2 on an unknown option or command", () => {
    const dir = tempDir();
    expect(cli(["scan", "--colour"], dir).code).toBe(2);
    expect(cli(["scna"], dir).code).toBe(2);
  });

  it("reports non-UTF-8 and binary files as skipped, scans empty, Python 2 and broken files, never crashes", () => {
    const dir = tempDir({
      "latin1.py": new Uint8Array([...Buffer.from("# -*- coding: latin-1 -*-\nname = '"), 0xe9, ...Buffer.from("'\n")]),
      "blob.py": new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0xff, 0xfe]),
      "empty.py": "",
      "py2.py": 'print "hello"\nexec "x = 1"\nraise ValueError, "old"\n',
      "broken.py": "def broken(:\n    pass\n",
    });
    const run = cli(["scan", "--format", "json"], dir);
    expect(run.code).not.toBe(2);
    expect(run.stderr).toBe("");
    const report = json(run);
    const skipped = Object.fromEntries(report.skipped.map((s: { file: string; reason: string }) => [s.file, s.reason]));
    expect(Object.keys(skipped).sort()).toEqual(["blob.py", "latin1.py"]);
    expect(skipped["latin1.py"]).toMatch(/^not valid UTF-8 .*line 2.*latin-1/);
    expect(skipped["blob.py"]).toMatch(/^binary file/);
    expect(report.summary.filesScanned).toBe(3);
    const parseErrors = report.parseErrors.map((p: { file: string }) => p.file);
    expect(parseErrors).toContain("broken.py");
    expect(parseErrors).not.toContain("empty.py");

    const text = cli(["scan"], dir);
    expect(text.code).not.toBe(2);
    expect(text.stdout).toContain("2 files skipped");
    expect(text.stdout).toContain("latin1.py: not valid UTF-8");
  });

  it("skips virtualenvs, build output, caches and what the root .gitignore ignores", () => {
    const dir = tempDir({
      "app.py": cleanApp,
      "pkg/views.py": cleanApp,
      ".gitignore": "generated/\n*.gen.py\n",
      "generated/models.py": cleanApp,
      "pkg/schema.gen.py": cleanApp,
      ".venv/lib/site.py": cleanApp,
      "venv/lib/site.py": cleanApp,
      "env/pyvenv.cfg": "home = /usr/bin\n",
      "env/lib/site.py": cleanApp,
      "node_modules/x/y.py": cleanApp,
      "__pycache__/app.py": cleanApp,
      "build/lib/app.py": cleanApp,
      "dist/app.py": cleanApp,
      "pkg.egg-info/x.py": cleanApp,
      ".tox/py312/x.py": cleanApp,
      "notes.txt": "not read",
    });
    const report = json(cli(["scan", "--format", "json"], dir));
    expect(report.summary.filesScanned).toBe(2);
    expect(report.skipped).toEqual([]);
    // a folder named explicitly is scanned even if its name is usually skipped
    expect(json(cli(["scan", "build", "--format", "json"], dir)).summary.filesScanned).toBe(1);
  });

  it("scans a single named file and reports paths relative to the current folder", () => {
    const dir = tempDir({ "app/views.py": header + commandRoute("ping") });
    const run = cli(["scan", "app/views.py", "--format", "json", "--fail-on", "none"], dir);
    expect(run.code).toBe(0);
    expect(json(run).summary.filesScanned).toBe(1);
    for (const f of json(run).findings) expect(f.file).toBe("app/views.py");
  });

  it("--format sarif prints SARIF 2.1.0, and --output writes it to a file", () => {
    const dir = tempDir({ "app.py": header + commandRoute("ping") });
    const run = cli(["scan", "--format", "sarif", "--fail-on", "none"], dir);
    expect(run.code).toBe(0);
    const log = json(run);
    expect(log.version).toBe("2.1.0");
    expect(log.$schema).toBe("https://json.schemastore.org/sarif-2.1.0.json");
    expect(log.runs).toHaveLength(1);
    expect(log.runs[0].tool.driver.name).toBe("flask-audit");
    expect(log.runs[0].originalUriBaseIds["%SRCROOT%"].uri).toMatch(/^file:\/\/.*\/$/);

    const written = cli(["scan", "--format", "sarif", "--output", "out.sarif", "--fail-on", "none"], dir);
    expect(written.code).toBe(0);
    expect(written.stdout).toBe("");
    expect(written.stderr).toMatch(/^flask-audit: wrote the sarif report \(\d+ findings?\) to out\.sarif\n$/);
    expect(JSON.parse(fs.readFileSync(path.join(dir, "out.sarif"), "utf8")).version).toBe("2.1.0");

    const unwritable = cli(["scan", "--output", "no/such/dir/out.txt"], dir);
    expect(unwritable.code).toBe(2);
    expect(unwritable.stderr).toContain('cannot write "no/such/dir/out.txt"');
  });

  it("finds each annotated flaw of examples/vulnerable-app on its line, and every rule in it", () => {
    // Markers: `# flask-audit example: RULE-ID` (`{# ... #}` in templates) at the end of the flawed line, or alone on
    // the line above it where the file's syntax has no trailing comments (Dockerfile). Every file kind is read; the
    // README only describes them.
    const marker = /# flask-audit example: (FLASK-[A-Z]+-\d{3})\b/;
    const markerOnly = /^\s*\{?#\s*flask-audit example: FLASK-[A-Z]+-\d{3}\s*(?:#\})?\s*$/;
    const expected: string[] = [];
    const files = (fs.readdirSync(exampleApp, { recursive: true }) as string[])
      .map((name) => name.split(path.sep).join("/"))
      .filter((name) => name !== "README.md" && fs.statSync(path.join(exampleApp, name)).isFile())
      .sort();
    for (const name of files) {
      const lines = fs.readFileSync(path.join(exampleApp, name), "utf8").split("\n");
      lines.forEach((line, i) => {
        const match = marker.exec(line);
        if (match) expected.push(`${name}:${markerOnly.test(line) ? i + 2 : i + 1} ${match[1]}`);
      });
    }
    const markedFiles = new Set(expected.map((e) => e.split(":")[0]));
    for (const kind of ["app.py", "templates/product.html", "Dockerfile", "requirements.txt"]) expect(markedFiles).toContain(kind);

    const run = cli(["scan", ".", "--format", "json"], exampleApp);
    expect(run.code).toBe(1);
    const report = json(run);
    expect(report.parseErrors).toEqual([]);
    expect(report.ruleErrors).toEqual([]);
    const found: string[] = report.findings.map((f: { file: string; span: { startLine: number }; ruleId: string }) =>
      `${f.file}:${f.span.startLine} ${f.ruleId}`,
    );
    for (const e of expected) expect(found).toContain(e);
    // and nothing else: the safe code next to each flaw stays silent
    expect([...found].sort()).toEqual([...expected].sort());

    // every rule shows up, inline or (for protections absent from the whole app) as a project-level advisory
    const shown = new Set([
      ...report.findings.map((f: { ruleId: string }) => f.ruleId),
      ...report.advisories.map((a: { ruleId: string }) => a.ruleId),
    ]);
    expect(allRules.map((r) => r.id).filter((id) => !shown.has(id))).toEqual([]);
    expect(report.advisories.map((a: { ruleId: string }) => a.ruleId).sort()).toEqual(["FLASK-HEADERS-001", "FLASK-HOST-001", "FLASK-LIMITS-001"]);
  });
});

describe("flask-audit diff", { timeout: TIMEOUT }, () => {
  /** A repo on main with one committed route (a flaw that predates the change). */
  function repoWithHistory(): { dir: string; oldLine: number } {
    const dir = tempDir({ "app.py": header + commandRoute("old_ping"), "README.md": "demo\n" });
    git(dir, "init", "-q", "-b", "main");
    git(dir, "add", ".");
    git(dir, "commit", "-q", "-m", "initial");
    const oldLine = linesWith(fs.readFileSync(path.join(dir, "app.py"), "utf8"), "subprocess.run")[0]!;
    return { dir, oldLine };
  }

  it("reports findings on added lines only (work tree changes and untracked files)", () => {
    const { dir, oldLine } = repoWithHistory();
    fs.appendFileSync(path.join(dir, "app.py"), commandRoute("new_ping"));
    writeFiles(dir, { "tools/extra.py": header + commandRoute("extra_ping") });

    const run = cli(["diff", "--format", "json"], dir);
    expect(run.code).not.toBe(2);
    expect(run.stderr).toMatch(/^flask-audit: comparing the work tree with the merge-base of HEAD and main/);
    const report = json(run);
    const appText = fs.readFileSync(path.join(dir, "app.py"), "utf8");
    const newLine = linesWith(appText, "subprocess.run")[1]!;
    const located = report.findings.map((f: { file: string; span: { startLine: number } }) => `${f.file}:${f.span.startLine}`);
    expect(located).not.toContain(`app.py:${oldLine}`);
    for (const at of located) expect([`app.py:${newLine}`, "tools/extra.py:" + at.split(":")[1]]).toContain(at);
    expect(report.summary.filesScanned).toBe(2);
  });

  it("finds the new flaws of the change and exits 1", () => {
    const { dir, oldLine } = repoWithHistory();
    fs.appendFileSync(path.join(dir, "app.py"), commandRoute("new_ping"));
    writeFiles(dir, { "extra.py": header + commandRoute("extra_ping") });
    const run = cli(["diff", "--format", "json"], dir);
    const newLine = linesWith(fs.readFileSync(path.join(dir, "app.py"), "utf8"), "subprocess.run")[1]!;
    const extraLine = linesWith(fs.readFileSync(path.join(dir, "extra.py"), "utf8"), "subprocess.run")[0]!;
    const located = json(run).findings.map((f: { file: string; span: { startLine: number }; ruleId: string }) =>
      `${f.file}:${f.span.startLine} ${f.ruleId}`,
    );
    expect(located).toContain(`app.py:${newLine} FLASK-INJECT-002`);
    expect(located).toContain(`extra.py:${extraLine} FLASK-INJECT-002`);
    expect(located).not.toContain(`app.py:${oldLine} FLASK-INJECT-002`);
    expect(run.code).toBe(1);
  });

  it("compares a feature branch with its merge-base, including its commits", () => {
    const { dir } = repoWithHistory();
    git(dir, "checkout", "-q", "-b", "feature");
    fs.appendFileSync(path.join(dir, "app.py"), commandRoute("feature_ping"));
    git(dir, "commit", "-q", "-am", "feature");
    const run = cli(["diff", "--format", "json", "--fail-on", "none"], dir);
    expect(run.code).toBe(0);
    expect(json(run).summary.filesScanned).toBe(1);
    // with --base HEAD, the committed change is not part of the diff
    const againstHead = cli(["diff", "--base", "HEAD", "--format", "json"], dir);
    expect(againstHead.code).toBe(0);
    expect(json(againstHead).summary.filesScanned).toBe(0);
  });

  it("exits 2 outside a git work tree, and on an unknown --base", () => {
    const plain = tempDir({ "app.py": cleanApp });
    const outside = cli(["diff"], plain);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/^flask-audit: .* is not inside a git work tree; .*flask-audit scan/);

    const { dir } = repoWithHistory();
    const badBase = cli(["diff", "--base", "no-such-branch"], dir);
    expect(badBase.code).toBe(2);
    expect(badBase.stderr).toBe(
      'flask-audit: unknown revision "no-such-branch" for --base; pass a branch, tag or commit that exists here (fetch it first if it is remote)\n',
    );
  });

  it("works in a repository with no commit yet", () => {
    const dir = tempDir({ "app.py": cleanApp });
    git(dir, "init", "-q", "-b", "main");
    const run = cli(["diff", "--format", "json"], dir);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("the empty tree");
    expect(json(run).summary.filesScanned).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// In process, with stand-in rules, so exit codes, diff filtering, progress and colour are checked whatever state
// the real rules are in.

const docs = { impact: "i", fix: "f", mitigation: "m", falsePositives: "fp", bad: "", good: "" };

/** Flags every subprocess.run call (high severity, high confidence). */
const subprocessRule = defineRule({
  id: "FLASK-TEST-001",
  title: "subprocess.run call",
  severity: "high",
  confidence: "high",
  cwe: ["CWE-78"],
  spec: "FLASK-INJECT-002",
  docs,
  on: ["call"],
  check(node, ctx) {
    if (ctx.resolve(node.childForFieldName("function")) === "subprocess.run") ctx.report({ node, message: "a shell" });
  },
});

/** Flags os.system calls: critical, but low confidence, so it advises and never fails. */
const lowConfidenceRule = defineRule({
  id: "FLASK-TEST-002",
  title: "os.system call",
  severity: "critical",
  confidence: "low",
  cwe: ["CWE-78"],
  spec: "FLASK-INJECT-002",
  docs,
  on: ["call"],
  check(node, ctx) {
    if (ctx.resolve(node.childForFieldName("function")) === "os.system") ctx.report({ node, message: "maybe" });
  },
});

const testRules: Rule[] = [subprocessRule, lowConfidenceRule];

function inProcess(cwd: string, tty = false, env: Record<string, string> = {}) {
  const out = { stdout: "", stderr: "" };
  const io: CliIo = {
    stdout: { write: (text: string) => (out.stdout += text), isTTY: tty },
    stderr: { write: (text: string) => (out.stderr += text), isTTY: tty },
    cwd,
    env: { PATH: process.env.PATH ?? "", ...gitEnv, ...env },
  };
  const run = async (...args: string[]) => main(["node", "flask-audit", ...args], io, testRules);
  return { out, run };
}

describe("main() in process", { timeout: TIMEOUT }, () => {
  it("exits 1 on a finding at or above --fail-on, 0 below it or when the rule is disabled", async () => {
    const dir = tempDir({ "app.py": header + commandRoute("ping") });
    const { out, run } = inProcess(dir);
    expect(await run("scan")).toBe(1);
    expect(out.stdout).toMatch(/^HIGH FLASK-TEST-001 subprocess\.run call\n {2}Location: app\.py:9 in ping\(\)/);
    expect(await run("scan", "--fail-on", "critical")).toBe(0);
    expect(await run("scan", "--fail-on", "medium")).toBe(1);
    expect(await run("scan", "--disable", "flask-test-001")).toBe(0);
    expect(await run("scan", "--rule", "FLASK-TEST-002")).toBe(0);
  });

  it("never fails on a low-confidence finding, whatever its severity", async () => {
    const dir = tempDir({ "app.py": "import os\nos.system('ls')\n" });
    const { out, run } = inProcess(dir);
    expect(await run("scan", "--fail-on", "low", "--format", "json")).toBe(0);
    expect(JSON.parse(out.stdout).findings[0]).toMatchObject({ ruleId: "FLASK-TEST-002", severity: "critical", confidence: "low" });
  });

  it("diff keeps only findings on added lines: changed files and untracked files", async () => {
    const dir = tempDir({ "app.py": header + commandRoute("old_ping") });
    git(dir, "init", "-q", "-b", "main");
    git(dir, "add", ".");
    git(dir, "commit", "-q", "-m", "initial");
    fs.appendFileSync(path.join(dir, "app.py"), commandRoute("new_ping"));
    writeFiles(dir, { "pkg/extra.py": header + commandRoute("extra_ping") });

    const { out, run } = inProcess(dir);
    expect(await run("diff", "--format", "json")).toBe(1);
    const located = JSON.parse(out.stdout).findings.map((f: { file: string; span: { startLine: number } }) => `${f.file}:${f.span.startLine}`);
    const [oldLine, newLine] = linesWith(fs.readFileSync(path.join(dir, "app.py"), "utf8"), "subprocess.run");
    expect(located).toEqual([`app.py:${newLine}`, "pkg/extra.py:9"]);
    expect(located).not.toContain(`app.py:${oldLine}`);

    // the same tree, scanned whole, has all three
    const whole = inProcess(dir);
    await whole.run("scan", "--format", "json");
    expect(JSON.parse(whole.out.stdout).findings).toHaveLength(3);
  });

  it("diff reports nothing when nothing changed", async () => {
    const dir = tempDir({ "app.py": header + commandRoute("old_ping") });
    git(dir, "init", "-q", "-b", "main");
    git(dir, "add", ".");
    git(dir, "commit", "-q", "-m", "initial");
    const { out, run } = inProcess(dir);
    expect(await run("diff")).toBe(0);
    expect(out.stdout).toContain("No findings in 0 files scanned");
  });

  it("shows progress on an interactive stderr for more than 300 files only", async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 301; i++) files[`pkg/m${String(i).padStart(3, "0")}.py`] = `x = ${i}\n`;
    const dir = tempDir(files);
    const tty = inProcess(dir, true);
    expect(await tty.run("scan", "--no-color")).toBe(0);
    expect(tty.out.stderr).toContain("\rscanned 301/301 files");
    expect(tty.out.stdout).toContain("No findings in 301 files scanned");

    const piped = inProcess(dir, false);
    await piped.run("scan");
    expect(piped.out.stderr).toBe("");

    fs.rmSync(path.join(dir, "pkg", "m300.py"));
    const small = inProcess(dir, true);
    await small.run("scan");
    expect(small.out.stderr).toBe("");
  });

  it("colours text on a TTY unless --no-color or NO_COLOR", async () => {
    const dir = tempDir({ "app.py": header + commandRoute("ping") });
    const tty = inProcess(dir, true);
    await tty.run("scan");
    expect(tty.out.stdout).toContain("\u001b[");
    const noColor = inProcess(dir, true);
    await noColor.run("scan", "--no-color");
    expect(noColor.out.stdout).not.toContain("\u001b[");
    const env = inProcess(dir, true, { NO_COLOR: "1" });
    await env.run("scan");
    expect(env.out.stdout).not.toContain("\u001b[");
  });

  it("lists the rules", async () => {
    const { out, run } = inProcess(tempDir());
    expect(await run("rules")).toBe(0);
    expect(out.stdout).toBe("FLASK-TEST-001\thigh\tsubprocess.run call\nFLASK-TEST-002\tcritical\tos.system call\n");
  });
});
