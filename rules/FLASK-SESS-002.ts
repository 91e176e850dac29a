// FLASK-SESS-002: sessions that live (nearly) forever, secrets kept in Flask's default cookie session, and logins
// that keep the pre-login session.
//
// Lifetimes: PERMANENT_SESSION_LIFETIME / app.permanent_session_lifetime longer than 31 days (Flask's own default,
// and about the re-authentication interval NIST SP 800-63B gives for the lowest assurance level), and
// REMEMBER_COOKIE_DURATION / login_user(duration=...) past the same line, with lower confidence (a remember-me cookie
// is persistent by design; Flask-Login defaults to 365 days). Secrets: `session["password"] = ...` and friends,
// unless Flask-Session keeps the data server-side. Fixation: login_user() (or `session["user_id"] = ...` in a login
// view) with no session.clear()/regenerate before it; low severity and confidence (the spec says SHOULD).
import type { SyntaxNode } from "tree-sitter";
import { defineRule, type RuleContext } from "../src/core/define-rule.js";
import type { Confidence } from "../src/core/types.js";
import { assignedName, callArguments, calleeMethod, className, enclosingFunction, moduleConstant, routesOf, stringValue, unwrap } from "../src/core/python.js";
import { contextOfName, words } from "../src/core/run-context.js";
import { settingAt, type Setting } from "../src/core/settings.js";

const DAY = 86_400;
const MAX_DAYS = 31;
/** timedelta's positional parameters, in order, in seconds. */
const TIMEDELTA_UNITS: [string, number][] = [["days", DAY], ["seconds", 1], ["microseconds", 1e-6], ["milliseconds", 1e-3], ["minutes", 60], ["hours", 3600], ["weeks", 7 * DAY]];
/** Words of a session key (or of the value read into it) that name a secret, and how sure that is. */
const SECRET_WORDS: Record<string, { what: string; confidence: Confidence }> = {
  password: { what: "a password", confidence: "high" }, passwd: { what: "a password", confidence: "high" },
  pwd: { what: "a password", confidence: "high" }, passphrase: { what: "a password", confidence: "high" },
  secret: { what: "a secret", confidence: "high" }, apikey: { what: "an API key", confidence: "high" },
  privatekey: { what: "a private key", confidence: "high" }, creditcard: { what: "a card number", confidence: "high" },
  cardnumber: { what: "a card number", confidence: "high" }, ccnumber: { what: "a card number", confidence: "high" },
  cvv: { what: "a card security code", confidence: "high" }, cvc: { what: "a card security code", confidence: "high" },
  ssn: { what: "a social security number", confidence: "high" }, socialsecurity: { what: "a social security number", confidence: "high" },
  token: { what: "a token", confidence: "medium" }, tokens: { what: "tokens", confidence: "medium" },
  jwt: { what: "a token", confidence: "medium" }, credentials: { what: "credentials", confidence: "medium" },
  creds: { what: "credentials", confidence: "medium" },
};
/** Keys that describe a secret without holding it (token_expires, password_changed_at, csrf_token). */
const NOT_THE_SECRET = new Set([
  "id", "type", "expires", "expiry", "exp", "at", "count", "attempts", "verified", "confirmed", "changed", "required",
  "set", "sent", "hint", "scope", "scopes", "ok", "valid", "time", "timestamp", "date", "url", "uri", "name", "provider", "len", "length",
]);
const LOGIN_FUNCTION = /login|log_in|signin|sign_in|authenticate/i;
const USER_KEYS = new Set(["user_id", "_user_id", "user", "uid", "username", "account_id"]);

// ---------------------------------------------------------------------------------------------------------------
// Settings (read in every form by src/core/settings.ts) and where they apply

/** Test or development code: a test file, or a test/dev-named module, class, function or `if` condition (its body). */
function isTestOrDev(node: SyntaxNode, ctx: RuleContext): boolean {
  if (ctx.isTestFile) return true;
  const names = [ctx.file.replace(/\.py$/, "")];
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === "class_definition") names.push(className(p));
    else if (p.type === "function_definition") names.push(p.childForFieldName("name")?.text ?? "");
    else if (p.type === "if_statement" && !/\bnot\b|!=/.test(p.childForFieldName("condition")?.text ?? "")) {
      const consequence = p.childForFieldName("consequence");
      if (consequence && consequence.startIndex <= node.startIndex && node.endIndex <= consequence.endIndex) names.push(p.childForFieldName("condition")?.text ?? "");
    }
  }
  return names.some((n) => ["test", "dev"].includes(contextOfName(n) ?? ""));
}

