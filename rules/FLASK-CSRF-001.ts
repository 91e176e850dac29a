// FLASK-CSRF-001: state-changing routes of a cookie-authenticated app with no CSRF protection, CSRF protection switched
// off in configuration, and `@csrf.exempt` on cookie-authenticated routes.
//
// Spec (the CSRF block, whose header is missing): "If cookies are not being used for auth ... there is no CSRF
// risk". Routes are only reported when the application authenticates with cookies (Flask-Login, login_user, a user id
// in the session) and nothing in it protects against CSRF (CSRFProtect, Flask-WTF forms, SeaSurf, csrf.protect(), a
// before_request hook checking a token or a custom header such as X-Requested-With). Routes that authenticate with an
// Authorization/API-key header, or verify a webhook signature, are skipped. GET routes that change state are
// FLASK-HTTP-001's.
import type { SyntaxNode } from "tree-sitter";
import { defineRule, type RuleContext } from "../src/core/define-rule.js";
import { callArguments, decoratorsOf, isTruthyLiteral, stringValue } from "../src/core/python.js";
import { contextOf } from "../src/core/run-context.js";
import { isOffLiteral, settingAt } from "../src/core/settings.js";

const STATE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** The settings that switch CSRF protection off. */
const CSRF_KEYS = new Set(["WTF_CSRF_ENABLED", "WTF_CSRF_CHECK_DEFAULT", "CSRF_DISABLE"]);
const METHOD_DECORATORS: Record<string, string> = { get: "GET", post: "POST", put: "PUT", patch: "PATCH", delete: "DELETE" };
/** Decorators that authenticate with a header or token, or verify a signature: no ambient cookie to forge with. */
const TOKEN_DECORATOR = /jwt_required|token_required|token_auth|auth_token|api_?key|require_api|signature|hmac|webhook|verify_token|basic_auth|httpauth/i;
/** A view body that reads credentials from a header, or checks a webhook signature. */
const TOKEN_BODY = /["'](?:Authorization|X-API-?Key|Api-?Key|X-Auth-Token)["']|request\.authorization|signature|\bhmac\.|compare_digest|construct_event|verify_webhook/i;
/** Flask-HTTPAuth objects: `auth = HTTPTokenAuth(...)`, whose `@auth.login_required` checks a header. */
const HTTPAUTH_OBJECT = /^[ \t]*(\w+)[ \t]*=[ \t]*(?:\w+\.)?(?:HTTPTokenAuth|HTTPBasicAuth|HTTPDigestAuth|MultiAuth)\s*\(/gm;
/** Decorators and body uses that say the view acts as the logged-in (cookie) user. */
const COOKIE_USER_DECORATOR = /login_required|roles_required|roles_accepted|admin_required|permission_required|auth_required/;
const COOKIE_USER_BODY = /\bcurrent_user\b|\bsession\s*\[|\bsession\.(?:get|pop|setdefault)\b|\bg\.user\b/;

// ---------------------------------------------------------------------------------------------------------------
// CSRF protection switched off in configuration (settings in every form: src/core/settings.ts)

function checkSetting(node: SyntaxNode, ctx: RuleContext): void {
  const setting = settingAt(node, ctx);
  if (!setting || !CSRF_KEYS.has(setting.key)) return;
  const disabled = setting.key === "CSRF_DISABLE" ? isTruthyLiteral(setting.value) : isOffLiteral(setting.value);
  const where = contextOf(setting.container, node, ctx);
  if (!disabled || where === "test") return;
  if (setting.key === "WTF_CSRF_CHECK_DEFAULT") {
    if (ctx.project.csrfCustomCheck) return; // csrf.protect() is called where the app wants the check
    ctx.report({
      node: setting.value,
      confidence: "medium",
      message: `${setting.label} turns off Flask-WTF's automatic CSRF check, and no csrf.protect() call was found: POST/PUT/PATCH/DELETE requests are accepted without a token.`,
      fix: { safety: "review", description: "let CSRFProtect check every state-changing request (or call csrf.protect() in a before_request hook)", edits: [{ node: setting.value, text: "True" }] },
    });
    return;
  }
  const library = setting.key === "CSRF_DISABLE" ? "Flask-SeaSurf's" : "Flask-WTF's";
  ctx.report({
    node: setting.value,
    confidence: where === "dev" ? "medium" : "high",
    message: `${setting.label} switches off ${library} CSRF protection${where === "dev" ? " (in a development config: check production does not inherit it)" : ""}: another site can submit forms and requests with the user's session cookie.`,
    fix: {
      safety: "safe",
      description: "keep CSRF protection on (switch it off only in the testing config)",
      edits: [{ node: setting.value, text: setting.key === "CSRF_DISABLE" ? "False" : "True" }],
    },
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Views: state-changing routes and @csrf.exempt

/** The first route decorator that accepts POST/PUT/PATCH/DELETE, and how to name the route. */
function stateRoute(fn: SyntaxNode): { decorator: SyntaxNode; label: string } | null {
  for (const decorator of decoratorsOf(fn)) {
    const call = decorator.namedChild(0);
    const callee = call?.type === "call" ? call.childForFieldName("function") : null;
    if (!call || callee?.type !== "attribute") continue;
    const method = callee.childForFieldName("attribute")?.text ?? "";
    const args = callArguments(call);
    let methods: string[];
    if (METHOD_DECORATORS[method]) methods = [METHOD_DECORATORS[method]!];
    else if (method === "route") {
      const listed = args.keywords.get("methods");
      methods = listed ? listed.namedChildren.map((m) => stringValue(m)?.toUpperCase() ?? "") : ["GET"];
    } else continue;
    const state = methods.filter((m) => STATE_METHODS.has(m));
    if (state.length > 0) return { decorator, label: `${state.join("/")} ${stringValue(args.positional[0] ?? args.keywords.get("rule")) ?? "route"}` };
  }
  return null;
}

/** The view authenticates with a header or token, or verifies a webhook signature. */
function usesTokenAuth(fn: SyntaxNode, ctx: RuleContext): boolean {
  const httpAuth = ctx.memo("httpAuthObjects", () => [...ctx.source.matchAll(HTTPAUTH_OBJECT)].map((m) => m[1]!));
  return (
    TOKEN_BODY.test(fn.childForFieldName("body")?.text ?? "") ||
    decoratorsOf(fn).some((d) => TOKEN_DECORATOR.test(d.text) || httpAuth.some((name) => d.text.startsWith(`@${name}.`)))
  );
}

/** The view acts as the logged-in user: a login_required-style decorator, or current_user/session in its body. */
function actsAsCookieUser(fn: SyntaxNode): boolean {
  return decoratorsOf(fn).some((d) => COOKIE_USER_DECORATOR.test(d.text)) || COOKIE_USER_BODY.test(fn.childForFieldName("body")?.text ?? "");
}

/** JSON-only views: a cross-site form cannot send application/json without a CORS preflight. */
function readsJsonOnly(fn: SyntaxNode): boolean {
  const body = fn.childForFieldName("body")?.text ?? "";
  return /\.(?:get_json\(|json\b)/.test(body) && !/force\s*=\s*True|\.(?:form|values|files|data|args|get_data)\b/.test(body);
}

/** The file's module-level `app = Flask(__name__)` statement, if any. */
function appStatement(root: SyntaxNode): SyntaxNode | null {
  for (const statement of root.namedChildren) {
    const assignment = statement.type === "expression_statement" ? statement.firstNamedChild : null;
    const right = assignment?.type === "assignment" ? assignment.childForFieldName("right") : null;
    if (right?.type === "call" && /(^|\.)Flask$/.test(right.childForFieldName("function")?.text ?? "")) return statement;
  }
  return null;
}

/** A review fix: enable CSRFProtect next to the file's `app = Flask(__name__)`, when there is one. */
function csrfProtectFix(fn: SyntaxNode, ctx: RuleContext) {
  const statement = ctx.memo("appStatement", () => appStatement(fn.tree.rootNode));
  if (!statement) return undefined;
  const app = statement.firstNamedChild!.childForFieldName("left")!.text;
  return {
    safety: "review" as const,
    description: "protect every state-changing request with Flask-WTF (`from flask_wtf.csrf import CSRFProtect`; forms and fetch() calls then send the csrf_token)",
    edits: [{ node: statement, text: `${statement.text}\ncsrf = CSRFProtect(${app})` }],
  };
}

function checkRoute(fn: SyntaxNode, ctx: RuleContext): void {
  if (ctx.project.csrfProtection || ctx.project.csrfCustomCheck || !ctx.project.cookieAuth) return;
  const route = stateRoute(fn);
  if (!route || usesTokenAuth(fn, ctx)) return;
  const cookieUser = actsAsCookieUser(fn);
  const json = readsJsonOnly(fn);
  ctx.report({
    node: route.decorator,
    confidence: cookieUser && !json ? "high" : "medium",
    message:
      `${route.label} changes state in a cookie-authenticated app with no CSRF protection anywhere (no CSRFProtect, Flask-WTF form, ` +
      `token or custom-header check): another site can send it with the user's session cookie` +
      `${json ? " (the view reads JSON, which needs a CORS preflight cross-site: verify the CORS setup)" : ""}.`,
    fix: csrfProtectFix(fn, ctx),
  });
}

/** `@csrf.exempt` on a view that acts as the logged-in user. */
function checkExempt(decorator: SyntaxNode, ctx: RuleContext): void {
  const target = decorator.namedChild(0);
  if (target?.type !== "attribute" || target.childForFieldName("attribute")?.text !== "exempt") return;
  const owner = target.childForFieldName("object")?.text ?? "";
  const bound = new RegExp(`^[ \\t]*${owner.replace(/\W/g, "")}[ \\t]*=[ \\t]*(?:\\w+\\.)?(?:CSRFProtect|SeaSurf)\\s*\\(`, "m");
  if (!/csrf|surf/i.test(owner) && !(owner && bound.test(ctx.source))) return;
  const fn = decorator.parent?.childForFieldName("definition");
  if (fn?.type !== "function_definition" || ctx.isTestFile) return;
  if (usesTokenAuth(fn, ctx) || !actsAsCookieUser(fn)) return;
  ctx.report({
    node: decorator,
    message: `@${target.text} removes CSRF protection from ${fn.childForFieldName("name")?.text ?? "this view"}(), which acts as the logged-in user: another site can send this request with the user's session cookie.`,
    fix: { safety: "review", description: "drop the exemption and send the CSRF token from the client (X-CSRFToken header for fetch/AJAX)", edits: [{ node: decorator, text: "" }] },
  });
}

export default defineRule({
  id: "FLASK-CSRF-001",
  title: "State-changing request without CSRF protection",
  severity: "high",
  confidence: "high",
  cwe: ["CWE-352"],
  spec: "FLASK-CSRF-001",
  docs: {
    impact:
      "A page on any other site can make the victim's browser send a POST/PUT/PATCH/DELETE to the app; the browser " +
      "attaches the session cookie, so the request runs as the logged-in user: transfers, password or email changes, " +
      "deletions. Only apps that authenticate with cookies are exposed.",
    fix:
      "Enable CSRF protection for the whole app: `csrf = CSRFProtect(app)` (Flask-WTF), render `{{ csrf_token() }}` " +
      "in forms and send it as an X-CSRFToken header from fetch/AJAX. Never switch it off outside the testing config, " +
      "and do not `@csrf.exempt` views that act as the logged-in user. For a small app the spec's minimum is a required " +
      "custom header (e.g. X-Requested-With checked in before_request) plus SESSION_COOKIE_SAMESITE='Lax'.",
    mitigation:
      "SESSION_COOKIE_SAMESITE='Lax' (or 'Strict'), Origin/Referer or Sec-Fetch-Site checks in a before_request hook, " +
      "and re-authentication for the most sensitive actions. These are defense in depth; tokens remain the primary defense.",
    falsePositives:
      "Routes are only reported when the app authenticates with cookies and no CSRF integration is visible anywhere " +
      "(CSRFProtect, Flask-WTF forms, SeaSurf, csrf.protect(), a before_request token or custom-header check). Views " +
      "that authenticate with an Authorization/API-key header, Flask-HTTPAuth or JWT decorators, and webhook receivers " +
      "that verify a signature are skipped. WTF_CSRF_ENABLED=False in test files and testing configs is not reported. " +
      "If protection lives at the edge or in another service, verify it there.",
    bad: [
      "from flask import Flask, request",
      "from flask_login import LoginManager, current_user, login_required",
      "from flask_wtf.csrf import CSRFProtect",
      "",
      "app = Flask(__name__)",
      "app.config[\"WTF_CSRF_ENABLED\"] = False",
      "login_manager = LoginManager(app)",
      "csrf = CSRFProtect(app)",
      "",
      "",
      "@app.route(\"/account/email\", methods=[\"POST\"])",
      "@login_required",
      "def change_email():",
      "    current_user.email = request.form[\"email\"]",
      "    return \"\", 204",
      "",
    ].join("\n"),
    good: [
      "from flask import Flask, request",
      "from flask_login import LoginManager, current_user, login_required",
      "from flask_wtf.csrf import CSRFProtect",
      "",
      "app = Flask(__name__)",
      "app.config[\"WTF_CSRF_ENABLED\"] = True",
      "login_manager = LoginManager(app)",
      "csrf = CSRFProtect(app)",
      "",
      "",
      "@app.route(\"/account/email\", methods=[\"POST\"])",
      "@login_required",
      "def change_email():",
      "    current_user.email = request.form[\"email\"]",
      "    return \"\", 204",
      "",
    ].join("\n"),
  },
  on: ["function_definition", "decorator", "assignment", "keyword_argument", "pair"],
  // settingAt's key is the keyword, the assignment's target or the pair's key
  names: { keyword_argument: [...CSRF_KEYS], assignment: [...CSRF_KEYS], pair: [...CSRF_KEYS] },
  check(node, ctx) {
    if (node.type === "function_definition") {
      if (!ctx.isTestFile) checkRoute(node, ctx);
    } else if (node.type === "decorator") checkExempt(node, ctx);
    else checkSetting(node, ctx);
  },
});
