// FLASK-SESS-001: the session (and Flask-Login remember-me) cookie is configured without Secure, HttpOnly or SameSite,
// or scoped to a whole parent domain; and `set_cookie()` writes a session-like cookie the same way.
//
// Config classes, config modules, `app.config[...] =`, `app.config.update(...)` / `from_mapping(...)` and dicts. The
// spec asks for Secure only in production over TLS: `SESSION_COOKIE_SECURE = False` in a development/test config, a
// dev- or test-named module, a test file or a dev/debug/testing branch is the recommended pattern and stays silent,
// as does a base config whose subclass turns Secure on. HttpOnly=False and SameSite=None are reported everywhere but
// in tests. Non-session cookies (theme, locale) are the application's business.
import type { SyntaxNode } from "tree-sitter";
import { defineRule, type FixInput, type RuleContext } from "../src/core/define-rule.js";
import type { Confidence } from "../src/core/types.js";
import { callArguments, calleeMethod, className, enclosingClass, isTruthyLiteral, moduleConstant, stringValue, unwrap } from "../src/core/python.js";
import { contextOf, contextOfName, words } from "../src/core/run-context.js";
import { isOffLiteral, settingAt, settingsIn, subclassesOf } from "../src/core/settings.js";

const COOKIE_SETTING = /^(SESSION|REMEMBER)_COOKIE_(SECURE|HTTPONLY|SAMESITE|DOMAIN)$/;
/** A word of a cookie name that says it carries a session or credential. */
const SESSION_COOKIE_WORD = /^(?:\w*session|sess(?:ion)?id|\w*sessid|sid|auth|\w*token|remember\w*|jwt|login)$/;

// ---------------------------------------------------------------------------------------------------------------
// Config settings (read in every form by src/core/settings.ts; where they apply: src/core/run-context.ts)

function quoted(value: SyntaxNode, text: string): string {
  return value.text.startsWith("'") ? `'${text}'` : `"${text}"`;
}

function lower(confidence: Confidence): Confidence {
  return confidence === "high" ? "medium" : "low";
}

/** The cookie settings this rule reads (what COOKIE_SETTING matches). */
const COOKIE_SETTINGS = ["SESSION", "REMEMBER"].flatMap((c) => ["SECURE", "HTTPONLY", "SAMESITE", "DOMAIN"].map((a) => `${c}_COOKIE_${a}`));