/** A setting as this rule names it: a keyword by its bare key, `app.permanent_session_lifetime` by its config key. */
function lifetimeSetting(node: SyntaxNode, ctx: RuleContext): Setting | null {
  const setting = settingAt(node, ctx);
  if (!setting) return null;
  if (node.type === "keyword_argument") return { ...setting, label: setting.key };
  const attribute = node.type === "assignment" && node.childForFieldName("left")?.type === "attribute";
  return attribute && setting.key === "permanent_session_lifetime" ? { ...setting, key: "PERMANENT_SESSION_LIFETIME" } : setting;
}

// ---------------------------------------------------------------------------------------------------------------
// Lifetimes

/** A duration in seconds: a number, arithmetic on numbers, timedelta(...), timedelta.max, or a module constant. */
function seconds(node: SyntaxNode | null | undefined, ctx: RuleContext, depth = 0): number | null {
  if (!node || depth > 2) return null;
  const v = unwrap(node);
  if (v.type === "integer" || v.type === "float") return Number(v.text.replace(/_/g, ""));
  if (v.type === "binary_operator") {
    const left = seconds(v.childForFieldName("left"), ctx, depth);
    const right = seconds(v.childForFieldName("right"), ctx, depth);
    const operator = v.childForFieldName("operator")?.text;
    if (left === null || right === null) return null;
    return operator === "*" ? left * right : operator === "+" ? left + right : null;
  }
  if (v.type === "attribute") return /(^|\.)timedelta\.max$/.test(ctx.resolve(v) ?? "") ? Infinity : null;
  if (v.type === "call") {
    if (!/(^|\.)timedelta$/.test(ctx.resolve(v.childForFieldName("function")) ?? "")) return null;
    const args = callArguments(v);
    if (args.hasSplat) return null;
    let total = 0;
    const parts = [...args.positional.map((a, i) => [TIMEDELTA_UNITS[i]?.[0], a] as const), ...args.keywords];
    for (const [unit, arg] of parts) {
      const factor = TIMEDELTA_UNITS.find(([u]) => u === unit)?.[1];
      const amount = seconds(arg, ctx, depth);
      if (factor === undefined || amount === null) return null;
      total += amount * factor;
    }
    return total;
  }
  if (v.type === "identifier") return seconds(moduleConstant(v), ctx, depth + 1);
  return null;
}

function reportLifetime(what: "session" | "remember", label: string, value: SyntaxNode, ctx: RuleContext): void {
  const total = seconds(value, ctx);
  if (total === null || total <= MAX_DAYS * DAY || isTestOrDev(value, ctx)) return;
  const year = total >= 365 * DAY;
  const confidence: Confidence = what === "session" ? (year ? "high" : "medium") : total > 365 * DAY ? "medium" : "low";
  const length = total === Infinity ? "unbounded (timedelta.max)" : `${Math.round(total / DAY)} days`;
  const v = unwrap(value);
  // keep the file's own spelling of timedelta (`timedelta`, `datetime.timedelta`, an alias)
  const callee = v.type === "call" ? v.childForFieldName("function")?.text : v.type === "attribute" ? v.childForFieldName("object")?.text : null;
  const bounded = what === "session" ? (callee ? `${callee}(hours=12)` : "60 * 60 * 12") : callee ? `${callee}(days=30)` : "60 * 60 * 24 * 30";
  ctx.report({
    node: value,
    confidence,
    message:
      what === "session"
        ? `${label} is ${length}: a stolen or left-behind session ${ctx.project.serverSideSessions ? "id" : "cookie"} stays valid for all that time${ctx.project.serverSideSessions ? "" : ", and a signed cookie session cannot be revoked before it expires"}.`
        : `${label} keeps the remember-me cookie for ${length}: whoever gets it (a shared computer, malware) stays logged in for all that time.`,
    fix: { safety: "review", description: "choose a lifetime the app can justify (a product decision; Flask's default is 31 days)", edits: [{ node: value, text: bounded }] },
  });
}

/** The keys an assignment target can name for lifetimeSetting() to matter (`app.permanent_session_lifetime`). */
const LIFETIME_TARGETS = new Set(["PERMANENT_SESSION_LIFETIME", "REMEMBER_COOKIE_DURATION", "permanent_session_lifetime"]);

