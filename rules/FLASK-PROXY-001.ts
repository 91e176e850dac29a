// FLASK-PROXY-001: forwarded headers trusted from the open internet.
//
// 1. ProxyFix told to trust more proxy hops than any common deployment has (x_for=10): the client's own
//    X-Forwarded-* entries then decide request.remote_addr, scheme and host.
// 2. Access decisions (an `if`, assert, return or lambda comparing, testing membership or prefix) on a client
//    address read from X-Forwarded-For / Forwarded / request.access_route (spoofable by any client: ProxyFix rewrites
//    REMOTE_ADDR, never the header) or from a header a proxy sets (X-Real-IP, CF-Connecting-IP: spoofable when the
//    app can be reached around the proxy). High when it gates access (allowlist, admin, abort(403)).
// 3. request.remote_addr checked against loopback/private addresses in an app without ProxyFix: behind a proxy on
//    the same host or network every request comes from the proxy and passes (low confidence: there may be no proxy).
// 4. A rate-limit key_func that reads X-Forwarded-For: each request picks its own bucket.
// Not reported: the rightmost entry (`access_route[-1]`, `split(",")[-1]`, the one the nearest proxy appended),
// comparisons outside a decision (logging), flask-limiter's get_remote_address (without ProxyFix every client shares
// the proxy's bucket: the limit bites early for everyone, which is not spoofing).
import type { SyntaxNode } from "tree-sitter";
import { defineRule, type RuleContext } from "../src/core/define-rule.js";
import {
  assignmentsIn, callArguments, calleeMethod, enclosingFunction, rootOf, routesOf, stringValue, topLevelDefinition, unwrap,
} from "../src/core/python.js";
import type { Confidence, Severity } from "../src/core/types.js";

/** ProxyFix parameters in positional order (after the app). */
const HOP_PARAMS = ["x_for", "x_proto", "x_host", "x_port", "x_prefix"] as const;
const HOP_EFFECT: Record<string, string> = {
  x_for: "request.remote_addr", x_proto: "request.scheme", x_host: "request.host", x_port: "the port", x_prefix: "the URL prefix",
};
/** From this many hops a count is unusual (CDN + load balancer is two); from ABSURD_HOPS no real deployment has it. */
const BROAD_HOPS = 3;
const ABSURD_HOPS = 5;

type IpKind = "forwarded" | "proxyHeader" | "peer";
const RANK: Record<IpKind, number> = { peer: 0, proxyHeader: 1, forwarded: 2 };

interface ClientIp {
  kind: IpKind;
  /** The request read, e.g. `request.headers.get("X-Forwarded-For")`. */
  read: SyntaxNode;
}

const FORWARDED_HEADERS = new Set(["x-forwarded-for", "forwarded"]);
const PROXY_HEADERS = new Set(["x-real-ip", "cf-connecting-ip", "true-client-ip", "x-client-ip", "x-cluster-client-ip", "fastly-client-ip"]);
const STRING_METHODS = new Set(["split", "rsplit", "strip", "lstrip", "rstrip", "lower", "partition", "rpartition", "replace", "decode"]);
/** Text that a function reading the client address contains (a cheap gate before following names). */
const ADDRESS_MARKERS = /remote_addr|access_route|forwarded|real[-_]ip|client[-_]ip|connecting[-_]ip|REMOTE_ADDR/i;
/** Project helpers worth following: `client_ip()`, `get_remote_address()`, `real_addr()` (not `strip()`, `zip()`). */
const ADDRESS_HELPER = /(?:^|_)ips?(?:_|$)|addr|remote|forward|client/i;
/**
 * Matches wherever a word of the text passes ADDRESS_HELPER (a word begins and ends at \b): a single cheap scan that
 * rules out most code before its callees are collected one by one.
 */
