// FLASK-HEADERS-001: security headers switched off or weakened in code.
//
// Findings: Flask-Talisman with its CSP, X-Frame-Options or nosniff turned off (content_security_policy=None,
// frame_options=None, x_content_type_options=False) or with force_https / HSTS off outside development (low
// confidence: a proxy may redirect and send HSTS); CSP policies (Talisman dicts, header strings) whose script-src, or
// default-src standing in for it, allows 'unsafe-inline' (unless a nonce, hash or 'strict-dynamic' makes browsers
// ignore it), 'unsafe-eval' or any host; and app-wide hooks that disable clickjacking or sniffing protection
// (X-Frame-Options: ALLOWALL, deleting the header, frame-ancestors *, X-Content-Type-Options other than nosniff).
// Advisory (once per scan): a Flask app with no CSP (or no security header at all) in its code, templates or proxy
// configs. Not reported: per-route relaxations (an embeddable widget) and per-view @talisman(...) overrides, which
// are the documented way to open one page deliberately; report-only policies, which are a rollout stage.
import type { SyntaxNode } from "tree-sitter";
import { defineRule, type RuleContext } from "../src/core/define-rule.js";
import { callArguments, calleeMethod, enclosingFunction, isFalsyLiteral, moduleConstant, routesOf, stringValue, unwrap } from "../src/core/python.js";
import { inDevContext } from "../src/core/run-context.js";
import type { ProjectFacts } from "../src/core/project.js";
import type { Confidence, Severity } from "../src/core/types.js";

interface TalismanOption {
  severity: Severity;
  confidence: Confidence;
  message: string;
  fix: string;
}

const TALISMAN_OPTIONS: Record<string, TalismanOption> = {
  content_security_policy: {
    severity: "medium", confidence: "high", fix: `{"default-src": "'self'", "object-src": "'none'"}`,
    message: "turns the Content-Security-Policy off: nothing limits what an injected script can load or run",
  },
  frame_options: {
    severity: "medium", confidence: "medium", fix: `"SAMEORIGIN"`,
    message: "turns X-Frame-Options off and the policy sets no frame-ancestors: any site can frame these pages (clickjacking). If they are meant to be embedded, allow the embedding origins with frame-ancestors",
  },
  x_content_type_options: {
    severity: "medium", confidence: "high", fix: "True",
    message: "turns X-Content-Type-Options: nosniff off: browsers may run uploaded or user-supplied files as scripts or HTML",
  },
  force_https: {
    severity: "low", confidence: "low", fix: "True",
    message: "serves plain-HTTP requests without redirecting them to HTTPS (Talisman already honours X-Forwarded-Proto behind a TLS proxy). Fine if the proxy or load balancer redirects HTTP itself",
  },
  strict_transport_security: {
    severity: "low", confidence: "low", fix: "True",
    message: "stops sending Strict-Transport-Security, so browsers keep trying plain HTTP first. Fine if the proxy sends HSTS",
  },
};

const SCRIPT_DIRECTIVES = ["script-src", "script-src-elem"];
/** The keys of a dict policy that decide its scripts: the script directives, or default-src standing in for them. */
const DICT_DIRECTIVES = new Set([...SCRIPT_DIRECTIVES, "default-src"]);

// ---------------------------------------------------------------------------------------------------------------
// Development and test code (inDevContext, src/core/run-context.ts), and route handlers

