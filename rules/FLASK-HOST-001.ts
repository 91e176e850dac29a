// FLASK-HOST-001: links that leave the app (password reset, verification, invitation e-mails) built from the
// request's Host header in an app that does not validate it, and TRUSTED_HOSTS set in a way that validates nothing.
//
// Findings: `url_for(..., _external=True)` (unless SERVER_NAME is configured: Flask then builds external URLs with
// it), request.host_url / url_root / host / base_url and the raw Host header, in a function that sends mail or builds
// reset/verify/invite links, in an app with no TRUSTED_HOSTS; a raw X-Forwarded-Host read there even with
// TRUSTED_HOSTS (it is not validated); `TRUSTED_HOSTS = None` outside development; a leading-dot entry that matches
// a whole public suffix (".com").
// Advisory (once per scan): a Flask app with no TRUSTED_HOSTS anywhere.
// Not reported: external URLs returned in API responses (no victim receives them), SERVER_NAME alone (the spec says
// not to rely on it, but nothing in code shows a flaw), `TRUSTED_HOSTS = []` or `["*"]` (Werkzeug has no wildcard:
// these reject every request, which is a bug, not an exposure).
import type { SyntaxNode } from "tree-sitter";
import { defineRule, type RuleContext } from "../src/core/define-rule.js";
import { callArguments, calleeMethod, enclosingFunction, isTruthyLiteral, stringValue, unwrap } from "../src/core/python.js";
import { inDevContext } from "../src/core/run-context.js";
import { overriddenInFile } from "../src/core/settings.js";
import type { ProjectFacts } from "../src/core/project.js";
import { wordsInOrder } from "../src/core/text.js";

const HOST_ATTRIBUTES = new Set(["host_url", "url_root", "root_url", "host", "base_url"]);
/** The request attributes whose subscripts / .get() can read a host header: request.headers, request.environ. */
const HOLDER_ATTRIBUTES = new Set(["headers", "environ"]);
const URL_FOR = /^flask(?:\.helpers)?\.url_for$/;
const LINK_WORD = /reset|forgot|recover|invit|activat|magic_?link|passwordless|unsubscribe|(?:e?mail|account)_(?:verif|confirm)|e?mail_(?:body|text|html|link|url)/i;
/**
 * Functions that build links meant for a mailbox: LINK_WORD, or (?:verif|confirm)\w*_(?:e?mail|account|user|registration|signup)
 * or (?:send|build|make|compose)_\w*mail (case-insensitive), the last two tested in linear time.
 */
function isLinkFunction(name: string): boolean {
  return (
    LINK_WORD.test(name) ||
    wordsInOrder(name, ["verif", "confirm"], ["_email", "_mail", "_account", "_user", "_registration", "_signup"]) ||
    wordsInOrder(name, ["send_", "build_", "make_", "compose_"], ["mail"])
  );
}

/** Calls that send a message: mail.send(), send_email(), server.sendmail(), deliver_message(), smtplib.SMTP(). */
const SEND_CALL = /send|deliver|smtp/i;
const MESSAGE_CALL = /mail|smtp|message|msg/i;
const MAIL_MODULE = /^(?:flask_mail|flask_mailman|email)\.|EmailMessage$/;
/** Variables, keywords and keys that hold such a link. */
const LINK_NAME = /reset|confirm|verif|activat|invit|magic|unsubscribe/i;
const RESERVED_SUFFIXES = new Set(["localhost", "local", "internal", "test", "example", "invalid", "lan", "intranet", "corp", "home"]);

type HostRead = { label: string; forwarded: boolean };

/** The resolved name of request.headers / request.environ, or null for anything else. */
function requestHolder(node: SyntaxNode | null | undefined, ctx: RuleContext): string | null {
  // an attribute resolves to a name ending in its attribute: no other attribute needs resolving
  if (node?.type === "attribute" && !HOLDER_ATTRIBUTES.has(node.childForFieldName("attribute")?.text ?? "")) return null;
  const holder = ctx.resolve(node);
  return holder === "flask.request.headers" || holder === "flask.request.environ" ? holder : null;
}

