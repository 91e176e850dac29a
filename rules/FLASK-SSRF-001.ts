// FLASK-SSRF-001: an outbound HTTP call whose destination (scheme or host) untrusted input controls. Sinks are the
// URL arguments of requests, httpx, urllib.request, aiohttp, urllib3 and pycurl, called directly or through a client
// object built in the file (`s = requests.Session()`, `async with aiohttp.ClientSession() as s`). A value spliced
// after a fixed `scheme://host/` only picks a path on that host: not SSRF. A URL checked against an allowlist in the
// same function before the call (guard heuristic below) stays silent. The fix is advice: an allowlist skeleton.
import type { SyntaxNode } from "tree-sitter";
import { defineRule, type FixInput, type RuleContext } from "../src/core/define-rule.js";
import { callArguments, enclosingFunction, stringValue, unwrap } from "../src/core/python.js";
import type { Taint } from "../src/core/taint.js";
import type { FlowStep } from "../src/core/types.js";

type Family = "requests" | "httpx" | "urllib" | "aiohttp" | "urllib3" | "pycurl";

const VERBS = ["get", "post", "put", "patch", "delete", "head", "options"];
/** Module functions taking a URL: resolved name -> family and the URL's position. */
const FUNCTIONS = new Map<string, { family: Family; index: number }>([
  ...["requests", "httpx"].flatMap((m) => [
    ...VERBS.map((v) => [`${m}.${v}`, { family: m as Family, index: 0 }] as const),
    [`${m}.request`, { family: m as Family, index: 1 }] as const,
  ]),
  ["httpx.stream", { family: "httpx", index: 1 }],
  ["urllib.request.urlopen", { family: "urllib", index: 0 }],
  ["urllib.request.Request", { family: "urllib", index: 0 }],
  ["urllib2.urlopen", { family: "urllib", index: 0 }],
  ["urllib2.Request", { family: "urllib", index: 0 }],
  ["urllib3.request", { family: "urllib3", index: 1 }],
  ["aiohttp.request", { family: "aiohttp", index: 1 }],
]);
/** Client constructors: calls on the object they return are sinks too. */
const CLIENTS = new Map<string, Family>([
  ["requests.Session", "requests"], ["requests.session", "requests"], ["requests.sessions.Session", "requests"],
  ["httpx.Client", "httpx"], ["httpx.AsyncClient", "httpx"], ["aiohttp.ClientSession", "aiohttp"],
  ["urllib3.PoolManager", "urllib3"], ["urllib3.ProxyManager", "urllib3"], ["pycurl.Curl", "pycurl"],
]);
const CLIENT_METHODS: Record<Family, string[]> = {
  requests: [...VERBS, "request"],
  httpx: [...VERBS, "request", "stream"],
  aiohttp: [...VERBS, "request", "ws_connect"],
  urllib3: ["request", "urlopen", "request_encode_url", "request_encode_body"],
  pycurl: ["setopt", "setopt_string"],
  urllib: [],
};
const ANY_CLIENT_METHOD = new Set(Object.values(CLIENT_METHODS).flat());
/** Methods whose URL is the second argument (the first is the HTTP method, or pycurl's option). */
const URL_SECOND = new Set(["request", "stream", "urlopen", "request_encode_url", "request_encode_body", "setopt", "setopt_string"]);
/** Families without a default timeout (httpx defaults to 5 s, aiohttp to 5 min). */
const NO_DEFAULT_TIMEOUT = new Set<Family>(["requests", "urllib", "urllib3"]);
/** Request attributes derived from the Host header: only a finding when TRUSTED_HOSTS does not pin it. */
const HOST_SOURCES = /^request\.(host|host_url|url_root|url|base_url)$/;

interface Sink { family: Family; label: string; url: SyntaxNode; ctor: SyntaxNode | null }

