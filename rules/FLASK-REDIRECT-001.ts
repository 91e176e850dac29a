// FLASK-REDIRECT-001: an open redirect. Sinks are flask/werkzeug redirect() and hand-written Location headers
// (`resp.headers["Location"] = x`, `Response(status=302, headers={"Location": x})`, `return "", 302, {"Location": x}`).
// A finding needs untrusted input to decide where the browser goes: the whole target, or its start (a scheme, a
// host, or a lone "/" that "/evil.example" turns into "//evil.example"). A value after a fixed path ("/users/")
// only picks a page of this site; url_for() output is ours. A target checked in the same function before the
// redirect (checkedBefore, src/core/guards.ts) stays silent. The fix is advice: redirect only to same-site paths.
import type { SyntaxNode } from "tree-sitter";
import { callNames, defineRule, type FixInput, type RuleContext } from "../src/core/define-rule.js";
import { checkedBefore, literalArgs, mentions, trackedNames } from "../src/core/guards.js";
import { callArguments, stringValue, unwrap } from "../src/core/python.js";
import { OPAQUE, absoluteControl, hitFlow, urlHit, type Control, type UrlHit } from "../src/core/url.js";

const REDIRECTS = new Set(["flask.redirect", "flask.helpers.redirect", "werkzeug.utils.redirect", "werkzeug.redirect"]);
/** `resp.headers.set("Location", x)` and its siblings. */
const HEADER_SETTERS = new Set(["set", "add", "setdefault"]);
/** The calls findSink reads (RuleDefinition.names): redirect() by its resolved name, and the header setters. */
const CALL_NAMES = callNames(REDIRECTS, HEADER_SETTERS);
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
    if (REDIRECTS.has(ctx.resolve(fn) ?? "")) {
      const args = callArguments(node);
      const target = args.positional[0] ?? args.keywords.get("location");
      return target ? { target, label: `${fn!.text}()` } : null;
    }
    // resp.headers.set("Location", x) / .add(...)
    const method = fn?.type === "attribute" ? fn.childForFieldName("attribute")?.text : null;
    if (!method || !HEADER_SETTERS.has(method)) return null;
    const args = callArguments(node);
    if (isLocation(args.positional[0]) && isHeaders(fn!.childForFieldName("object"))) {
      return args.positional[1] ? { target: args.positional[1], label: "the Location header" } : null;
    }
    return null;
  }
  if (node.type === "assignment") {
    // resp.headers["Location"] = x
    const left = node.childForFieldName("left");
    const right = node.childForFieldName("right");
    if (left?.type !== "subscript" || !right || !isLocation(left.childForFieldName("subscript"))) return null;
    return isHeaders(left.childForFieldName("value")) ? { target: right, label: "the Location header" } : null;
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

/** Who controls where the browser goes when the untrusted piece follows `prefix`: all of it, none, or unknown. */
function targetControl(prefix: string): Control {
  const absolute = absoluteControl(prefix);
  if (absolute) return absolute;
  if (prefix.startsWith(OPAQUE)) return /[^\u0000]/.test(prefix) ? "none" : "unknown"; // base + "/path/", url_for() + "?q="
  if (/^[/\\]+$/.test(prefix)) return "full"; // "/" + "/evil.example" is "//evil.example"
  if (/^[a-z][a-z0-9+.-]*:?\/?$/i.test(prefix)) return "full"; // "http" + rest, "javascript:" + rest
  return "none"; // a path ("/users/"), a relative path or a query of this site
}

/** The strongest way untrusted input picks where the browser goes (the Referer and host-derived URLs do not). */
function targetHit(target: SyntaxNode, ctx: RuleContext): UrlHit | null {
  return urlHit(target, ctx, {
    checks: checksTarget,
    taint: (piece) => {
      const taint = ctx.taint(piece);
      return !taint || NOT_OPEN.test(taint.source) || (taint.source === "request.headers" && /refer/i.test(taint.flow[0]?.label ?? "")) ? null : taint;
    },
    control: targetControl,
  });
}

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
  names: { call: CALL_NAMES },
  check(node, ctx) {
    const sink = findSink(node, ctx);
    if (!sink || !ctx.taint(sink.target)) return;
    const hit = targetHit(sink.target, ctx);
    if (!hit || checkedBefore(sink.target, trackedNames(sink.target, ctx), checksTarget)) return;
    const origin = hit.taint.flow[0]?.label ?? hit.taint.source;
    const who = hit.taint.level === "persisted" ? `A stored value (${origin}, a database row)` : origin;
    const where = hit.control === "unknown" ? "right after a value that may be just \"/\"" : hit.whole ? "as the whole target" : "where it can set the scheme or host";
    const flow = hitFlow(hit);
    ctx.report({
      node: sink.target,
      message: `${who} reaches ${sink.label} ${where}, unchecked: a link to this site can send users to any other site.`,
      confidence: hit.control === "unknown" ? "low" : hit.taint.level === "persisted" ? "medium" : "high",
      flow,
      fix: reviewFix(sink.target),
    });
  },
});