function checkLifetimeSetting(node: SyntaxNode, ctx: RuleContext): void {
  // the key settingAt() would read, cheaply (no scope walk, no resolve); other assignments go to the session checks
  if (node.type === "assignment" && !LIFETIME_TARGETS.has(assignedName(node) ?? "")) return;
  const setting = lifetimeSetting(node, ctx);
  if (setting?.key === "PERMANENT_SESSION_LIFETIME") reportLifetime("session", setting.label, setting.value, ctx);
  else if (setting?.key === "REMEMBER_COOKIE_DURATION") reportLifetime("remember", setting.label, setting.value, ctx);
}

// ---------------------------------------------------------------------------------------------------------------
// Secrets in the cookie session

/** What secret a session key (or a name read into it) holds, or null. */
function secretIn(name: string): { what: string; confidence: Confidence } | null {
  const w = words(name);
  if (w.length === 0 || w.some((x) => x === "csrf" || x === "xsrf" || x === "nonce" || x === "state") || NOT_THE_SECRET.has(w[w.length - 1]!)) return null;
  for (let i = 0; i < w.length; i++) {
    const hit = SECRET_WORDS[w[i]!] ?? SECRET_WORDS[`${w[i]}${w[i + 1] ?? ""}`] ?? (w[i] === "api" && w[i + 1] === "key" ? SECRET_WORDS.apikey : undefined);
    if (hit) return hit;
  }
  return null;
}

/** `request.form["password"]`, `form.password.data`, `creds.get("api_key")`: the value reads a secret by name. */
function secretRead(value: SyntaxNode): { what: string; confidence: Confidence } | null {
  for (let v: SyntaxNode | null = unwrap(value); v; ) {
    if (v.type === "subscript") {
      const hit = secretIn(stringValue(v.childForFieldName("subscript")) ?? "");
      if (hit) return hit;
      v = v.childForFieldName("value");
    } else if (v.type === "attribute") {
      const hit = secretIn(v.childForFieldName("attribute")?.text ?? "");
      if (hit) return hit;
      v = v.childForFieldName("object");
    } else if (v.type === "call" && calleeMethod(v) === "get") {
      const hit = secretIn(stringValue(callArguments(v).positional[0]) ?? "");
      if (hit) return hit;
      v = v.childForFieldName("function")?.childForFieldName("object") ?? null;
    } else return null;
  }
  return null;
}

function isConstant(value: SyntaxNode): boolean {
  const v = unwrap(value);
  return ["none", "true", "false", "integer", "float"].includes(v.type) || stringValue(v) === "";
}

/**
 * Report a secret stored under `key` (shown as `label`); `node` is what the fix rewrites into storing a reference, and
 * `keyed(k)` spells the new entry (`session["k"] = ...`, `"k": ...`).
 */
function reportSecret(label: string, key: string, value: SyntaxNode, node: SyntaxNode, keyed: (k: string) => string | null, ctx: RuleContext): void {
  if (isConstant(value)) return;
  const byKey = secretIn(key);
  const hit = byKey ?? secretRead(value);
  if (!hit) return;
  const replacement = keyed(`${key}_ref`);
  ctx.report({
    node,
    confidence: byKey ? hit.confidence : "medium",
    message: `${label} puts ${hit.what} in Flask's default session cookie, which is signed but not encrypted: anyone who sees the cookie (the browser, a proxy log, malware) can read it.`,
    fix: replacement
      ? {
          safety: "review",
          description: "keep the secret server-side (database, cache or Flask-Session) and only an id in the session; secret_store stands for that storage",
          edits: [{ node, text: `${replacement}secret_store.put(${unwrap(value).text})` }],
        }
      : undefined,
  });
}

function isSession(node: SyntaxNode | null | undefined, ctx: RuleContext): boolean {
  return ctx.resolve(node) === "flask.session";
}

function checkSecretAssignment(assignment: SyntaxNode, ctx: RuleContext): void {
  const left = assignment.childForFieldName("left");
  const value = assignment.childForFieldName("right");
  if (left?.type !== "subscript" || !value || !isSession(left.childForFieldName("value"), ctx)) return;
  const key = stringValue(left.childForFieldName("subscript"));
  if (key === null) return;
  if (unwrap(value).type === "dictionary" && !secretIn(key)) {
    for (const pair of unwrap(value).namedChildren) {
      const inner = stringValue(pair.childForFieldName("key"));
      const innerValue = pair.childForFieldName("value");
      if (inner !== null && innerValue && secretIn(inner)) return reportSecret(`${left.text}["${inner}"]`, inner, innerValue, pair, (k) => `"${k}": `, ctx);
    }
    return;
  }
  const holder = left.childForFieldName("value")!.text;
  reportSecret(`${holder}["${key}"]`, key, value, assignment, (k) => `${holder}["${k}"] = `, ctx);
}