function findSink(call: SyntaxNode, ctx: RuleContext): Sink | null {
  const fn = call.childForFieldName("function");
  if (!fn) return null;
  const args = callArguments(call);
  const name = ctx.resolve(fn);
  const direct = name ? FUNCTIONS.get(name) : undefined;
  if (direct) {
    const url = args.positional[direct.index] ?? args.keywords.get("url");
    return url && ctx.taint(url) ? { family: direct.family, label: fn.text, url, ctor: null } : null;
  }
  if (fn.type !== "attribute") return null;
  const method = fn.childForFieldName("attribute")?.text ?? "";
  if (!ANY_CLIENT_METHOD.has(method)) return null;
  const url = args.positional[URL_SECOND.has(method) ? 1 : 0] ?? (method.startsWith("setopt") ? undefined : args.keywords.get("url"));
  if (!url || !ctx.taint(url)) return null; // cheap test first: most .get() calls read a dict with a constant key
  const receiver = unwrap(fn.childForFieldName("object")!);
  const ctor = receiver.type === "call" ? receiver : receiver.type === "identifier" ? constructorOf(receiver) : null;
  const family = ctor ? CLIENTS.get(ctx.resolve(ctor.childForFieldName("function")) ?? "") : undefined;
  if (!family || !CLIENT_METHODS[family].includes(method)) return null;
  if (family === "pycurl") {
    const option = args.positional[0];
    const optionName = option?.type === "attribute" ? ctx.resolve(option) ?? option.text : "";
    if (optionName !== "pycurl.URL" && optionName !== `${receiver.text}.URL`) return null;
  }
  return { family, label: fn.text.replace(/\s+/g, ""), url, ctor };
}

