// FLASK-CONFIG-001: the signing key (SECRET_KEY and its siblings) is hard-coded, falls back to a hard-coded value, or
// is written to logs.
//
// A literal bound to SECRET_KEY (config class, config module, app.secret_key, app.config[...], config updates and
// dicts), an environment read whose default is a literal (`os.getenv("SECRET_KEY", "dev")`, `... or "dev"`), literal
// SECRET_KEY_FALLBACKS, and print/logging calls that output the key or the whole config. Development and test
// configs are left alone: a dev key that production overrides is the pattern the spec recommends. Messages never
// quote the value (spec section 0); the engine redacts evidence.
import type { SyntaxNode, Tree } from "tree-sitter";
import { defineRule, lastPart, type FixInput, type RuleContext, type TextRuleContext } from "../src/core/define-rule.js";
import type { Confidence } from "../src/core/types.js";
import { secretLiteralRanges, type Range } from "../src/core/redact.js";
import {
  bindsModule, callArguments, calleeMethod, classBases, className, constantValue, enclosingClass, enclosingFunction,
  isAppObject, isTruthyLiteral, lastSegment, scopeAssignments, stringValue, unwrap, visibleScopes,
} from "../src/core/python.js";
import { DEV_PATH, forEachProductionLine, isDevClassName, isLocalDeploymentFile, reachOf } from "../src/core/run-context.js";
import { isPydanticSettings } from "../src/core/settings.js";

/** Flask config keys that sign or derive signing material (sessions, CSRF tokens, JWTs, Flask-Security tokens). */
const KEY_NAMES = new Set(["SECRET_KEY", "SECRET_KEY_FALLBACKS", "JWT_SECRET_KEY", "WTF_CSRF_SECRET_KEY", "SECURITY_PASSWORD_SALT"]);
/** Environment variables that hold the Flask signing key. */
const KEY_ENV = /^(?:FLASK_)?(?:APP_|JWT_|WTF_CSRF_|CSRF_|SESSION_)?SECRET(?:_KEY)?$|^(?:FLASK_)?SECURITY_PASSWORD_SALT$|^(?:FLASK_)?SECRET_KEY_FALLBACKS$/i;

const CONSEQUENCE: Record<string, string> = {
  SECRET_KEY: "anyone who has the code can forge session cookies and other signed values",
  SECRET_KEY_FALLBACKS: "anyone who has the code can forge session cookies that these keys still verify",
  JWT_SECRET_KEY: "anyone who has the code can mint valid JWTs for any user",
  WTF_CSRF_SECRET_KEY: "anyone who has the code can forge CSRF tokens",
  SECURITY_PASSWORD_SALT: "anyone who has the code (and SECRET_KEY) can forge reset and confirmation tokens",
};

/** Templates that document the settings (config.example.py, settings_sample.py) and documentation snippets. */
const TEMPLATE_PATH = /[._-](?:example|sample|template|dist)\.py$|(?:^|\/)docs?\//i;

// ---------------------------------------------------------------------------------------------------------------
// Where does a statement run?

/**
 * Code that only development or tests run: a dev/test/local-named class or function, a config class with
 * TESTING = True, the development branch of an `if`, or a `__main__` block (or its `main()`) of a file that no
 * deployment runs directly.
 */
function inDevContext(node: SyntaxNode, ctx: RuleContext): boolean {
  const reach = reachOf(node, { gates: false, testingFlag: true, mainGuardElse: false });
  return reach === "dev" || (reach === "entry" && !ctx.project.directlyRunInProduction.has(ctx.file));
}

// ---------------------------------------------------------------------------------------------------------------
// Names and values

interface Literal {
  node: SyntaxNode;
  empty: boolean;
  /** The constant the literal reaches the key through (`app.secret_key = DEFAULT_KEY`). */
  via?: string;
}

/** A hard-coded key value: a string/bytes literal, literal concatenation, `"...".encode()`, or a literal constant. */
function literalValue(value: SyntaxNode | null | undefined, followConstants = true): Literal | null {
  if (!value) return null;
  const v = unwrap(value);
  if (v.type === "string" || v.type === "concatenated_string") {
    const text = stringValue(v);
    // {"SECRET_KEY": "FLASK_SECRET_KEY"} maps a setting to the variable that holds it: a name, not a key
    if (text === null || KEY_ENV.test(text)) return null;
    return { node: v, empty: text === "" };
  }
  if (v.type === "binary_operator" && v.childForFieldName("operator")?.text === "+") {
    const left = literalValue(v.childForFieldName("left"), false);
    const right = literalValue(v.childForFieldName("right"), false);
    return left && right ? { node: v, empty: left.empty && right.empty } : null;
  }
  if (v.type === "call") {
    const fn = v.childForFieldName("function");
    const method = calleeMethod(v);
    if (fn?.type === "attribute" && method === "encode" && literalValue(fn.childForFieldName("object"), false)) {
      return { node: v, empty: literalValue(fn.childForFieldName("object"), false)!.empty };
    }
    return null;
  }
  if (v.type === "identifier" && followConstants && !KEY_NAMES.has(v.text)) {
    const bound = literalValue(constantValue(v), false);
    return bound ? { node: v, empty: bound.empty, via: v.text } : null;
  }
  return null;
}