/** `session.update(password=...)`, `session.update({"api_key": ...})`, `session.setdefault("token", ...)`. */
function checkSecretCall(call: SyntaxNode, ctx: RuleContext): void {
  const fn = call.childForFieldName("function");
  const method = calleeMethod(call);
  if (fn?.type !== "attribute" || !isSession(fn.childForFieldName("object"), ctx)) return;
  const args = callArguments(call);
  if (method === "setdefault") {
    const key = stringValue(args.positional[0]);
    if (key !== null && args.positional[1]) reportSecret(`${fn.text}("${key}")`, key, args.positional[1], call, () => null, ctx);
    return;
  }
  if (method !== "update") return;
  const pairs: [string, SyntaxNode][] = [...args.keywords];
  const mapping = args.positional[0] ? unwrap(args.positional[0]) : null;
  for (const pair of mapping?.type === "dictionary" ? mapping.namedChildren : []) {
    const key = stringValue(pair.childForFieldName("key"));
    const value = pair.childForFieldName("value");
    if (key !== null && value) pairs.push([key, value]);
  }
  const secret = pairs.find(([key, value]) => !isConstant(value) && secretIn(key));
  if (secret) reportSecret(`${fn.text}(${secret[0]}=...)`, secret[0], secret[1], call, () => null, ctx);
}

// ---------------------------------------------------------------------------------------------------------------
// Session fixation: logging in without a fresh session

/**
 * A fresh session before the login: clearing a cookie session replaces the whole cookie; a server-side session
 * (Flask-Session) keeps its id through clear(), so only regenerating it counts there.
 */
function clearsSessionBefore(fn: SyntaxNode, login: SyntaxNode, ctx: RuleContext): boolean {
  return fn.descendantsOfType("call").some((c) => {
    if (c.startIndex >= login.startIndex) return false;
    const name = ctx.resolve(c.childForFieldName("function")) ?? "";
    if (/regenerate|rotate_session|new_session/i.test(name)) return true;
    return !ctx.project.serverSideSessions && (/^flask\.session\.(clear|pop)$/.test(name) || name === "flask_login.logout_user" || /clear_session/i.test(name));
  });
}

function reportFixation(login: SyntaxNode, what: string, ctx: RuleContext): void {
  const statement = login.parent?.type === "expression_statement" ? login.parent : null;
  ctx.report({
    node: login,
    // server-side sessions keep their id across the login unless it is regenerated: fixation is more plausible there
    confidence: ctx.project.serverSideSessions ? "medium" : "low",
    severity: "low",
    message: ctx.project.serverSideSessions
      ? `${what} logs the user in without giving the session a new id (Flask-Session keeps it through session.clear()): whoever planted that id before login shares the authenticated session.`
      : `${what} logs the user in on top of the pre-login session without clearing it first: values planted in it before login carry over into the authenticated session.`,
    fix: statement
      ? {
          safety: "review",
          description: ctx.project.serverSideSessions
            ? "give the authenticated session a new id (Flask-Session 0.7+)"
            : "start the authenticated session clean (keep any value you still need, such as the next URL, in a local first)",
          edits: [{ node: statement, text: `${ctx.project.serverSideSessions ? "current_app.session_interface.regenerate(session)" : "session.clear()"}\n${statement.text}` }],
        }
      : undefined,
  });
}

function checkLogin(call: SyntaxNode, ctx: RuleContext): void {
  if (ctx.isTestFile) return;
  const name = ctx.resolve(call.childForFieldName("function"));
  if (name !== "flask_login.login_user" && name !== "flask_login.utils.login_user") return;
  const duration = callArguments(call).keywords.get("duration");
  if (duration) reportLifetime("remember", "login_user(duration=...)", duration, ctx);
  const fn = enclosingFunction(call);
  if (fn && !clearsSessionBefore(fn, call, ctx)) reportFixation(call, "login_user()", ctx);
}

