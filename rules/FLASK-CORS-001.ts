// FLASK-CORS-001: CORS wider than the data it guards. Reads Flask-CORS (CORS(app, ...), cors.init_app(app, ...),
// @cross_origin(...), the CORS_ORIGINS config key) and hand-written Access-Control-Allow-Origin headers. Reported:
// every origin allowed together with credentials (Flask-CORS then echoes any Origin with
// Access-Control-Allow-Credentials: high), an echoed request Origin with no allowlist check, a regex origin without an
// end anchor (Flask-CORS uses re.match: a prefix match), and every origin allowed without credentials (medium; low
// confidence when '*' is written on purpose; silent on clearly public paths). Explicit origin lists stay silent.
import type { SyntaxNode } from "tree-sitter";
import { defineRule, type FixInput, type RuleContext } from "../src/core/define-rule.js";
import { guardedOnPath, mentions } from "../src/core/guards.js";
import { assignmentsIn, callArguments, enclosingFunction, isTruthyLiteral, rootOf, routesOf, stringValue, unwrap } from "../src/core/python.js";

const CORS_EXTENSION = new Set(["flask_cors.CORS", "flask_cors.extension.CORS"]);
const CROSS_ORIGIN = new Set(["flask_cors.cross_origin", "flask_cors.decorator.cross_origin"]);
const ACAO = "access-control-allow-origin";
/** Routes whose data is public by nature: '*' there is the right answer. */
const PUBLIC_PATH = /(^|\/)(public|static|assets|fonts|health|healthz|status|docs|openapi|swagger|\.well-known)(\/|$|\*|\.|\()/i;
/** Flask-CORS treats an origin containing one of these as a regex (core.probably_regex). */
const REGEX_CHARS = /[*\\\]?$^[()]/;
/** Access-Control-Allow-Credentials set to true in the same function (or file, with an after_request hook). */
const CREDENTIALS_HEADER = /Access-Control-Allow-Credentials['"]\s*(?:\]\s*=|,|:)\s*['"]?true/i;
const PLACEHOLDER = '"https://app.example.com"';

interface Problem {
  kind: "wildcard" | "regex";
  /** The literal, or the name that holds it (reported there, where the change is made); null: the default. */
  node: SyntaxNode | null;
  /** Source text of the literal, for messages. */
  literal?: string;
}

/** What is wrong with an origins value: '*' (node null: the default) or unanchored regexes. Unknown values: none. */
function originProblems(value: SyntaxNode | null | undefined, ctx: RuleContext, depth = 0): Problem[] {
  if (!value) return [{ kind: "wildcard", node: null }];
  const node = unwrap(value);
  if (["list", "tuple", "set"].includes(node.type)) return node.namedChildren.flatMap((e) => originProblems(e, ctx, depth + 1).filter((p) => p.node));
  if (node.type === "call" && ctx.resolve(node.childForFieldName("function")) === "re.compile") {
    const pattern = callArguments(node).positional[0];
    return pattern ? originProblems(pattern, ctx, depth + 1) : [];
  }
  if (node.type === "identifier" && depth < 2) {
    const defs = visibleAssignments(node, node.text);
    const problems = defs.length === 1 ? originProblems(defs[0]!.childForFieldName("right"), ctx, depth + 1).filter((p) => p.node) : [];
    return problems.map((p) => ({ ...p, node }));
  }
  const text = stringValue(node);
  if (text === null) return [];
  if (text === "*" || /^\^?\.\*\$?$/.test(text)) return [{ kind: "wildcard", node, literal: node.text }];
  if (REGEX_CHARS.test(text) && !/(\$|\\Z)$/.test(text)) return [{ kind: "regex", node, literal: node.text }];
  return [];
}

/**
 * `name = ...` statements of the enclosing function's body, then of the module (not nested in if/try). A bare
 * annotation (`cors: CORS`) binds nothing and has no value: it is not one of them.
 */
function visibleAssignments(from: SyntaxNode, name: string): SyntaxNode[] {
  const body = enclosingFunction(from)?.childForFieldName("body");
  return [...(body ? assignmentsIn(body, name) : []), ...assignmentsIn(rootOf(from), name)].filter((a) => a.childForFieldName("right"));
}

// ---------------------------------------------------------------------------------------------------------------
// Flask-CORS options

interface Scope {
  /** Where a default-origins finding is anchored, and what it is called in messages. */
  anchor: SyntaxNode;
  label: string;
  /** The paths the options cover (route paths, resource patterns); all public => '*' is fine. */
  paths: string[];
}

function checkOptions(kw: Map<string, SyntaxNode>, scope: Scope, ctx: RuleContext): void {
  const credentialsArg = kw.get("supports_credentials");
  const credentials = credentialsArg ? isTruthyLiteral(credentialsArg) : ctx.project.corsConfig.credentials;
  const sendsWildcard = isTruthyLiteral(kw.get("send_wildcard")); // '*' is then sent as is, and credentials refused
  const resources = kw.get("resources") ? unwrap(kw.get("resources")!) : null;
  if (resources?.type === "dictionary") {
    for (const pair of resources.namedChildren.filter((p) => p.type === "pair")) {
      const options = unwrap(pair.childForFieldName("value")!);
      const own = new Map(options.type === "dictionary" ? options.namedChildren.filter((p) => p.type === "pair").map((p) => [stringValue(p.childForFieldName("key")) ?? "", p.childForFieldName("value")!] as const) : []);
      const entryCredentials = own.has("supports_credentials") ? isTruthyLiteral(own.get("supports_credentials")) : credentials;
      const entry: Scope = { anchor: options, label: `The resource ${pair.childForFieldName("key")?.text ?? ""}`, paths: [stringValue(pair.childForFieldName("key")) ?? ""] };
      checkOrigins(own.get("origins") ?? kw.get("origins"), entryCredentials && !sendsWildcard, entry, ctx, !own.has("origins") && options.type === "dictionary");
    }
    return;
  }
  const paths = resources ? [resources, ...resources.namedChildren].map((r) => stringValue(r)).filter((p): p is string => p !== null) : [];
  checkOrigins(kw.get("origins"), credentials && !sendsWildcard, paths.length > 0 ? { ...scope, paths } : scope, ctx, true);
}

function checkOrigins(origins: SyntaxNode | undefined, credentials: boolean, scope: Scope, ctx: RuleContext, canAdd: boolean): void {
  if (!origins && ctx.project.corsConfig.origins) return; // CORS_ORIGINS / CORS_RESOURCES in the config decide
  for (const problem of originProblems(origins, ctx)) {
    if (problem.kind === "regex") {
      reportRegex(problem, credentials, ctx);
      continue;
    }
    const where = scope.paths.length > 0 ? scope.paths.join(", ") : "every route";
    if (credentials) {
      ctx.report({
        node: problem.node ?? scope.anchor,
        severity: "high",
        confidence: "high",
        message: `${scope.label} allows every origin${problem.node ? "" : " (Flask-CORS defaults to '*')"} with credentials: Flask-CORS then echoes any caller's Origin with Access-Control-Allow-Credentials, so any website can send a logged-in user's cookies and read the answers.`,
        fix: originsFix(problem.node, scope.anchor, canAdd),
      });
      continue;
    }
    if (scope.paths.length > 0 && scope.paths.every((p) => PUBLIC_PATH.test(p))) continue;
    const how = problem.node ? "'*'" : "Flask-CORS defaults to '*'";
    ctx.report({
      node: problem.node ?? scope.anchor,
      confidence: problem.node ? "low" : "medium",
      message: `${scope.label} allows every origin (${how}) on ${where}: any website can call it from its visitors' browsers and read the answers. Fine for public data; list the trusted origins if it serves anything internal or user-specific.`,
      fix: originsFix(problem.node, scope.anchor, canAdd),
    });
  }
}

function reportRegex(problem: Problem, credentials: boolean, ctx: RuleContext): void {
  const node = problem.node!;
  ctx.report({
    node,
    severity: credentials ? "high" : "medium",
    confidence: credentials ? "high" : "medium",
    message: `The origin pattern ${node.text === problem.literal ? node.text : `${node.text} (${problem.literal})`} has no end anchor: Flask-CORS matches it with re.match (a prefix match), so an origin such as https://app.example.com.attacker.example passes too${credentials ? ", with credentials" : ""}.`,
    fix: anchorFix(node),
  });
}

/** Append `$` to a regex literal (wrapping alternatives), the one mechanical fix of this rule. */
function anchorFix(node: SyntaxNode): FixInput | undefined {
  const match = /^([rRuUbB]*)('''|"""|'|")([\s\S]*)\2$/.exec(node.text);
  if (!match || node.type !== "string" || match[3]!.endsWith("\\") || match[3]!.includes("\n")) return undefined;
  const body = hasTopLevelAlternation(match[3]!) ? `(?:${match[3]})$` : `${match[3]}$`;
  return { safety: "safe", description: "anchor the pattern at the end so the whole origin must match", edits: [{ node, text: `${match[1]}${match[2]}${body}${match[2]}` }] };
}

/** `a|b` outside groups and classes: `$` would then anchor only the last alternative. */
function hasTopLevelAlternation(pattern: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") i++;
    else if (inClass) inClass = c !== "]";
    else if (c === "[") inClass = true;
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "|" && depth === 0) return true;
  }
  return false;
}

/** Replace '*' with a placeholder list, or add `origins=[...]` to a call / `"origins": [...]` to a resource. */
function originsFix(star: SyntaxNode | null, anchor: SyntaxNode, canAdd: boolean): FixInput | undefined {
  const description = "allow only the origins that need access (the URL is a placeholder)";
  if (star) {
    const inList = ["list", "tuple", "set"].includes(star.parent?.type ?? "");
    return { safety: "review", description, edits: [{ node: star, text: inList ? PLACEHOLDER : `[${PLACEHOLDER}]` }] };
  }
  if (!canAdd) return undefined;
  if (anchor.type === "dictionary") {
    const last = anchor.namedChildren.filter((p) => p.type === "pair").pop();
    return { safety: "review", description, edits: [last ? { node: last, text: `${last.text}, "origins": [${PLACEHOLDER}]` } : { node: anchor, text: `{"origins": [${PLACEHOLDER}]}` }] };
  }
  const args = anchor.childForFieldName("arguments");
  const last = args?.namedChildren.filter((a) => a.type !== "comment").pop();
  if (!args) return undefined;
  return { safety: "review", description, edits: [last ? { node: last, text: `${last.text}, origins=[${PLACEHOLDER}]` } : { node: args, text: `(origins=[${PLACEHOLDER}])` }] };
}

/** The keyword options of `CORS(...)` that `cors.init_app(app, ...)` completes (null: not a Flask-CORS object). */
function constructorOptions(receiver: SyntaxNode, ctx: RuleContext): Map<string, SyntaxNode> | null {
  if (receiver.type !== "identifier") return null;
  const ctor = visibleAssignments(receiver, receiver.text)
    .flatMap((a) => {
      const value = a.childForFieldName("right");
      return value ? [unwrap(value)] : [];
    })
    .find((v) => v.type === "call");
  if (!ctor || !CORS_EXTENSION.has(ctx.resolve(ctor.childForFieldName("function")) ?? "")) return null;
  return callArguments(ctor).keywords;
}

function callLabel(call: SyntaxNode): string {
  const text = call.text.replace(/\s+/g, " ");
  return text.length <= 40 ? text : `${call.childForFieldName("function")?.text ?? "CORS"}(...)`;
}

// ---------------------------------------------------------------------------------------------------------------
// Hand-written headers and config keys

/** What a header name or config key is: Access-Control-Allow-Origin ("header"), CORS_ORIGINS ("config"), or null. */
function keyOf(k: SyntaxNode | null | undefined): "header" | "config" | null {
  const text = k?.type === "identifier" ? k.text : stringValue(k);
  return text?.toLowerCase() === ACAO ? "header" : text === "CORS_ORIGINS" ? "config" : null;
}

/** An Access-Control-Allow-Origin value, or a CORS_ORIGINS config value, set by this node. */
function headerOrConfig(node: SyntaxNode): { kind: "header" | "config"; value: SyntaxNode } | null {
  if (node.type === "assignment") {
    const left = node.childForFieldName("left");
    // only `CORS_ORIGINS = ...` and `x[...] = ...` (the left side first: most assignments bind another name)
    if (!left || (left.type === "identifier" ? left.text !== "CORS_ORIGINS" : left.type !== "subscript")) return null;
    const value = node.childForFieldName("right");
    if (!value) return null;
    if (left.type === "identifier") return { kind: "config", value };
    const kind = keyOf(left.childForFieldName("subscript"));
    const target = left.childForFieldName("value")?.text ?? "";
    const owner = kind === "header" ? /(^|\.)headers$/ : /(^|\.)config$/;
    return kind && owner.test(target) ? { kind, value } : null;
  }
  if (node.type === "pair") {
    const key = node.childForFieldName("key");
    const kind = key?.type === "string" ? keyOf(key) : null;
    return kind && node.childForFieldName("value") ? { kind, value: node.childForFieldName("value")! } : null;
  }
  // resp.headers.set("Access-Control-Allow-Origin", v) / .add(...); app.config.update(CORS_ORIGINS=v)
  const fn = node.childForFieldName("function");
  if (fn?.type !== "attribute") return null;
  const method = fn.childForFieldName("attribute")?.text ?? "";
  const owner = fn.childForFieldName("object")?.text ?? "";
  const args = callArguments(node);
  if (["set", "add", "setdefault"].includes(method) && /(^|\.)headers$/.test(owner) && keyOf(args.positional[0]) === "header" && args.positional[1]) {
    return { kind: "header", value: args.positional[1] };
  }
  const config = args.keywords.get("CORS_ORIGINS");
  return ["update", "from_mapping"].includes(method) && /(^|\.)config$/.test(owner) && config ? { kind: "config", value: config } : null;
}

/** Access-Control-Allow-Credentials: true set in the same function, or for every response by an after_request hook. */
function credentialsNear(node: SyntaxNode, ctx: RuleContext): boolean {
  if (CREDENTIALS_HEADER.test(enclosingFunction(node)?.text ?? "")) return true;
  if (!CREDENTIALS_HEADER.test(ctx.source)) return false;
  const lines = ctx.source.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*@[\w.]*after_(?:app_)?request\b/.test(lines[i]!)) continue;
    let def = i;
    while (def < lines.length && !/^\s*(?:async\s+)?def\s/.test(lines[def]!)) def++;
    const indent = /^\s*/.exec(lines[def] ?? "")![0].length;
    let end = def + 1;
    while (end < lines.length && (lines[end]!.trim() === "" || /^\s*/.exec(lines[end]!)![0].length > indent)) end++;
    if (CREDENTIALS_HEADER.test(lines.slice(def, end).join("\n"))) return true;
  }
  return false;
}

function isPublicRoute(node: SyntaxNode): boolean {
  const fn = enclosingFunction(node);
  const paths = fn ? routesOf(fn).map((r) => r.path) : [];
  return paths.length > 0 && paths.every((p) => PUBLIC_PATH.test(p));
}

/**
 * Guard heuristic for an echoed Origin: the header is set inside a branch (or after an early exit) of a condition
 * that tests the value against an allowlist (`origin in ALLOWED_ORIGINS`), compares it, matches a regex, calls a
 * validator (is_allowed_origin()), or checks endswith(".example.com"); or the value is `o if <check> else ...`.
 * startswith() is not a check: https://app.example.com.attacker.example starts with the trusted origin.
 */
function checksOrigin(cond: SyntaxNode, names: Set<string>): boolean {
  return cond.descendantsOfType(["comparison_operator", "call"]).some((n) => {
    if (n.type === "comparison_operator") {
      const op = n.children.find((c) => !c.isNamed)?.text ?? "";
      const other = n.namedChild(1);
      if (["in", "not in"].includes(op)) return mentions(n.namedChild(0), names);
      return ["==", "!="].includes(op) && mentions(n, names) && !!other && other.type !== "none" && stringValue(other) !== "";
    }
    const fn = n.childForFieldName("function");
    const method = fn?.type === "attribute" ? fn.childForFieldName("attribute")?.text ?? "" : fn?.text ?? "";
    const args = n.childForFieldName("arguments");
    if (/allow|valid|trust|safe|whitelist|permit/i.test(method) || ["match", "fullmatch", "search"].includes(method)) return mentions(args, names);
    return method === "endswith" && mentions(fn?.childForFieldName("object"), names) && (args?.namedChildren ?? []).every((a) => stringValue(a)?.startsWith(".") ?? false);
  });
}

function originGuarded(value: SyntaxNode, ctx: RuleContext): boolean {
  const names = new Set(value.descendantsOfType("identifier").filter((i) => ctx.resolve(i) === i.text && !ctx.hasImport(i.text)).map((i) => i.text));
  let expr = unwrap(value);
  if (expr.type === "identifier") {
    const defs = visibleAssignments(expr, expr.text).filter((a) => a.endIndex <= value.startIndex);
    const last = defs[defs.length - 1]?.childForFieldName("right");
    if (last) expr = unwrap(last);
  }
  if (expr.type === "conditional_expression" && expr.namedChild(1) && checksOrigin(expr.namedChild(1)!, new Set(expr.namedChild(0)!.descendantsOfType("identifier").map((i) => i.text)))) return true;
  if (names.size === 0) return false;
  return guardedOnPath(value, {
    around(p, child) {
      const cond = ["if_statement", "elif_clause"].includes(p.type) ? p.childForFieldName("condition") : null;
      return !!cond && cond.id !== child.id && checksOrigin(cond, names);
    },
    before(statement) {
      const cond = statement.type === "if_statement" ? statement.childForFieldName("condition") : null;
      const exits = statement.childForFieldName("consequence")?.namedChildren.some((s) => /^(return|raise)_statement$/.test(s.type) || /abort\(/.test(s.text));
      return !!cond && !!exits && checksOrigin(cond, names);
    },
    moduleLevel: false,
  });
}

function checkHeaderValue(node: SyntaxNode, value: SyntaxNode, ctx: RuleContext): void {
  const credentials = credentialsNear(node, ctx);
  if (stringValue(value) === "*") {
    if (!credentials && isPublicRoute(node)) return;
    ctx.report({
      node: value,
      severity: credentials ? "high" : "medium",
      confidence: credentials ? "medium" : "low",
      message: credentials
        ? "Access-Control-Allow-Origin: * is sent with Access-Control-Allow-Credentials: true: browsers refuse this pair, and the usual next step, echoing the Origin, opens logged-in data to every website; name the trusted origin instead."
        : "Access-Control-Allow-Origin: * lets any website read these responses from its visitors' browsers. Fine for public data; name the trusted origins if it serves anything internal or user-specific.",
      fix: { safety: "review", description: "send a trusted origin (the URL is a placeholder)", edits: [{ node: value, text: PLACEHOLDER }] },
    });
    return;
  }
  const taint = ctx.taint(value);
  if (!taint || originGuarded(value, ctx)) return;
  const source = taint.flow[0]?.label ?? taint.source;
  const statement = node.type === "assignment" && node.parent?.type === "expression_statement" ? node : null;
  const fix: FixInput | undefined = statement && !value.text.includes("\n")
    ? { safety: "review", description: "echo the Origin only when it is in an ALLOWED_ORIGINS set you define", edits: [{ node: statement, text: `if ${value.text} in ALLOWED_ORIGINS:\n    ${statement.text}` }] }
    : undefined;
  ctx.report({
    node: value,
    severity: credentials ? "high" : "medium",
    confidence: credentials ? "high" : "medium",
    message: credentials
      ? `${source} is echoed in Access-Control-Allow-Origin with Access-Control-Allow-Credentials: true and no allowlist check: any website can send a logged-in user's cookies and read the answers.`
      : `${source} is echoed in Access-Control-Allow-Origin with no allowlist check: any website can read these responses from its visitors' browsers (a problem when they hold anything internal or user-specific).`,
    flow: taint.flow,
    fix,
  });
}

export default defineRule({
  id: "FLASK-CORS-001",
  title: "CORS allows more origins than it should",
  severity: "medium",
  confidence: "medium",
  cwe: ["CWE-942", "CWE-346"],
  spec: "FLASK-CORS-001",
  docs: {
    impact:
      "With credentials allowed for every origin (or an echoed Origin), any website a logged-in user visits can call " +
      "your API with their cookies and read the answers: their data, CSRF tokens, account actions. Without credentials, " +
      "every website can still read what the API returns to anonymous callers, which matters for internal or " +
      "IP-restricted services.",
    fix:
      "List the origins that need access (origins=[\"https://app.example.com\"]); never combine '*' or an echoed " +
      "Origin with supports_credentials=True; anchor regex origins with '$'; restrict methods and headers to what " +
      "the front end uses, and leave CORS off entirely when no other origin needs the API.",
    mitigation:
      "Authenticate cross-origin API calls with tokens in the Authorization header instead of cookies; set SameSite " +
      "on session cookies so they are not sent on cross-site requests.",
    falsePositives:
      "'*' without credentials is right for public, anonymous data: routes under public/static/docs/health paths are " +
      "not reported, and an explicit '*' elsewhere is reported with low confidence. CORS(app) with no origins is " +
      "reported with medium confidence unless CORS_ORIGINS / CORS_RESOURCES are set in the app config. An echoed Origin " +
      "inside an allowlist check in the same function is not reported; a check elsewhere is not seen, so verify it.",
    bad:
      "from flask import Flask\nfrom flask_cors import CORS\n\napp = Flask(__name__)\n" +
      "CORS(app, origins=\"*\", supports_credentials=True)\n",
    good:
      "from flask import Flask\nfrom flask_cors import CORS\n\napp = Flask(__name__)\n" +
      "CORS(app, origins=[\"https://app.example.com\"], supports_credentials=True)\n",
  },
  on: ["call", "assignment", "pair"],
  // call: CORS / cross_origin (written or resolved), cors.init_app(), and headerOrConfig's methods: headers.set / add /
  // setdefault, config.update / from_mapping
  names: {
    call: ["CORS", "cross_origin", "init_app", "set", "add", "setdefault", "update", "from_mapping"],
  },
  check(node, ctx) {
    if (node.type === "call") {
      const fn = node.childForFieldName("function");
      const name = ctx.resolve(fn) ?? "";
      const args = callArguments(node);
      if (args.hasSplat) return;
      if (CORS_EXTENSION.has(name)) {
        // CORS() without an app is configured by init_app(); CORS(origins=...) is judged here
        if (args.positional.length === 0 && !args.keywords.has("app") && args.keywords.size === 0) return;
        checkOptions(args.keywords, { anchor: node, label: callLabel(node), paths: [] }, ctx);
        return;
      }
      if (CROSS_ORIGIN.has(name)) {
        const decorated = node.parent?.type === "decorator" ? node.parent.parent?.childForFieldName("definition") : null;
        const paths = decorated ? routesOf(decorated).map((r) => r.path) : [];
        checkOptions(args.keywords, { anchor: node, label: `@${callLabel(node)}`, paths }, ctx);
        return;
      }
      if (fn?.type === "attribute" && fn.childForFieldName("attribute")?.text === "init_app") {
        const options = constructorOptions(fn.childForFieldName("object")!, ctx);
        if (!options || (options.size > 0 && args.keywords.size === 0)) return; // judged at the constructor
        checkOptions(new Map([...options, ...args.keywords]), { anchor: node, label: callLabel(node), paths: [] }, ctx);
        return;
      }
    }
    const set = headerOrConfig(node);
    if (!set) return;
    if (set.kind === "header") {
      checkHeaderValue(node, set.value, ctx);
      return;
    }
    for (const problem of originProblems(set.value, ctx).filter((p) => p.node)) {
      if (problem.kind === "regex") {
        reportRegex(problem, ctx.project.corsConfig.credentials, ctx);
        continue;
      }
      const credentials = ctx.project.corsConfig.credentials;
      ctx.report({
        node: problem.node!,
        severity: credentials ? "high" : "medium",
        confidence: credentials ? "high" : "low",
        message: credentials
          ? "CORS_ORIGINS = '*' with CORS_SUPPORTS_CREDENTIALS = True: Flask-CORS echoes any caller's Origin with Access-Control-Allow-Credentials, so any website can send a logged-in user's cookies and read the answers."
          : "CORS_ORIGINS = '*' lets any website call the API from its visitors' browsers and read the answers. Fine for public data; list the trusted origins if it serves anything internal or user-specific.",
        fix: originsFix(problem.node, node, false),
      });
    }
  },
});
