// FLASK-DEPLOY-001: Flask's development server (Werkzeug) used as the production server.
//
// The spec allows the dev server for local development, so this rule only speaks where the production entrypoint is
// clear: the command a Dockerfile (CMD/ENTRYPOINT), Procfile `web:` process, compose service, systemd `ExecStart=` or
// start script runs, and Python code that starts the dev server when a WSGI server imports it or when the deployment
// runs the file with `python`. Debug flags on the same command are FLASK-DEPLOY-002's findings: only mentioned here.
import type { SyntaxNode } from "tree-sitter";
import { defineRule, type FixInput, type RuleContext, type TextRuleContext } from "../src/core/define-rule.js";
import type { FileKind } from "../src/core/types.js";
import { callArguments, enclosingFunction, inMainGuard, isTruthyLiteral, unwrap } from "../src/core/python.js";
import { readLaunchCommand, type ProjectFacts } from "../src/core/project.js";
import { withoutComment } from "../src/core/text.js";

/** Development-only paths (same vocabulary as FLASK-DEPLOY-002): Dockerfile.dev, run_dev.sh, compose.local.yml. */
const DEV_PATH = /(?:^|[/_.-])(?:dev|develop|development|local|tests?|testing|debug)(?:[/_.-]|$)/i;
const COMPOSE_OVERRIDE = /(?:^|\/)(?:docker-)?compose\.override\.ya?ml$/i;
/** Dockerfile stages and compose services built for development. */
const DEV_NAME = /^(?:dev|develop|development|local|debug|tests?|testing)$|[-_](?:dev|local|debug|tests?)$|^(?:dev|local|test)[-_]/i;
/** Shell scripts that start the service (a dev helper or a test runner is not a production entrypoint). */
const START_SCRIPT = /(?:^|[-_.])(?:entrypoint|start|run|boot|serve|server|launch|deploy|prod|production|web)(?:[-_.]|$)/i;
const TEST_COMMAND = /\b(?:pytest|unittest|tox|nox|coverage)\b/;
/** A Python `if` that chooses by environment or setting: we cannot tell which branch production takes. */
const GATE = /dev|debug|local|test|prod|environ|getenv|\benv\b|_env|env_|argv|\bargs\b|config|settings/i;
const MAIN_GUARD = /^\(?\s*(?:__name__\s*==\s*["']__main__["']|["']__main__["']\s*==\s*__name__)\s*\)?$/;
/** Frameworks whose `app.run()` is not Flask's dev server. */
const OTHER_FRAMEWORKS = ["sanic", "quart", "bottle", "dash", "aiohttp", "tornado", "fastapi", "starlette", "falcon", "cherrypy"];
const APP_FACTORY = /^(?:Flask|\w*create_app|make_app)$/;
const RUN_SIMPLE = new Set(["werkzeug.serving.run_simple", "werkzeug.run_simple"]);
/** Words that only wrap the real command: `exec`, `gosu app`, `tini --`, `poetry run`, `sh -c`. */
const WRAPPERS = new Set(["exec", "nohup", "env", "time", "tini", "dumb-init", "--", "sh", "bash", "-c", "-ec", "-ex"]);
const WRAPPERS_WITH_ARGUMENT = new Set(["gosu", "su-exec", "setuidgid"]);
const RUNNERS = new Set(["poetry", "pipenv", "uv", "pdm", "hatch", "rye"]);
const ALL_INTERFACES = /^(?:0\.0\.0\.0|\[::\]|::)?:\S+$|^0\.0\.0\.0$|^\[?::\]?$/;

const baseName = (word: string): string => word.slice(word.lastIndexOf("/") + 1);
const isPython = (word: string): boolean => /^python[\d.]*$/.test(baseName(word));

// ---------------------------------------------------------------------------------------------------------------
// Python: app.run() / run_simple() where production reaches it

function lastSegment(node: SyntaxNode): string {
  return node.type === "attribute" ? (node.childForFieldName("attribute")?.text ?? "") : node.text;
}

function isFactoryCall(node: SyntaxNode | null | undefined): boolean {
  const fn = node?.type === "call" ? node.childForFieldName("function") : null;
  return !!fn && (fn.type === "identifier" || fn.type === "attribute") && APP_FACTORY.test(lastSegment(fn));
}

// Both read once per file (a module with thousands of run() calls stays linear), each only when a call needs it.

/** Names bound at module level to `Flask(...)` / `create_app()`. */
function moduleAppNames(node: SyntaxNode, ctx: RuleContext): Set<string> {
  return ctx.memo("moduleAppNames", () => {
    const names = new Set<string>();
    for (const a of node.tree.rootNode.descendantsOfType("assignment")) {
      const left = a.childForFieldName("left");
      if (left?.type === "identifier" && isFactoryCall(a.childForFieldName("right")) && !enclosingFunction(a)) names.add(left.text);
    }
    return names;
  });
}

/** The module builds its app with `Flask(...)` at module level: every server imports it. */
function buildsApp(node: SyntaxNode, ctx: RuleContext): boolean {
  return ctx.memo("buildsApp", () =>
    node.tree.rootNode.descendantsOfType("call").some((c) => ctx.resolve(c.childForFieldName("function")) === "flask.Flask" && !enclosingFunction(c)));
}

/** `app`, `flask_app`, `self.app`, `create_app()`, or a name bound to `Flask(...)`; never `socketio.run(app)`. */
function isAppObject(receiver: SyntaxNode, ctx: RuleContext): boolean {
  const target = unwrap(receiver);
  if (target.type === "call") return isFactoryCall(target);
  if (target.type !== "identifier" && target.type !== "attribute") return false;
  const name = lastSegment(target);
  if (/socketio|sio$/i.test(name)) return false;
  return /app$|^application$/i.test(name) || (target.type === "identifier" && moduleAppNames(target, ctx).has(name));
}

/** Inside an `if`/`elif`/`else` that picks by environment or setting (the main guard itself does not count). */
function gatedOnEnvironment(node: SyntaxNode): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type !== "if_statement") continue;
    const conditions = [p.childForFieldName("condition"), ...p.childrenForFieldName("alternative").map((c) => c.childForFieldName("condition"))];
    const isMainGuard = MAIN_GUARD.test(conditions[0]?.text ?? "");
    if (!isMainGuard && conditions.some((c) => c && GATE.test(c.text))) return true;
  }
  return false;
}