/** `session["user_id"] = user.id` in a login view that does not use Flask-Login. */
function checkManualLogin(assignment: SyntaxNode, ctx: RuleContext): void {
  const left = assignment.childForFieldName("left");
  if (left?.type !== "subscript" || !isSession(left.childForFieldName("value"), ctx)) return;
  if (!USER_KEYS.has(stringValue(left.childForFieldName("subscript")) ?? "")) return;
  const fn = enclosingFunction(assignment);
  if (!fn) return;
  const name = fn.childForFieldName("name")?.text ?? "";
  if (!LOGIN_FUNCTION.test(name) && !routesOf(fn).some((r) => /log-?in|sign-?in/i.test(r.path))) return;
  // one finding per view: the first statement that stores the user
  const first = fn.descendantsOfType("assignment").find((a) => {
    const l = a.childForFieldName("left");
    return l?.type === "subscript" && isSession(l.childForFieldName("value"), ctx) && USER_KEYS.has(stringValue(l.childForFieldName("subscript")) ?? "");
  });
  const usesFlaskLogin = fn.descendantsOfType("call").some((c) => /^flask_login\.(utils\.)?login_user$/.test(ctx.resolve(c.childForFieldName("function")) ?? ""));
  if (first?.id !== assignment.id || usesFlaskLogin || clearsSessionBefore(fn, assignment, ctx)) return;
  reportFixation(assignment, `${left.text} = ...`, ctx);
}

export default defineRule({
  id: "FLASK-SESS-002",
  title: "Session unbounded, holding secrets, or kept across login",
  severity: "medium",
  confidence: "medium",
  cwe: ["CWE-613", "CWE-384", "CWE-312", "CWE-315"],
  spec: "FLASK-SESS-002",
  docs: {
    impact:
      "A session that lives for months or forever turns a cookie stolen once (a shared computer, malware, a log) into " +
      "long-term access; Flask's signed cookie session cannot be revoked server-side before it expires. Flask's default " +
      "session cookie is signed, not encrypted: a password, token or card number put in it can be read by anyone who " +
      "sees the cookie. Keeping the pre-login session on login lets data planted before login (or a fixed server-side " +
      "session id) carry into the authenticated session.",
    fix:
      "Set PERMANENT_SESSION_LIFETIME (and REMEMBER_COOKIE_DURATION) to a value the app can justify, e.g. " +
      "timedelta(hours=12) for the session; keep secrets server-side (database, cache, Flask-Session) and only an id " +
      "in the session; call session.clear() (or regenerate the server-side session) before login_user().",
    mitigation:
      "Re-authenticate for sensitive actions (Flask-Login's fresh_login_required), rotate SECRET_KEY to invalidate all " +
      "cookie sessions after an incident, and enable Flask-Login's session_protection = \"strong\".",
    falsePositives:
      "Lifetimes are reported above 31 days (Flask's default); a remember-me cookie is persistent by design, so it is " +
      "reported with low confidence up to 365 days (Flask-Login's default). Development and test configs are skipped. " +
      "Secrets in the session are not reported when Flask-Session stores sessions server-side. The login check is low " +
      "confidence: Flask rewrites the whole signed cookie on login, so an attacker's planted cookie does not gain the " +
      "user's identity, and Flask-Login's session protection adds checks; verify what the pre-login session can hold.",
    bad: [
      "from datetime import timedelta",
      "",
      "from flask import Flask, request, session",
      "",
      "app = Flask(__name__)",
      "app.config[\"PERMANENT_SESSION_LIFETIME\"] = timedelta(days=365)",
      "",
      "",
      "@app.post(\"/connect\")",
      "def connect():",
      "    session[\"api_key\"] = request.form[\"api_key\"]",
      "    return \"\", 204",
      "",
    ].join("\n"),
    good: [
      "from datetime import timedelta",
      "",
      "from flask import Flask, request, session",
      "",
      "app = Flask(__name__)",
      "app.config[\"PERMANENT_SESSION_LIFETIME\"] = timedelta(hours=12)",
      "",
      "",
      "@app.post(\"/connect\")",
      "def connect():",
      "    session[\"credential_ref\"] = vault.store(request.form[\"api_key\"])",
      "    return \"\", 204",
      "",
    ].join("\n"),
  },
  on: ["assignment", "keyword_argument", "pair", "call"],
  names: {
    // a keyword is a setting by its own name (login_user's duration= is read from the call)
    keyword_argument: ["PERMANENT_SESSION_LIFETIME", "REMEMBER_COOKIE_DURATION"],
    // login_user by its resolved name (flask_login.login_user, aliases too); session.update / session.setdefault
    call: ["login_user", "update", "setdefault"],
  },
  check(node, ctx) {
    if (node.type === "call") {
      checkLogin(node, ctx);
      if (!ctx.project.serverSideSessions && !ctx.isTestFile) checkSecretCall(node, ctx);
      return;
    }
    checkLifetimeSetting(node, ctx);
    if (node.type !== "assignment" || ctx.isTestFile) return;
    checkManualLogin(node, ctx);
    if (!ctx.project.serverSideSessions) checkSecretAssignment(node, ctx);
  },
});
