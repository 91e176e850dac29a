// FLASK-DEPLOY-002: debug mode (and the Werkzeug interactive debugger) enabled in code that runs in production.
//
// The spec allows debug in local development: an `app.run(debug=True)` under `if __name__ == "__main__":` is a dev
// entrypoint unless a deployment file runs that very file (`CMD ["python", "app.py"]`). Debug switched on where
// every import runs it (module level, config classes and modules that are not dev/test/local, the app factory) is
// a finding, unless an `if` around it gates it on the environment or a dev/debug/testing setting.
import type { SyntaxNode } from "tree-sitter";
import { defineRule, type FixInput, type RuleContext, type TextRuleContext } from "../src/core/define-rule.js";
import type { Confidence, Fix } from "../src/core/types.js";
import {
  assignmentsIn, bindsModule, callArguments, calleeMethod, classBases, className, enclosingClass, enclosingFunction,
  isAppObject, isFalsyLiteral, isTruthyLiteral, lastSegment, scopeAssignments, stringValue, unwrap,
  type AppObjectOptions,
} from "../src/core/python.js";
import {
  DEV_PATH, forEachProductionLine, isDevClassName, isLocalDeploymentFile, reachOf, type Reach, type ReachOptions,
} from "../src/core/run-context.js";
import { configUpdateEntries, isPydanticSettings } from "../src/core/settings.js";

const CONFIG_PATH = /(?:^|\/)(?:config|configs|settings|conf|instance)\/|(?:^|\/)[\w-]*(?:config|settings)[\w-]*\.py$/i;
/** Environment variables that switch debug on. */
const DEBUG_ENV = /^(?:FLASK_|APP_)?DEBUG(?:_MODE)?$/i;
/** Subscript keys an assignment can turn debug on with: `os.environ["FLASK_DEBUG"]`, `os.environ["FLASK_ENV"]`, `app.config["DEBUG"]`. */
const SUBSCRIPT_KEYS = new Set(["DEBUG", "FLASK_DEBUG", "FLASK_ENV"]);

// ---------------------------------------------------------------------------------------------------------------
// Where does a statement run (src/core/run-context.ts), and what names the app

/** An `if` on the environment or argv gates debug like a dev condition; a `__main__` guard's elif/else is read too. */
const REACH: ReachOptions = { gates: true, testingFlag: false, mainGuardElse: true };
/** Flask-SocketIO's run() starts the same Werkzeug server; a name counts when any visible assignment builds an app. */
const APP: AppObjectOptions = { socketio: true, binding: "any" };

/** A value that enables debug: a truthy literal, or a module-level constant bound only to one. */
function enablesDebug(value: SyntaxNode | null | undefined): boolean {
  if (!value) return false;
  const v = unwrap(value);
  if (isTruthyLiteral(v)) return true;
  if (v.type !== "identifier") return false;
  const bindings = [...scopeAssignments(v.tree.rootNode)].filter((a) => a.childForFieldName("left")?.text === v.text);
  return bindings.length === 1 && isTruthyLiteral(bindings[0]!.childForFieldName("right"));
}

function osBound(node: SyntaxNode, ctx: RuleContext): boolean {
  return ctx.hasImport("os") && bindsModule(node.tree.rootNode, "os");
}

/** The string value of a call's first positional argument. */
function firstStringArg(call: SyntaxNode): string | null {
  return stringValue(callArguments(call).positional[0]);
}

// ---------------------------------------------------------------------------------------------------------------
// Fixes

const ENV_TOGGLE = `os.environ.get("FLASK_DEBUG") == "1"`;

