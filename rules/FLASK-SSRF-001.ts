// FLASK-SSRF-001: an outbound HTTP call whose destination (scheme or host) untrusted input controls. Sinks are the
// URL arguments of requests, httpx, urllib.request, aiohttp, urllib3 and pycurl, called directly or through a client
// object built in the file (`s = requests.Session()`, `async with aiohttp.ClientSession() as s`). A value spliced
// after a fixed `scheme://host/` only picks a path on that host: not SSRF. A URL checked against an allowlist in the
// same function before the call (checkedBefore, src/core/guards.ts) stays silent. The fix is advice: an allowlist
// skeleton. URL spellings and who controls the destination: src/core/url.ts.
import type { SyntaxNode } from "tree-sitter";
import { callNames, defineRule, type FixInput, type RuleContext } from "../src/core/define-rule.js";
import { checkedBefore, literalArgs, mentions, trackedNames } from "../src/core/guards.js";
import { assignmentsIn, callArguments, enclosingFunction, rootOf, unwrap } from "../src/core/python.js";
import { OPAQUE, absoluteControl, hitFlow, urlHit, type Control, type UrlHit } from "../src/core/url.js";

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

/**
 * The calls findSink can accept, for the engine's prefilter: the last part of a module function's name (a call
 * answers to it as written and as resolved through the imports: `from requests import get as fetch` -> `get`) and
 * every client method, on any receiver.
 */
const SINK_NAMES = callNames(FUNCTIONS.keys(), ANY_CLIENT_METHOD);

function findSink(call: SyntaxNode, ctx: RuleContext): Sink | null {
  const fn = call.childForFieldName("function");
  if (!fn) return null;
  const name = ctx.resolve(fn);
  const direct = name ? FUNCTIONS.get(name) : undefined;
  if (direct) {
    const args = callArguments(call);
    const url = args.positional[direct.index] ?? args.keywords.get("url");
    return url && ctx.taint(url) ? { family: direct.family, label: fn.text, url, ctor: null } : null;
  }
  if (fn.type !== "attribute") return null;
  const method = fn.childForFieldName("attribute")?.text ?? "";
  if (!ANY_CLIENT_METHOD.has(method)) return null;
  const args = callArguments(call);
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
    const nodes = scope ? (body?.descendantsOfType(["assignment", "as_pattern"]) ?? []) : assignmentsIn(body!, id.text);
    for (const node of nodes) {
      const target = node.type === "assignment" ? node.childForFieldName("left") : node.childForFieldName("alias")?.namedChild(0);
      let value = node.type === "assignment" ? node.childForFieldName("right") : node.namedChild(0);
      if (value?.type === "await") value = value.namedChild(0);
      if (target?.type === "identifier" && target.text === id.text && value?.type === "call") return value;
    }
    if (!scope) return null;
  }
}

/** Who controls the destination when the untrusted piece follows `prefix`: all of it, none (host fixed), or unknown. */
function destinationControl(prefix: string): Control {
  const absolute = absoluteControl(prefix);
  if (absolute) return absolute;
  if (prefix.startsWith(OPAQUE)) return /[/?#]/.test(prefix) ? "none" : "unknown";
  if (/^[a-z][a-z0-9+.-]*:?\/?$/i.test(prefix)) return "full"; // "http" + rest, "https:/" + rest
  return "none"; // a relative path or query: not a fetchable URL on its own, or joined to a client's base_url
}

/** The strongest way untrusted input picks the destination; request.path always starts with "/": it cannot pick the host. */
function destinationHit(url: SyntaxNode, ctx: RuleContext): UrlHit | null {
  return urlHit(url, ctx, {
    checks: checksDestination,
    taint: (piece) => {
      const resolved = ctx.resolve(piece);
      return resolved === "flask.request.path" || resolved === "flask.request.full_path" ? null : ctx.taint(piece);
    },
    control: destinationControl,
  });
}

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
  names: { call: SINK_NAMES },
  check(call, ctx) {
    const sink = findSink(call, ctx);
    if (!sink) return;
    const hit = destinationHit(sink.url, ctx);
    if (!hit) return;
    const hostHeader = HOST_SOURCES.test(hit.taint.source);
    if (hostHeader && ctx.project.trustedHosts) return;
    if (checkedBefore(call, trackedNames(sink.url, ctx), checksDestination)) return;

    const origin = hit.taint.flow[0]?.label ?? hit.taint.source;
    const who = hit.taint.level === "persisted" ? `A stored value (${origin}, a database row)` : hostHeader ? `${origin} (built from the Host header the client sends)` : origin;
    const where = hit.control === "unknown" ? "right after a base URL that may not end with '/'" : hit.whole ? "as the whole URL" : "where it sets the scheme or host";
    const scheme = sink.family === "urllib" ? " urlopen also reads file:// and ftp:// URLs, so local files are exposed too." : sink.family === "pycurl" ? " libcurl also speaks file://, gopher:// and more." : "";
    const ctorTimeout = sink.ctor && callArguments(sink.ctor).keywords.has("timeout");
    const args = callArguments(call);
    const needsTimeout = NO_DEFAULT_TIMEOUT.has(sink.family) && !args.keywords.has("timeout") && !args.hasSplat && !ctorTimeout && !/Request$/.test(sink.label);
    const timeout = needsTimeout ? " No timeout= is set either, so a slow host can hold a worker." : "";
    const pin = hostHeader ? " Set TRUSTED_HOSTS (or pin Host at the proxy), or call the service by a configured URL." : "";
    const flow = hitFlow(hit);
    ctx.report({
      node: sink.url,
      message: `${who} reaches ${sink.label}() ${where}: the server can be sent to internal hosts or cloud metadata endpoints.${scheme}${timeout}${pin}`,
      confidence: hit.control === "unknown" ? "low" : hit.taint.level === "persisted" || hostHeader ? "medium" : "high",
      flow,
      fix: hostHeader ? undefined : reviewFix(call, sink, needsTimeout),
    });
  },
});
