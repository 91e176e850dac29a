// Adversarial inputs aimed at the regular expressions that read untrusted text (file contents, lines, paths, diffs).
// Each case puts a long run of exactly what some pattern's quantifiers accept where that pattern reads it, so a
// backtracking pattern shows up as seconds instead of milliseconds. `targets` names the pattern(s) a case aims at.
import type { SourceFile } from "../../src/core/types.js";

export interface HostileCase {
  name: string;
  /** The pattern(s) the case aims at: file:line of the regular expression, or a rule and its pattern. */
  targets: string;
  files: (n: number) => SourceFile[];
}

const PY_HEADER = "from flask import Flask, request, redirect, render_template_string, send_file, Markup\nimport subprocess, sqlite3\napp = Flask(__name__)\n";
const py = (path: string, body: string): SourceFile => ({ path, content: PY_HEADER + body });
const times = (s: string, n: number) => s.repeat(Math.max(1, Math.floor(n / s.length)));

export const HOSTILE_CASES: HostileCase[] = [
  // --- src/core: project facts (whole-file text scans) ------------------------------------------------------------
  { name: "csrf .protect() after a long word of csrf", targets: "src/core/project.ts csrfCustomCheck", files: (n) => [py("app.py", `E${times("CSRF", n)}.CSRF.PROTECT(\n`)] },
  { name: "CORS_ORIGINS followed by whitespace and no =", targets: "src/core/project.ts corsConfig.origins", files: (n) => [py("config.py", `CORS_ORIGINS"${"\t".repeat(n)}N\n`)] },
  { name: "CORS_SUPPORTS_CREDENTIALS followed by whitespace", targets: "src/core/project.ts corsConfig.credentials", files: (n) => [py("config.py", `CORS_SUPPORTS_CREDENTIALS${"\t".repeat(n)}:x\n`)] },
  { name: "Dockerfile FROM ... AS with a long dev-ish stage name", targets: "src/core/project.ts DEV_STAGE", files: (n) => [{ path: "Dockerfile", content: `FROM python:3.12 AS M${times("DEV", n)}\tU\nCMD flask run\n` }] },
  { name: "dev-server name with many _ segments", targets: "src/core/project.ts devServerModules", files: (n) => [py("run.py", `${times("a_", n)}.run(debug=True)\n`)] },
  { name: "long deployment command line", targets: "src/core/project.ts readLaunchCommand", files: (n) => [{ path: "Procfile", content: `web: gunicorn ${times("-w 4 ", n)}app:app\n` }, { path: "start.sh", content: `python ${times("-u ", n)}app.py\n` }] },
  { name: "deep path of templates/ segments", targets: "src/core/project.ts EDGE_CONFIG_FILE/DEPLOY_FILE", files: (n) => [{ path: `${times("templates/", Math.min(n, 4096))}x.conf-`, content: "Content-Security-Policy\n" }] },
  // --- src/core: engine (evidence redaction, suppressions) -------------------------------------------------------
  { name: "Dockerfile finding whose line is a long secret-ish word", targets: "src/core/engine.ts redactLine NAME=value", files: (n) => [{ path: "Dockerfile", content: `FROM python:3.12\nCMD flask run --host=0.0.0.0 ${times("CREDENTIAL", n)}\n` }] },
  { name: "finding whose line holds carriage returns", targets: "src/core/engine.ts redactLine ENV (multiline ^)", files: (n) => [{ path: ".env", content: `SECRET_KEY=dev ${"\r".repeat(n)}x\n` }, { path: "Dockerfile", content: `FROM python:3.12\nENV FLASK_DEBUG=1 ${"\r ".repeat(n / 2)}x\nCMD flask run\n` }] },
  { name: ".env with long secret names and ${...} defaults", targets: "src/core/engine.ts redactLine ${NAME:-value}", files: (n) => [{ path: ".env", content: `FLASK_DEBUG=1 ${times("${TOKEN-:", n)}\nSECRET_KEY=${times("A_SECRET", n)}\n` }] },
  { name: "suppression marker with a long reason and ids", targets: "src/core/engine.ts SUPPRESSION", files: (n) => [py("app.py", `app.run(debug=True)  # flask-audit: ignore[${times("A,", 400)}]${" ".repeat(n)}\n# flask-audit:${" ".repeat(n)}ignore[\n`)] },
  // --- src/core: tree copy ---------------------------------------------------------------------------------------
  { name: "a file of commented lines without a carriage return", targets: "src/core/tree.ts namedLeafEnd (a comment's end)", files: (n) => [py("notes.py", times("x  #\n", n))] },
  // --- src/core: python helpers ---------------------------------------------------------------------------------
  { name: "route with many unclosed converters", targets: "src/core/python.ts routeParams", files: (n) => [py("app.py", `@app.route("${times("<A(", n)}<A>")\ndef view(A):\n    return redirect(request.args["n"])\n`)] },
  { name: "app object name with many _ segments", targets: "src/core/python.ts APP_NAME", files: (n) => [py("app.py", `${times("x_c", n)}.app.run(debug=True, host="0.0.0.0")\n`)] },
  { name: "config class name of capitals", targets: "src/core/run-context.ts isDevClassName", files: (n) => [py("config.py", `class ${"A".repeat(n)}(Config):\n    DEBUG = True\n    SECRET_KEY = "dev"\n`)] },
  { name: "% template with many unclosed %(", targets: "src/core/url.ts printf template", files: (n) => [py("app.py", `@app.route("/r")\ndef r():\n    return redirect("${times("%(", n)}" % request.args)\n`)] },
  { name: "str.format template with many {", targets: "src/core/url.ts format template", files: (n) => [py("app.py", `@app.route("/r")\ndef r():\n    return redirect("${times("{", n)}".format(request.args["u"]))\n`)] },
  // --- rules: Python ---------------------------------------------------------------------------------------------
  { name: "SQL printf directive with a long flag run", targets: "FLASK-INJECT-001 /^(\\(([A-Za-z_]\\w*)\\))?([#0\\- +]*\\d*(?:\\.\\d+)?)([sdirfaxXeEgGcou])/", files: (n) => [py("db.py", `@app.route("/q")\ndef q():\n    cur = sqlite3.connect("d").cursor()\n    cur.execute("SELECT %${"0".repeat(n)})E %s" % request.args["q"])\n`)] },
  { name: "SQL text with a long space run before a slot", targets: "FLASK-INJECT-001 /\\s+$/", files: (n) => [py("db.py", `@app.route("/q")\ndef q():\n    cur = sqlite3.connect("d").cursor()\n    cur.execute("SELECT ${" ".repeat(n)}x FROM t WHERE a = '%s'" % request.args["q"])\n`)] },
  { name: "shell wrapper with a long -ccc flag", targets: "FLASK-INJECT-002 /^-[A-Za-z]*c[A-Za-z]*$/", files: (n) => [py("run.py", `@app.route("/x")\ndef x():\n    subprocess.run(["sudo", "sh", "-${"c".repeat(n)}!", request.args["c"]])\n`)] },
  { name: "path guard with a long validator-ish name", targets: "FLASK-PATH-001 VALIDATOR_NAME", files: (n) => [py("files.py", `@app.route("/f")\ndef f():\n    p = request.args["p"]\n    if ${times("PCHECKI", n)}(p):\n        return send_file(p)\n`)] },
  { name: "link builder with a long mail-ish name", targets: "FLASK-HOST-001 LINK_FUNCTION", files: (n) => [py("mail.py", `def ${times("AMAKE_", n)}x():\n    return request.host_url + "reset"\n`)] },
  { name: "template variable of underscores", targets: "FLASK-SSTI-001 /^_+|_+$/", files: (n) => [py("t.py", `@app.route("/t")\ndef t():\n    a${"_".repeat(n)}a = request.args["n"]\n    return render_template_string("<p>%s</p>" % a${"_".repeat(n)}a)\n`)] },
  { name: "Markup template with many %(", targets: "FLASK-XSS-001 /%(?![s%(])|%\\([^)]*\\)(?!s)/", files: (n) => [py("x.py", `@app.route("/m")\ndef m():\n    return Markup("${times("%(", n)}%s" % request.args["x"])\n`)] },
  { name: "jinja2 Environment with a long blank argument list", targets: "FLASK-XSS-001 /,?\\s*$/", files: (n) => [py("env.py", `from jinja2 import Environment, FileSystemLoader\nenv = Environment(${" ".repeat(n)}loader=FileSystemLoader("templates"))\nenv.get_template("page.html").render(x=request.args["x"])\n`)] },
  { name: "address helper over lines ending in carriage returns", targets: "FLASK-PROXY-001 ASSIGNMENT_LINE (multiline ^)", files: (n) => [py("ip.py", `@app.route("/ip")\ndef ip():\n    addr = request.remote_addr\n    log("""${times("\tA:\r", n)}""")\n    if addr == "127.0.0.1":\n        return "admin"\n    return addr\n`)] },
  // n / 16 each: every slot costs a taint lookup, so even linear is tens of ms there (quadratic was 0.3 s at this size,
  // 40 s at 200k). They end in a request value where SQL wants a name: no fix is built (a fix re-parses the file).
  { name: "SQL f-strings with many slots", targets: "FLASK-INJECT-001 parameterise / taintsIdentifier (every slot re-read the text before it)", files: (n) => [py("db.py", `@app.route("/q")\ndef q():\n    cur = sqlite3.connect("d").cursor()\n    cur.execute(f"SELECT * FROM ${times("{1}", n / 16)} ORDER BY {request.args['q']}")\n    cur.execute(f"SELECT * FROM t WHERE (a, b) IN (VALUES (${times("{1}, ", n / 16)}{request.args['q']})) ORDER BY {request.args['q']}")\n`)] },
  { name: "subprocess argv lists of many elements", targets: "FLASK-INJECT-002 argvAlternatives (each element copied the list so far)", files: (n) => [py("run.py", `@app.route("/x")\ndef x():\n    subprocess.run([${times('"a", ', n / 2)}request.args["c"]])\n    subprocess.run(["sudo", ${times('"-u", ', n / 2)}"sh", "-c", "ls"])\n`)] },
  { name: "jinja2 get_template( with a long blank", targets: "FLASK-XSS-001 environment uses /\\(\\s*\\[?\\s*/ (two blank runs side by side)", files: (n) => [py("env.py", `from jinja2 import Environment\nenv = Environment()\nenv.get_template(${" ".repeat(n)}x)\nenv.get_template("a.html").render(x=request.args["x"])\n`)] },
  { name: "CSP header with a long blank before a weak source", targets: "FLASK-HEADERS-001 fix /\\s*'unsafe-inline'/", files: (n) => [py("csp.py", `@app.after_request\ndef h(r):\n    r.headers["Content-Security-Policy"] = "script-src${" ".repeat(n)}x 'unsafe-inline'"\n    return r\n`)] },
  // --- rules: other file kinds -----------------------------------------------------------------------------------
  { name: "Dockerfile CMD/ENTRYPOINT with a long blank", targets: "FLASK-DEPLOY-001 /^(\\s*(CMD|ENTRYPOINT)\\s+)(.*)$/i, /(?:^|\\s)#.*$/", files: (n) => [{ path: "Dockerfile", content: `FROM python:3.12\nCMD ${"\t".repeat(n)}x\nENTRYPOINT flask run ${times("\t#", n)}\n` }] },
  { name: "Procfile / systemd / compose command lines", targets: "FLASK-DEPLOY-001 web:, ExecStart=, command:", files: (n) => [
    { path: "Procfile", content: `web: ${"\t".repeat(n)}flask run\n` },
    { path: "app.service", content: `[Service]\nExecStart=${"!".repeat(n)}flask run\n` },
    { path: "docker-compose.yml", content: `services:\n  web:\n    command:${"\t".repeat(n)}t\n` },
    { path: "boot.sh", content: `${"\t".repeat(n)}flask run --host=0.0.0.0\n` },
  ] },
  { name: "pyproject dependencies line of [", targets: "FLASK-SUPPLY-001 /\\[[^\\]]*$/", files: (n) => [{ path: "pyproject.toml", content: `[project]\ndependencies = [\n  "flask",\n  ${"[".repeat(n)}][\n]\n` }] },
  { name: "requirements lines with long blanks and extras", targets: "FLASK-SUPPLY-001 NAME, /\\s#.*$/", files: (n) => [{ path: "requirements.txt", content: `0${"\t".repeat(n)}x\nflask[${"a,".repeat(n / 2)}\nflask ${times("\t#", n)}\n` }] },
  // `.` stops at a carriage return (and U+2028, U+2029), which a line split at "\n" may still hold inside it
  { name: "command lines with a carriage return after a long blank", targets: "FLASK-DEPLOY-001 /^(\\s*(CMD|ENTRYPOINT)\\s+)(.*)$/i, command:, web:, ExecStart=, /^(\\s*)(.*)$/", files: (n) => [
    { path: "Dockerfile", content: `FROM python:3.12\nCMD ${"\t".repeat(n)}flask run --host=0.0.0.0\rx\n` },
    { path: "docker-compose.yml", content: `services:\n  web:\n    command: ${"\t".repeat(n)}flask run --host=0.0.0.0\rx\n` },
    { path: "Procfile", content: `web: ${"\t".repeat(n)}flask run --host=0.0.0.0\rx\n` },
    { path: "app.service", content: `[Service]\nExecStart=${"!".repeat(n)}flask run --host=0.0.0.0\rx\n` },
    { path: "boot.sh", content: `${"\t".repeat(n)}flask run --host=0.0.0.0\rx\n` },
  ] },
  { name: "comments: a long run of blank-# before a carriage return", targets: "FLASK-DEPLOY-001, FLASK-SUPPLY-001 /(?:^|\\s)#.*$/, FLASK-SUPPLY-001 /\\s#.*$/", files: (n) => [
    { path: "Dockerfile", content: `FROM python:3.12\nCMD flask run --host=0.0.0.0 ${times(" #", n)}\rx\n` },
    { path: "docker-compose.yml", content: `services:\n  web:\n    command:\n      - flask ${times(" #", n)}\rx\n      - run\n` },
    { path: "requirements.txt", content: `flask ${times(" #", n)}\rx\n` },
    { path: "pyproject.toml", content: `[project]\ndependencies = [\n  "flask", ${times("\t#", n)}\rx\n]\n` },
  ] },
  { name: "Dockerfile with many continuation lines", targets: "FLASK-DEPLOY-001 /\\\\\\s*$/ over the text joined so far", files: (n) => [{ path: "Dockerfile", content: `FROM python:3.12\nCMD flask run \\\n${times("x \\\n", n)}--host=0.0.0.0\n` }] },
  { name: "requirement with long blanks before a carriage return", targets: "FLASK-SUPPLY-001 NAME /^([A-Za-z0-9][A-Za-z0-9._-]*)\\s*(?:\\[[^\\]]*\\])?\\s*(.*)$/ (cubic)", files: (n) => [{ path: "requirements.txt", content: `flask${"\t".repeat(n)}x\ry\nflask[a]${" ".repeat(n)}x\ry\n` }] },
  { name: "flask run --debug line with a long blank", targets: "FLASK-DEPLOY-002 withoutFlag /\\s*[\"']--debug[\"']\\s*,|.../, /\\s+--debug/", files: (n) => [{ path: "Procfile", content: `web: flask${" ".repeat(n)}x run --debug\n` }, { path: "Dockerfile", content: `FROM python:3.12\nCMD ["flask",${" ".repeat(n)}"run", "--debug"]\n` }] },
  { name: "template unquoted attribute of a long word call", targets: "FLASK-XSS-001 /\\w+$/", files: (n) => [{ path: "templates/c.html", content: `<a href={{${"a".repeat(n)}()}}>link</a>\n` }] },
  { name: "template {% set %} with a long blank", targets: "FLASK-XSS-001 /^set\\s+[\\w\\s,]+=([^]*)$/", files: (n) => [{ path: "templates/a.html", content: `{% set${" ".repeat(n)}%}\n<p>{{ x|safe }}</p>\n` }] },
  { name: "template unquoted attribute of {{", targets: "FLASK-XSS-001 /\\{\\{[^]*?\\}\\}/g", files: (n) => [{ path: "templates/b.html", content: `<a href={{x}}${times("{{", n)}>link</a>\n` }] },
];