/** The argument list without `argument` (and its comma), keeping the layout of the other arguments. */
function withoutArgument(argumentList: SyntaxNode, argument: SyntaxNode, source: string): string {
  const kids = argumentList.children;
  const index = kids.findIndex((k) => k.startIndex === argument.startIndex && k.endIndex === argument.endIndex);
  const next = kids[index + 1];
  const previous = kids[index - 1];
  const comma = next?.type === "," ? next : null;
  // An argument alone on its line (`    debug=True,  # note`): drop the whole line, comment included.
  const lineStart = source.lastIndexOf("\n", argument.startIndex - 1) + 1;
  const afterArgument = comma ? comma.endIndex : argument.endIndex;
  const rest = /^[ \t]*(?:#[^\n]*)?\n/.exec(source.slice(afterArgument));
  const ownLine = /^[ \t]*$/.test(source.slice(lineStart, argument.startIndex)) && rest !== null && lineStart > argumentList.startIndex;
  const removed: [number, number][] = [];
  if (ownLine) {
    removed.push([lineStart, afterArgument + rest[0].length]);
    if (!comma && previous?.type === ",") removed.push([previous.startIndex, previous.endIndex]);
  } else if (comma) {
    let end = comma.endIndex;
    while (source[end] === " " || source[end] === "\t") end++;
    removed.push([argument.startIndex, end]);
  } else if (previous?.type === ",") {
    removed.push([previous.startIndex, argument.endIndex]);
  } else {
    removed.push([argument.startIndex, argument.endIndex]);
  }
  removed.sort((a, b) => a[0] - b[0]);
  let text = "";
  let cursor = argumentList.startIndex;
  for (const [from, to] of removed) {
    text += source.slice(cursor, from);
    cursor = to;
  }
  text += source.slice(cursor, argumentList.endIndex);
  // The engine indents the lines after the first like the anchor line: write them relative to it.
  const anchorLineStart = source.lastIndexOf("\n", argumentList.startIndex - 1) + 1;
  const indent = /^[ \t]*/.exec(source.slice(anchorLineStart))?.[0] ?? "";
  return text.split("\n").map((line, i) => (i > 0 && indent && line.startsWith(indent) ? line.slice(indent.length) : line)).join("\n");
}

function runFix(call: SyntaxNode, argument: SyntaxNode, value: SyntaxNode, ctx: RuleContext): FixInput {
  if (osBound(call, ctx)) {
    return {
      safety: "safe",
      description: "enable debug only when FLASK_DEBUG=1 is set in the environment (off by default)",
      edits: [{ node: value, text: ENV_TOGGLE }],
    };
  }
  if (argument.type === "keyword_argument") {
    const argumentList = call.childForFieldName("arguments")!;
    return {
      safety: "safe",
      description: "remove the debug argument (debug stays off unless FLASK_DEBUG is set)",
      edits: [{ node: argumentList, text: withoutArgument(argumentList, argument, ctx.source) }],
    };
  }
  return { safety: "safe", description: "turn debug off", edits: [{ node: value, text: "False" }] };
}

function falseFix(value: SyntaxNode): FixInput {
  return { safety: "safe", description: "turn debug off (enable it only in a development config)", edits: [{ node: value, text: "False" }] };
}

/** `True` -> `False`, `"1"` -> `"0"`, `"true"` -> `"false"`: the same kind of literal, switched off. */
function falsyCounterpart(literal: SyntaxNode): string | null {
  if (literal.type === "true") return "False";
  if (literal.type === "integer") return "0";
  const value = stringValue(literal);
  if (value === null) return null;
  const off: Record<string, string> = { "1": "0", true: "false", True: "False", TRUE: "FALSE", yes: "no", on: "off" };
  const replacement = off[value.trim()];
  if (replacement === undefined) return null;
  const quote = literal.text.match(/^[a-zA-Z]*(['"]{1,3})/)?.[1] ?? '"';
  return `${quote}${replacement}${quote}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Checks

const WHERE: Record<"import" | "function" | "entry", string> = {
  import: "runs whenever the module is imported (including under gunicorn)",
  function: "runs in application code that production runs too",
  entry: "is in the `__main__` block of a file that the deployment runs directly",
};

function productionReach(node: SyntaxNode, ctx: RuleContext, accept: Reach[]): "import" | "function" | "entry" | null {
  const reach = reachOf(node, REACH);
  if (reach === "dev") return null;
  if (reach === "entry") return ctx.project.directlyRunInProduction.has(ctx.file) ? "entry" : null;
  return accept.includes(reach) ? reach : null;
}

/** `app.run(debug=True)`, `socketio.run(app, debug=True)`, `run_simple(..., use_debugger=True)`. */
function checkServerStart(call: SyntaxNode, ctx: RuleContext): void {
  const fn = call.childForFieldName("function");
  if (!fn) return;
  const resolved = ctx.resolve(fn);
  const isRunSimple = resolved === "werkzeug.serving.run_simple" || resolved === "werkzeug.run_simple";
  // `x.run(...)` is an app's run() when isAppObject() says so: asked last, once debug is on (it follows a bare name
  // through every visible assignment, and most run() calls are subprocess.run())
  if (!isRunSimple && (fn.type !== "attribute" || calleeMethod(call) !== "run")) return;
  const args = callArguments(call);
  let value: SyntaxNode | undefined;
  let name = "";
  for (const keyword of ["debug", "use_debugger"]) {
    if (enablesDebug(args.keywords.get(keyword))) {
      value = args.keywords.get(keyword);
      name = keyword;
      break;
    }
  }
  // Flask.run(host, port, debug) and run_simple(hostname, port, application, use_reloader, use_debugger)
  const positionalIndex = isRunSimple ? 4 : /socketio|sio$/i.test(fn.childForFieldName("object")?.text ?? "") ? -1 : 2;
  if (!value && positionalIndex >= 0 && enablesDebug(args.positional[positionalIndex])) {
    value = args.positional[positionalIndex];
    name = isRunSimple ? "use_debugger" : "debug";
  }
  if (!value) return;
  if (!isRunSimple && !isAppObject(fn.childForFieldName("object"), APP)) return;
  const reach = productionReach(call, ctx, ["import"]);
  if (!reach) return;
  const argument = value.parent?.type === "keyword_argument" ? value.parent : value;
  const callee = fn.text.length <= 40 ? fn.text : calleeMethod(call) ?? "run";
  ctx.report({
    node: argument,
    message: `${callee}() starts the server with ${name} on, and this call ${WHERE[reach]}: the Werkzeug debugger lets anyone who reaches it run Python code on the server.`,
    fix: runFix(call, argument, value, ctx),
  });
}

/** `DebuggedApplication(app.wsgi_app, evalex=True)` wraps the app in the interactive debugger. */
function checkDebuggedApplication(call: SyntaxNode, ctx: RuleContext): void {
  const resolved = ctx.resolve(call.childForFieldName("function"));
  if (resolved !== "werkzeug.debug.DebuggedApplication" && resolved !== "werkzeug.DebuggedApplication") return;
  const reach = productionReach(call, ctx, ["import", "function"]);
  if (!reach) return;
  const args = callArguments(call);
  const evalex = args.keywords.get("evalex") ?? args.positional[1];
  const interactive = isTruthyLiteral(evalex);
  if (!interactive && evalex && !isFalsyLiteral(evalex)) return; // evalex from a setting: not known here
  const statement = call.parent?.type === "assignment" && call.parent.parent?.type === "expression_statement" ? call.parent.parent : null;
  ctx.report({
    node: call,
    severity: interactive ? "critical" : "high",
    message: interactive
      ? `DebuggedApplication(evalex=True) ${WHERE[reach]}: its interactive console lets anyone who reaches the app run Python code on the server.`
      : `DebuggedApplication ${WHERE[reach]}: it shows tracebacks, source lines and local variables to anyone who triggers an error.`,
    fix: statement
      ? {
          safety: "review",
          description: "remove the debugger middleware, or wrap it so that only an explicit FLASK_DEBUG=1 enables it",
          edits: [{ node: statement, text: `if os.environ.get("FLASK_DEBUG") == "1":\n    ${statement.text}` }],
        }
      : undefined,
  });
}

/** `app.config.update(DEBUG=True)`, `from_mapping(DEBUG=True)`, `update({"DEBUG": True})`, `update(dict(DEBUG=True))`. */
function checkConfigUpdate(call: SyntaxNode, ctx: RuleContext): void {
  const fn = call.childForFieldName("function");
  const method = calleeMethod(call);
  if (fn?.type !== "attribute" || (method !== "update" && method !== "from_mapping")) return;
  const config = unwrap(fn.childForFieldName("object")!);
  if (config.type !== "attribute" || lastSegment(config) !== "config" || !isAppObject(config.childForFieldName("object"), APP)) return;
  const entries = configUpdateEntries(call);
  const debug = entries.get("DEBUG");
  if (!debug || !isTruthyLiteral(debug)) return;
  if (isTruthyLiteral(entries.get("TESTING"))) return; // a test configuration
  const reach = productionReach(call, ctx, ["import", "function"]);
  if (!reach) return;
  ctx.report({
    node: debug,
    message: `${config.text}.${method}() sets DEBUG to a true value and ${WHERE[reach]}: debug mode must be off in production (enable it only in a local config class).`,
    fix: falseFix(debug),
  });
}

/** `os.environ.get("FLASK_DEBUG", "1")`, `os.getenv("DEBUG", True)`: debug on when the variable is missing. */
function checkFailOpenDefault(call: SyntaxNode, ctx: RuleContext): void {
  const fn = call.childForFieldName("function");
  const resolved = ctx.resolve(fn);
  let variable: string | null = null;
  let fallback: SyntaxNode | undefined;
  if (resolved === "os.getenv" || resolved === "os.environ.get" || resolved === "decouple.config") {
    const args = callArguments(call);
    variable = firstStringArg(call);
    fallback = args.keywords.get("default") ?? (resolved === "decouple.config" ? undefined : args.positional[1]);
  } else if (fn?.type === "attribute" && calleeMethod(call) === "bool" && /^env$/i.test(fn.childForFieldName("object")?.text ?? "")) {
    const args = callArguments(call);
    variable = firstStringArg(call); // environs: env.bool("FLASK_DEBUG", True)
    fallback = args.keywords.get("default") ?? args.positional[1];
  }
  if (variable === null || !DEBUG_ENV.test(variable) || !fallback || !isTruthyLiteral(fallback)) return;
  const reach = productionReach(call, ctx, ["import", "function"]);
  if (!reach) return;
  const off = falsyCounterpart(unwrap(fallback));
  ctx.report({
    node: fallback,
    confidence: "medium",
    message: `Debug defaults to on when ${variable} is not set in the environment: a deployment that forgets the variable runs in debug mode.`,
    fix: off
      ? { safety: "review", description: `default to debug off; set ${variable} explicitly in development`, edits: [{ node: fallback, text: off }] }
      : undefined,
  });
}

/** `os.environ.setdefault("FLASK_DEBUG", "1")` */
function checkEnvironSetdefault(call: SyntaxNode, ctx: RuleContext): void {
  if (ctx.resolve(call.childForFieldName("function")) !== "os.environ.setdefault") return;
  const args = callArguments(call);
  const value = args.positional[1];
  const variable = firstStringArg(call);
  if (!value || !variable) return;
  reportDebugEnvironment(variable, value, call, ctx);
}

function reportDebugEnvironment(variable: string, value: SyntaxNode, anchor: SyntaxNode, ctx: RuleContext): void {
  const debug = variable === "FLASK_DEBUG" && isTruthyLiteral(value);
  const developmentEnv = variable === "FLASK_ENV" && stringValue(value)?.trim().toLowerCase() === "development";
  if (!debug && !developmentEnv) return;
  const reach = productionReach(anchor, ctx, ["import", "function"]);
  if (!reach) return;
  const off = debug ? falsyCounterpart(unwrap(value)) : `"production"`;
  ctx.report({
    node: value,
    // FLASK_ENV only enables debug before Flask 2.3
    confidence: developmentEnv ? "medium" : "high",
    message: `The code sets ${variable} in the process environment (turning debug on), which ${WHERE[reach]}: Flask then runs in debug mode in production.`,
    fix: off ? { safety: "review", description: `do not enable debug from code; set ${variable} only in a development environment`, edits: [{ node: value, text: off }] } : undefined,
  });
}

function isConfigClass(cls: SyntaxNode): boolean {
  const name = className(cls);
  if (/config|settings/i.test(name) || /^(?:prod|production|staging|default|base)/i.test(name)) return true;
  return classBases(cls).some((b) => /config|settings/i.test(b));
}

function setsDebug(cls: SyntaxNode): boolean {
  const body = cls.childForFieldName("body");
  return !!body && assignmentsIn(body, "DEBUG").length > 0;
}

/**
 * `DEBUG = True` in a config class. A base class is fine when every non-dev subclass in the file sets DEBUG
 * itself (the production config overrides it).
 */
function configClassEnablesDebugInProduction(cls: SyntaxNode): boolean {
  if (isDevClassName(className(cls)) || !isConfigClass(cls)) return false;
  const name = className(cls);
  const subclasses = cls.tree.rootNode.descendantsOfType("class_definition").filter((c) => classBases(c).some((b) => b.split(".").pop() === name));
  const productionSubclasses = subclasses.filter((c) => !isDevClassName(className(c)));
  return productionSubclasses.length === 0 || !productionSubclasses.every(setsDebug);
}

/** A config module (config.py, settings.py, config/production.py) or a module loaded by `from_object(__name__)`. */
function isProductionConfigModule(node: SyntaxNode, ctx: RuleContext): boolean {
  if (CONFIG_PATH.test(ctx.file)) return true;
  return /\.from_object\(\s*__name__\s*\)/.test(ctx.source) && node.tree.rootNode.descendantsOfType("call").some((c) => calleeMethod(c) === "from_object" && callArguments(c).positional[0]?.text === "__name__");
}

function checkAssignment(assignment: SyntaxNode, ctx: RuleContext): void {
  const left = assignment.childForFieldName("left");
  const right = assignment.childForFieldName("right");
  if (!left || !right) return;
  const value = unwrap(right);

  // app.debug = True
  if (left.type === "attribute" && lastSegment(left) === "debug" && isAppObject(left.childForFieldName("object"), APP)) {
    if (!isTruthyLiteral(value)) return;
    const reach = productionReach(assignment, ctx, ["import", "function"]);
    if (!reach) return;
    ctx.report({ node: value, message: `${left.text} = ${value.text} turns debug mode on, and it ${WHERE[reach]}: debug mode must be off in production.`, fix: falseFix(value) });
    return;
  }

  if (left.type === "subscript") {
    const target = left.childForFieldName("value");
    const key = stringValue(left.childForFieldName("subscript"));
    // only these keys can be reported below (os.environ's FLASK_DEBUG/FLASK_ENV, a config's DEBUG): skip resolve
    if (!target || key === null || !SUBSCRIPT_KEYS.has(key)) return;
    // os.environ["FLASK_DEBUG"] = "1"
    if (ctx.resolve(target) === "os.environ") {
      reportDebugEnvironment(key, value, assignment, ctx);
      return;
    }
    // app.config["DEBUG"] = True
    if (key !== "DEBUG" || target.type !== "attribute" || lastSegment(target) !== "config" || !isAppObject(target.childForFieldName("object"), APP)) return;
    if (!isTruthyLiteral(value)) return;
    const reach = productionReach(assignment, ctx, ["import", "function"]);
    if (!reach) return;
    ctx.report({ node: value, message: `${target.text}["DEBUG"] is set to a true value, and it ${WHERE[reach]}: debug mode must be off in production.`, fix: falseFix(value) });
    return;
  }

  // DEBUG = True in a production config class or config module
  if (left.type !== "identifier" || left.text !== "DEBUG" || !isTruthyLiteral(value)) return;
  if (enclosingFunction(assignment)) return;
  const cls = enclosingClass(assignment);
  if (cls) {
    if (!configClassEnablesDebugInProduction(cls) || reachOf(assignment, REACH) === "dev") return;
    // pydantic BaseSettings: the environment overrides the field, so True is a fail-open default
    const envDefault = isPydanticSettings(cls);
    ctx.report({
      node: value,
      confidence: envDefault ? "medium" : undefined,
      message: envDefault
        ? `${className(cls)} defaults DEBUG to ${value.text}: any deployment that does not set DEBUG in its environment runs in debug mode.`
        : `${className(cls)} sets DEBUG = ${value.text}; it is not a local or test config, so production runs in debug mode (set DEBUG only in a DevelopmentConfig).`,
      fix: falseFix(value),
    });
    return;
  }
  if (!isProductionConfigModule(assignment, ctx) || reachOf(assignment, REACH) !== "import") return;
  ctx.report({
    node: value,
    message: `The config module ${ctx.file} sets DEBUG = ${value.text} for every environment that loads it: enable debug only in a local config.`,
    fix: falseFix(value),
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Deployment files: `flask run --debug` and FLASK_DEBUG=1 where the production process starts

/** `.env.production`, `.env.prod`, `.env.staging`: env files that production loads (a plain .env is local). */
const PRODUCTION_ENV_FILE = /(?:^|\/)\.env\.(?:prod|production|live|staging)$/i;

/** The line starts the production process (or, in shell scripts and env files, any line counts). */
function isLaunchLine(ctx: TextRuleContext, line: string): boolean {
  switch (ctx.kind) {
    case "dockerfile":
      return /^\s*(?:CMD|ENTRYPOINT)\b/i.test(line);
    case "procfile":
      return /^\s*web\s*:/.test(line);
    case "compose":
      return /^\s*(?:command|entrypoint)\s*:/.test(line);
    case "systemd":
      return /^\s*ExecStart\s*=/.test(line);
    default:
      return true;
  }
}

/** Lines where an environment assignment reaches the production process. */
function isEnvironmentLine(ctx: TextRuleContext, line: string): boolean {
  switch (ctx.kind) {
    case "dockerfile":
      return /^\s*ENV\s/i.test(line) || isLaunchLine(ctx, line);
    case "procfile":
      return isLaunchLine(ctx, line);
    case "systemd":
      return /^\s*(?:Environment|ExecStart)\s*=/.test(line);
    default:
      return true;
  }
}

const words = (line: string): string[] => line.split(/[\s"'[\],]+/).filter((w) => w.length > 0);

/** `flask run --debug`, `flask --debug run`, `python -m flask run --debugger`. */
function flaskDebugFlag(line: string): string | null {
  const w = words(line);
  const flask = w.findIndex((word) => word.slice(word.lastIndexOf("/") + 1) === "flask");
  if (flask < 0 || !w.slice(flask + 1).includes("run")) return null;
  return w.slice(flask + 1).find((word) => word === "--debug" || word === "--debugger") ?? null;
}

function withoutFlag(line: string, flag: string): string {
  // (?<!\s): a leading run of blanks is tried from its start only (the first match is the same), not from each of its
  // characters, which was quadratic on a long run of blanks elsewhere in the line
  const quoted = new RegExp(`(?<!\\s)\\s*["']${flag}["']\\s*,|,\\s*["']${flag}["']`);
  if (quoted.test(line)) return line.replace(quoted, "");
  return line.replace(new RegExp(`(?<!\\s)\\s+${flag}(?=\\s|$|["'])`), "");
}

const ENV_SETTING = /\b(FLASK_DEBUG|FLASK_ENV)(\s*[=:]\s*|\s+)(["']?)([A-Za-z0-9_.-]+)\3/g;

function checkDeploymentFile(ctx: TextRuleContext): void {
  if (isLocalDeploymentFile(ctx)) return;
  if (ctx.kind === "env" && !PRODUCTION_ENV_FILE.test(ctx.file)) return;
  // shell scripts may be dev helpers: medium; the rest start the production process
  const confidence: Confidence = ctx.kind === "shell" ? "medium" : "high";
  forEachProductionLine(ctx, (line, index) => {
    const number = index + 1;
    const flag = isLaunchLine(ctx, line) ? flaskDebugFlag(line) : null;
    if (flag) {
      const fixed = withoutFlag(line, flag);
      ctx.report({
        line: number,
        confidence,
        message: `The production command runs \`flask run ${flag}\`: the Werkzeug debugger lets anyone who reaches the app run Python code on the server.`,
        fix: fixed !== line ? textFix(number, fixed, `remove ${flag}`) : undefined,
      });
      return;
    }
    if (!isEnvironmentLine(ctx, line)) return;
    // Dockerfile's legacy `ENV FLASK_DEBUG 1` separates with a space; elsewhere a space is not an assignment
    const legacyEnv = ctx.kind === "dockerfile" && /^\s*ENV\s+FLASK_(?:DEBUG|ENV)\s+[^=\s]+(?:\s|$)/i.test(line);
    for (const match of line.matchAll(ENV_SETTING)) {
      const [whole, variable, separator, quote, value] = match as unknown as [string, string, string, string, string];
      if (/^\s+$/.test(separator) && !legacyEnv) continue;
      const debugOn = variable === "FLASK_DEBUG" && ["1", "true", "yes", "on"].includes(value.toLowerCase());
      const developmentEnv = variable === "FLASK_ENV" && value.toLowerCase() === "development";
      if (!debugOn && !developmentEnv) continue;
      const off = debugOn ? (value === "1" ? "0" : /^[A-Z]/.test(value) ? "False" : "false") : "production";
      const fixed = line.slice(0, match.index) + whole.replace(`${separator}${quote}${value}${quote}`, `${separator}${quote}${off}${quote}`) + line.slice(match.index! + whole.length);
      ctx.report({
        line: number,
        confidence: developmentEnv ? "medium" : confidence,
        message: `${variable} is set for the production process (to a value that turns debug on), so Flask runs in debug mode: set it only on local machines.`,
        fix: textFix(number, fixed, `set ${variable}=${off}`),
      });
      return;
    }
  });
}

function textFix(line: number, replacement: string, description: string): Fix {
  return { safety: "safe", startLine: line, endLine: line, replacement, description };
}

export default defineRule({
  id: "FLASK-DEPLOY-002",
  title: "Debug mode enabled in production",
  severity: "critical",
  confidence: "high",
  cwe: ["CWE-489", "CWE-215"],
  spec: "FLASK-DEPLOY-002",
  docs: {
    impact:
      "With debug mode on, the Werkzeug debugger serves an interactive Python console on every error page: anyone who can " +
      "reach the app and trigger an exception can run code on the server (the PIN is weak protection and leaks through " +
      "tracebacks and /console). Even without the console, tracebacks expose source code, local variables and secrets.",
    fix:
      "Never switch debug on in code that production runs. Pass `debug=os.environ.get(\"FLASK_DEBUG\") == \"1\"` (off by " +
      "default) or drop the argument, set `DEBUG = False` in production configs and keep `DEBUG = True` in a " +
      "DevelopmentConfig, drop `--debug` and FLASK_DEBUG=1 from Dockerfiles, Procfiles and units, and use " +
      "`flask run --debug` only locally.",
    mitigation:
      "Run production under gunicorn/uWSGI (they never start the Werkzeug debugger), keep FLASK_DEBUG unset in the " +
      "deployment environment, and block /console at the reverse proxy.",
    falsePositives:
      "`app.run(debug=True)` inside `if __name__ == \"__main__\":` is a local dev entrypoint and is not reported, unless a " +
      "Dockerfile, Procfile or compose file runs that file with `python`. Debug set under an `if` on the environment or a " +
      "dev/testing flag, in Development/Local/Test config classes, in dev-named config modules and in tests is not " +
      "reported. TRAP_HTTP_EXCEPTIONS and PROPAGATE_EXCEPTIONS are not reported: they change error handling but neither " +
      "starts the debugger nor shows tracebacks to clients. In deployment files, `flask run --debug` and FLASK_DEBUG=1 " +
      "are reported on the lines that start or configure the production process (Dockerfile CMD/ENTRYPOINT/ENV, " +
      "Procfile web, compose, systemd, .env.production, shell scripts with medium confidence), not in a plain .env, " +
      "compose override files, dev-named scripts or dev/test Dockerfile stages. Verify whether a flagged module is " +
      "really loaded in production.",
    bad: [
      "import os",
      "from flask import Flask",
      "",
      "app = Flask(__name__)",
      "app.run(host=\"0.0.0.0\", debug=True)",
      "",
    ].join("\n"),
    good: [
      "import os",
      "from flask import Flask",
      "",
      "app = Flask(__name__)",
      "app.run(host=\"0.0.0.0\", debug=os.environ.get(\"FLASK_DEBUG\") == \"1\")",
      "",
    ].join("\n"),
  },
  kinds: ["python", "dockerfile", "procfile", "compose", "shell", "systemd", "env"],
  on: ["call", "assignment"],
  names: {
    // by written name: app.run / socketio.run, config.update / from_mapping, env.bool, and the os.environ methods;
    // by resolved name (aliases too): run_simple, DebuggedApplication, os.getenv, os.environ.get/setdefault,
    // decouple.config
    call: ["run", "run_simple", "DebuggedApplication", "update", "from_mapping", "getenv", "get", "config", "bool", "setdefault"],
  },
  checkText: checkDeploymentFile,
  check(node, ctx) {
    // dev_server.py, config/development.py, local_settings.py: development-only files, unless deployment runs them
    if (ctx.memo("skipFile", () => ctx.isTestFile || (DEV_PATH.test(ctx.file) && !ctx.project.directlyRunInProduction.has(ctx.file)))) return;
    if (node.type === "assignment") {
      checkAssignment(node, ctx);
      return;
    }
    checkServerStart(node, ctx);
    checkDebuggedApplication(node, ctx);
    checkConfigUpdate(node, ctx);
    checkFailOpenDefault(node, ctx);
    checkEnvironSetdefault(node, ctx);
  },
});