/** The client constructor call a local name is bound to (`s = requests.Session()`, `with X() as s`), in its scope. */
function constructorOf(id: SyntaxNode): SyntaxNode | null {
  for (let scope: SyntaxNode | null = enclosingFunction(id); ; scope = scope && enclosingFunction(scope)) {
    const body = scope ? scope.childForFieldName("body") : rootOf(id);
    const nodes = scope ? (body?.descendantsOfType(["assignment", "as_pattern"]) ?? []) : topLevelAssignments(body!);
    for (const node of nodes) {
      const target = node.type === "assignment" ? node.childForFieldName("left") : node.childForFieldName("alias")?.namedChild(0);
      let value = node.type === "assignment" ? node.childForFieldName("right") : node.namedChild(0);
      if (value?.type === "await") value = value.namedChild(0);
      if (target?.type === "identifier" && target.text === id.text && value?.type === "call") return value;
    }
    if (!scope) return null;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// URL reading and guards: the same block in FLASK-SSRF-001 and FLASK-REDIRECT-001 (a candidate for src/core/url.ts).
// spellings(): the ways a URL string may be spelled, as literal text and expressions, following f-strings, +, %,
// .format(), `or`, conditionals (minus a branch its own condition checks) and local assignments. The rule reads the
// text before the first untrusted piece; a trusted non-literal piece (a base URL from config) reads as OPAQUE.
// isGuarded(): before the sink, in the same function, an `if` whose condition checks the value (or a name derived
// from it: `parsed = urlparse(url)`) and then exits (return/raise/abort/continue) or reassigns it, an `assert`, a bare
// validator call, or the sink sitting inside a branch of such a condition. What counts as a check is the rule's.

type Piece = string | { node: SyntaxNode; hops: SyntaxNode[] };
type Checks = (cond: SyntaxNode, names: Set<string>) => boolean;
const OPAQUE = "\u0000";
const MAX_ALTERNATIVES = 8;

function cartesian(a: Piece[][], b: Piece[][]): Piece[][] {
  return a.flatMap((x) => b.map((y) => [...x, ...y])).slice(0, MAX_ALTERNATIVES);
}

function spellings(raw: SyntaxNode, ctx: RuleContext, checks: Checks, hops: SyntaxNode[] = [], depth = 0): Piece[][] {
  const node = unwrap(raw);
  const leaf: Piece[][] = [[{ node, hops }]];
  if (depth > 8) return leaf;
  const read = (n: SyntaxNode | null | undefined, h = hops) => (n ? spellings(n, ctx, checks, h, depth + 1) : [[]]);
  switch (node.type) {
    case "string": {
      let out: Piece[][] = [[]];
      for (const child of node.namedChildren) {
        if (child.type === "string_content" || child.type === "escape_sequence") out = out.map((s) => [...s, child.text]);
        else if (child.type === "interpolation") out = cartesian(out, read(child.childForFieldName("expression")));
      }
      return out;
    }
    case "concatenated_string":
      return node.namedChildren.reduce<Piece[][]>((acc, part) => cartesian(acc, read(part)), [[]]);
    case "binary_operator": {
      const op = node.childForFieldName("operator")?.text;
      const left = node.childForFieldName("left");
      const right = node.childForFieldName("right");
      if (op === "+") return cartesian(read(left), read(right));
      const template = stringValue(left);
      if (op !== "%" || template === null || !right) return leaf;
      const values = unwrap(right).type === "tuple" ? unwrap(right).namedChildren : [right];
      let i = 0;
      return splitTemplate(template, /%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]/g, (m) => (m === "%%" ? "%" : read(values[i++] ?? right)));
    }
    case "call": {
      const fn = node.childForFieldName("function");
      const template = fn?.type === "attribute" && fn.childForFieldName("attribute")?.text === "format" ? stringValue(fn.childForFieldName("object")) : null;
      if (template === null) return leaf;
      const args = callArguments(node);
      let auto = 0;
      return splitTemplate(template, /\{\{|\}\}|\{[^{}]*\}/g, (m) => {
        if (m === "{{" || m === "}}") return m[0]!;
        const field = /^\{([^.[!:}]*)/.exec(m)![1]!;
        const value = field === "" ? args.positional[auto++] : /^\d+$/.test(field) ? args.positional[Number(field)] : args.keywords.get(field);
        return value ? read(value) : leaf;
      });
    }
    case "boolean_operator":
      return [...read(node.childForFieldName("left")), ...read(node.childForFieldName("right"))].slice(0, MAX_ALTERNATIVES);
    case "conditional_expression": {
      // `x if is_safe(x) else DEFAULT`: the branch its own condition checks is not a way the value is spelled
      const [a, cond, b] = node.namedChildren;
      const negated = cond?.type === "not_operator";
      const checked = negated ? b : a;
      const test = negated ? cond!.childForFieldName("argument") : cond;
      const skip = checked && test && checks(test, localNames(checked, ctx)) ? checked : null;
      return [a, b].filter((x) => x && x.id !== skip?.id).flatMap((x) => read(x)).slice(0, MAX_ALTERNATIVES);
    }
    case "identifier": {
      const defs = definitions(node);
      if (!defs || defs.length === 0) return leaf;
      return defs.flatMap((d) => (d.value.type === "augmented_assignment"
        ? cartesian(read(d.value.childForFieldName("left"), [...hops, d.value]), read(d.value.childForFieldName("right"), [...hops, d.value]))
        : read(d.value, [...hops, d.stmt]))).slice(0, MAX_ALTERNATIVES);
    }
    default:
      return leaf;
  }
}

function splitTemplate(template: string, field: RegExp, valueOf: (match: string) => Piece[][] | string): Piece[][] {
  let out: Piece[][] = [[]];
  let cursor = 0;
  for (const match of template.matchAll(field)) {
    const value = valueOf(match[0]);
    out = out.map((s) => [...s, template.slice(cursor, match.index)]);
    out = typeof value === "string" ? out.map((s) => [...s, value]) : cartesian(out, value);
    cursor = match.index! + match[0].length;
  }
  return out.map((s) => [...s, template.slice(cursor)]);
}

/** Statements that bind a name some other way than `name = value`: the name's value is then left to the core. */
const BINDERS: Record<string, (n: SyntaxNode) => SyntaxNode | null | undefined> = {
  for_statement: (n) => n.childForFieldName("left"),
  for_in_clause: (n) => n.childForFieldName("left"),
  named_expression: (n) => n.childForFieldName("name"),
  with_item: (n) => n.descendantsOfType("as_pattern_target")[0],
  global_statement: (n) => n,
  nonlocal_statement: (n) => n,
};

function nearestBlock(node: SyntaxNode): SyntaxNode {
  for (let p = node.parent; p; p = p.parent) if (p.type === "block" || p.type === "module") return p;
  return node;
}

function rootOf(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.parent) n = n.parent;
  return n;
}

function topLevelAssignments(module: SyntaxNode): SyntaxNode[] {
  return module.namedChildren.flatMap((s) => (s.type === "expression_statement" && s.namedChild(0)?.type === "assignment" ? [s.namedChild(0)!] : []));
}

/** The simple `name = value` / `name += value` assignments that may reach this use (null: bound another way). */
function definitions(use: SyntaxNode): { value: SyntaxNode; stmt: SyntaxNode }[] | null {
  const fn = enclosingFunction(use);
  if (fn?.childForFieldName("parameters")?.descendantsOfType("identifier").some((p) => p.text === use.text)) return null;
  const found: { value: SyntaxNode; stmt: SyntaxNode; block: SyntaxNode }[] = [];
  const stack = fn ? [fn.childForFieldName("body")!] : [rootOf(use)];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (["function_definition", "class_definition", "lambda"].includes(node.type)) continue;
    if (node.type === "assignment" || node.type === "augmented_assignment") {
      const left = node.childForFieldName("left");
      let value = node.type === "assignment" ? node.childForFieldName("right") : node;
      while (value?.type === "assignment") value = value.childForFieldName("right");
      if (left?.type === "identifier" && left.text === use.text && value) found.push({ value, stmt: node, block: nearestBlock(node) });
      else if (left && left.type !== "identifier" && left.descendantsOfType("identifier").some((i) => i.text === use.text)) return null;
    } else if (BINDERS[node.type]) {
      if (BINDERS[node.type]!(node)?.descendantsOfType("identifier").some((i) => i.text === use.text)) return null;
    }
    stack.push(...node.namedChildren);
  }
  if (found.length === 0 && fn) {
    // a module constant read in a function: usable when bound exactly once at top level
    const top = topLevelAssignments(rootOf(use)).filter((a) => a.childForFieldName("left")?.text === use.text);
    const value = top.length === 1 ? top[0]!.childForFieldName("right") : null;
    return value ? [{ value, stmt: top[0]! }] : null;
  }
  found.sort((a, b) => a.stmt.endIndex - b.stmt.endIndex);
  let live: typeof found = [];
  for (const d of found) {
    if (d.stmt.endIndex > use.startIndex) break;
    live = d.block.startIndex <= use.startIndex && use.endIndex <= d.block.endIndex ? [d] : [...live, d];
  }
  return live;
}

