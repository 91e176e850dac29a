// FLASK-REDIRECT-001: an open redirect. Sinks are flask/werkzeug redirect() and hand-written Location headers
// (`resp.headers["Location"] = x`, `Response(status=302, headers={"Location": x})`, `return "", 302, {"Location": x}`).
// A finding needs untrusted input to decide where the browser goes: the whole target, or its start (a scheme, a
// host, or a lone "/" that "/evil.example" turns into "//evil.example"). A value after a fixed path ("/users/")
// only picks a page of this site; url_for() output is ours. A target checked in the same function before the
// redirect (guard heuristic below) stays silent. The fix is advice: redirect only to same-site paths.
import type { SyntaxNode } from "tree-sitter";
import { defineRule, type FixInput, type RuleContext } from "../src/core/define-rule.js";
import { callArguments, enclosingFunction, stringValue, unwrap } from "../src/core/python.js";
import type { Taint } from "../src/core/taint.js";
import type { FlowStep } from "../src/core/types.js";

const REDIRECTS = new Set(["flask.redirect", "flask.helpers.redirect", "werkzeug.utils.redirect", "werkzeug.redirect"]);
const RESPONSES = new Set([
  "flask.Response", "flask.wrappers.Response", "werkzeug.Response", "werkzeug.wrappers.Response",
  "werkzeug.wrappers.response.Response", "flask.make_response", "flask.helpers.make_response",
]);
/**
 * Sources that do not make an open redirect. Host-derived URLs (request.url, host_url...): a victim's browser sends
 * the real Host, so `redirect(request.url.replace("http://", "https://", 1))` stays on this site. The Referer
 * only holds the page the user came from: sending them back there gives an attacker nothing they did not have.
 */
const NOT_OPEN = /^request\.(host|host_url|url_root|url|base_url|referrer)$/;

interface Sink { target: SyntaxNode; label: string }

/** The redirect target of a node, if it is a sink. */
function findSink(node: SyntaxNode, ctx: RuleContext): Sink | null {
  if (node.type === "call") {
    const fn = node.childForFieldName("function");
    const args = callArguments(node);
    if (REDIRECTS.has(ctx.resolve(fn) ?? "")) {
      const target = args.positional[0] ?? args.keywords.get("location");
      return target ? { target, label: `${fn!.text}()` } : null;
    }
    // resp.headers.set("Location", x) / .add(...)
    const method = fn?.type === "attribute" ? fn.childForFieldName("attribute")?.text : null;
    if (method && ["set", "add", "setdefault"].includes(method) && isHeaders(fn!.childForFieldName("object")) && isLocation(args.positional[0])) {
      return args.positional[1] ? { target: args.positional[1], label: "the Location header" } : null;
    }
    return null;
  }
  if (node.type === "assignment") {
    // resp.headers["Location"] = x
    const left = node.childForFieldName("left");
    const right = node.childForFieldName("right");
    if (left?.type !== "subscript" || !right || !isHeaders(left.childForFieldName("value"))) return null;
    return isLocation(left.childForFieldName("subscript")) ? { target: right, label: "the Location header" } : null;
  }
  // {"Location": x} handed to Response()/make_response(), returned with a status, or merged into resp.headers
  const value = node.childForFieldName("value");
  if (!value || !isLocation(node.childForFieldName("key"))) return null;
  let holder = node.parent?.parent; // pair -> dictionary -> holder
  if (holder?.type === "keyword_argument" && holder.childForFieldName("name")?.text === "headers") holder = holder.parent;
  if (holder?.type === "argument_list") {
    const call = holder.parent!;
    const fn = call.childForFieldName("function");
    const method = fn?.type === "attribute" ? fn.childForFieldName("attribute")?.text : null;
    const ok = RESPONSES.has(ctx.resolve(fn) ?? "") || (!!method && ["update", "extend"].includes(method) && isHeaders(fn!.childForFieldName("object")));
    return ok ? { target: value, label: "the Location header" } : null;
  }
  if ((holder?.type === "expression_list" || holder?.type === "tuple") && holder.parent?.type === "return_statement") return { target: value, label: "the Location header" };
  return null;
}