/** Code in a route handler: a relaxation for that one page (an embeddable widget) is deliberate. */
function inRoute(node: SyntaxNode): boolean {
  for (let fn = enclosingFunction(node); fn; fn = enclosingFunction(fn)) if (routesOf(fn).length > 0) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// Flask-Talisman

function isTalisman(call: SyntaxNode, ctx: RuleContext): boolean {
  const fn = call.childForFieldName("function");
  if (/^flask_talisman(?:\.talisman)?\.Talisman$/.test(ctx.resolve(fn) ?? "")) return true;
  if (calleeMethod(call) !== "init_app" || fn?.type !== "attribute") return false;
  const receiver = fn.childForFieldName("object")!;
  const bound = receiver.type === "identifier" ? moduleConstant(receiver) : null;
  return /talisman/i.test(receiver.text) || (bound?.type === "call" && /Talisman$/.test(ctx.resolve(bound.childForFieldName("function")) ?? ""));
}

/** A literal that turns a Talisman option off: None, False, 0, "", {} or []. */
function isOff(value: SyntaxNode): boolean {
  const v = unwrap(value);
  return isFalsyLiteral(v) || (["dictionary", "list", "tuple"].includes(v.type) && v.namedChildCount === 0);
}

function checkTalisman(call: SyntaxNode, ctx: RuleContext): void {
  if (!isTalisman(call, ctx)) return;
  const args = callArguments(call);
  const csp = args.keywords.get("content_security_policy");
  const cspValue = csp?.type === "identifier" ? moduleConstant(csp) : csp;
  const dev = inDevContext(call, ctx);
  for (const [name, option] of Object.entries(TALISMAN_OPTIONS)) {
    const value = args.keywords.get(name);
    if (!value || !isOff(value) || dev) continue;
    if (name === "frame_options" && /frame-ancestors/i.test(cspValue?.text ?? "")) continue;
    ctx.report({
      node: value,
      severity: option.severity,
      confidence: option.confidence,
      message: `Talisman(${name}=${value.text}) ${option.message}.`,
      fix: { safety: "review", description: `restore Talisman's ${name}`, edits: [{ node: value, text: option.fix }] },
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// CSP policies

/** A string literal's text, each f-string interpolation as a token: `{nonce}` when it looks like one, else `{}`. */
function approximateValue(node: SyntaxNode): string | null {
  if (node.type === "concatenated_string") return node.namedChildren.map((c) => approximateValue(c) ?? "").join("");
  if (node.type !== "string") return null;
  const part = (c: SyntaxNode) => (c.type === "string_content" ? c.text : c.type === "interpolation" ? (/nonce|hash|sha\d/i.test(c.text) ? "{nonce}" : "{}") : "");
  return stringValue(node) ?? node.namedChildren.map(part).join("");
}

const BAD_SOURCES: [RegExp, string][] = [
  [/^'unsafe-inline'$/i, "'unsafe-inline': any injected inline <script> or on* handler runs, so the policy no longer stops XSS. Use nonces or hashes (Talisman's content_security_policy_nonce_in) instead"],
  [/^'unsafe-eval'$/i, "'unsafe-eval': injected strings can become code through eval() and new Function(). Remove it and the code that needs it"],
  [/^(?:\*|https?:|data:)$/i, "scripts from any host: an attacker who injects a <script src> tag loads their own code. List the script hosts instead"],
];

/** The first weakening source of a script directive's tokens, with what it allows. */
function weakness(tokens: string[], nonceByTalisman: boolean): { token: string; why: string } | null {
  const strictDynamic = tokens.some((t) => /^'strict-dynamic'$/i.test(t));
  const nonced = nonceByTalisman || strictDynamic || tokens.some((t) => /^'(?:nonce-|sha256-|sha384-|sha512-)|\{nonce\}/i.test(t));
  for (const token of tokens) {
    for (const [pattern, why] of BAD_SOURCES) {
      if (!pattern.test(token)) continue;
      // browsers ignore 'unsafe-inline' next to a nonce or hash, and host sources next to 'strict-dynamic'
      if ((/unsafe-inline/i.test(token) && nonced) || (strictDynamic && !/unsafe-eval/i.test(token))) continue;
      return { token, why };
    }
  }
  return null;
}

function nonceByTalisman(ctx: RuleContext, directive: string): boolean {
  const nonceIn = ctx.memo("nonceIn", () => /content_security_policy_nonce_in\s*=\s*[[(]([^\])]{0,200})/.exec(ctx.source)?.[1] ?? null);
  return nonceIn !== null && nonceIn.includes(directive);
}

function reportWeakness(node: SyntaxNode, directive: string, found: { token: string; why: string }, ctx: RuleContext): void {
  // (?<!\s): the blanks before the token are tried from their start only (same first match; not quadratic on a long run)
  const replaced = node.text.replace(new RegExp(`(?<!\\s)\\s*${found.token.replace(/[*']/g, (c) => (c === "*" ? "\\*" : c))}`), "");
  const empty = stringValue(unwrap(node)) !== null && stringValue(unwrap(node))!.replace(found.token, "").trim() === "";
  ctx.report({
    node,
    confidence: "medium",
    message: `The Content-Security-Policy's ${directive} allows ${found.why}.`,
    fix: empty ? undefined : { safety: "review", description: `drop ${found.token} from ${directive}`, edits: [{ node, text: replaced }] },
  });
}

/** Talisman-style dict policies: `{"script-src": ["'self'", "'unsafe-inline'"]}`. */
function checkPolicyDict(dict: SyntaxNode, ctx: RuleContext): void {
  // only the directives read below are collected (the last of each key wins, as for every key before)
  const directives = new Map<string, SyntaxNode[]>();
  for (const pair of dict.namedChildren) {
    if (pair.type !== "pair") continue;
    const key = stringValue(pair.childForFieldName("key"))?.toLowerCase();
    if (!key || !DICT_DIRECTIVES.has(key)) continue;
    const value = pair.childForFieldName("value");
    if (!value) continue;
    const v = unwrap(value);
    directives.set(key, ["list", "tuple", "set"].includes(v.type) ? v.namedChildren : [v]);
  }
  const scriptDirective = SCRIPT_DIRECTIVES.find((d) => directives.has(d)) ?? (directives.has("default-src") ? "default-src" : null);
  if (!scriptDirective || inDevContext(dict, ctx)) return;
  const parts = directives.get(scriptDirective)!;
  const tokens = parts.flatMap((p) => (approximateValue(p) ?? "").split(/\s+/).filter(Boolean));
  const found = weakness(tokens, nonceByTalisman(ctx, scriptDirective));
  const holder = found && parts.find((p) => (approximateValue(p) ?? "").split(/\s+/).includes(found.token));
  if (found && holder) reportWeakness(holder, scriptDirective, found, ctx);
}

/** Header-style policy strings: `"default-src 'self'; script-src 'self' 'unsafe-inline'"`. */
function checkPolicyString(node: SyntaxNode, ctx: RuleContext): void {
  const text = node.text;
  if (!text.includes("-") || !/-src|frame-ancestors/i.test(text)) return; // (a plain search first: most strings have no "-")
  const value = approximateValue(node);
  if (!value || !/(?:^|;)\s*(?:default-src|script-src|frame-ancestors)\s/i.test(value)) return;
  const statement = (() => {
    let p: SyntaxNode | null = node;
    while (p && !/statement$/.test(p.type) && p.type !== "pair") p = p.parent;
    return p;
  })();
  if (/report-only/i.test(statement?.text ?? "") || inDevContext(node, ctx)) return;
  const directives = new Map<string, string[]>();
  for (const part of value.split(";")) {
    const [name, ...tokens] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), tokens);
  }
  if (directives.get("frame-ancestors")?.includes("*") && !inRoute(node)) {
    ctx.report({ node, confidence: "medium", message: "The Content-Security-Policy sets frame-ancestors *: any site can frame every page (clickjacking). List the origins allowed to embed the app." });
    return;
  }
  const directive = SCRIPT_DIRECTIVES.find((d) => directives.has(d)) ?? (directives.has("default-src") ? "default-src" : null);
  const found = directive ? weakness(directives.get(directive)!, false) : null;
  if (!found) return;
  const part = node.type === "concatenated_string" ? node.namedChildren.find((c) => (approximateValue(c) ?? "").split(/\s+/).includes(found.token)) : node;
  reportWeakness(part ?? node, directive!, found, ctx);
}

// ---------------------------------------------------------------------------------------------------------------
// Headers set or removed by hand

const GOOD_HEADER_VALUES: Record<string, RegExp> = { "x-frame-options": /^\s*(?:deny|sameorigin)\s*$/i, "x-content-type-options": /^\s*nosniff\s*$/i };

/** `response.headers`, `resp.headers`, or a local named `headers`. */
function isHeadersObject(node: SyntaxNode | null | undefined): boolean {
  if (node?.type === "identifier") return node.text === "headers";
  return node?.type === "attribute" && node.childForFieldName("attribute")?.text === "headers";
}

const SETTING_METHODS = new Set(["set", "add", "setdefault", "__setitem__"]);
const REMOVING_METHODS = new Set(["pop", "remove", "__delitem__"]);

/** `resp.headers["X-Frame-Options"] = v`, `resp.headers.set("X-Frame-Options", v)`, `{"X-Frame-Options": v}`; removal when value is null. */
function headerWrite(node: SyntaxNode): { name: string; value: SyntaxNode | null } | null {
  if (node.type === "assignment") {
    const left = node.childForFieldName("left");
    const name = left?.type === "subscript" && isHeadersObject(left.childForFieldName("value")) ? stringValue(left.childForFieldName("subscript")) : null;
    return name ? { name, value: node.childForFieldName("right") } : null;
  }
  if (node.type === "pair") {
    const name = stringValue(node.childForFieldName("key"));
    return name ? { name, value: node.childForFieldName("value") } : null;
  }
  if (node.type === "delete_statement") {
    const target = node.firstNamedChild;
    const name = target?.type === "subscript" && isHeadersObject(target.childForFieldName("value")) ? stringValue(target.childForFieldName("subscript")) : null;
    return name ? { name, value: null } : null;
  }
  const method = node.type === "call" ? calleeMethod(node) ?? "" : "";
  if (!SETTING_METHODS.has(method) && !REMOVING_METHODS.has(method)) return null;
  if (!isHeadersObject(node.childForFieldName("function")?.childForFieldName("object"))) return null;
  const args = callArguments(node).positional;
  const name = stringValue(args[0]);
  if (!name) return null;
  if (SETTING_METHODS.has(method)) return args[1] ? { name, value: args[1] } : null;
  return { name, value: null };
}

/** Does the file send a CSP frame-ancestors that restricts framing (browsers then ignore X-Frame-Options)? */
function hasFrameAncestors(root: SyntaxNode): boolean {
  return root.descendantsOfType(["string", "pair"]).some((n) => {
    if (n.type === "pair") return stringValue(n.childForFieldName("key")) === "frame-ancestors" && !/^["']\*["']$/.test(n.childForFieldName("value")?.text ?? "");
    return /(?:^|;)\s*frame-ancestors\s+(?!\*)[^;\s]/i.test(approximateValue(n) ?? "");
  });
}

function checkHeaderWrite(node: SyntaxNode, ctx: RuleContext): void {
  const write = headerWrite(node);
  if (!write) return;
  const header = write.name.toLowerCase();
  if (!GOOD_HEADER_VALUES[header] || inRoute(node) || inDevContext(node, ctx)) return;
  // CSP frame-ancestors rules instead (the file's answer, worked out once)
  if (header === "x-frame-options" && ctx.memo("hasFrameAncestors", () => hasFrameAncestors(node.tree.rootNode))) return;
  const text = write.value ? stringValue(unwrap(write.value)) : null;
  if (write.value && (text === null || GOOD_HEADER_VALUES[header]!.test(text))) return;
  const frame = header === "x-frame-options";
  const what = !write.value ? `${write.name} is removed from the responses` : `${write.name} is set to "${text}", ${frame && /allow-from/i.test(text!) ? "which browsers no longer honour" : "which does not protect"}`;
  ctx.report({
    node: write.value ?? node,
    confidence: frame ? "medium" : "high",
    message: frame
      ? `${what}: any site can frame the pages (clickjacking). To allow embedding, send CSP frame-ancestors with the embedding origins.`
      : `${what}: browsers may sniff uploaded or user-supplied files as scripts or HTML.`,
    fix: write.value ? { safety: "review", description: `send ${write.name}: ${frame ? "SAMEORIGIN" : "nosniff"}`, edits: [{ node: write.value, text: frame ? `"SAMEORIGIN"` : `"nosniff"` }] } : undefined,
  });
}

function advise(project: ProjectFacts): string | null {
  if (!project.flaskApp || project.securityHeaders) return null;
  return project.hardeningHeaders
    ? "No Content-Security-Policy is set in the app, its templates or a proxy config in the repository (X-Frame-Options / X-Content-Type-Options are): nothing limits what an injected script can load or run. Check that the proxy or CDN sends a CSP, or add one (Flask-Talisman's content_security_policy, or an after_request hook)."
    : "No security headers (Content-Security-Policy, X-Content-Type-Options, X-Frame-Options) are set in the app, its templates or a proxy config in the repository: no Flask-Talisman, no after_request hook. Check that the reverse proxy or CDN sets them, or add Flask-Talisman.";
}

export default defineRule({
  id: "FLASK-HEADERS-001",
  title: "Security headers disabled or weakened",
  severity: "medium",
  confidence: "high",
  cwe: ["CWE-693", "CWE-1021"],
  spec: "FLASK-HEADERS-001",
  docs: {
    impact:
      "Without a Content-Security-Policy an XSS bug runs whatever script it injects; 'unsafe-inline', 'unsafe-eval' or a " +
      "wildcard in script-src give that back. Without X-Frame-Options or frame-ancestors any site can frame the app " +
      "and trick users into clicks (clickjacking); without nosniff browsers may run user files as scripts or HTML.",
    fix:
      "Set the headers centrally: Flask-Talisman with its defaults (CSP default-src 'self', X-Frame-Options SAMEORIGIN, " +
      "nosniff), or an after_request hook, or the reverse proxy/CDN. Keep the CSP realistic: move inline scripts to " +
      "files or use nonces (content_security_policy_nonce_in) rather than 'unsafe-inline'. To allow embedding, list the " +
      "embedding origins in frame-ancestors instead of dropping the protection.",
    mitigation:
      "Roll a stricter CSP out in report-only mode first; set the headers at the proxy as a second layer; keep " +
      "user uploads on a separate domain.",
    falsePositives:
      "Relaxations inside a single route (an embeddable widget) and per-view @talisman(...) overrides are not reported; " +
      "neither are development and test configs or report-only policies. 'unsafe-inline' next to a nonce or hash is " +
      "ignored by browsers and not reported. force_https / HSTS off are low confidence: a proxy may redirect and send " +
      "HSTS. The advisory only says the headers are not visible in the repository: the proxy or CDN may set them.",
    bad: [
      "from flask import Flask",
      "from flask_talisman import Talisman",
      "",
      "app = Flask(__name__)",
      "Talisman(app, content_security_policy=None)",
      "",
    ].join("\n"),
    good: [
      "from flask import Flask",
      "from flask_talisman import Talisman",
      "",
      "app = Flask(__name__)",
      "Talisman(app, content_security_policy={\"default-src\": \"'self'\", \"object-src\": \"'none'\"})",
      "",
    ].join("\n"),
  },
  on: ["call", "dictionary", "string", "concatenated_string", "assignment", "pair", "delete_statement"],
  // call: Talisman (written or resolved) and talisman.init_app(); the header methods of headerWrite
  names: {
    call: ["Talisman", "init_app", ...SETTING_METHODS, ...REMOVING_METHODS],
  },
  check(node, ctx) {
    switch (node.type) {
      case "call":
        checkTalisman(node, ctx);
        checkHeaderWrite(node, ctx);
        return;
      case "dictionary":
        checkPolicyDict(node, ctx);
        return;
      case "string":
        if (node.parent?.type !== "concatenated_string") checkPolicyString(node, ctx);
        return;
      case "concatenated_string":
        checkPolicyString(node, ctx);
        return;
      default:
        checkHeaderWrite(node, ctx);
    }
  },
  advise,
});