/** Local names an expression reads (not imports such as `request`, not attribute or keyword names). */
function localNames(node: SyntaxNode, ctx: RuleContext): Set<string> {
  const names = new Set<string>();
  for (const id of node.descendantsOfType("identifier")) {
    const parent = id.parent;
    if (parent?.type === "attribute" && parent.childForFieldName("attribute")?.id === id.id) continue;
    if (parent?.type === "keyword_argument" && parent.childForFieldName("name")?.id === id.id) continue;
    if (ctx.resolve(id) === id.text && !ctx.hasImport(id.text)) names.add(id.text);
  }
  return names;
}

/** The value's local names plus the names assigned from them, and the names they were assigned from. */
function trackedNames(value: SyntaxNode, ctx: RuleContext): Set<string> {
  const names = localNames(value, ctx);
  const assignments = enclosingFunction(value)?.descendantsOfType("assignment") ?? [];
  for (let round = 0; round < 3; round++) {
    for (const a of assignments) {
      const left = a.childForFieldName("left");
      const right = a.childForFieldName("right");
      if (left?.type !== "identifier" || !right) continue;
      if (!names.has(left.text) && mentions(right, names)) names.add(left.text);
      else if (names.has(left.text)) for (const name of localNames(right, ctx)) names.add(name);
    }
  }
  return names;
}

function mentions(node: SyntaxNode | null | undefined, names: Set<string>): boolean {
  return !!node && node.descendantsOfType("identifier").some((i) => names.has(i.text));
}

function isGuarded(sink: SyntaxNode, names: Set<string>, checks: Checks): boolean {
  if (names.size === 0) return false;
  const fn = enclosingFunction(sink);
  for (let child: SyntaxNode = sink, p = sink.parent; p && p !== fn; child = p, p = p.parent) {
    if (p.type === "if_statement" || p.type === "elif_clause" || p.type === "conditional_expression") {
      const cond = p.type === "conditional_expression" ? p.namedChild(1) : p.childForFieldName("condition");
      if (cond && cond.id !== child.id && checks(cond, names)) return true;
    }
    if (p.type !== "block" && p.type !== "module") continue;
    for (const statement of p.namedChildren) {
      if (statement.startIndex >= child.startIndex) break;
      if (guardStatement(statement, names, checks)) return true;
    }
  }
  return false;
}

