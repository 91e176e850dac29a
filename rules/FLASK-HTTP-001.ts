// FLASK-HTTP-001: state changed over GET, and secrets read from the URL query string.
//
// A GET route (explicit, default, `@bp.get`, or a MethodView/Resource `get`) whose handler deletes or writes data is
// reported on its first mutating call: any link, <img> tag or prefetch triggers it cross-site, and CSRF protection
// never covers GET. Page-view / visit / audit records and view counters are analytics, not the user's data, and stay
// silent; so do GET+POST routes that dispatch on request.method (or validate_on_submit), and signed links
// (`/confirm/<token>`) whose secret token is the protection. Reading a password, token or API key from request.args
// is reported wherever it happens: query strings end up in access logs, proxies, browser history and Referer headers.
import type { SyntaxNode } from "tree-sitter";
import { defineRule, type FixInput, type RuleContext } from "../src/core/define-rule.js";
import {
  callArguments, calleeMethod, classBases, enclosingClass, routesOf, stringValue, unwrap,
} from "../src/core/python.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
/** Query parameters that carry credentials (compared lower-cased, `-` read as `_`). */
const SECRET_PARAMS = new Set([
  "token", "access_token", "refresh_token", "auth_token", "id_token", "api_token", "jwt", "api_key", "apikey",
  "secret", "client_secret", "password", "passwd", "pwd", "private_key",
]);
/** Words of a model, table or collection name that mean an analytics record rather than user data. */
const TRACKING_WORDS = new Set([
  "log", "logs", "view", "views", "pageview", "pageviews", "visit", "visits", "visitor", "hit", "hits", "audit",
  "analytics", "tracking", "impression", "impressions", "stat", "stats", "metric", "metrics", "click", "clicks", "history",
]);
/** Words of an attribute that counts or timestamps an access (`post.views += 1`, `user.last_seen = now`). */
const TRACKING_ATTRIBUTES = new Set(["view", "views", "visit", "visits", "hit", "hits", "count", "counter", "seen", "last", "accessed", "read", "opened", "clicks"]);
/** Objects whose attributes are not rows: the request context, the app, responses. */
const NOT_ROWS = new Set(["self", "cls", "g", "session", "request", "response", "resp", "res", "current_app", "app", "config", "form"]);
const SESSION_WRITES = new Set(["delete", "add", "add_all", "merge", "bulk_save_objects", "bulk_insert_mappings", "bulk_update_mappings"]);
/** MongoDB collection and DynamoDB table writes: names specific enough to stand alone. */
const DOCUMENT_WRITES = new Set([
  "insert_one", "insert_many", "update_one", "update_many", "replace_one", "delete_one", "delete_many",
  "find_one_and_update", "find_one_and_delete", "find_one_and_replace", "bulk_write", "put_item", "update_item",
  "delete_item", "batch_write_item",
]);
const FILE_REMOVALS = new Set(["os.remove", "os.unlink", "os.rmdir", "os.removedirs", "shutil.rmtree"]);
/** Last names of FILE_REMOVALS: an attribute callee resolves to a name ending in its attribute. */
const REMOVAL_METHODS = new Set(["remove", "unlink", "rmdir", "removedirs", "rmtree"]);
/** Every method name mutationOf acts on (besides FILE_REMOVALS): other calls are never a mutation. */
const MUTATING_METHODS = new Set([
  ...SESSION_WRITES, "commit", "execute", "executemany", "executescript", ...DOCUMENT_WRITES, "delete", "update", "save",
  "delete_instance", "unlink",
]);
/** The methods secretQueryParam reads a query parameter through (`request.args.get("token")`). */
const QUERY_GETTERS = new Set(["get", "getlist", "pop"]);
/** A GET+POST view that branches on the method, and a signed link read from the query (see checkHandler). */
const METHOD_BRANCH = /\brequest\.method\b|\bvalidate_on_submit\s*\(|\bis_submitted\s*\(/;
const SIGNED_QUERY = /\bargs(?:\.get\(|\[)\s*["'](?:token|signature|sig|\w+_token)["']/;
const VIEW_CLASS = /(?:MethodView|Resource)$/;
const SQL_WRITE = /^\s*(DELETE|UPDATE|INSERT|REPLACE|MERGE|UPSERT|DROP|TRUNCATE|ALTER)\b/i;
/** A receiver chain that is an ORM query: `User.query.filter_by(...)`, `Item.objects(...)`, `select(...).where(...)`. */
const QUERY_CHAIN = /\.(?:query|objects)\b|\.(?:filter|filter_by|where)\(/;
/** A value loaded as a row: `User.query.get_or_404(id)`, `Item.objects.get(...)`, `Note.get_by_id(...)`, `User(...)`. */
const ROW_VALUE = /\.(?:query|objects)\b|get_or_404\(|first_or_404\(|\.get(?:_by_id)?\(|\.first\(|\.one\(|^[A-Z]\w*\(/;
/** Route path parameters that carry a signed token: the secret in the link is what authorises the action. */
const SIGNED_PARAM = /^(?:token|signature|sig)$|_token$/;

const words = (name: string): string[] => name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
const isTracking = (name: string): boolean => words(name).some((w) => TRACKING_WORDS.has(w));

// ---------------------------------------------------------------------------------------------------------------
// Secrets in the query string

/** `request.args`, or a local name bound straight to it (`args = request.args`). */
function isQueryArgs(node: SyntaxNode | null, ctx: RuleContext): boolean {
  if (!node) return false;
  if (ctx.resolve(node) === "flask.request.args") return true;
  if (node.type !== "identifier") return false;
  const taint = ctx.taint(node);
  return taint?.source === "request.args" && taint.flow.length === 2 && /\.args$/.test(taint.flow[0]!.label);
}

/** The parameter name of `request.args["token"]` / `request.args.get("token")`, when it names a credential. */
function secretQueryParam(node: SyntaxNode, ctx: RuleContext): string | null {
  // The key is checked first: it is cheap, and rarely a credential; whether the receiver is request.args needs taint.
  if (node.type === "subscript") {
    const key = secretKey(node.childForFieldName("subscript"));
    return key !== null && isQueryArgs(node.childForFieldName("value"), ctx) ? key : null;
  }
  if (node.type === "call" && QUERY_GETTERS.has(calleeMethod(node) ?? "")) {
    const key = secretKey(callArguments(node).positional[0]);
    return key !== null && isQueryArgs(node.childForFieldName("function")?.childForFieldName("object") ?? null, ctx) ? key : null;
  }
  return null;
}

/** The literal key, when it names a credential. */
function secretKey(node: SyntaxNode | null | undefined): string | null {
  const key = stringValue(node);
  return key !== null && SECRET_PARAMS.has(key.toLowerCase().replace(/-/g, "_")) ? key : null;
}

function checkQuerySecret(node: SyntaxNode, ctx: RuleContext): void {
  const key = secretQueryParam(node, ctx);
  if (key === null) return;
  ctx.report({
    node,
    confidence: "high",
    message: `${node.text.length <= 60 ? node.text : `request.args["${key}"]`} reads a credential from the URL query string, which ends up in access logs, proxies, browser history and Referer headers; accept it in a POST body or an Authorization header.`,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// State changed by a GET handler

/** Statements of the handler itself (not nested functions, lambdas or classes). */
function ownNodes(fn: SyntaxNode, types: string[]): SyntaxNode[] {
  return fn.descendantsOfType(types).filter((n) => ownedBy(fn, n));
}

/** Is the node the handler's own (not in a nested function, lambda or class)? */
function ownedBy(fn: SyntaxNode, n: SyntaxNode): boolean {
  for (let p = n.parent; p && p.id !== fn.id; p = p.parent) if (p.type === "function_definition" || p.type === "lambda" || p.type === "class_definition") return false;
  return true;
}

/** A handler's own statements, read once: where each local name is bound, and which rows it writes. */
interface Handler {
  fn: SyntaxNode;
  ctx: RuleContext;
  bindings: Map<string, { at: number; value: SyntaxNode | null }[]>;
  /** Writes to non-tracking attributes of rows (`user.role = ...`), in source order. */
  rowWrites: { at: number; object: string }[];
}

function readHandler(fn: SyntaxNode, ctx: RuleContext): Handler {
  const handler: Handler = { fn, ctx, bindings: new Map(), rowWrites: [] };
  const writes = ownNodes(fn, ["assignment", "augmented_assignment"]);
  for (const statement of writes) {
    const left = statement.childForFieldName("left");
    if (statement.type !== "assignment" || left?.type !== "identifier") continue;
    const list = handler.bindings.get(left.text) ?? [];
    list.push({ at: statement.startIndex, value: statement.childForFieldName("right") });
    handler.bindings.set(left.text, list);
  }
  for (const statement of writes) {
    const object = rowWritten(statement, handler);
    if (object) handler.rowWrites.push({ at: statement.startIndex, object });
  }
  return handler;
}

/** The value a local name is last bound to in the handler before `before`. */
function bindingOf(handler: Handler, name: string, before: number): SyntaxNode | null {
  let value: SyntaxNode | null = null;
  for (const binding of handler.bindings.get(name) ?? []) if (binding.at < before) value = binding.value;
  return value;
}

/** The model name of what `db.session.add(x)` stores: `Visit(...)` -> "Visit", `x = PageView(...)` -> "PageView". */
function modelName(handler: Handler, argument: SyntaxNode | undefined): string {
  if (!argument) return "";
  const value = argument.type === "identifier" ? (bindingOf(handler, argument.text, argument.startIndex) ?? argument) : argument;
  return value.type === "call" ? lastName(value.childForFieldName("function")) : argument.text;
}

/** The static text a SQL argument starts with: a literal, an f-string's head, `"..." + x`, `text("...")`. */
function sqlHead(node: SyntaxNode | undefined, ctx: RuleContext): string {
  if (!node) return "";
  const value = unwrap(node);
  if (value.type === "string") return value.namedChildren.find((c) => c.type === "string_content")?.text ?? "";
  if (value.type === "concatenated_string") return sqlHead(value.namedChild(0) ?? undefined, ctx);
  if (value.type === "binary_operator") return sqlHead(value.childForFieldName("left") ?? undefined, ctx);
  if (value.type !== "call") return "";
  const fn = value.childForFieldName("function");
  // delete(Cart).where(...): the statement is built by the innermost call of the chain
  if (["where", "filter", "filter_by", "values", "returning"].includes(calleeMethod(value) ?? "")) return sqlHead(fn?.childForFieldName("object") ?? undefined, ctx);
  if (calleeMethod(value) === "format") return sqlHead(fn?.childForFieldName("object") ?? undefined, ctx);
  const resolved = ctx.resolve(fn) ?? "";
  if (/^sqlalchemy(?:\.sql)?(?:\.expression)?\.(?:delete|update|insert)$/.test(resolved)) return resolved.split(".").pop()!;
  if (/(?:^|\.)text$/.test(resolved)) return sqlHead(callArguments(value).positional[0], ctx);
  return "";
}

interface Mutation { node: SyntaxNode; what: string; deletes: boolean }

/** A call that changes stored data, or null. */
function mutationOf(call: SyntaxNode, handler: Handler): Mutation | null {
  const ctx = handler.ctx;
  const callee = call.childForFieldName("function");
  const method = calleeMethod(call) ?? "";
  const receiver = callee?.type === "attribute" ? callee.childForFieldName("object") : null;
  const receiverText = receiver?.text ?? "";
  const args = callArguments(call);
  const label = callee && callee.text.length <= 40 ? `${callee.text}()` : `${method}()`;
  const result = (deletes: boolean): Mutation => ({ node: call, what: label, deletes });

  if (receiver && /(?:^|[._])session$|^db_session$/i.test(receiverText) && ctx.resolve(receiver) !== "flask.session") {
    if (SESSION_WRITES.has(method)) return method === "delete" || storesUserData(handler, args.positional[0]) ? result(method === "delete") : null;
    if (method === "commit" && handler.rowWrites.some((w) => w.at < call.startIndex)) return result(false);
  }
  if (["execute", "executemany", "executescript"].includes(method)) {
    const head = sqlHead(args.positional[0], ctx);
    const verb = SQL_WRITE.exec(head)?.[1]?.toUpperCase() ?? /^(delete|update|insert)$/.exec(head)?.[1]?.toUpperCase();
    if (!verb) return null;
    const table = /^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO)\s+["`]?(\w+)/i.exec(head)?.[1] ?? "";
    return verb === "INSERT" && isTracking(table) ? null : result(verb === "DELETE" || verb === "DROP" || verb === "TRUNCATE");
  }
  if (DOCUMENT_WRITES.has(method)) return isTracking(receiverText) ? null : result(method.includes("delete"));
  if (receiver && (method === "delete" || (method === "update" && args.positional.length + args.keywords.size > 0))) {
    if (QUERY_CHAIN.test(receiverText)) return result(method === "delete");
    const chained = call.parent?.type === "attribute" && ["where", "execute"].includes(call.parent.childForFieldName("attribute")?.text ?? "");
    if (/^[A-Z]\w*$/.test(receiverText) && chained) return result(method === "delete"); // peewee: Note.delete().where(...)
  }
  if (receiver?.type === "identifier" && !NOT_ROWS.has(receiverText) && ((["save", "delete"].includes(method) && args.positional.length === 0) || method === "delete_instance")) {
    const value = bindingOf(handler, receiverText, call.startIndex);
    if (value && ROW_VALUE.test(value.text) && !isTracking(modelName(handler, receiver))) return result(method !== "save");
  }
  const resolved = ctx.resolve(callee) ?? "";
  if (FILE_REMOVALS.has(resolved) && ctx.taint(args.positional[0])) return result(true);
  if (method === "unlink" && receiver && ctx.taint(receiver)) return result(true);
  return null;
}

/** `user.role = "admin"`: the object written to, when it is a row (loaded in the handler, or current_user). */
function rowWritten(statement: SyntaxNode, handler: Handler): string | null {
  const target = statement.childForFieldName("left");
  const object = target?.type === "attribute" ? target.childForFieldName("object") : null;
  const attribute = target?.childForFieldName("attribute")?.text ?? "";
  if (object?.type !== "identifier" || NOT_ROWS.has(object.text)) return null;
  if (words(attribute).some((w) => TRACKING_ATTRIBUTES.has(w))) return null;
  if (object.text === "current_user") return object.text;
  const value = bindingOf(handler, object.text, statement.startIndex);
  return value && ROW_VALUE.test(value.text) && !isTracking(modelName(handler, object)) ? object.text : null;
}

/**
 * Does `db.session.add(x)` store user data? A new row (`Model(...)`) does unless it is an analytics record; an
 * existing object (`current_user`, a loaded row) only when the handler changed one of its non-tracking attributes.
 */
function storesUserData(handler: Handler, argument: SyntaxNode | undefined): boolean {
  if (!argument) return false;
  const value = argument.type === "identifier" ? (bindingOf(handler, argument.text, argument.startIndex) ?? argument) : argument;
  const constructed = value.type === "call" && /^[A-Z]/.test(lastName(value.childForFieldName("function")));
  if (constructed) return !isTracking(modelName(handler, argument));
  if (argument.type !== "identifier") return true;
  return handler.rowWrites.some((w) => w.at < argument.startIndex && w.object === argument.text);
}

function lastName(node: SyntaxNode | null): string {
  if (!node) return "";
  return node.type === "attribute" ? (node.childForFieldName("attribute")?.text ?? "") : node.text;
}

/**
 * Could mutationOf find a mutation in this call? Only for the methods it knows and the FILE_REMOVALS functions (an
 * attribute callee resolves to a name ending in its attribute; an identifier may be an alias: `from os import remove as rm`).
 */
function mayMutate(call: SyntaxNode, ctx: RuleContext): boolean {
  const callee = call.childForFieldName("function");
  if (callee?.type === "attribute") {
    const method = callee.childForFieldName("attribute")?.text ?? "";
    return MUTATING_METHODS.has(method) || REMOVAL_METHODS.has(method);
  }
  return (callee?.type === "identifier" && MUTATING_METHODS.has(callee.text)) || FILE_REMOVALS.has(ctx.resolve(callee) ?? "");
}

function firstMutation(fn: SyntaxNode, ctx: RuleContext): Mutation | null {
  // The handler is read (bindings, row writes) only once a call that may mutate is found: most handlers have none.
  let handler: Handler | undefined;
  for (const call of fn.descendantsOfType("call")) {
    if (!mayMutate(call, ctx) || !ownedBy(fn, call)) continue;
    const mutation = mutationOf(call, (handler ??= readHandler(fn, ctx)));
    if (mutation) return mutation;
  }
  return null;
}

/** `@app.route("/x")` -> `@app.route("/x", methods=["POST"])`, `methods=["GET"]` -> `["POST"]`, `@bp.get` -> `@bp.post`. */
function postFix(fn: SyntaxNode): FixInput | undefined {
  const decorated = fn.parent?.type === "decorated_definition" ? fn.parent : null;
  const edits: FixInput["edits"] = [];
  for (const decorator of decorated?.namedChildren ?? []) {
    const call = decorator.type === "decorator" ? decorator.namedChild(0) : null;
    const callee = call?.type === "call" ? call.childForFieldName("function") : null;
    const method = callee?.type === "attribute" ? callee.childForFieldName("attribute") : null;
    const argumentList = call?.childForFieldName("arguments");
    if (!call || !method || !argumentList) continue;
    if (method.text === "get") edits.push({ node: method, text: "post" });
    if (method.text !== "route") continue;
    const methods = callArguments(call).keywords.get("methods");
    if (methods) edits.push({ node: methods, text: `["POST"]` });
    else edits.push({ node: argumentList, text: `${argumentList.text.slice(0, -1).replace(/,\s*$/, "")}, methods=["POST"])` });
  }
  if (edits.length === 0) return undefined;
  return {
    safety: "review",
    description: "accept the action only over POST (update the links and forms that call it, and protect it with CSRF)",
    edits,
  };
}

function checkHandler(fn: SyntaxNode, ctx: RuleContext): void {
  if (ctx.isTestFile || ctx.memo("fastapi", () => ctx.hasImport("fastapi"))) return;
  const routes = routesOf(fn);
  const name = fn.childForFieldName("name")?.text ?? "";
  let where: string;
  let getOnly = false;
  if (routes.length > 0) {
    if (routes.some((r) => r.methods.length === 0)) return; // methods from a variable: unknown
    // one pass over the methods (not a Set of a flatMap: this runs for every route function)
    let hasGet = false;
    getOnly = true;
    for (const route of routes) {
      for (const m of route.methods) {
        if (m === "GET") hasGet = true;
        else if (!SAFE_METHODS.has(m)) getOnly = false;
      }
    }
    if (!hasGet) return;
    // a GET+POST view that branches on the method changes data on POST only
    if (!getOnly && METHOD_BRANCH.test(fn.text)) return;
    if (routes.some((r) => r.params.some((p) => SIGNED_PARAM.test(p.name)))) return;
    where = `route ${routes[0]!.path} (${name})`;
  } else {
    if (name !== "get") return;
    const cls = enclosingClass(fn);
    if (!cls || !classBases(cls).some((b) => VIEW_CLASS.test(b))) return;
    where = `handler ${cls.childForFieldName("name")?.text ?? ""}.get`;
    getOnly = true;
  }
  if (SIGNED_QUERY.test(fn.text)) return; // a signed link in the query
  const mutation = firstMutation(fn, ctx);
  if (!mutation) return;
  const change = mutation.deletes ? "deletes data" : "changes stored data";
  ctx.report({
    node: mutation.node,
    message: getOnly
      ? `The GET ${where} ${change} with ${mutation.what}: a link, <img> tag or prefetch can trigger it cross-site, and CSRF protection does not cover GET; accept POST (or DELETE) instead.`
      : `The ${where} accepts GET and ${change} with ${mutation.what} without checking request.method, so a plain link triggers it; make the change on POST only.`,
    fix: getOnly && routes.length > 0 ? postFix(fn) : undefined,
  });
}

export default defineRule({
  id: "FLASK-HTTP-001",
  title: "State changed over GET, or secret in the URL",
  severity: "medium",
  confidence: "medium",
  cwe: ["CWE-650", "CWE-598"],
  spec: "FLASK-HTTP-001",
  docs: {
    impact:
      "A GET that deletes or changes data runs whenever a browser loads the URL: a link in an email, an <img> on another " +
      "site, a link prefetcher or a crawler can trigger it with the victim's cookies, and CSRF tokens are never checked " +
      "on GET. Secrets in query strings are written to access logs, proxy logs and browser history, and leak to other " +
      "sites through the Referer header.",
    fix:
      "Declare state-changing routes with methods=[\"POST\"] (or DELETE/PUT/PATCH), submit them from a form or fetch() " +
      "with a CSRF token, and read credentials from the POST body or an Authorization header instead of request.args.",
    mitigation:
      "Set `Referrer-Policy: no-referrer` on pages that carry tokens, keep query strings out of access logs, and make " +
      "one-time tokens short-lived.",
    falsePositives:
      "Analytics writes (page-view, visit, audit and log records, view counters, last-seen timestamps), GET+POST views that " +
      "branch on request.method or validate_on_submit(), and signed links whose token is a path parameter " +
      "(`/confirm/<token>`) are not reported. Logout via GET is not reported. A route only reachable by a scheduler or " +
      "behind a token header may still be flagged: verify who can trigger it. `add_url_rule` views are not read.",
    bad: [
      "from flask import Flask, redirect, url_for",
      "from flask_sqlalchemy import SQLAlchemy",
      "",
      "app = Flask(__name__)",
      "db = SQLAlchemy(app)",
      "",
      "@app.route(\"/items/<int:item_id>/delete\")",
      "def delete_item(item_id):",
      "    item = Item.query.get_or_404(item_id)",
      "    db.session.delete(item)",
      "    db.session.commit()",
      "    return redirect(url_for(\"index\"))",
      "",
    ].join("\n"),
    good: [
      "from flask import Flask, redirect, url_for",
      "from flask_sqlalchemy import SQLAlchemy",
      "",
      "app = Flask(__name__)",
      "db = SQLAlchemy(app)",
      "",
      "@app.route(\"/items/<int:item_id>/delete\", methods=[\"POST\"])",
      "def delete_item(item_id):",
      "    item = Item.query.get_or_404(item_id)",
      "    db.session.delete(item)",
      "    db.session.commit()",
      "    return redirect(url_for(\"index\"))",
      "",
    ].join("\n"),
  },
  on: ["function_definition", "subscript", "call"],
  // Calls matter only as `<request.args>.get/getlist/pop("token")` (the handler's own calls are read from its node).
  names: { call: [...QUERY_GETTERS] },
  check(node, ctx) {
    if (node.type === "function_definition") checkHandler(node, ctx);
    else if (!ctx.isTestFile) checkQuerySecret(node, ctx);
  },
});