/** A read of the request's host: `request.host_url`, `request.headers["Host"]`, `request.environ.get("HTTP_X_FORWARDED_HOST")`. */
function hostRead(node: SyntaxNode, ctx: RuleContext): HostRead | null {
  if (node.type === "attribute") {
    const attribute = node.childForFieldName("attribute")?.text ?? "";
    return HOST_ATTRIBUTES.has(attribute) && ctx.resolve(node) === `flask.request.${attribute}` ? { label: node.text, forwarded: false } : null;
  }
  let holder: string | null = null;
  let key: string | null = null;
  if (node.type === "subscript") {
    holder = requestHolder(node.childForFieldName("value"), ctx);
    if (!holder) return null;
    key = stringValue(node.childForFieldName("subscript"));
  } else if (node.type === "call" && calleeMethod(node) === "get") {
    holder = requestHolder(node.childForFieldName("function")?.childForFieldName("object"), ctx);
    if (!holder) return null;
    key = stringValue(callArguments(node).positional[0]);
  }
  const header = holder === "flask.request.headers" ? key?.toLowerCase()
    : holder === "flask.request.environ" && key?.startsWith("HTTP_") ? key.slice(5).toLowerCase().replace(/_/g, "-") : null;
  if (header === "host") return { label: node.text, forwarded: false };
  return header === "x-forwarded-host" ? { label: node.text, forwarded: true } : null;
}

/** `request.host != "example.com"`, `request.host.endswith(...)`: the code validates the host, it builds no link. */
function isHostCheck(node: SyntaxNode): boolean {
  for (let p = node.parent; p && !/statement$|^block$/.test(p.type); p = p.parent) {
    if (p.type === "comparison_operator") return true;
    if (p.type === "call" && /^(?:startswith|endswith)$/.test(calleeMethod(p) ?? "") && p.childForFieldName("function")?.childForFieldName("object")?.id === node.id) return true;
  }
  return false;
}

/** The names the expression is bound to on its way out: `reset_url = ...`, `link=...`, `{"confirm_link": ...}`. */
function boundNames(node: SyntaxNode): string[] {
  const names: string[] = [];
  for (let p: SyntaxNode | null = node; p && !/statement$|^block$|^function_definition$/.test(p.type); p = p.parent) {
    if (p.type === "assignment") names.push(p.childForFieldName("left")?.text ?? "");
    if (p.type === "keyword_argument") names.push(p.childForFieldName("name")?.text ?? "");
    if (p.type === "pair") names.push(stringValue(p.childForFieldName("key")) ?? "");
  }
  return names;
}

/** The callee text of the call by which the function sends mail, or null; once per function however many links it builds. */
function mailCalleeOf(fn: SyntaxNode, ctx: RuleContext): string | null {
  const byFunction = ctx.memo("mailCallee", () => new Map<number, string | null>());
  let callee = byFunction.get(fn.id);
  if (callee === undefined) {
    const mailCalls = fn.descendantsOfType("call").filter((call) => {
      const f = call.childForFieldName("function");
      const text = f?.text ?? "";
      return (SEND_CALL.test(text) && MESSAGE_CALL.test(text)) || MAIL_MODULE.test(ctx.resolve(f) ?? "");
    });
    const mailCall = mailCalls.find((call) => /send/i.test(call.childForFieldName("function")!.text)) ?? mailCalls[0];
    byFunction.set(fn.id, (callee = mailCall ? mailCall.childForFieldName("function")!.text : null));
  }
  return callee;
}

/** Why this link is meant for a mailbox, or null: the function sends mail, is named for it, or names the link so. */
function mailContext(node: SyntaxNode, ctx: RuleContext): string | null {
  const fn = enclosingFunction(node);
  if (!fn) return null;
  const fnName = fn.childForFieldName("name")?.text ?? "";
  const mailCallee = mailCalleeOf(fn, ctx);
  if (mailCallee !== null) return `${fnName}() sends it by e-mail (${mailCallee}())`;
  if (isLinkFunction(fnName)) return `${fnName}() builds it for an e-mail`;
  const name = boundNames(node).find((n) => LINK_NAME.test(n));
  return name ? `it is the ${name} a user receives` : null;
}