function guardStatement(statement: SyntaxNode, names: Set<string>, checks: Checks): boolean {
  if (statement.type === "assert_statement") return !!statement.namedChild(0) && checks(statement.namedChild(0)!, names);
  if (statement.type === "expression_statement" && statement.namedChild(0)?.type === "call") return checks(statement.namedChild(0)!, names);
  if (statement.type !== "if_statement") return false;
  return [statement, ...statement.namedChildren.filter((c) => c.type === "elif_clause")].some((branch) => {
    const cond = branch.childForFieldName("condition");
    return !!cond && checks(cond, names) && exitsOrReassigns(branch.childForFieldName("consequence"), names);
  });
}

function exitsOrReassigns(block: SyntaxNode | null, names: Set<string>): boolean {
  return !!block?.namedChildren.some((s) => {
    if (["return_statement", "raise_statement", "continue_statement", "break_statement"].includes(s.type)) return true;
    const inner = s.type === "expression_statement" ? s.namedChild(0) : null;
    if (inner?.type === "call" && /(^|\.)abort$/.test(inner.childForFieldName("function")?.text ?? "")) return true;
    return inner?.type === "assignment" && names.has(inner.childForFieldName("left")?.text ?? "");
  });
}

/** The literal arguments of a call (a tuple argument spread), null for a non-literal one. */
function literalArgs(call: SyntaxNode): (string | null)[] {
  const args = call.childForFieldName("arguments")?.namedChildren ?? [];
  return args.flatMap((a) => (a.type === "tuple" ? a.namedChildren : [a])).map((a) => stringValue(a));
}
// ---------------------------------------------------------------------------------------------------------------