function isHeaders(node: SyntaxNode | null | undefined): boolean {
  return !!node && /(^|\.)headers$/.test(node.text);
}

function isLocation(node: SyntaxNode | null | undefined): boolean {
  return stringValue(node)?.toLowerCase() === "location";
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

/** Who controls where the browser goes when the untrusted piece follows `prefix`: all of it, none, or unknown. */
function targetControl(prefix: string): "full" | "none" | "unknown" {
  if (prefix === "") return "full";
  const scheme = prefix.indexOf("://");
  if (scheme >= 0) {
    const authority = prefix.slice(scheme + 3);
    const end = authority.search(/[/?#\\]/);
    if (end > 0) return "none";
    return end < 0 && authority.includes(OPAQUE) ? "unknown" : "full";
  }
  if (prefix.startsWith(OPAQUE)) return /[^\u0000]/.test(prefix) ? "none" : "unknown"; // base + "/path/", url_for() + "?q="
  if (/^[/\\]+$/.test(prefix)) return "full"; // "/" + "/evil.example" is "//evil.example"
  if (/^[a-z][a-z0-9+.-]*:?\/?$/i.test(prefix)) return "full"; // "http" + rest, "javascript:" + rest
  return "none"; // a path ("/users/"), a relative path or a query of this site
}

interface Hit { control: "full" | "unknown"; taint: Taint; hops: SyntaxNode[]; whole: boolean }

function targetHit(target: SyntaxNode, ctx: RuleContext): Hit | null {
  let best: Hit | null = null;
  for (const spelling of spellings(target, ctx, checksTarget)) {
    let prefix = "";
    for (const piece of spelling) {
      if (typeof piece === "string") {
        prefix += piece;
        continue;
      }
      const taint = ctx.taint(piece.node);
      if (!taint || NOT_OPEN.test(taint.source) || (taint.source === "request.headers" && /refer/i.test(taint.flow[0]?.label ?? ""))) {
        prefix += OPAQUE;
        continue;
      }
      const control = targetControl(prefix);
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

// What the guard heuristic counts as a check of a redirect target: a validator function (is_safe_url,
// url_has_allowed_host_and_scheme, is_local_url...), a test of urlparse(x).netloc / .hostname (== "", `not`,
// in ALLOWED), allowlist membership (`x in ALLOWED_PATHS`), a regex match, or startswith() that pins a path
// ("/app/") or pairs "/" with a rejection of "//".

const VALIDATOR = /safe|allow|valid|trust|whitelist|permit|local|relative|same_?(site|origin|host)/i;

function checksTarget(cond: SyntaxNode, names: Set<string>): boolean {
  const starts: string[] = [];
  for (const n of cond.descendantsOfType(["comparison_operator", "call", "attribute"])) {
    if (n.type === "comparison_operator") {
      const op = n.children.find((c) => !c.isNamed)?.text ?? "";
      if ((op === "in" || op === "not in") && mentions(n.namedChild(0), names)) return true;
    } else if (n.type === "call") {
      const fn = n.childForFieldName("function");
      const method = fn?.type === "attribute" ? fn.childForFieldName("attribute")?.text ?? "" : fn?.text ?? "";
      const args = n.childForFieldName("arguments");
      if ((VALIDATOR.test(method) || method === "match" || method === "fullmatch") && mentions(args, names)) return true;
      if (method === "startswith" && mentions(fn?.childForFieldName("object"), names)) starts.push(...literalArgs(n).filter((l): l is string => !!l));
    } else if (/^(netloc|hostname|host)$/.test(n.childForFieldName("attribute")?.text ?? "") && mentions(n.childForFieldName("object"), names)) {
      return true;
    }
  }
  return starts.some((l) => targetControl(l) === "none") || (starts.includes("/") && starts.some((l) => l.startsWith("//")));
}

// ---------------------------------------------------------------------------------------------------------------
// Report

function reviewFix(target: SyntaxNode): FixInput | undefined {
  const value = unwrap(target);
  if (value.text.includes("\n")) return undefined;
  const name = value.type === "identifier" ? value.text : "next_url";
  const checked = value.type === "identifier" ? name : `${name} := ${value.text}`;
  return {
    safety: "review",
    description:
      "redirect only to a path of this site: define is_safe_redirect(target) (starts with '/', not '//' or '/\\', " +
      "no scheme or host after urlparse) and fall back to a page of yours (url_for(\"index\") is a placeholder)",
    edits: [{ node: target, text: `${name} if is_safe_redirect(${checked}) else url_for("index")` }],
  };
}

export default defineRule({
  id: "FLASK-REDIRECT-001",
  title: "Redirect to a target chosen by untrusted input (open redirect)",
  severity: "low",
  confidence: "high",
  cwe: ["CWE-601"],
  spec: "FLASK-REDIRECT-001",
  docs: {
    impact:
      "A link to your own domain sends the user wherever the attacker chose: a convincing start for phishing (a copy of " +
      "your login page), and a way to leak OAuth codes or tokens carried in the redirect.",
    fix:
      "Redirect only to relative paths of this site (starts with '/', not '//' or '/\\', no scheme or host), or to an " +
      "allowlist of known destinations, and fall back to a safe page when the check fails. url_for() targets are safe.",
    mitigation:
      "Keep the `next` value server-side (in the session) instead of in the URL; show an interstitial page before " +
      "leaving the site.",
    falsePositives:
      "A check in the same function before the redirect silences the finding (is_safe_url(), url_has_allowed_host_and_scheme(), " +
      "urlparse(x).netloc tests, allowlist membership, startswith('/') paired with a '//' rejection); a check in " +
      "another function is not seen, so verify it. Values after a fixed path (redirect(f\"/users/{name}\")) are not " +
      "reported. request.referrer and host-derived URLs (request.url) are not treated as attacker-chosen targets. " +
      "A stored URL (a link shortener) is reported with medium confidence: intended if the product is a redirector.",
    bad:
      "from flask import Flask, redirect, request\n\napp = Flask(__name__)\n\n\n@app.route(\"/login\", methods=[\"POST\"])\n" +
      "def login():\n    return redirect(request.args.get(\"next\", \"/\"))\n",
    good:
      "from urllib.parse import urlparse\n\nfrom flask import Flask, redirect, request, url_for\n\napp = Flask(__name__)\n\n\n" +
      "def is_safe_redirect(target):\n    return bool(target) and target.startswith(\"/\") and not target.startswith((\"//\", \"/\\\\\")) " +
      "and not urlparse(target).netloc\n\n\n@app.route(\"/login\", methods=[\"POST\"])\ndef login():\n" +
      "    next_url = request.args.get(\"next\", \"\")\n    return redirect(next_url if is_safe_redirect(next_url) else url_for(\"index\"))\n",
  },
  on: ["call", "assignment", "pair"],
  check(node, ctx) {
    const sink = findSink(node, ctx);
    if (!sink || !ctx.taint(sink.target)) return;
    const hit = targetHit(sink.target, ctx);
    if (!hit || isGuarded(sink.target, trackedNames(sink.target, ctx), checksTarget)) return;
    const origin = hit.taint.flow[0]?.label ?? hit.taint.source;
    const who = hit.taint.level === "persisted" ? `A stored value (${origin}, a database row)` : origin;
    const where = hit.control === "unknown" ? "right after a value that may be just \"/\"" : hit.whole ? "as the whole target" : "where it can set the scheme or host";
    const flow: FlowStep[] = [...hit.taint.flow];
    for (const hop of [...hit.hops].reverse()) {
      flow.push({ line: hop.startPosition.row + 1, startColumn: hop.startPosition.column + 1, endColumn: hop.startPosition.column + 2, label: `assigned to ${hop.childForFieldName("left")?.text ?? "a name"}` });
    }
    ctx.report({
      node: sink.target,
      message: `${who} reaches ${sink.label} ${where}, unchecked: a link to this site can send users to any other site.`,
      confidence: hit.control === "unknown" ? "low" : hit.taint.level === "persisted" ? "medium" : "high",
      flow,
      fix: reviewFix(sink.target),
    });
  },
});