/** Is the callee flask's url_for? An attribute callee (`d.get`) resolves to a name ending in its attribute. */
function isUrlFor(fn: SyntaxNode | null, ctx: RuleContext): boolean {
  if (fn?.type === "attribute" && fn.childForFieldName("attribute")?.text !== "url_for") return false;
  return URL_FOR.test(ctx.resolve(fn) ?? "");
}

function checkLink(node: SyntaxNode, ctx: RuleContext): void {
  if (ctx.isTestFile) return; // never reported in test files: decided before any work
  let what: string;
  let forwarded = false;
  let urlFor = false;
  if (node.type === "call" && isUrlFor(node.childForFieldName("function"), ctx)) {
    if (!isTruthyLiteral(callArguments(node).keywords.get("_external")) || ctx.project.serverName) return;
    what = "url_for(..., _external=True)";
    urlFor = true;
  } else {
    const read = hostRead(node, ctx);
    if (!read) return;
    what = read.label.replace(/\s+/g, " ");
    forwarded = read.forwarded;
  }
  if ((ctx.project.trustedHosts && !forwarded) || isHostCheck(node)) return;
  const why = mailContext(node, ctx);
  if (!why) return;
  ctx.report({
    node,
    confidence: "medium",
    message: forwarded
      ? `${what} is client-controlled and TRUSTED_HOSTS does not check it, and ${why}: a forged header sends the victim a link to the attacker's domain (leaking any token in it). Build links from a configured base URL.`
      : `${what} takes the host from the request's Host header, ${why}, and the app sets no TRUSTED_HOSTS: a forged Host sends the victim a link to the attacker's domain (leaking any token in it). Set TRUSTED_HOSTS${urlFor ? " (or SERVER_NAME, which url_for then uses)" : ""}.`,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// TRUSTED_HOSTS values

/** The value bound to TRUSTED_HOSTS by an assignment, a `TRUSTED_HOSTS=` keyword or a `"TRUSTED_HOSTS":` pair. */
function trustedHostsValue(node: SyntaxNode): SyntaxNode | null {
  if (node.type === "assignment") {
    const left = node.childForFieldName("left");
    // (the text after an attribute's last dot: `left.text.split(".").pop()`, without the array)
    const named = left?.type === "identifier" ? left.text === "TRUSTED_HOSTS"
      : left?.type === "attribute" ? left.text.endsWith(".TRUSTED_HOSTS")
      : isTrustedHostsKey(left?.childForFieldName("subscript"));
    return named ? node.childForFieldName("right") : null;
  }
  if (node.type === "keyword_argument") return node.childForFieldName("name")?.text === "TRUSTED_HOSTS" ? node.childForFieldName("value") : null;
  return isTrustedHostsKey(node.childForFieldName("key")) ? node.childForFieldName("value") : null;
}

/**
 * `stringValue(key) === "TRUSTED_HOSTS"`. A plain string literal whose text lacks the name cannot hold it (stringValue
 * decodes no escape into a letter or "_"), so most keys are answered without decoding them.
 */
function isTrustedHostsKey(key: SyntaxNode | null | undefined): boolean {
  if (key?.type === "string" && !key.text.includes("TRUSTED_HOSTS")) return false;
  return stringValue(key) === "TRUSTED_HOSTS";
}

function checkTrustedHosts(node: SyntaxNode, ctx: RuleContext): void {
  const value = trustedHostsValue(node);
  if (!value || inDevContext(node, ctx)) return;
  const v = unwrap(value);
  if (v.type === "none") {
    if (overriddenInFile(node, trustedHostsValue)) return; // a subclass or a later setting lists the hosts
    ctx.report({
      node: value,
      confidence: "medium",
      message: "TRUSTED_HOSTS = None accepts any Host header: links built from the request (url_for(..., _external=True), request.host_url) can point at an attacker's domain. List your domains.",
      fix: { safety: "review", description: "accept only your own domains", edits: [{ node: value, text: '["example.com", ".example.com"]' }] },
    });
    return;
  }
  if (!["list", "tuple", "set"].includes(v.type)) return;
  for (const entry of v.namedChildren) {
    const host = stringValue(entry);
    if (host === null || !/^\.[^.]+$/.test(host) || RESERVED_SUFFIXES.has(host.slice(1).toLowerCase())) continue;
    ctx.report({
      node: entry,
      message: `TRUSTED_HOSTS entry "${host}" matches every domain under the public suffix ${host.slice(1)}, including any an attacker registers: list your own domain (".example.com" for its subdomains).`,
    });
  }
}

function advise(project: ProjectFacts): string | null {
  if (!project.flaskApp || project.trustedHosts) return null;
  return "TRUSTED_HOSTS is not set anywhere in the app: Flask accepts any Host header, and url_for(..., _external=True) and request.host_url build links from it. Check that the reverse proxy only passes requests for your own domains (e.g. an nginx default server that rejects unknown hosts), or set TRUSTED_HOSTS (Flask 3.1) to them.";
}

export default defineRule({
  id: "FLASK-HOST-001",
  title: "Host header not validated for external links",
  severity: "low",
  confidence: "medium",
  cwe: ["CWE-20", "CWE-644"],
  spec: "FLASK-HOST-001",
  docs: {
    impact:
      "Without TRUSTED_HOSTS Flask accepts any Host header, and url_for(..., _external=True), request.host_url and " +
      "request.url_root are built from it. An attacker who asks for a password reset for a victim with a forged Host " +
      "gets the victim an e-mail whose link points at the attacker's domain; the victim's click leaks the reset token " +
      "(host header poisoning).",
    fix:
      "Set TRUSTED_HOSTS in production to your domains (a leading dot admits subdomains: \".example.com\"). For links " +
      "sent by e-mail, build them from a configured base URL or set SERVER_NAME so url_for uses it; never read " +
      "X-Forwarded-Host directly (let ProxyFix(x_host=1) handle it, then TRUSTED_HOSTS checks it).",
    mitigation:
      "Have the reverse proxy serve only your domains (a default server that rejects other Host values) and keep " +
      "reset tokens short-lived and single-use.",
    falsePositives:
      "Only links in functions that send mail or build reset/verify/invite links are reported, and only when the app " +
      "sets no TRUSTED_HOSTS (url_for also not when SERVER_NAME is configured). If the proxy already rejects unknown " +
      "hosts, the link is safe: the advisory and the finding say so. External URLs in API responses are not reported.",
    bad: [
      "from flask import Flask, request, url_for",
      "from flask_mail import Mail, Message",
      "",
      "app = Flask(__name__)",
      "mail = Mail(app)",
      "",
      "@app.post(\"/forgot\")",
      "def forgot_password():",
      "    token = make_token(request.form[\"email\"])",
      "    link = url_for(\"reset_password\", token=token, _external=True)",
      "    mail.send(Message(\"Reset\", recipients=[request.form[\"email\"]], body=link))",
      "    return \"sent\"",
      "",
    ].join("\n"),
    good: [
      "import os",
      "",
      "from flask import Flask, request, url_for",
      "from flask_mail import Mail, Message",
      "",
      "app = Flask(__name__)",
      "app.config[\"TRUSTED_HOSTS\"] = [\"example.com\", \".example.com\"]",
      "mail = Mail(app)",
      "",
      "@app.post(\"/forgot\")",
      "def forgot_password():",
      "    token = make_token(request.form[\"email\"])",
      "    link = os.environ[\"PUBLIC_BASE_URL\"] + url_for(\"reset_password\", token=token)",
      "    mail.send(Message(\"Reset\", recipients=[request.form[\"email\"]], body=link))",
      "    return \"sent\"",
      "",
    ].join("\n"),
  },
  on: ["call", "attribute", "subscript", "assignment", "keyword_argument", "pair"],
  // call: url_for (written or resolved: `from flask import url_for as u`) and request.headers/environ.get();
  // attribute: the request's host attributes; keyword_argument: TRUSTED_HOSTS=
  names: {
    call: ["url_for", "get"],
    attribute: [...HOST_ATTRIBUTES],
    keyword_argument: ["TRUSTED_HOSTS"],
  },
  check(node, ctx) {
    if (node.type === "call" || node.type === "attribute" || node.type === "subscript") checkLink(node, ctx);
    else checkTrustedHosts(node, ctx);
  },
  advise,
});