/** Who controls the destination when the untrusted piece follows `prefix`: all of it, none (host fixed), or unknown. */
function destinationControl(prefix: string): "full" | "none" | "unknown" {
  if (prefix === "") return "full";
  const scheme = prefix.indexOf("://");
  if (scheme >= 0) {
    const authority = prefix.slice(scheme + 3);
    const end = authority.search(/[/?#\\]/);
    if (end > 0) return "none";
    return end < 0 && authority.includes(OPAQUE) ? "unknown" : "full";
  }
  if (prefix.startsWith(OPAQUE)) return /[/?#]/.test(prefix) ? "none" : "unknown";
  if (/^[a-z][a-z0-9+.-]*:?\/?$/i.test(prefix)) return "full"; // "http" + rest, "https:/" + rest
  return "none"; // a relative path or query: not a fetchable URL on its own, or joined to a client's base_url
}

interface Hit { control: "full" | "unknown"; taint: Taint; hops: SyntaxNode[]; /** The untrusted piece is the whole URL. */ whole: boolean }

function destinationHit(url: SyntaxNode, ctx: RuleContext): Hit | null {
  let best: Hit | null = null;
  for (const spelling of spellings(url, ctx, checksDestination)) {
    let prefix = "";
    for (const piece of spelling) {
      if (typeof piece === "string") {
        prefix += piece;
        continue;
      }
      // request.path always starts with "/": it cannot pick the host
      const resolved = ctx.resolve(piece.node);
      const taint = resolved === "flask.request.path" || resolved === "flask.request.full_path" ? null : ctx.taint(piece.node);
      if (!taint) {
        prefix += OPAQUE;
        continue;
      }
      const control = destinationControl(prefix);
      if (control !== "none") {
        const hit: Hit = { control, taint, hops: piece.hops, whole: prefix === "" && spelling.slice(spelling.indexOf(piece) + 1).every((p) => p === "") };
        if (!best || rank(hit) > rank(best)) best = hit;
      }
      break;
    }
  }
  return best;
}

const rank = (h: Hit) => (h.control === "full" ? 2 : 0) + (h.taint.level === "direct" ? 1 : 0);

// What the guard heuristic counts as a check of a URL: a host membership test (`hostname in ALLOWED_HOSTS`; a
// scheme-only test is not enough), a host comparison, a validator function (is_safe_url, validate_url,
// allowed_host...), a regex match, startswith() of a fixed `scheme://host/` prefix, endswith(".domain"), or an
// ipaddress is_private / is_loopback test.

const VALIDATOR = /safe|allow|valid|trust|whitelist|permit/i;

function checksDestination(cond: SyntaxNode, names: Set<string>): boolean {
  for (const n of cond.descendantsOfType(["comparison_operator", "call", "attribute"])) {
    if (n.type === "comparison_operator") {
      const op = n.children.find((c) => !c.isNamed)?.text ?? "";
      const left = n.namedChild(0);
      if ((op === "in" || op === "not in") && mentions(left, names) && !/scheme/i.test(left!.text)) return true;
      if ((op === "==" || op === "!=") && mentions(n, names) && /host|netloc/i.test(n.text)) return true;
    } else if (n.type === "call") {
      const fn = n.childForFieldName("function");
      const method = fn?.type === "attribute" ? fn.childForFieldName("attribute")?.text ?? "" : fn?.text ?? "";
      const args = n.childForFieldName("arguments");
      const literals = literalArgs(n);
      const receiver = fn?.type === "attribute" ? fn.childForFieldName("object") : null;
      if (VALIDATOR.test(method) && mentions(args, names)) return true;
      if ((method === "match" || method === "fullmatch") && mentions(args, names)) return true;
      if (method === "startswith" && mentions(receiver, names) && literals.length > 0 && literals.every((l) => !!l && destinationControl(l) === "none" && l.includes("://"))) return true;
      if (method === "endswith" && mentions(receiver, names) && literals.length > 0 && literals.every((l) => !!l && l.startsWith("."))) return true;
    } else if (/^is_(private|loopback|link_local|reserved|global|multicast|unspecified)$/.test(n.childForFieldName("attribute")?.text ?? "") && mentions(n.childForFieldName("object"), names)) {
      return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// Report

function reviewFix(call: SyntaxNode, sink: Sink, needsTimeout: boolean): FixInput | undefined {
  let statement: SyntaxNode = call;
  while (statement.parent && statement.parent.type !== "block" && statement.parent.type !== "module") {
    if (/comprehension|generator_expression|lambda/.test(statement.type)) return undefined;
    statement = statement.parent;
  }
  let first = statement;
  while (first.childCount > 0) first = first.child(0)!;
  const url = unwrap(sink.url);
  const name = url.type === "identifier" ? url.text : "target_url";
  if (url.text.includes("\n")) return undefined;
  const hoist = url.type === "identifier" ? "" : `${name} = ${url.text}\n`;
  const guard = `${hoist}parsed_url = urlparse(${name})\nif parsed_url.scheme not in ("http", "https") or parsed_url.hostname not in ALLOWED_HOSTS:\n    abort(400)\n`;
  const edits = [{ node: first, text: `${guard}${first.text}` }];
  const all = call.childForFieldName("arguments")?.namedChildren.filter((a) => a.type !== "comment") ?? [];
  const last = all[all.length - 1];
  const timeout = needsTimeout && last ? ", timeout=10" : "";
  if (hoist) edits.push({ node: sink.url, text: `${name}${sink.url.id === last?.id ? timeout : ""}` });
  if (timeout && last && !(hoist && sink.url.id === last.id)) edits.push({ node: last, text: `${last.text}${timeout}` });
  return {
    safety: "review",
    description: `allow only http(s) URLs whose host is in an ALLOWED_HOSTS set you define (needs \`from urllib.parse import urlparse\` and flask's abort)${timeout ? ", and bound the call with timeout=10" : ""}`,
    edits,
  };
}

export default defineRule({
  id: "FLASK-SSRF-001",
  title: "Outbound request to a URL chosen by untrusted input (SSRF)",
  severity: "medium",
  confidence: "high",
  cwe: ["CWE-918"],
  spec: "FLASK-SSRF-001",
  docs: {
    impact:
      "Whoever picks the URL picks where your server connects: internal services on the same host or LAN, admin ports, " +
      "and cloud metadata endpoints (169.254.169.254) that hand out credentials. urllib's urlopen also reads file:// URLs. " +
      "The server's network position and identity are what the attacker borrows.",
    fix:
      "Parse the URL, allow only http/https, and check the host against an allowlist before the call; better still, " +
      "let users pick an ID that maps to a URL you store. Set a timeout and disable redirects (allow_redirects=False) " +
      "unless needed, since a redirect can lead an allowed host's URL elsewhere.",
    mitigation:
      "Resolve the host and refuse private, loopback and link-local addresses (pin the resolved IP for the request); " +
      "restrict egress at the network level; require IMDSv2 on cloud instances.",
    falsePositives:
      "A value after a fixed `scheme://host/` only chooses a path on that host and is not reported. A check against an " +
      "allowlist in the same function before the call (hostname in ALLOWED_HOSTS, a validator such as is_safe_url(), " +
      "startswith a fixed host prefix) silences the finding; a check in another function is not seen, so verify it. " +
      "A base URL from configuration followed directly by the value is reported with low confidence (safe only if the " +
      "base ends with '/'). For a small standalone project with nothing else on its network this matters less.",
    bad:
      "import requests\nfrom flask import Flask, request\n\napp = Flask(__name__)\n\n\n@app.route(\"/preview\")\ndef preview():\n" +
      "    url = request.args[\"url\"]\n    return requests.get(url).text\n",
    good:
      "from urllib.parse import urlparse\n\nimport requests\nfrom flask import Flask, abort, request\n\napp = Flask(__name__)\n" +
      "ALLOWED_HOSTS = {\"images.example.com\", \"cdn.example.com\"}\n\n\n@app.route(\"/preview\")\ndef preview():\n" +
      "    url = request.args[\"url\"]\n    parsed = urlparse(url)\n" +
      "    if parsed.scheme not in (\"http\", \"https\") or parsed.hostname not in ALLOWED_HOSTS:\n        abort(400)\n" +
      "    return requests.get(url, timeout=10, allow_redirects=False).text\n",
  },
  on: ["call"],
  check(call, ctx) {
    const sink = findSink(call, ctx);
    if (!sink) return;
    const hit = destinationHit(sink.url, ctx);
    if (!hit) return;
    const hostHeader = HOST_SOURCES.test(hit.taint.source);
    if (hostHeader && ctx.project.trustedHosts) return;
    if (isGuarded(call, trackedNames(sink.url, ctx), checksDestination)) return;

    const origin = hit.taint.flow[0]?.label ?? hit.taint.source;
    const who = hit.taint.level === "persisted" ? `A stored value (${origin}, a database row)` : hostHeader ? `${origin} (built from the Host header the client sends)` : origin;
    const where = hit.control === "unknown" ? "right after a base URL that may not end with '/'" : hit.whole ? "as the whole URL" : "where it sets the scheme or host";
    const scheme = sink.family === "urllib" ? " urlopen also reads file:// and ftp:// URLs, so local files are exposed too." : sink.family === "pycurl" ? " libcurl also speaks file://, gopher:// and more." : "";
    const ctorTimeout = sink.ctor && callArguments(sink.ctor).keywords.has("timeout");
    const args = callArguments(call);
    const needsTimeout = NO_DEFAULT_TIMEOUT.has(sink.family) && !args.keywords.has("timeout") && !args.hasSplat && !ctorTimeout && !/Request$/.test(sink.label);
    const timeout = needsTimeout ? " No timeout= is set either, so a slow host can hold a worker." : "";
    const pin = hostHeader ? " Set TRUSTED_HOSTS (or pin Host at the proxy), or call the service by a configured URL." : "";
    const flow: FlowStep[] = [...hit.taint.flow];
    for (const hop of [...hit.hops].reverse()) {
      const left = hop.childForFieldName("left");
      flow.push({ line: hop.startPosition.row + 1, startColumn: hop.startPosition.column + 1, endColumn: hop.startPosition.column + 2, label: `assigned to ${left?.text ?? "a name"}` });
    }
    ctx.report({
      node: sink.url,
      message: `${who} reaches ${sink.label}() ${where}: the server can be sent to internal hosts or cloud metadata endpoints.${scheme}${timeout}${pin}`,
      confidence: hit.control === "unknown" ? "low" : hit.taint.level === "persisted" || hostHeader ? "medium" : "high",
      flow,
      fix: hostHeader ? undefined : reviewFix(call, sink, needsTimeout),
    });
  },
});