/** How this file can spell os.environ: `os.environ`, or the local name of `from os import environ [as e]`. */
function environSpelling(node: SyntaxNode, ctx: RuleContext): string | null {
  const root = node.tree.rootNode;
  if (ctx.hasImport("os") && bindsModule(root, "os")) return "os.environ";
  for (const statement of root.descendantsOfType("import_from_statement")) {
    if (enclosingFunction(statement) || statement.childForFieldName("module_name")?.text !== "os") continue;
    for (const item of statement.childrenForFieldName("name")) {
      if (item.type === "dotted_name" && item.text === "environ") return "environ";
      if (item.type === "aliased_import" && item.childForFieldName("name")?.text === "environ") return item.childForFieldName("alias")?.text ?? null;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Key targets: which key a binding sets

interface KeyTarget {
  key: string;
  /** How to name the target in a message (code, never the value). */
  label: string;
  /** The class holding a class-attribute target. */
  cls?: SyntaxNode;
  /** The target is an environment variable (`os.environ["SECRET_KEY"] = ...`). */
  environment?: boolean;
}

function keyOfAssignmentTarget(left: SyntaxNode, ctx: RuleContext): KeyTarget | null {
  if (left.type === "identifier" && KEY_NAMES.has(left.text)) {
    const cls = enclosingClass(left);
    return cls ? { key: left.text, label: `${className(cls)}.${left.text}`, cls } : { key: left.text, label: left.text };
  }
  if (left.type === "attribute") {
    const attribute = lastSegment(left);
    if (KEY_NAMES.has(attribute)) return { key: attribute, label: left.text };
    if (attribute === "secret_key" && isAppObject(left.childForFieldName("object"))) return { key: "SECRET_KEY", label: left.text };
    return null;
  }
  if (left.type === "subscript") {
    const holder = left.childForFieldName("value");
    const key = stringValue(left.childForFieldName("subscript"));
    if (!holder || key === null) return null;
    const isName = KEY_NAMES.has(key);
    if (!isName && !KEY_ENV.test(key)) return null; // neither branch below takes it: skip resolve
    if (ctx.resolve(holder) === "os.environ") return KEY_ENV.test(key) ? { key: "SECRET_KEY", label: `${holder.text}["${key}"]`, environment: true } : null;
    if (isName) return { key, label: `${holder.text}["${key}"]` };
  }
  return null;
}

/** The key an expression is bound to (`SECRET_KEY = <expr>`, `SECRET_KEY=<expr>`, `{"SECRET_KEY": <expr>}`). */
function boundKey(expression: SyntaxNode, ctx: RuleContext): KeyTarget | null {
  let node = expression;
  while (node.parent && (node.parent.type === "parenthesized_expression" || node.parent.type === "boolean_operator")) node = node.parent;
  const parent = node.parent;
  if (!parent) return null;
  if (parent.type === "assignment" && parent.childForFieldName("right")?.id === node.id) {
    const left = parent.childForFieldName("left");
    return left ? keyOfAssignmentTarget(left, ctx) : null;
  }
  if (parent.type === "keyword_argument") {
    const name = parent.childForFieldName("name")?.text ?? "";
    return KEY_NAMES.has(name) ? { key: name, label: name } : null;
  }
  if (parent.type === "pair") {
    const key = stringValue(parent.childForFieldName("key"));
    return key !== null && KEY_NAMES.has(key) ? { key, label: `"${key}"` } : null;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Redaction guard (spec section 0: never echo the key)

const redactionRanges = new WeakMap<Tree, Range[]>();

/**
 * Will the engine mask every string literal inside `value` in the evidence? It redacts literals bound to
 * secret-looking names (src/core/redact.ts); a form it does not know would put the key in the finding. Such a
 * finding is withheld rather than echo the value (a known gap, see the fixture's todo lines).
 */
function evidenceIsRedacted(value: SyntaxNode): boolean {
  let ranges = redactionRanges.get(value.tree);
  if (!ranges) {
    ranges = secretLiteralRanges(value.tree.rootNode);
    redactionRanges.set(value.tree, ranges);
  }
  const strings = value.type === "string" ? [value] : value.descendantsOfType("string");
  return strings.every((s) => stringValue(s) === "" || ranges.some((r) => r.start <= s.startIndex && s.endIndex <= r.end));
}

// ---------------------------------------------------------------------------------------------------------------
// Reports

function hardCodedMessage(target: KeyTarget, literal: Literal): string {
  const consequence = CONSEQUENCE[target.key] ?? CONSEQUENCE.SECRET_KEY!;
  if (target.environment) return `${target.label} is assigned a hard-coded value in code, so the key is in the repository: ${consequence}.`;
  if (literal.empty) return `${target.label} is set to an empty string: Flask sessions refuse it and extensions that sign with it produce forgeable tokens; load a strong random key from the environment.`;
  const via = literal.via ? ` through the constant ${literal.via}` : "";
  return `${target.label} is hard-coded in the source${via}: ${consequence}. Load it from the environment or a vault instead.`;
}

/**
 * Would `os.environ["SECRET_KEY"]` here break development and tests? Class bodies and module-level code run when
 * the module is imported, so in a config module that also holds Development/Testing configs, every environment
 * (a laptop, CI) would need the variable: the fix is then a review, not a one-click suggestion.
 */
function strictReadBreaksDev(node: SyntaxNode): boolean {
  if (enclosingFunction(node)) return false;
  return node.tree.rootNode.descendantsOfType("class_definition").some((c) => {
    const name = className(c);
    return isDevClassName(name) && (/config|settings/i.test(name) || classBases(c).some((b) => /config|settings/i.test(b)));
  });
}

const IMPORT_TIME_NOTE = "module and class bodies run on import, so development and test runs need the variable too (or keep their own key in their config)";

function literalFix(target: KeyTarget, literal: Literal, ctx: RuleContext): FixInput | undefined {
  if (target.environment || target.key === "SECRET_KEY_FALLBACKS") return undefined;
  const assignment = literal.node.parent?.type === "assignment" ? literal.node.parent : null;
  // pydantic settings: drop the default, so the field is required and read from the environment
  if (target.cls && assignment?.childForFieldName("type") && isPydanticSettings(target.cls) && !strictReadBreaksDev(assignment)) {
    const left = assignment.childForFieldName("left")!;
    const type = assignment.childForFieldName("type")!;
    return {
      safety: "safe",
      description: "make the setting required (pydantic reads it from the environment and fails when it is missing)",
      edits: [{ node: assignment, text: `${left.text}: ${type.text}` }],
    };
  }
  const environ = environSpelling(literal.node, ctx);
  const text = `${environ ?? "os.environ"}["${target.key}"]`;
  if (literal.via) {
    return { safety: "review", description: `read ${target.key} from the environment and delete the constant ${literal.via}`, edits: [{ node: literal.node, text }] };
  }
  const breaksDev = strictReadBreaksDev(literal.node);
  const safe = environ !== null && !breaksDev;
  return {
    safety: safe ? "safe" : "review",
    description: breaksDev
      ? `read ${target.key} from the environment; ${IMPORT_TIME_NOTE}`
      : environ
        ? `read ${target.key} from the environment; a missing key stops the app at start (fail closed)`
        : `read ${target.key} from the environment (add \`import os\`); a missing key stops the app at start`,
    edits: [{ node: literal.node, text }],
  };
}

function reportLiteral(target: KeyTarget, value: SyntaxNode, ctx: RuleContext): void {
  const v = unwrap(value);
  if (target.key === "SECRET_KEY_FALLBACKS" && (v.type === "list" || v.type === "tuple")) {
    const literals = v.namedChildren.filter((element) => literalValue(element));
    if (literals.length === 0 || !literals.every((element) => evidenceIsRedacted(element))) return;
    const environ = environSpelling(v, ctx) ?? "os.environ";
    ctx.report({
      node: v,
      message: `${target.label} lists ${literals.length} hard-coded key${literals.length > 1 ? "s" : ""}: ${CONSEQUENCE.SECRET_KEY_FALLBACKS}. Load retired keys from the environment and drop them after the rotation window.`,
      fix: {
        safety: "review",
        description: "read the retired keys from a comma-separated environment variable",
        edits: [{ node: v, text: `[k for k in ${environ}.get("SECRET_KEY_FALLBACKS", "").split(",") if k]` }],
      },
    });
    return;
  }
  const literal = literalValue(value);
  if (!literal || !evidenceIsRedacted(literal.node)) return;
  ctx.report({
    node: literal.node,
    confidence: literal.empty ? "medium" : undefined,
    message: hardCodedMessage(target, literal),
    fix: literalFix(target, literal, ctx),
  });
}

/** `SECRET_KEY = "..."`, `app.secret_key = "..."`, `app.config["SECRET_KEY"] = "..."`, `os.environ["SECRET_KEY"] = "..."`. */
function checkAssignment(assignment: SyntaxNode, ctx: RuleContext): void {
  const left = assignment.childForFieldName("left");
  const right = assignment.childForFieldName("right");
  if (!left || !right || right.type === "assignment") return;
  const target = keyOfAssignmentTarget(left, ctx);
  if (!target || inDevContext(assignment, ctx)) return;
  reportLiteral(target, right, ctx);
}

/** Does this call or dict literal configure tests (`TESTING=True` next to the key)? */
function configuresTests(container: SyntaxNode): boolean {
  if (container.type === "argument_list") {
    return container.namedChildren.some((a) => a.type === "keyword_argument" && a.childForFieldName("name")?.text === "TESTING" && isTruthyLiteral(a.childForFieldName("value")));
  }
  return container.namedChildren.some((p) => p.type === "pair" && stringValue(p.childForFieldName("key")) === "TESTING" && isTruthyLiteral(p.childForFieldName("value")));
}

/** `app.config.update(SECRET_KEY="...")`, `from_mapping(...)`, `dict(SECRET_KEY=...)`, `create_app(SECRET_KEY=...)`. */
function checkKeywordArgument(argument: SyntaxNode, ctx: RuleContext): void {
  const name = argument.childForFieldName("name")?.text ?? "";
  const value = argument.childForFieldName("value");
  if (!KEY_NAMES.has(name) || !value || !argument.parent || configuresTests(argument.parent)) return;
  if (inDevContext(argument, ctx)) return;
  const call = argument.parent.parent;
  const callee = call?.type === "call" ? call.childForFieldName("function")?.text ?? "" : "";
  reportLiteral({ key: name, label: callee.length > 0 && callee.length <= 40 ? `${name} in ${callee}()` : name }, value, ctx);
}

/** `{"SECRET_KEY": "..."}` in a config mapping. */
function checkPair(pair: SyntaxNode, ctx: RuleContext): void {
  const key = stringValue(pair.childForFieldName("key"));
  const value = pair.childForFieldName("value");
  if (key === null || !KEY_NAMES.has(key) || !value || !pair.parent || configuresTests(pair.parent)) return;
  if (inDevContext(pair, ctx)) return;
  reportLiteral({ key, label: `"${key}" in a config mapping` }, value, ctx);
}

/** The environment reads environmentRead() knows by resolved name (besides `<app>.config.get/setdefault`). */
const ENVIRONMENT_READS = new Set(["os.environ.get", "os.getenv", "os.environ.setdefault", "decouple.config"]);

interface EnvironmentRead {
  /** The environment variable or config key read. */
  variable: string;
  fallback: SyntaxNode | null;
  /** Fail-closed replacement for the whole call (`os.environ["SECRET_KEY"]`), and whether it is safe to apply. */
  strict: { text: string; safe: boolean } | null;
}

/** `os.getenv("X", d)`, `os.environ.get("X", d)`, `environ.setdefault("X", d)`, `config("X", default=d)`, `app.config.get("X", d)`. */
function environmentRead(call: SyntaxNode, ctx: RuleContext): EnvironmentRead | null {
  const fn = call.childForFieldName("function");
  if (!fn) return null;
  const resolved = ctx.resolve(fn);
  const method = calleeMethod(call);
  const holder = fn.type === "attribute" ? fn.childForFieldName("object") : null;
  // app.config.get("SECRET_KEY", "...") / app.config.setdefault("SECRET_KEY", "..."), read last below
  const configRead = (method === "get" || method === "setdefault") && holder?.type === "attribute" && lastSegment(holder) === "config";
  // the callee decides first, before the arguments are read (most calls here are dict.get)
  if (!configRead && !ENVIRONMENT_READS.has(resolved ?? "")) return null;
  const args = callArguments(call);
  const first = args.positional[0];
  const variable = stringValue(first);
  if (!first || variable === null || args.hasSplat) return null;
  if (resolved === "os.environ.get" || resolved === "os.getenv") {
    let environ: string | null = null;
    if (resolved === "os.environ.get" && fn.type === "attribute") environ = fn.childForFieldName("object")!.text;
    else if (fn.type === "attribute") environ = `${fn.childForFieldName("object")!.text}.environ`;
    else environ = environSpelling(call, ctx);
    return {
      variable,
      fallback: args.keywords.get("default") ?? args.positional[1] ?? null,
      strict: { text: `${environ ?? "os.environ"}[${first.text}]`, safe: environ !== null },
    };
  }
  if (resolved === "os.environ.setdefault") return { variable, fallback: args.positional[1] ?? null, strict: null };
  if (resolved === "decouple.config") {
    const others = [...args.positional.map((a) => a.text), ...[...args.keywords].filter(([k]) => k !== "default").map(([k, v]) => `${k}=${v.text}`)];
    return { variable, fallback: args.keywords.get("default") ?? null, strict: { text: `${fn.text}(${others.join(", ")})`, safe: true } };
  }
  if (configRead && KEY_NAMES.has(variable) && isAppObject(holder.childForFieldName("object"))) {
    const strict = method === "get" ? { text: `${holder.text}[${first.text}]`, safe: true } : null;
    return { variable, fallback: args.positional[1] ?? null, strict };
  }
  return null;
}

function isKeyRead(read: EnvironmentRead): boolean {
  return KEY_ENV.test(read.variable) || KEY_NAMES.has(read.variable);
}

/** `os.getenv("SECRET_KEY", "dev")`: the app runs with a known key when the variable is missing. */
function checkFallbackCall(call: SyntaxNode, ctx: RuleContext): void {
  const read = environmentRead(call, ctx);
  if (!read?.fallback) return;
  const literal = literalValue(read.fallback);
  if (!literal || !evidenceIsRedacted(literal.node)) return;
  const target = boundKey(call, ctx);
  if (!isKeyRead(read) && !target) return;
  if (target?.environment || inDevContext(call, ctx)) return;
  // an empty default for the retired-keys list means "no retired keys", not a known key
  if (literal.empty && /FALLBACKS$/i.test(target?.key ?? read.variable)) return;
  ctx.report({
    node: call,
    confidence: literal.empty ? "medium" : "high",
    message: literal.empty
      ? `${read.variable} falls back to an empty key when it is not configured: fail closed instead (a missing key should stop the app).`
      : `${read.variable} falls back to a hard-coded key${literal.via ? ` (${literal.via})` : ""} when it is not configured: a deployment that forgets it signs with a key anyone with the code knows.`,
    fix: read.strict
      ? {
          safety: read.strict.safe && !strictReadBreaksDev(call) ? "safe" : "review",
          description: strictReadBreaksDev(call)
            ? `require the variable; ${IMPORT_TIME_NOTE}`
            : "require the variable: a missing key stops the app at start instead of using a known one",
          edits: [{ node: call, text: read.strict.text }],
        }
      : undefined,
  });
}

/** `os.environ.get("SECRET_KEY") or "dev"`: the same fallback through `or`. */
function checkFallbackOr(operator: SyntaxNode, ctx: RuleContext): void {
  if (operator.childForFieldName("operator")?.text !== "or") return;
  const left = operator.childForFieldName("left");
  const right = operator.childForFieldName("right");
  const literal = literalValue(right);
  if (!left || !literal || !evidenceIsRedacted(literal.node)) return;
  const read = unwrap(left).type === "call" ? environmentRead(unwrap(left), ctx) : null;
  const target = boundKey(operator, ctx);
  if (!(read && !read.fallback && isKeyRead(read)) && !target) return;
  if (target?.environment || inDevContext(operator, ctx)) return;
  const what = read ? read.variable : target!.label;
  ctx.report({
    node: operator,
    confidence: literal.empty ? "medium" : "high",
    message: `${what} falls back to a hard-coded ${literal.empty ? "empty " : ""}key when the value is missing: a deployment that forgets it signs with a key anyone with the code knows.`,
    fix:
      read?.strict && !read.fallback
        ? {
            safety: read.strict.safe && !strictReadBreaksDev(operator) ? "safe" : "review",
            description: strictReadBreaksDev(operator) ? `require the variable; ${IMPORT_TIME_NOTE}` : "require the variable: a missing key stops the app at start",
            edits: [{ node: operator, text: read.strict.text }],
          }
        : { safety: "review", description: "drop the hard-coded fallback and fail when the key is missing", edits: [{ node: operator, text: left.text }] },
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Logging the key

const LOG_METHODS = new Set(["debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"]);
const OUTPUT_FUNCTIONS = new Set(["print", "pprint.pprint", "pprint.pp", "sys.stdout.write", "sys.stderr.write", "click.echo", "click.secho"]);
/** Calls whose result carries their argument's text. */
const PASS_THROUGH = new Set(["str", "repr", "format", "dict", "list", "tuple", "sorted", "vars", "json.dumps", "pprint.pformat"]);
/** print/log keywords that never carry the message. */
const NON_MESSAGE_KEYWORDS = new Set(["exc_info", "stack_info", "stacklevel", "file", "sep", "end", "flush", "err", "nl", "fg", "bold"]);


/** The name of a print/logging call, or null. */
function outputSink(call: SyntaxNode, ctx: RuleContext): string | null {
  const fn = call.childForFieldName("function");
  if (!fn) return null;
  const resolved = ctx.resolve(fn);
  if (resolved && OUTPUT_FUNCTIONS.has(resolved)) return fn.text;
  if (fn.type !== "attribute" || !LOG_METHODS.has(calleeMethod(call) ?? "")) return null;
  if (resolved?.startsWith("logging.")) return fn.text;
  const receiver = unwrap(fn.childForFieldName("object")!);
  const name = receiver.type === "call" ? receiver.childForFieldName("function")?.text ?? "" : lastSegment(receiver);
  return /log/i.test(name) ? (fn.text.length <= 40 ? fn.text : `${lastSegment(receiver)}.${calleeMethod(call)}`) : null;
}

interface Leak {
  /** The expression in the output call that carries the key. */
  node: SyntaxNode;
  /** What leaks, as code: "app.config['SECRET_KEY']". */
  label: string;
  whole: boolean;
  /** The node a redacting fix replaces (an f-string interpolation, or the argument itself). */
  replace: SyntaxNode;
}

/** Reads the key: `app.secret_key`, `X.config["SECRET_KEY"]`, `config.get("SECRET_KEY")`, `os.environ["SECRET_KEY"]`, `SECRET_KEY`. */
function keyReference(node: SyntaxNode, ctx: RuleContext): string | null {
  if (node.type === "identifier") return KEY_NAMES.has(node.text) ? node.text : null;
  if (node.type === "attribute") {
    const attribute = lastSegment(node);
    if (KEY_NAMES.has(attribute)) return node.text;
    return attribute === "secret_key" && isAppObject(node.childForFieldName("object")) ? node.text : null;
  }
  if (node.type === "subscript") {
    const holder = node.childForFieldName("value");
    const key = stringValue(node.childForFieldName("subscript"));
    if (!holder || key === null) return null;
    const isKey = KEY_NAMES.has(key) || (ctx.resolve(holder) === "os.environ" && KEY_ENV.test(key));
    return isKey ? `${holder.text}['${key}']` : null;
  }
  if (node.type === "call") {
    const fn = node.childForFieldName("function");
    const variable = stringValue(callArguments(node).positional[0]);
    if (!fn || variable === null || !(KEY_NAMES.has(variable) || KEY_ENV.test(variable))) return null;
    const resolved = ctx.resolve(fn);
    if (calleeMethod(node) === "get" || resolved === "os.getenv") return `${fn.text}('${variable}')`;
  }
  return null;
}

/** `app.config` itself (every value, SECRET_KEY included). */
function isWholeConfig(node: SyntaxNode): boolean {
  return node.type === "attribute" && lastSegment(node) === "config" && isAppObject(node.childForFieldName("object"));
}

function findLeak(raw: SyntaxNode, ctx: RuleContext, depth: number, replace: SyntaxNode = raw): Leak | null {
  const node = unwrap(raw);
  const key = keyReference(node, ctx);
  if (key) return { node, label: key, whole: false, replace };
  if (isWholeConfig(node)) return { node, label: node.text, whole: true, replace };
  const first = (children: (SyntaxNode | null)[]): Leak | null => {
    for (const child of children) {
      const leak = child ? findLeak(child, ctx, depth, child === raw ? replace : child) : null;
      if (leak) return leak;
    }
    return null;
  };
  switch (node.type) {
    case "string":
      for (const part of node.namedChildren) {
        if (part.type !== "interpolation") continue;
        const expression = part.childForFieldName("expression") ?? part.namedChild(0);
        const leak = expression ? findLeak(expression, ctx, depth, part) : null;
        if (leak) return leak;
      }
      return null;
    case "concatenated_string":
    case "tuple":
    case "list":
    case "set":
    case "expression_list":
      return first(node.namedChildren);
    case "dictionary":
      return first(node.namedChildren.map((pair) => pair.childForFieldName("value")));
    case "binary_operator": {
      const operator = node.childForFieldName("operator")?.text;
      return operator === "+" || operator === "%" ? first([node.childForFieldName("left"), node.childForFieldName("right")]) : null;
    }
    case "conditional_expression":
      return first([node.namedChild(0), node.namedChild(2)]);
    case "subscript": {
      // a slice of the key still leaks part of it; one entry of app.config is not the whole config
      const holder = node.childForFieldName("value");
      const inner = holder ? findLeak(holder, ctx, depth, replace) : null;
      return inner && !inner.whole ? inner : null;
    }
    case "call": {
      const fn = node.childForFieldName("function");
      const args = callArguments(node);
      const values = [...args.positional, ...args.keywords.values()];
      const resolved = ctx.resolve(fn);
      if (resolved && PASS_THROUGH.has(resolved)) return first(resolved === "json.dumps" ? args.positional.slice(0, 1) : values);
      if (fn?.type !== "attribute") return null;
      const method = calleeMethod(node) ?? "";
      const receiver = fn.childForFieldName("object")!;
      if (method === "format" || method === "join" || method === "format_map") return first([receiver, ...values]);
      if ((method === "items" || method === "values" || method === "copy") && isWholeConfig(unwrap(receiver))) {
        return { node: unwrap(receiver), label: unwrap(receiver).text, whole: true, replace };
      }
      if (["encode", "decode", "hex", "strip", "upper", "lower"].includes(method)) return first([receiver]);
      return null;
    }
    case "identifier": {
      if (depth <= 0) return null;
      const value = constantBefore(node);
      const leak = value ? findLeak(value, ctx, depth - 1) : null;
      return leak ? { node, label: `${node.text} (holding ${leak.label})`, whole: leak.whole, replace } : null;
    }
    default:
      return null;
  }
}

/** The value of the last assignment to this name before its use, in the innermost scope that assigns it. */
function constantBefore(identifier: SyntaxNode): SyntaxNode | null {
  for (const scope of visibleScopes(identifier)) {
    let last: SyntaxNode | null = null;
    for (const assignment of scopeAssignments(scope)) {
      if (assignment.childForFieldName("left")?.text !== identifier.text) continue;
      if (assignment.startIndex < identifier.startIndex) last = assignment.childForFieldName("right");
      else if (!last) break;
    }
    if (last) return last;
  }
  return null;
}

function checkOutput(call: SyntaxNode, ctx: RuleContext): void {
  const sink = outputSink(call, ctx);
  if (!sink) return;
  const argumentList = call.childForFieldName("arguments");
  if (!argumentList) return;
  const messageArgs = argumentList.namedChildren.filter((a) => a.type !== "comment" && !(a.type === "keyword_argument" && NON_MESSAGE_KEYWORDS.has(a.childForFieldName("name")?.text ?? "")));
  for (const argument of messageArgs) {
    const value = argument.type === "keyword_argument" ? argument.childForFieldName("value") : argument;
    const leak = value ? findLeak(value, ctx, 2) : null;
    if (!leak) continue;
    if (inDevContext(call, ctx)) return;
    ctx.report({
      node: leak.node,
      confidence: leak.whole ? "medium" : "high",
      message: leak.whole
        ? `${sink}() writes out ${leak.label}, which holds SECRET_KEY and other credentials: anyone who reads the logs or console gets them.`
        : `${sink}() writes out ${leak.label}: anyone who reads the logs or console can forge session cookies and signed tokens.`,
      fix: leak.whole
        ? undefined
        : {
            safety: "review",
            description: "keep the key out of the output (log that it is set, never its value)",
            edits: [{ node: leak.replace, text: leak.replace.type === "interpolation" ? "[redacted]" : `"[redacted]"` }],
          },
    });
    return;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Committed deployment files: `.env`, Dockerfile ENV/ARG, compose environment, systemd Environment=

/**
 * `NAME=value` / `NAME: value`. Only these separators: the engine redacts text-file evidence for them (a
 * Dockerfile's legacy `ENV NAME value` form would be echoed, so it is not matched).
 */
const TEXT_ASSIGNMENT = /(?:^|[\s"'])([A-Za-z_][A-Za-z0-9_]*)["']?(\s*[=:]\s*)("[^"\n]*"|'[^'\n]*'|[^\s"'#]*)/g;

function textLinesToRead(ctx: TextRuleContext, line: string): boolean {
  switch (ctx.kind) {
    case "dockerfile":
      return /^\s*(?:ENV|ARG)\s/i.test(line);
    case "systemd":
      return /^\s*Environment\s*=/.test(line);
    default:
      return true;
  }
}

const WHERE_COMMITTED: Partial<Record<string, string>> = {
  env: "a committed .env file",
  dockerfile: "the Dockerfile (ENV and ARG values stay in the image layers and history)",
  compose: "the compose file",
  systemd: "the systemd unit",
  shell: "a committed script",
};

function checkCommittedKeys(ctx: TextRuleContext): void {
  if (isLocalDeploymentFile(ctx) || TEMPLATE_PATH.test(ctx.file)) return;
  // compose stacks and scripts are often local tooling: medium; the rest configure the deployed app
  const confidence: Confidence = ctx.kind === "compose" || ctx.kind === "shell" ? "medium" : "high";
  forEachProductionLine(ctx, (line, index) => {
    if (!textLinesToRead(ctx, line)) return;
    const assignments = line.replace(/^\s*(?:export\s+|Environment\s*=\s*|ENV\s+|ARG\s+)/i, " ");
    for (const match of assignments.matchAll(TEXT_ASSIGNMENT)) {
      const name = match[1]!;
      const raw = match[3]!;
      const value = raw.replace(/^(["'])(.*)\1$/, "$2");
      if (!KEY_ENV.test(name) || value === "" || value.startsWith("$") || value.startsWith("#")) continue;
      ctx.report({
        line: index + 1,
        confidence,
        message: `${name} has a literal value in ${WHERE_COMMITTED[ctx.kind] ?? "a committed file"}: anyone with the repository can forge session cookies and signed values. Inject it at deploy time from a secret store instead.`,
      });
      return;
    }
  });
}

export default defineRule({
  id: "FLASK-CONFIG-001",
  title: "SECRET_KEY hard-coded, weak or logged",
  severity: "high",
  confidence: "high",
  cwe: ["CWE-798", "CWE-321", "CWE-532"],
  spec: "FLASK-CONFIG-001",
  docs: {
    impact:
      "Flask signs the session cookie (and Flask-WTF its CSRF tokens, itsdangerous tokens, JWT extensions their tokens) " +
      "with SECRET_KEY. Anyone who has the key (from the repository, a fork, a leaked image or a log line) can forge a " +
      "session for any user, including an admin, and forge reset or confirmation tokens.",
    fix:
      "Load the key from the environment or a secret manager and fail closed when it is missing: " +
      "`SECRET_KEY = os.environ[\"SECRET_KEY\"]`, no literal fallback. Generate it with `python -c 'import secrets; " +
      "print(secrets.token_hex(32))'`. Never print or log it; log that it is set, if anything. To rotate, put the old " +
      "key in SECRET_KEY_FALLBACKS (from the environment too) and remove it after the rotation window.",
    mitigation:
      "Rotate any key that was ever committed or logged (old sessions become invalid; use SECRET_KEY_FALLBACKS for a " +
      "smooth switch), scrub it from logs, and add a start-up check that refuses a missing or short key in production.",
    falsePositives:
      "Keys in Development/Dev/Local/Test config classes, in dev-, test- or local-named modules, in *.example.py " +
      "templates, in tests, in calls that also set TESTING=True, in the development branch of an `if` and in a " +
      "`__main__` block that no deployment file runs are not reported: a dev key that production overrides is the " +
      "pattern the spec recommends; check that production really overrides it. Keys read from os.environ without a " +
      "default, os.urandom/secrets values, files and secret managers are not reported. In committed .env files, " +
      "Dockerfile ENV/ARG, compose environments and systemd units, literal values are reported (compose files with " +
      "medium confidence: they may only describe a local stack); `${VAR}` references, .env.example templates, " +
      "compose override files and dev/test Dockerfile stages are not. A finding whose value the engine could not " +
      "redact is withheld rather than echo the key.",
    bad: [
      "from flask import Flask",
      "",
      "app = Flask(__name__)",
      "app.config[\"SECRET_KEY\"] = \"5f2b0c9e1d7a4b36a8e0f4c2d19b7e65\"",
      "",
    ].join("\n"),
    good: [
      "import os",
      "",
      "from flask import Flask",
      "",
      "app = Flask(__name__)",
      "app.config[\"SECRET_KEY\"] = os.environ[\"SECRET_KEY\"]",
      "",
    ].join("\n"),
  },
  kinds: ["python", "env", "dockerfile", "compose", "systemd", "shell"],
  on: ["assignment", "keyword_argument", "pair", "call", "boolean_operator"],
  names: {
    // checkKeywordArgument reads only a keyword that names a key (TESTING is read from its siblings)
    keyword_argument: [...KEY_NAMES],
    // environmentRead(): os.environ.get / os.getenv / os.environ.setdefault / decouple.config (resolved, aliases
    // too) and <app>.config.get / setdefault; outputSink(): print, pprint, sys.stdout.write, click.echo... (resolved)
    // and logging methods (written)
    call: [
      ...new Set([
        ...[...ENVIRONMENT_READS].map(lastPart), "get", "setdefault",
        ...[...OUTPUT_FUNCTIONS].map(lastPart), ...LOG_METHODS,
      ]),
    ],
  },
  checkText: checkCommittedKeys,
  check(node, ctx) {
    if (ctx.memo("skipFile", () => ctx.isTestFile || ((DEV_PATH.test(ctx.file) || TEMPLATE_PATH.test(ctx.file)) && !ctx.project.directlyRunInProduction.has(ctx.file)))) return;
    switch (node.type) {
      case "assignment":
        checkAssignment(node, ctx);
        return;
      case "keyword_argument":
        checkKeywordArgument(node, ctx);
        return;
      case "pair":
        checkPair(node, ctx);
        return;
      case "boolean_operator":
        checkFallbackOr(node, ctx);
        return;
      case "call":
        checkFallbackCall(node, ctx);
        checkOutput(node, ctx);
        return;
      default:
        return;
    }
  },
});