const ADDRESS_HELPER_WORD = /(?:\b|_)ips?(?:_|\b)|addr|remote|forward|client/i;
/** Code that may produce an address: a marker, a header or environ read, or a call of an address-named helper. */
function mayReadAddress(text: string): boolean {
  if (ADDRESS_MARKERS.test(text) || /\.(?:headers|environ)\b/.test(text)) return true;
  if (!ADDRESS_HELPER_WORD.test(text)) return false;
  for (const [, callee] of text.matchAll(/\b(\w+)\s*\(/g)) if (ADDRESS_HELPER.test(callee!)) return true;
  return false;
}

/**
 * The `name = value` (or `name: T = value`) lines of a text, as [name, value]: the matches of
 * /^[ \t]*([A-Za-z_]\w*)[ \t]*(?::[^=\n]*)?=(?!=)([^\n]*)$/gm, found in linear time. That pattern tries every line
 * start, which with the m flag includes the position after a carriage return (or U+2028, U+2029), and from each one
 * its `:[^=\n]*` scanned on to the end of the "\n" line: quadratic on many lines ending in "\r" with no `=`.
 */
function assignmentLines(text: string): [string, string][] {
  const found: [string, string][] = [];
  const isBlank = (c: string | undefined) => c === " " || c === "\t";
  const isWord = (c: string | undefined) => c !== undefined && /\w/.test(c);
  for (let lineStart = 0; lineStart <= text.length; ) {
    let lineEnd = text.indexOf("\n", lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    // the first "=" at or after some point of the line, reused while the starts stay before it (lineEnd: none)
    let equals = -1;
    const equalsFrom = (from: number) => {
      if (equals < from) {
        equals = text.indexOf("=", from);
        if (equals < 0 || equals > lineEnd) equals = lineEnd;
      }
      return equals;
    };
    for (let start = lineStart; start < lineEnd; ) {
      let i = start;
      while (isBlank(text[i])) i++;
      const nameStart = i;
      if (/[A-Za-z_]/.test(text[i] ?? "")) {
        i++;
        while (isWord(text[i])) i++;
        const name = text.slice(nameStart, i);
        while (isBlank(text[i])) i++;
        const eq = text[i] === ":" ? equalsFrom(i + 1) : text[i] === "=" ? i : lineEnd;
        if (eq < lineEnd && text[eq + 1] !== "=") {
          found.push([name, text.slice(eq + 1, lineEnd)]);
          break;
        }
      }
      // the next line start the m flag sees within this "\n" line: after a carriage return, U+2028 or U+2029
      let next = start;
      while (next < lineEnd && !"\r\u2028\u2029".includes(text[next]!)) next++;
      start = next + 1;
    }
    lineStart = lineEnd + 1;
  }
  return found;
}

/**
 * Names a function may bind to an address, read from its text line by line (a cheap gate: the tree is only searched
 * for these). A name counts when its value line looks like an address read or mentions a name that does.
 */
function addressNames(fnText: string): Set<string> {
  const names = new Set<string>();
  for (const [name, value] of assignmentLines(fnText)) {
    // a value continued on the next lines (`ip = (`) is kept: the tree check decides; a name already bound to an
    // address counts as a whole word of the value (what /\bname\b/ tells, without one pattern per name and line)
    if (mayReadAddress(value) || /[([{\\]\s*$/.test(value) || (value.match(/\w+/g) ?? []).some((word) => names.has(word))) names.add(name);
  }
  return names;
}

/**
 * For a function that may read an address (mayReadAddress of its text), the names it may bind to one (addressNames);
 * null for any other. Worked out once per function and file, however many tests and names ask.
 */
function functionAddressNames(fn: SyntaxNode, ctx: RuleContext): Set<string> | null {
  const byFunction = ctx.memo("addressNames", () => new Map<number, Set<string> | null>());
  let names = byFunction.get(fn.id);
  if (names === undefined) {
    const text = fn.text;
    byFunction.set(fn.id, (names = mayReadAddress(text) ? addressNames(text) : null));
  }
  return names;
}

const IP_CONSTRUCTORS = /^(?:str|ipaddress\.(?:ip_address|IPv4Address|IPv6Address|ip_interface)|ip_address|IPv4Address|IPv6Address)$/;

function headerKind(key: string | null): IpKind | null {
  const k = (key ?? "").toLowerCase();
  if (FORWARDED_HEADERS.has(k)) return "forwarded";
  return PROXY_HEADERS.has(k) ? "proxyHeader" : null;
}

function environKind(key: string | null): IpKind | null {
  if (key === "REMOTE_ADDR") return "peer";
  return key?.startsWith("HTTP_") ? headerKind(key.slice(5).replace(/_/g, "-")) : null;
}

function worse(a: ClientIp | null, b: ClientIp | null): ClientIp | null {
  if (!a || !b) return a ?? b;
  return RANK[b.kind] > RANK[a.kind] ? b : a;
}

/** Where a client address comes from, following locals, string methods, ip_address() and one module helper. */
function clientIp(raw: SyntaxNode | null | undefined, ctx: RuleContext, depth = 3): ClientIp | null {
  if (!raw || depth < 0) return null;
  const node = unwrap(raw);
  switch (node.type) {
    case "attribute": {
      const name = ctx.resolve(node);
      if (name === "flask.request.remote_addr") return { kind: "peer", read: node };
      return name === "flask.request.access_route" ? { kind: "forwarded", read: node } : null;
    }
    case "subscript": {
      const holder = ctx.resolve(node.childForFieldName("value"));
      const key = stringValue(node.childForFieldName("subscript"));
      if (holder === "flask.request.headers") return wrap(headerKind(key), node);
      if (holder === "flask.request.environ") return wrap(environKind(key), node);
      // the rightmost entry is the one the nearest proxy appended: a deliberate choice, not reported
      if (/^-/.test(node.childForFieldName("subscript")?.text ?? "")) return null;
      const inner = clientIp(node.childForFieldName("value"), ctx, depth);
      // `request.access_route[0]` is the read as a whole (what a fix replaces)
      return inner && inner.read.id === node.childForFieldName("value")?.id ? { ...inner, read: node } : inner;
    }
    case "call": {
      const fn = node.childForFieldName("function");
      const args = callArguments(node);
      if (fn?.type === "attribute") {
        const receiver = fn.childForFieldName("object");
        const holder = ctx.resolve(receiver);
        const method = calleeMethod(node) ?? "";
        if (holder === "flask.request.headers" && ["get", "getlist", "get_all"].includes(method)) return wrap(headerKind(stringValue(args.positional[0])), node);
        if (holder === "flask.request.environ" && method === "get") return wrap(environKind(stringValue(args.positional[0])), node);
        if (STRING_METHODS.has(method)) return clientIp(receiver, ctx, depth);
      }
      const name = ctx.resolve(fn) ?? "";
      if (IP_CONSTRUCTORS.test(name)) return clientIp(args.positional[0], ctx, depth);
      const helper = fn?.type === "identifier" && depth > 0 && ADDRESS_HELPER.test(fn.text) ? topLevelDefinition(rootOf(node), fn.text, "function_definition") : null;
      if (!helper) return null;
      let found: ClientIp | null = null;
      for (const ret of helper.descendantsOfType("return_statement")) {
        if (enclosingFunction(ret)?.id === helper.id) found = worse(found, clientIp(ret.firstNamedChild, ctx, depth - 1));
      }
      return found;
    }
    case "boolean_operator":
      return worse(clientIp(node.childForFieldName("left"), ctx, depth), clientIp(node.childForFieldName("right"), ctx, depth));
    case "conditional_expression":
      return worse(clientIp(node.namedChild(0), ctx, depth), clientIp(node.namedChild(2), ctx, depth));
    case "identifier": {
      // locals only (module code runs outside any request), and only in functions that read an address at all
      const fn = enclosingFunction(node);
      const scope = fn?.childForFieldName("body");
      if (depth === 0 || !fn || !scope) return null;
      if (!functionAddressNames(fn, ctx)?.has(node.text)) return null;
      let found: ClientIp | null = null;
      for (const assignment of scope.descendantsOfType("assignment")) {
        if (assignment.startIndex >= node.startIndex || assignment.childForFieldName("left")?.text !== node.text) continue;
        if (enclosingFunction(assignment)?.id !== enclosingFunction(node)?.id) continue;
        found = worse(found, clientIp(assignment.childForFieldName("right"), ctx, depth - 1));
      }
      return found;
    }
    default:
      return null;
  }
}

/** How this file spells flask.request in the read (`request`, `req`, `flask.request`). */
function requestName(read: SyntaxNode): string {
  let node: SyntaxNode | null = read;
  while (node && node.type !== "identifier") {
    node = node.childForFieldName("function") ?? node.childForFieldName("value") ?? node.childForFieldName("object");
    if (node?.type === "attribute" && /(?:^|\.)request$/.test(node.text)) return node.text;
  }
  return node?.text ?? "request";
}

function wrap(kind: IpKind | null, read: SyntaxNode): ClientIp | null {
  return kind ? { kind, read } : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Decisions

const DECISION_WRAPPERS = new Set(["boolean_operator", "not_operator", "parenthesized_expression"]);
const CONDITIONAL_STATEMENTS = new Set(["if_statement", "elif_clause", "while_statement"]);

/** The if/elif/while, assert, return, lambda or conditional expression that the test decides; null for other uses. */
function decidingStatement(test: SyntaxNode): SyntaxNode | null {
  let node = test;
  while (node.parent && DECISION_WRAPPERS.has(node.parent.type)) node = node.parent;
  const parent = node.parent;
  if (!parent) return null;
  if (CONDITIONAL_STATEMENTS.has(parent.type)) return parent.childForFieldName("condition")?.id === node.id ? parent : null;
  if (parent.type === "conditional_expression") return parent.namedChild(1)?.id === node.id ? parent : null;
  if (parent.type === "lambda") return parent.childForFieldName("body")?.id === node.id ? parent : null;
  return parent.type === "assert_statement" || parent.type === "return_statement" ? parent : null;
}

/** The string values of a literal, a literal container, or a module constant holding one. */
function literalStrings(raw: SyntaxNode | null | undefined, depth = 1): string[] | null {
  if (!raw) return null;
  const node = unwrap(raw);
  const single = stringValue(node);
  if (single !== null) return [single];
  if (["list", "tuple", "set"].includes(node.type)) {
    const values = node.namedChildren.map((c) => stringValue(c));
    return values.every((v): v is string => v !== null) ? values : null;
  }
  if (node.type === "call" && /(?:^|\.)(?:frozenset|set|tuple|list|ip_network|IPv4Network|IPv6Network)$/.test(node.childForFieldName("function")?.text ?? "")) {
    return literalStrings(callArguments(node).positional[0], depth);
  }
  if (node.type === "identifier" && depth > 0) {
    // the module's first binding of the name (a constant such as ADMIN_IPS)
    return literalStrings(assignmentsIn(rootOf(node), node.text)[0]?.childForFieldName("right"), depth - 1);
  }
  return null;
}

/** An IPv4/IPv6 address or network, or localhost (no nested quantifiers: linear on any literal). */
const isIpLiteral = (v: string): boolean => /^[\d.]+(?:\/\d+)?$/.test(v) || (v.includes(":") && /^[\da-f:.]+(?:\/\d+)?$/i.test(v)) || /^localhost$/i.test(v);
const LOCAL_ADDRESS = /^(?:127\.|10\.|192\.168\.|172\.(?:1[6-9]|2\d|3[01])\.|::1$|localhost$|fc|fd)/i;

interface Decision {
  ip: ClientIp;
  /** What the address is compared with (null for is_private / is_loopback tests). */
  against: SyntaxNode | null;
  /** Only local addresses are accepted: 127.0.0.1, private ranges, is_loopback. */
  localOnly: boolean;
}

function decisionOf(node: SyntaxNode, ctx: RuleContext): Decision | null {
  if (node.type === "comparison_operator") {
    const [left, right] = node.namedChildren as [SyntaxNode, SyntaxNode];
    const l = clientIp(left, ctx);
    const r = clientIp(right, ctx);
    if (!l === !r) return null; // no address, or address against address (a proxy-presence check)
    const against = l ? right : left;
    const values = literalStrings(against);
    if (values && !values.every(isIpLiteral)) return null; // ip == "" / "unknown"
    return { ip: (l ?? r)!, against, localOnly: !!values?.length && values.every((v) => LOCAL_ADDRESS.test(v)) };
  }
  if (node.type === "call") {
    const fn = node.childForFieldName("function");
    if (fn?.type !== "attribute") return null;
    const ip = clientIp(fn.childForFieldName("object"), ctx);
    const values = literalStrings(callArguments(node).positional[0]);
    if (!ip || !values?.length || !values.every((v) => /^[\da-f.:]+$/i.test(v))) return null;
    return { ip, against: callArguments(node).positional[0]!, localOnly: values.every((v) => LOCAL_ADDRESS.test(v)) };
  }
  const ip = clientIp(node.childForFieldName("object"), ctx); // ip_address(...).is_private
  return ip ? { ip, against: null, localOnly: true } : null;
}

const BLOCKLIST = /block|ban(?:ned)?\b|deny|denied|black|spam|abuse/i;
const ALLOWLIST = /allow|white|trust|admin|internal|office|staff|permit|vpn|intranet|local|private/i;
const GUARD = /\babort\(\s*40[13]\b|,\s*40[13]\b|Forbidden|Unauthorized|login|admin|is_admin|grant|access/i;

function severityOf(node: SyntaxNode, statement: SyntaxNode, decision: Decision): Severity {
  const against = decision.against?.text ?? "";
  const fn = enclosingFunction(node);
  const fnName = fn?.childForFieldName("name")?.text ?? "";
  if (BLOCKLIST.test(against) || BLOCKLIST.test(fnName)) return "medium";
  if (decision.localOnly || ALLOWLIST.test(against) || /admin|auth|require|allow|trust|internal|restrict|protect|local/i.test(fnName)) return "high";
  if (literalStrings(decision.against)?.length) return "high"; // compared with fixed addresses: an allowlist
  const guarded = statement.childForFieldName("consequence")?.text ?? (fn && routesOf(fn).length === 0 ? fn.text : "");
  return GUARD.test(guarded) ? "high" : "medium";
}

const DECISION_OPERATORS = new Set(["==", "!=", "in", "not in"]);

/** A comparison, prefix test or ip_address(...).is_private test: the shapes an address decision takes (is_global is a
 * routing question, e.g. whether to geolocate, not an access check). */
function isDecisionShape(node: SyntaxNode): boolean {
  if (node.type === "comparison_operator") {
    return node.namedChildCount === 2 && node.childrenForFieldName("operators").every((o) => DECISION_OPERATORS.has(o.type));
  }
  if (node.type === "call") return /^(?:startswith|endswith)$/.test(calleeMethod(node) ?? "");
  return node.type === "attribute" && /^is_(?:private|loopback|link_local)$/.test(node.childForFieldName("attribute")?.text ?? "");
}

/** Cheap text gate before any tree search: the test reads an address, calls a helper, or names a local bound to one. */
function mentionsAddress(node: SyntaxNode, ctx: RuleContext): boolean {
  const text = node.text;
  if (mayReadAddress(text)) return true;
  const fn = enclosingFunction(node);
  const names = fn ? functionAddressNames(fn, ctx) : null; // (no function: mayReadAddress("") is false)
  if (!names) return false;
  return [...names].some((name) => new RegExp(`\\b${name}\\b`).test(text));
}

function checkDecision(node: SyntaxNode, ctx: RuleContext): void {
  // the shape and the deciding statement are cheap tree tests: before any text or name search
  if (!isDecisionShape(node)) return;
  const statement = decidingStatement(node);
  if (!statement || !mentionsAddress(node, ctx)) return;
  const decision = decisionOf(node, ctx);
  if (!decision) return;
  const { ip } = decision;
  const read = ip.read.text.replace(/\s+/g, " ");
  const severity = severityOf(node, statement, decision);
  if (ip.kind === "peer") {
    if (ctx.project.proxyFix || !decision.localOnly) return;
    ctx.report({
      node,
      severity,
      confidence: "low",
      message: `This check trusts ${read} to be local, with no ProxyFix in the app: behind a reverse proxy on the same host or network every request comes from the proxy's address and passes. Verify that no proxy fronts the app, or configure ProxyFix with the real hop count.`,
    });
    return;
  }
  // a fix when the read sits in the test itself, and not as the container of `x in <header>` (a substring test)
  const container = node.type === "comparison_operator" && /in$/.test(node.childrenForFieldName("operators")[0]?.type ?? "") ? node.namedChild(1) : null;
  const direct = ip.read.startIndex >= node.startIndex && ip.read.endIndex <= node.endIndex && !(container && ip.read.startIndex >= container.startIndex);
  const confidence: Confidence = ip.kind === "forwarded" ? "high" : "medium";
  ctx.report({
    node,
    severity,
    confidence,
    message: ip.kind === "forwarded"
      ? `This access decision uses ${read}, which the client writes itself (proxies append to it, ProxyFix does not rewrite it): anyone can claim an allowed address. Use request.remote_addr with ProxyFix set to the real number of proxies.`
      : `This access decision uses ${read}, a header your proxy should set: a client that reaches the app around the proxy, or through a proxy that passes the header on, can claim any address. Use request.remote_addr with ProxyFix set to the real number of proxies.`,
    fix: direct ? { safety: "review", description: "decide on the proxy-resolved peer address (with ProxyFix configured)", edits: [{ node: ip.read, text: `${requestName(ip.read)}.remote_addr` }] } : undefined,
  });
}

function checkProxyFix(call: SyntaxNode, ctx: RuleContext): void {
  if (!/(?:^|\.)ProxyFix$/.test(ctx.resolve(call.childForFieldName("function")) ?? "")) return;
  const args = callArguments(call);
  const broad = HOP_PARAMS.flatMap((param, i) => {
    const node = args.keywords.get(param) ?? args.positional[i + 1];
    const value = node && unwrap(node).type === "integer" ? Number(unwrap(node).text.replace(/_/g, "")) : 0;
    return value >= BROAD_HOPS ? [{ param, node: node!, value }] : [];
  });
  if (broad.length === 0) return;
  const max = Math.max(...broad.map((b) => b.value));
  const listed = broad.map((b) => `${b.param}=${b.value}`).join(", ");
  const effects = broad.map((b) => HOP_EFFECT[b.param]).join(", ");
  ctx.report({
    node: call,
    confidence: max >= ABSURD_HOPS ? "medium" : "low",
    message: `ProxyFix trusts ${listed}: unless that many proxies each add these headers, the entries a client sends itself decide ${effects}. Set each count to the number of proxies in front of the app (usually 1).`,
    fix: { safety: "review", description: "trust only as many hops as there are proxies", edits: broad.map((b) => ({ node: b.node, text: "1" })) },
  });
}

/** `Limiter(key_func=...)` / `@limiter.limit(..., key_func=...)` keyed on a client-supplied header. */
function checkRateLimitKey(keyword: SyntaxNode, ctx: RuleContext): void {
  if (keyword.childForFieldName("name")?.text !== "key_func") return;
  const value = keyword.childForFieldName("value");
  let ip: ClientIp | null = null;
  if (value?.type === "lambda") ip = clientIp(value.childForFieldName("body"), ctx);
  else if (value?.type === "identifier") {
    const helper = topLevelDefinition(rootOf(keyword), value.text, "function_definition");
    for (const ret of helper?.descendantsOfType("return_statement") ?? []) ip = worse(ip, clientIp(ret.firstNamedChild, ctx));
  }
  if (!ip || ip.kind === "peer") return;
  ctx.report({
    node: value!,
    confidence: ip.kind === "forwarded" ? "high" : "medium",
    message: `The rate-limit key comes from ${ip.read.text.replace(/\s+/g, " ")}, which a client can set: each request can claim a new address and escape the limit. Key on request.remote_addr (get_remote_address) with ProxyFix set to the real number of proxies.`,
  });
}

export default defineRule({
  id: "FLASK-PROXY-001",
  title: "Forwarded headers trusted without a proxy boundary",
  severity: "medium",
  confidence: "high",
  cwe: ["CWE-348", "CWE-290"],
  spec: "FLASK-PROXY-001",
  docs: {
    impact:
      "X-Forwarded-For and friends are ordinary request headers: a client can send any value, and proxies append to " +
      "what it sent. An IP allowlist, admin gate, ban list or rate limit keyed on them can be bypassed by anyone; a " +
      "ProxyFix that trusts more hops than there are proxies lets the client's entries decide request.remote_addr, " +
      "the scheme and the host.",
    fix:
      "Apply `ProxyFix(app.wsgi_app, x_for=1, x_proto=1)` with each count equal to the number of proxies that set the " +
      "header, and decide on request.remote_addr (never on the raw header). Keep TRUSTED_HOSTS set behind proxies. " +
      "Better still, enforce IP restrictions at the proxy or firewall and use real authentication for privileged routes.",
    mitigation:
      "Make the app reachable only through the proxy (bind to a private interface, security groups), have the proxy " +
      "overwrite rather than append X-Forwarded-For, and do not rely on IP checks alone for admin access.",
    falsePositives:
      "The rightmost X-Forwarded-For entry (the nearest proxy's) is not reported. A proxy-set header such as X-Real-IP is " +
      "safe when the app is reachable only through a proxy that overwrites it. A local-only remote_addr check is fine " +
      "when no proxy fronts the app (reported with low confidence). Hop counts of 3 or 4 can be right for CDN + load " +
      "balancer + nginx chains: check the deployment.",
    bad: [
      "from flask import Flask, abort, request",
      "",
      "app = Flask(__name__)",
      "ADMIN_IPS = {\"203.0.113.7\"}",
      "",
      "@app.route(\"/admin\")",
      "def admin():",
      "    if request.headers.get(\"X-Forwarded-For\") not in ADMIN_IPS:",
      "        abort(403)",
      "    return \"ok\"",
      "",
    ].join("\n"),
    good: [
      "from flask import Flask, abort, request",
      "from werkzeug.middleware.proxy_fix import ProxyFix",
      "",
      "app = Flask(__name__)",
      "app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)",
      "ADMIN_IPS = {\"203.0.113.7\"}",
      "",
      "@app.route(\"/admin\")",
      "def admin():",
      "    if request.remote_addr not in ADMIN_IPS:",
      "        abort(403)",
      "    return \"ok\"",
      "",
    ].join("\n"),
  },
  on: ["call", "comparison_operator", "attribute", "keyword_argument"],
  // call: ProxyFix (written or resolved) and the startswith/endswith decisions; attribute: ip_address(...).is_* tests;
  // keyword_argument: a rate limiter's key_func
  names: {
    call: ["ProxyFix", "startswith", "endswith"],
    attribute: ["is_private", "is_loopback", "is_link_local"],
    keyword_argument: ["key_func"],
  },
  check(node, ctx) {
    if (ctx.isTestFile) return;
    if (node.type === "keyword_argument") return checkRateLimitKey(node, ctx);
    if (node.type === "call") checkProxyFix(node, ctx);
    checkDecision(node, ctx);
  },
});