function checkSetting(node: SyntaxNode, ctx: RuleContext): void {
  const setting = settingAt(node, ctx);
  const match = setting ? COOKIE_SETTING.exec(setting.key) : null;
  if (!setting || !match) return;
  const cookie = match[1] === "SESSION" ? "session" : "remember-me";
  const attribute = match[2]!;
  const value = unwrap(setting.value);
  const where = contextOf(setting.container, node, ctx);
  if (where === "test") return;
  const cls = node.type === "assignment" ? enclosingClass(node) : null;
  const subclasses = cls ? subclassesOf(cls) : [];
  const setIn = (c: SyntaxNode) => settingsIn(c.childForFieldName("body")!, ctx).get(setting.key);

  if (attribute === "SECURE") {
    if (!isOffLiteral(value) || where === "dev") return;
    // a base config whose production subclass turns Secure on: the recommended dev/prod split
    if (subclasses.some((c) => { const v = setIn(c); return !!v && !isOffLiteral(v); })) return;
    const devInherits = subclasses.some((c) => contextOfName(className(c)) === "dev" && !setIn(c));
    const production = where === "prod" || ctx.project.productionModules.has(ctx.file);
    ctx.report({
      node: setting.value,
      confidence: production ? "high" : "medium",
      message: `${setting.label} is off outside a development config: the ${cookie} cookie is also sent over plain HTTP, where anyone on the network path can read it and take over the session.`,
      fix: {
        safety: devInherits ? "review" : "safe",
        description: devInherits
          ? "send the cookie over HTTPS only; a development config inherits this, so set it to False there for local HTTP"
          : "send the cookie over HTTPS only (keep Secure off in a development config for local HTTP)",
        edits: [{ node: setting.value, text: "True" }],
      },
    });
  } else if (attribute === "HTTPONLY") {
    if (!isOffLiteral(value)) return;
    ctx.report({
      node: setting.value,
      confidence: where === "dev" ? "medium" : "high",
      message: `${setting.label} is off: page JavaScript can read the ${cookie} cookie, so any XSS bug lets an attacker steal the session.`,
      fix: { safety: "safe", description: "hide the cookie from JavaScript", edits: [{ node: setting.value, text: "True" }] },
    });
  } else if (attribute === "SAMESITE") {
    const text = stringValue(value);
    if (!(value.type === "none" || value.type === "false" || text?.toLowerCase() === "none")) return;
    // a partitioned (CHIPS) cookie is keyed to the top-level site: a cross-site page never gets it
    if (isTruthyLiteral(settingsIn(setting.container, ctx).get(`${match[1]}_COOKIE_PARTITIONED`))) return;
    const base: Confidence = ctx.project.cookieAuth && !ctx.project.csrfProtection ? "high" : "medium";
    ctx.report({
      node: setting.value,
      confidence: where === "dev" ? lower(base) : base,
      message:
        `${setting.label} is ${text === null ? "None (no SameSite attribute)" : '"None"'}: browsers attach the ${cookie} cookie to requests other sites trigger, ` +
        `which opens ${ctx.project.cookieAuth ? "this cookie-authenticated app" : "the app"} to cross-site request forgery.`,
      fix: { safety: "safe", description: 'keep the cookie on same-site requests and top-level navigations ("Lax")', edits: [{ node: setting.value, text: quoted(value, "Lax") }] },
    });
  } else {
    const domain = stringValue(value);
    const host = domain?.replace(/^\./, "").toLowerCase() ?? "";
    if (!host || where === "dev" || host === "localhost" || /^[\d.]+$|^\[?[0-9a-f:]+\]?$/.test(host) || !host.includes(".")) return;
    ctx.report({
      node: setting.value,
      severity: "low",
      confidence: "medium",
      message: `${setting.label} scopes the ${cookie} cookie to ${host} and every subdomain of it: any subdomain (a user-content or compromised host) can read or overwrite the session.`,
      fix: { safety: "review", description: "keep the cookie on the host that set it, unless subdomains really must share the session", edits: [{ node: setting.value, text: "None" }] },
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// response.set_cookie(...)

/** The cookie's name: a literal, a module constant, or Flask's session cookie name setting. */
function cookieName(node: SyntaxNode | undefined): string | null {
  if (!node) return null;
  const v = unwrap(node);
  if (/SESSION_COOKIE_NAME|session_cookie_name/.test(v.text)) return "session";
  const literal = stringValue(v);
  if (literal !== null || v.type !== "identifier") return literal;
  return stringValue(moduleConstant(v));
}

function isSessionCookie(name: string): boolean {
  return !/csrf|xsrf/i.test(name) && words(name).some((w) => SESSION_COOKIE_WORD.test(w));
}

function checkSetCookie(call: SyntaxNode, ctx: RuleContext): void {
  if (calleeMethod(call) !== "set_cookie" || ctx.isTestFile) return;
  const args = callArguments(call);
  const name = cookieName(args.positional[0] ?? args.keywords.get("key"));
  if (name === null || !isSessionCookie(name)) return;
  // deleting the cookie (expires=0 / max_age=0): its attributes no longer matter
  if (["expires", "max_age"].some((k) => args.keywords.get(k)?.text === "0")) return;
  const problems: string[] = [];
  const edits: FixInput["edits"] = [];
  const httponly = args.keywords.get("httponly");
  const secure = args.keywords.get("secure");
  const samesite = args.keywords.get("samesite");
  if (httponly && isOffLiteral(httponly)) {
    problems.push("httponly is off (page JavaScript can read it, so XSS steals it)");
    edits.push({ node: httponly, text: "True" });
  }
  if (secure && isOffLiteral(secure) && !["dev", "test"].includes(contextOf(null, call, ctx) ?? "")) {
    problems.push("secure is off (it also travels over plain HTTP)");
    edits.push({ node: secure, text: "True" });
  }
  if (samesite && (unwrap(samesite).type === "none" || isOffLiteral(samesite) || stringValue(samesite)?.toLowerCase() === "none")) {
    problems.push("samesite is None (other sites' requests carry it: CSRF)");
    edits.push({ node: samesite, text: quoted(unwrap(samesite), "Lax") });
  }
  const argumentNodes = call.childForFieldName("arguments")?.namedChildren.filter((a) => a.type !== "comment") ?? [];
  const missingHttpOnly = !httponly && !args.hasSplat && argumentNodes.length > 0;
  if (problems.length === 0 && !missingHttpOnly) return;
  if (missingHttpOnly) {
    problems.push("httponly is not set (Werkzeug's default is off: page JavaScript can read it)");
    const last = argumentNodes[argumentNodes.length - 1]!;
    const existing = edits.find((e) => e.node.id === last.id);
    if (existing) existing.text += ", httponly=True";
    // one argument a line: add httponly on its own line, like the others
    else edits.push({ node: last, text: last.startPosition.row > call.startPosition.row ? `${last.text},\nhttponly=True` : `${last.text}, httponly=True` });
  }
  ctx.report({
    node: call,
    confidence: problems.length === 1 && missingHttpOnly ? "medium" : "high",
    message: `The "${name}" cookie looks like a session or credential cookie, but ${problems.join("; ")}.`,
    fix: { safety: "safe", description: "set HttpOnly/Secure/SameSite=Lax on the session-like cookie", edits },
  });
}

export default defineRule({
  id: "FLASK-SESS-001",
  title: "Session cookie without Secure, HttpOnly or SameSite",
  severity: "medium",
  confidence: "high",
  cwe: ["CWE-614", "CWE-1004", "CWE-1275"],
  spec: "FLASK-SESS-001",
  docs: {
    impact:
      "Without Secure the session cookie also travels over plain HTTP, where a network attacker (public Wi-Fi, a " +
      "downgrade) reads it and takes over the session. Without HttpOnly any XSS bug can read and exfiltrate it. With " +
      "SameSite=None browsers attach it to requests other sites trigger, which makes CSRF against cookie-authenticated " +
      "endpoints easier. A Domain attribute shares it with every subdomain.",
    fix:
      "In the production config set SESSION_COOKIE_SECURE=True, SESSION_COOKIE_HTTPONLY=True and " +
      "SESSION_COOKIE_SAMESITE=\"Lax\" (\"Strict\" if the UX allows), the same for REMEMBER_COOKIE_* with Flask-Login, " +
      "and keep SESSION_COOKIE_DOMAIN=None. Keep Secure off only in the development config used over local HTTP. Pass " +
      "httponly=True, secure=True, samesite=\"Lax\" to set_cookie() for session-like cookies.",
    mitigation:
      "Serve the app over HTTPS only with HSTS, keep CSRF tokens on state-changing routes (SameSite is defense in " +
      "depth, not a replacement), and set a Content Security Policy to limit what an XSS can do.",
    falsePositives:
      "Secure=False in a Development/Local/Test config, a dev- or test-named module, a test file, a dev/debug/testing " +
      "branch, or a base config that a production subclass overrides is not reported (the spec recommends turning Secure " +
      "off for local HTTP). SameSite=None next to COOKIE_PARTITIONED=True (an embedded, partitioned cookie) is not " +
      "reported. set_cookie() is only checked for cookies whose name says session/auth/token/remember/jwt/login, and " +
      "not for CSRF-token cookies that JavaScript must read. Verify whether a reported cookie really carries a session.",
    bad: [
      "from flask import Flask",
      "",
      "app = Flask(__name__)",
      "app.config.update(",
      "    SESSION_COOKIE_HTTPONLY=False,",
      "    SESSION_COOKIE_SAMESITE=None,",
      ")",
      "",
    ].join("\n"),
    good: [
      "from flask import Flask",
      "",
      "app = Flask(__name__)",
      "app.config.update(",
      "    SESSION_COOKIE_HTTPONLY=True,",
      "    SESSION_COOKIE_SAMESITE=\"Lax\",",
      ")",
      "",
    ].join("\n"),
  },
  on: ["assignment", "keyword_argument", "pair", "call"],
  // a keyword is a setting by its own name (TESTING/DEBUG/*_PARTITIONED are read from its siblings); set_cookie()
  // by its written method name
  names: { keyword_argument: COOKIE_SETTINGS, assignment: COOKIE_SETTINGS, call: ["set_cookie"] },
  check(node, ctx) {
    if (node.type === "call") checkSetCookie(node, ctx);
    else checkSetting(node, ctx);
  },
});