/** "Dockerfile:12" for the deployment line that runs this file with python, if the facts know it. */
function launchedBy(project: ProjectFacts, file: string): string {
  const base = baseName(file);
  const module = file.replace(/\.py$/, "").replace(/\//g, ".");
  const command = project.devServerCommands.find((c) => c.command.includes(base) || c.command.includes(`-m ${module}`));
  return command ? `${command.file}:${command.line}` : "a deployment file";
}

/** Wrap a module-level statement in a main guard; null when indenting would change a multi-line string. */
function guardFix(statement: SyntaxNode): FixInput | null {
  if (statement.descendantsOfType("string").some((s) => s.startPosition.row !== s.endPosition.row)) return null;
  return {
    safety: "safe",
    description: "only start the development server when the file is run directly, never when a server imports it",
    edits: [{ node: statement, text: `if __name__ == "__main__":\n    ${statement.text.replace(/\n/g, "\n    ")}` }],
  };
}

function checkServerStart(call: SyntaxNode, ctx: RuleContext): void {
  const directly = ctx.project.directlyRunInProduction.has(ctx.file);
  // what the file alone decides, first: tests, dev-named files, apps of other frameworks
  if (ctx.memo("skipFile", () => ctx.isTestFile || OTHER_FRAMEWORKS.some((m) => ctx.hasImport(m)) || (DEV_PATH.test(ctx.file) && !directly))) return;
  const fn = call.childForFieldName("function");
  if (!fn) return;
  // `x.run(...)`: the receiver decides (its resolved name ends in `.run`, never run_simple); anything else must
  // resolve to werkzeug's run_simple
  const receiver = fn.type === "attribute" && lastSegment(fn) === "run" ? fn.childForFieldName("object") : null;
  if (!receiver && !RUN_SIMPLE.has(ctx.resolve(fn) ?? "")) return;
  // only a start at import time is reported, unless the deployment runs the file (tested before the receiver, which
  // reads the module's assignments: most run() calls are subprocess.run() in functions)
  const atImport = !enclosingFunction(call) && !inMainGuard(call);
  if (!directly && !atImport) return;
  if ((receiver && !isAppObject(receiver, ctx)) || gatedOnEnvironment(call)) return;

  const loaded = ctx.project.productionModules.has(ctx.file);
  const callee = fn.text.length <= 40 ? `${fn.text}()` : "run()";
  const keywords = callArguments(call).keywords;
  const debug = isTruthyLiteral(keywords.get("debug") ?? keywords.get("use_debugger"));
  const debugNote = debug ? " It also turns debug on (FLASK-DEPLOY-002)." : "";

  if (directly) {
    ctx.report({
      node: call,
      message: `${launchedBy(ctx.project, ctx.file)} runs this file with python, so ${callee} makes Flask's development server the production server; serve the app with gunicorn or uWSGI instead.${debugNote}`,
    });
    return;
  }
  // the module that builds the app with Flask(...) is what every server imports (a create_app() launcher is not)
  if (!loaded && !buildsApp(call, ctx)) return;
  const statement = call.parent?.type === "expression_statement" && call.parent.parent?.type === "module" ? call.parent : null;
  const fix = statement ? guardFix(statement) : null;
  ctx.report({
    node: statement ?? call,
    confidence: loaded ? "high" : "medium",
    message: loaded
      ? `${callee} runs at import time in a module the production WSGI server loads, so the development server starts inside it; move it under \`if __name__ == "__main__":\`.${debugNote}`
      : `${callee} runs whenever this app module is imported (including by gunicorn or \`flask run\`), starting Flask's development server; move it under \`if __name__ == "__main__":\`.${debugNote}`,
    fix: fix ?? undefined,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Deployment files: the command that starts the production process

interface LaunchLine {
  line: number;
  endLine: number;
  /** The command as shell text (an exec-form array joined by spaces). */
  text: string;
  /** How to write a replacement: the line's text before the command, and whether the command is a JSON array. */
  prefix: string;
  exec: boolean;
  /** A one-line command we can rewrite (not an ENTRYPOINT + CMD pair, not a YAML block). */
  fixable: boolean;
  /** Environment assignments visible to the command (FLASK_APP, FLASK_RUN_HOST, FLASK_RUN_PORT). */
  env: Map<string, string>;
}

const ENV_ASSIGNMENT = /\b(FLASK_APP|FLASK_RUN_HOST|FLASK_RUN_PORT)(?:\s*[=:]\s*|\s+)["']?([^\s"'#,\]]+)/g;

function readEnv(line: string, env: Map<string, string>): void {
  for (const match of line.matchAll(ENV_ASSIGNMENT)) env.set(match[1]!, match[2]!);
}


/**
 * The lines from `start` joined while the text so far ends in a backslash (blanks after it allowed): the backslash and
 * its blanks become one space, and the next line is added trimmed. What
 * `while (/\\\s*$/.test(text)) text = text.replace(/\\\s*$/, " ") + next.trim()` does, without rescanning the whole
 * joined text for every line (quadratic on many continuation lines).
 */
function joinContinuations(lines: readonly string[], start: number): { text: string; end: number } {
  const parts = [lines[start]!];
  let end = start;
  while (end + 1 < lines.length) {
    // the last non-blank character of the text so far
    let part = parts.length - 1;
    let length = parts[part]!.trimEnd().length;
    while (length === 0 && part > 0) length = parts[--part]!.trimEnd().length;
    if (parts[part]![length - 1] !== "\\") break;
    parts.length = part + 1;
    parts[part] = parts[part]!.slice(0, length - 1);
    parts.push(" ", lines[++end]!.trim());
  }
  return { text: parts.join(""), end };
}

/** The command part of `CMD ...` / `command: ...`: a JSON/YAML flow array, or shell text without its comment. */
function commandOf(raw: string): { text: string; exec: boolean } | null {
  const value = raw.trim();
  if (value.startsWith("[")) {
    const end = value.lastIndexOf("]");
    if (end < 0) return null;
    const items = value.slice(1, end).split(",").map((item) => item.trim().replace(/^["']|["']$/g, ""));
    return { text: items.join(" "), exec: true };
  }
  return { text: withoutComment(value).replace(/^["']|["']$/g, "").trim(), exec: false };
}

function dockerfileLaunches(ctx: TextRuleContext): LaunchLine[] {
  const launches: LaunchLine[] = [];
  const env = new Map<string, string>();
  let devStage = false;
  let entrypoint = "";
  for (let i = 0; i < ctx.lines.length; i++) {
    const start = i;
    const joined = joinContinuations(ctx.lines, i);
    const text = joined.text;
    i = joined.end;
    const from = /^\s*FROM\s+\S+(?:\s+AS\s+(\S+))?/i.exec(text);
    if (from) {
      devStage = DEV_NAME.test(from[1] ?? "");
      entrypoint = "";
      env.clear();
    }
    if (devStage || /^\s*#/.test(text)) continue;
    if (/^\s*(?:ENV|ARG)\s/i.test(text)) readEnv(text, env);
    // (?=(prefix))\1 takes the prefix atomically: `.` stops at a carriage return, and backtracking into the blanks
    // before one is quadratic (the same below)
    const instruction = /^(?=(\s*(CMD|ENTRYPOINT)\s+))\1(.*)$/i.exec(text);
    const command = instruction ? commandOf(instruction[3]!) : null;
    if (!instruction || !command) continue;
    const isEntrypoint = instruction[2]!.toUpperCase() === "ENTRYPOINT";
    // ENTRYPOINT ["flask"] + CMD ["run", ...]: the process is their concatenation
    const launcher = entrypoint && /^(?:\S*\/)?(?:flask|python[\d.]*)(?:\s+-m\s+flask)?$/.test(entrypoint) ? `${entrypoint} ` : "";
    if (isEntrypoint) entrypoint = command.exec ? command.text : "";
    launches.push({ line: start + 1, endLine: i + 1, text: isEntrypoint ? command.text : launcher + command.text, prefix: instruction[1]!, exec: command.exec, fixable: !launcher && start === i, env: new Map(env) });
  }
  return launches;
}

/** The services of a compose file: name and line range [start, end). */
function composeServices(lines: readonly string[]): { name: string; start: number; end: number }[] {
  const services: { name: string; start: number; end: number }[] = [];
  const begin = lines.findIndex((l) => /^services:\s*(?:#.*)?$/.test(l));
  if (begin < 0) return services;
  let serviceIndent = -1;
  let i = begin + 1;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.trim() || /^\s*#/.test(line)) continue;
    const indent = /^\s*/.exec(line)![0].length;
    if (indent === 0) break;
    if (serviceIndent < 0) serviceIndent = indent;
    const key = /^\s*([\w.-]+):\s*(?:#.*)?$/.exec(line);
    if (indent !== serviceIndent || !key) continue;
    const previous = services.at(-1);
    if (previous) previous.end = i;
    services.push({ name: key[1]!, start: i, end: lines.length });
  }
  const last = services.at(-1);
  if (last) last.end = i;
  return services;
}

/** `command:` / `entrypoint:` of each compose service that is not a development service. */
function composeLaunches(ctx: TextRuleContext): LaunchLine[] {
  const launches: LaunchLine[] = [];
  for (const s of composeServices(ctx.lines)) {
    const block = ctx.lines.slice(s.start, s.end);
    const profiles = block.find((l) => /^\s*profiles\s*:/.test(l)) ?? "";
    if (DEV_NAME.test(s.name) || /\b(?:dev|debug|local|tests?)\b/i.test(profiles)) continue;
    const env = new Map<string, string>();
    block.forEach((l) => readEnv(l, env));
    block.forEach((line, offset) => {
      const key = /^(?=(\s*(?:command|entrypoint)\s*:\s*))\1(.*)$/.exec(line);
      if (!key) return;
      const number = s.start + offset + 1;
      const inline = key[2]!.replace(/^[>|][-+]?\s*(?:#.*)?$/, "").replace(/^#.*$/, "");
      if (inline.trim()) {
        const command = commandOf(inline);
        if (command) launches.push({ line: number, endLine: number, text: command.text, prefix: key[1]!, exec: command.exec, fixable: true, env });
        return;
      }
      // a block sequence (`- flask`) or a folded scalar on the following, deeper lines
      const indent = /^\s*/.exec(line)![0].length;
      const items: string[] = [];
      let endLine = number;
      for (let j = offset + 1; j < block.length && (!block[j]!.trim() || /^\s*/.exec(block[j]!)![0].length > indent); j++) {
        items.push(withoutComment(block[j]!.trim().replace(/^-\s*/, "")).replace(/^["']|["']$/g, ""));
        endLine = s.start + j + 1;
      }
      if (items.join("").trim()) launches.push({ line: number, endLine, text: items.join(" "), prefix: "", exec: false, fixable: false, env });
    });
  }
  return launches;
}

function launchLines(ctx: TextRuleContext): LaunchLine[] {
  if (ctx.kind === "dockerfile") return dockerfileLaunches(ctx);
  if (ctx.kind === "compose") return composeLaunches(ctx);
  const env = new Map<string, string>();
  ctx.lines.forEach((l) => readEnv(l, env));
  const launches: LaunchLine[] = [];
  if (ctx.kind === "shell" && TEST_COMMAND.test(ctx.source)) return launches;
  const startScript = START_SCRIPT.test(baseName(ctx.file).replace(/\.sh$/, ""));
  ctx.lines.forEach((line, index) => {
    if (/^\s*#/.test(line)) return;
    const match =
      ctx.kind === "procfile" ? /^(?=(\s*web\s*:\s*))\1(.*)$/.exec(line)
      : ctx.kind === "systemd" ? /^(?=(\s*ExecStart\s*=\s*[-@+!:]*))\1(.*)$/.exec(line)
      : /^(?=(\s*))\1(.*)$/.exec(line);
    if (!match) return;
    // a shell script that is not named like a start script counts only for an `exec` hand-over (container entrypoints)
    if (ctx.kind === "shell" && !startScript && !/^\s*exec\s/.test(line)) return;
    const command = commandOf(match[2]!);
    if (command?.text) launches.push({ line: index + 1, endLine: index + 1, text: command.text, prefix: match[1]!, exec: command.exec, fixable: true, env });
  });
  return launches;
}

/** One simple command of a shell line, without the words that only wrap it. */
function commandWords(segment: string): string[] {
  const words = segment.split(/\s+/).map((w) => w.replace(/["']/g, "")).filter((w) => w.length > 0);
  let i = 0;
  while (i < words.length) {
    const word = words[i]!;
    const base = baseName(word);
    if (WRAPPERS.has(base) || /^[A-Za-z_]\w*=/.test(word)) i++;
    else if (WRAPPERS_WITH_ARGUMENT.has(base)) i += 2;
    else if (RUNNERS.has(base) && words[i + 1] === "run") i += 2;
    else break;
  }
  return words.slice(i);
}

const FLASK_RUN_FLAGS = new Set(["--debug", "--no-debug", "--reload", "--no-reload", "--debugger", "--no-debugger", "--with-threads", "--without-threads", "--eager-loading", "--lazy-loading"]);

/** The gunicorn replacement of `flask [--app X] run [--host H] [--port P]`, when every option is understood. */
function gunicornFor(words: string[], launch: LaunchLine, kind: FileKind): string[] | null {
  const options = new Map<string, string>();
  const start = words[0] && isPython(words[0]) ? 3 : 1; // `python -m flask` or `flask`
  for (let i = start; i < words.length; i++) {
    const word = words[i]!;
    if (word === "run" || FLASK_RUN_FLAGS.has(word)) continue;
    const inline = /^(--app|--host|--port)=(.+)$/.exec(word);
    const name = inline ? inline[1]! : ({ "-A": "--app", "--app": "--app", "-h": "--host", "--host": "--host", "-p": "--port", "--port": "--port" } as Record<string, string>)[word];
    const value = inline ? inline[2] : words[++i];
    if (!name || !value) return null;
    options.set(name, value);
  }
  const app = options.get("--app") ?? launch.env.get("FLASK_APP");
  if (!app || !/^[\w./-]+(?::\w+(?:\(\))?)?$/.test(app)) return null;
  const [module, variable] = app.split(":") as [string, string | undefined];
  const target = `${module.replace(/\.py$/, "").replace(/\//g, ".")}:${variable ?? "app"}`;
  const inContainer = kind === "dockerfile" || kind === "compose" || kind === "procfile";
  const host = options.get("--host") ?? launch.env.get("FLASK_RUN_HOST") ?? (inContainer ? "0.0.0.0" : "127.0.0.1");
  const port = options.get("--port") ?? launch.env.get("FLASK_RUN_PORT") ?? "5000";
  const executable = words[0] && isPython(words[0]) ? [words[0], "-m", "gunicorn"] : [`${words[0]!.slice(0, words[0]!.lastIndexOf("/") + 1)}gunicorn`];
  return [...executable, "--bind", `${host}:${port}`, target];
}

function replacementLine(launch: LaunchLine, gunicorn: string[], ctx: TextRuleContext): string {
  if (launch.exec) return `${launch.prefix}[${gunicorn.map((w) => JSON.stringify(w)).join(", ")}]`;
  const shell = gunicorn.map((w) => (/[()'"$ ]/.test(w) && !w.startsWith("$") ? `"${w}"` : w)).join(" ");
  const exec = /^\s*exec\s/.test(ctx.lines[launch.line - 1]!.slice(launch.prefix.length)) ? "exec " : "";
  return `${launch.prefix}${exec}${shell}`;
}

/** Does a `python <file>` / `python -m <module>` target name a file that starts the dev server? */
function startsDevServer(target: string, project: ProjectFacts, module: boolean): boolean {
  const wanted = module ? [`${target.replace(/\./g, "/")}.py`, `${target.replace(/\./g, "/")}/__main__.py`] : [target];
  const segments = (path: string) => path.replace(/^\.?\//, "").split("/").filter(Boolean);
  return [...project.devServerModules].some((file) => wanted.some((w) => {
    const [a, b] = [segments(file), segments(w)];
    const [short, long] = a.length <= b.length ? [a, b] : [b, a];
    return short.length > 0 && short.every((s, k) => s === long[long.length - short.length + k]);
  }));
}

/** The listen address a WSGI server is given (`-b 0.0.0.0:8000`, `--bind=:8000`, `--http :8000`, `--listen=...`). */
function bindAddress(words: string[]): string | null {
  for (let i = 1; i < words.length; i++) {
    const inline = /^(?:--bind|--listen|--http|--host)=(.+)$|^-b(.+)$/.exec(words[i]!);
    if (inline) return inline[1] ?? inline[2]!;
    if (["-b", "--bind", "--listen", "--http", "--host"].includes(words[i]!)) return words[i + 1] ?? null;
  }
  return null;
}

const WHERE: Partial<Record<FileKind, string>> = {
  dockerfile: "the container's start command", procfile: "the Procfile web process", compose: "the compose service's command",
  systemd: "the systemd service's ExecStart", shell: "this start script",
};

function checkDeploymentFile(ctx: TextRuleContext): void {
  if (ctx.isTestFile || DEV_PATH.test(ctx.file) || COMPOSE_OVERRIDE.test(ctx.file)) return;
  for (const launch of launchLines(ctx)) {
    for (const segment of launch.text.split(/&&|\|\||[;&|]/)) {
      const words = commandWords(segment);
      const first = words[0] ? baseName(words[0]) : "";
      if (first !== "flask" && !isPython(first) && !["gunicorn", "uwsgi", "waitress-serve", "hypercorn", "uvicorn"].includes(first)) continue;
      const command = readLaunchCommand(words.join(" "));
      if (!command) continue;
      const debugNote = words.some((w) => w === "--debug" || w === "--debugger") ? " The --debug flag is FLASK-DEPLOY-002's finding." : "";
      if (command.server === "flask-run") {
        // rewrite only a lone command, optionally handed over with `exec`
        const wrappers = segment.split(/\s+/).filter(Boolean).length - words.length;
        const lone = launch.fixable && launch.text.trim() === segment.trim() && wrappers <= (/^\s*exec\s/.test(segment) ? 1 : 0);
        const gunicorn = lone ? gunicornFor(words, launch, ctx.kind) : null;
        ctx.report({
          line: launch.line,
          endLine: launch.endLine,
          message: `\`flask run\` in ${WHERE[ctx.kind] ?? "this deployment file"} makes Flask's development server the production server; run a WSGI server such as gunicorn instead.${debugNote}`,
          fix: gunicorn
            ? { safety: "review", startLine: launch.line, endLine: launch.line, replacement: replacementLine(launch, gunicorn, ctx), description: "serve the app with gunicorn (add gunicorn to the requirements; check the app object and port)" }
            : undefined,
        });
      } else if (command.server === "python") {
        const target = command.targets[0] ?? "";
        const module = words[words.indexOf(target) - 1] === "-m";
        if (!startsDevServer(target, ctx.project, module)) continue;
        ctx.report({
          line: launch.line,
          endLine: launch.endLine,
          message: `\`python ${module ? "-m " : ""}${target}\` in ${WHERE[ctx.kind] ?? "this deployment file"} runs a module that starts Flask's development server with app.run(); serve the app with gunicorn or uWSGI instead.`,
        });
      } else if (ctx.kind === "systemd") {
        // Containers and PaaS routers must listen on all interfaces; a unit on a host exposes the server itself.
        const address = bindAddress(words);
        if (!address || !ALL_INTERFACES.test(address)) continue;
        ctx.report({
          line: launch.line,
          severity: "low",
          confidence: "low",
          message: `${first} listens on all interfaces (${address}) straight from a systemd unit; unless a reverse proxy or load balancer fronts it (not visible here), bind 127.0.0.1 or a unix socket and put nginx in front.`,
        });
      }
    }
  }
}

export default defineRule({
  id: "FLASK-DEPLOY-001",
  title: "Flask development server used in production",
  severity: "high",
  confidence: "high",
  cwe: ["CWE-489", "CWE-16"],
  spec: "FLASK-DEPLOY-001",
  docs: {
    impact:
      "Werkzeug's development server is built for one developer: it is not hardened or load-tested, handles slow or many " +
      "clients poorly (easy denial of service), and Werkzeug's own documentation says not to use it in production. " +
      "With debug on (FLASK-DEPLOY-002) it also exposes the interactive debugger.",
    fix:
      "Start the app with a production WSGI server, e.g. `gunicorn --bind 0.0.0.0:8000 \"package:create_app()\"` in the " +
      "Dockerfile CMD, Procfile or unit file, and keep `app.run()` under `if __name__ == \"__main__\":` for local use.",
    mitigation: "Put a reverse proxy (nginx, a cloud load balancer) in front, and keep debug off.",
    falsePositives:
      "Development setups are not reported: dev-named files (Dockerfile.dev, docker-compose.override.yml, run_dev.sh), " +
      "dev Dockerfile stages and compose services, test scripts, and `app.run()` in a `__main__` block unless a deployment " +
      "file runs that file with python. `python app.py` in a deployment file is reported only when app.py is among the " +
      "scanned files and calls app.run(). A listening address of 0.0.0.0 is normal in containers and on PaaS routers and " +
      "is only noted (low) for systemd units, where a reverse proxy may still exist outside the repository.",
    bad: 'FROM python:3.12-slim\nCOPY . /srv\nENV FLASK_APP=shop\nCMD ["flask", "run", "--host=0.0.0.0"]\n',
    good: 'FROM python:3.12-slim\nCOPY . /srv\nENV FLASK_APP=shop\nCMD ["gunicorn", "--bind", "0.0.0.0:5000", "shop:app"]\n',
    examplePath: "Dockerfile",
  },
  kinds: ["python", "dockerfile", "procfile", "compose", "shell", "systemd"],
  on: ["call"],
  // `app.run()` by its written name; werkzeug's run_simple also under an alias (its resolved name)
  names: { call: ["run", "run_simple"] },
  check: checkServerStart,
  checkText: checkDeploymentFile,
});

