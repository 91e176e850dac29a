// FLASK-UPLOAD-001: uploads validated, stored and served safely (CWE-434, CWE-20).
//
// On `<upload>.save(dst)` (an object from request.files):
//   - the client's filename (or another request value) is part of dst without secure_filename(): high;
//   - the handler (the function holding the save) checks no extension, MIME type or content at all: confidence medium;
//   - dst is inside a static folder (served as-is by Flask's static route): severity medium.
// One finding per save call, its message naming every problem. Also an UPLOAD_FOLDER-like setting that points into a
// static folder (the spec's "serving uploads from within a static web root", kept here rather than in PATH-001), and
// routes that serve the upload folder inline (send_from_directory/send_file without as_attachment=True), or with
// mimetype="text/html": confidence low when the file's upload allowlist is unknown, medium when it admits active
// types (html/svg/js/css/xml); silent when it admits only inert types (images, pdf, text).
//
// Not here: path traversal in open()/send_file() (FLASK-PATH-001), missing MAX_CONTENT_LENGTH (FLASK-LIMITS-001).
// secure_filename() without a random server-side name is accepted (precision; the spec's SHOULD).
//
// Fixes: `<upload>.filename` inside dst -> secure_filename(<upload>.filename) (safe when secure_filename is imported
// from werkzeug.utils); a serving call gets as_attachment=True (safe).
import type { SyntaxNode } from "tree-sitter";
import { callNames, defineRule, type FixInput, type RuleContext } from "../src/core/define-rule.js";
import { callArguments, calleeMethod, enclosingFunction, isFalsyLiteral, isTruthyLiteral, stringValue, unwrap } from "../src/core/python.js";
import type { Confidence, Severity } from "../src/core/types.js";
// Shared with FLASK-PATH-001 (pathlib-aware taint, local bindings, guards); candidates for src/core.
import { isGuarded, originsOf, pathTaint, reachingValues, scopeOf, sourceLabel, type Scope } from "./FLASK-PATH-001.js";

// A Map, not an object literal: a plain object also answers `toString`, `constructor`... with its prototype's members.
const SERVE_FUNCTIONS = new Map<string, { dir: string; name: string | null }>([
  ["flask.send_from_directory", { dir: "directory", name: "path" }],
  ["flask.helpers.send_from_directory", { dir: "directory", name: "path" }],
  ["flask.send_file", { dir: "path_or_file", name: null }],
  ["flask.helpers.send_file", { dir: "path_or_file", name: null }],
]);
/** Config update calls whose keyword arguments are settings (`app.config.update(UPLOAD_FOLDER=...)`). */
const CONFIG_UPDATES = new Set(["update", "from_mapping"]);
/**
 * The calls check() acts on (RuleDefinition.names): `<upload>.save()`, config updates (by the method as written), and
 * the serving functions by their resolved names.
 */
const CALL_NAMES = ["save", ...CONFIG_UPDATES, ...callNames(SERVE_FUNCTIONS.keys())];

/** Types a browser executes or renders as a document of the site's origin. */
const ACTIVE_TYPES = new Set([
  "html", "htm", "xhtml", "shtml", "svg", "svgz", "js", "mjs", "css", "xml", "xsl", "xslt", "swf",
  "text/html", "image/svg+xml", "application/xhtml+xml", "application/javascript", "text/javascript", "text/css",
  "application/xml", "text/xml",
]);
/** Names of settings/constants that list accepted upload types. */
const ALLOWLIST_NAME = /EXT|MIME|(FILE|UPLOAD|IMAGE|CONTENT)_?TYPES|FORMATS/i;
const TYPE_LITERAL = /^(\.?[a-z0-9]{1,5}|[a-z]+\/[\w.+-]+)$/i;
/** Identifiers (or `_`-separated parts of them) that show the handler looks at the file's type or content. */
const TYPE_CHECK_PARTS = new Set([
  "ext", "exts", "extension", "extensions", "suffix", "suffixes", "splitext", "rsplit", "endswith", "mimetype",
  "mimetypes", "imghdr", "filetype", "magic", "verify",
]);
/** A `_`-separated part of an identifier in TYPE_CHECK_PARTS (what `text.split("_").some(...)` tells, without the split). */
const TYPE_CHECK_PART = new RegExp(`(?:^|_)(?:${[...TYPE_CHECK_PARTS].join("|")})(?=_|$)`);
const TYPE_CHECK_NAMES = new Set(["content_type", "guess_type", "from_buffer", "from_file"]);
const UPLOAD_SETTING = /upload/i;
const PATH_SETTING = /folder|dir|path|dest|root|location/i;

// ---------------------------------------------------------------------------------------------------------------
// What the file accepts (its extension / MIME allowlists)

type Accepts = "unknown" | "inert" | "active";

function rootOf(node: SyntaxNode): SyntaxNode {
  let root = node;
  while (root.parent) root = root.parent;
  return root;
}

function typeLiterals(value: SyntaxNode): string[] {
  return value.descendantsOfType("string")
    .map((s) => stringValue(s))
    .filter((v): v is string => v !== null && TYPE_LITERAL.test(v))
    .map((v) => v.toLowerCase().replace(/^\./, ""));
}

/** The upload types the file's allowlists admit: `ALLOWED_EXTENSIONS = {...}`, `.endswith((".png", ...))`. Once per file. */
function acceptedTypes(node: SyntaxNode, ctx: RuleContext): Accepts {
  return ctx.memo("acceptedTypes", () => scanAcceptedTypes(node));
}

function scanAcceptedTypes(node: SyntaxNode): Accepts {
  const types: string[] = [];
  for (const n of rootOf(node).descendantsOfType(["assignment", "call"])) {
    if (n.type === "assignment") {
      const left = n.childForFieldName("left");
      const right = n.childForFieldName("right");
      if (left && right && ALLOWLIST_NAME.test(left.text)) types.push(...typeLiterals(right));
    } else if (calleeMethod(n) === "endswith") {
      const arg = callArguments(n).positional[0];
      if (arg) types.push(...typeLiterals(arg));
    }
  }
  if (types.length === 0) return "unknown";
  return types.some((t) => ACTIVE_TYPES.has(t)) ? "active" : "inert";
}

/** Does the handler look at the upload's type or content anywhere (an allowlist, its extension, its MIME type)? */
function checksType(fn: SyntaxNode): boolean {
  return fn.descendantsOfType("identifier").some((id) => {
    const text = id.text.toLowerCase();
    return text.includes("allow") || text.includes("valid") || TYPE_CHECK_NAMES.has(text) || TYPE_CHECK_PART.test(text);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Static folders

function isStaticSegmented(value: string): boolean {
  return value.split(/[\\/]/).some((segment) => segment === "static");
}

/** A string literal (or f-string part) with a `static` path segment, or `app.static_folder`, inside these values. */
function pointsIntoStatic(values: SyntaxNode[]): boolean {
  for (const value of values) {
    for (const n of value.descendantsOfType(["string_content", "attribute"])) {
      if (n.type === "string_content" && isStaticSegmented(n.text)) return true;
      if (n.type === "attribute" && n.childForFieldName("attribute")?.text === "static_folder") return true;
    }
  }
  return false;
}

/** An upload folder setting's name (UPLOAD_FOLDER, UPLOAD_DIR, upload_path...). */
function isUploadPathSetting(name: string): boolean {
  return UPLOAD_SETTING.test(name) && PATH_SETTING.test(name);
}

function checkUploadSetting(name: string, value: SyntaxNode, ctx: RuleContext): void {
  if (!isUploadPathSetting(name) || !pointsIntoStatic([value])) return;
  if (acceptedTypes(value, ctx) === "inert") return;
  ctx.report({
    node: value,
    message:
      `${name} points inside the static folder: Flask's static route serves every upload to anyone, as-is, with a ` +
      "content type taken from its extension (an uploaded .html or .svg runs script on the site's origin).",
    severity: "medium",
    confidence: "medium",
  });
}

// ---------------------------------------------------------------------------------------------------------------
// upload.save(dst)

function isUpload(node: SyntaxNode | null, ctx: RuleContext): boolean {
  return !!node && ctx.taint(node)?.source === "request.files";
}

function saveCallsOnUploads(fn: SyntaxNode, ctx: RuleContext): SyntaxNode[] {
  return fn.descendantsOfType("call").filter((c) => {
    const callee = c.childForFieldName("function");
    return calleeMethod(c) === "save" && callee?.type === "attribute" && isUpload(callee.childForFieldName("object"), ctx);
  });
}

const SCRATCH = /^(io\.(BytesIO|StringIO)|tempfile\.)/;

/** dst is an in-memory buffer or a temporary file (bound by `=`, `with ... as` or unpacking): processed, not stored. */
function isScratchTarget(values: SyntaxNode[], fn: SyntaxNode | null, ctx: RuleContext): boolean {
  const isScratch = (n: SyntaxNode | null | undefined) => {
    const call = n ? unwrap(n) : null;
    return call?.type === "call" && SCRATCH.test(ctx.resolve(call.childForFieldName("function")) ?? "");
  };
  if (values.some(isScratch)) return true;
  // the names dst uses, collected only once a scratch binding is found (most handlers have none)
  let names: Set<string> | undefined;
  return (fn?.descendantsOfType(["assignment", "as_pattern"]) ?? []).some((b) => {
    const [value, target] = b.type === "assignment" ? [b.childForFieldName("right"), b.childForFieldName("left")] : [b.namedChild(0), b.childForFieldName("alias")];
    if (!isScratch(value) || !target) return false;
    names ??= new Set(values.flatMap((v) => v.descendantsOfType("identifier").map((id) => id.text)));
    return target.descendantsOfType("identifier").some((id) => names!.has(id.text));
  });
}

/** `<upload>.filename` -> `secure_filename(<upload>.filename)` where it is written inside dst (or bound to a local dst uses). */
function secureFilenameFix(dst: SyntaxNode, ctx: RuleContext, scope: Scope): FixInput | undefined {
  const direct = dst.descendantsOfType("attribute").filter(
    (a) => a.type === "attribute" && a.childForFieldName("attribute")?.text === "filename" && isUpload(a.childForFieldName("object"), ctx),
  );
  let targets = direct;
  let safe = true;
  if (targets.length === 0) {
    // `name = f.filename; f.save(os.path.join(DIR, name))`: fix the binding (review: other uses of name change too)
    targets = reachingValues(dst, scope)
      .slice(1)
      .map(unwrap)
      .filter((v) => v.type === "attribute" && v.childForFieldName("attribute")?.text === "filename" && isUpload(v.childForFieldName("object"), ctx));
    safe = false;
    if (targets.length !== 1) return undefined;
  } else {
    // Anything else in dst that carries request data would survive the fix.
    const inside = (n: SyntaxNode) => targets.some((t) => t.startIndex <= n.startIndex && n.endIndex <= t.endIndex);
    const others = dst.descendantsOfType("identifier").filter((id) => !inside(id));
    if (others.some((id) => (ctx.resolve(id) ?? "").startsWith("flask.request") || pathTaint(id, ctx, scope))) return undefined;
  }
  const local = ctx.localName("werkzeug.utils.secure_filename");
  return {
    safety: safe && local ? "safe" : "review",
    description:
      `reduce the client's filename to a safe base name with secure_filename()${local ? "" : " (import it from werkzeug.utils)"}` +
      "; better still, store under a random server-side name and keep the original only as metadata",
    edits: targets.map((t) => ({ node: t, text: `${local ?? "secure_filename"}(${t.text})` })),
  };
}

function checkSave(call: SyntaxNode, ctx: RuleContext): void {
  const callee = call.childForFieldName("function");
  const upload = callee?.type === "attribute" ? callee.childForFieldName("object") : null;
  if (!upload || !isUpload(upload, ctx)) return;
  const args = callArguments(call);
  const dst = args.positional[0] ?? args.keywords.get("dst");
  if (!dst) return;
  const scope = scopeOf(call);
  const values = reachingValues(dst, scope);
  const fn = enclosingFunction(call);
  if (isScratchTarget(values, fn, ctx)) return;

  const taint = pathTaint(dst, ctx, scope);
  const clientPath =
    taint && taint.level === "direct" && (taint.source !== "request.files" || originsOf(dst, ctx, scope).filename) && !isGuarded(call, dst, ctx, scope)
      ? taint
      : null;
  // per handler, however many saves it holds
  const firstSave = fn ? ctx.memo(`firstSave:${fn.id}`, () => saveCallsOnUploads(fn, ctx)[0]?.id) === call.id : false;
  const untyped = !!fn && firstSave && !checksType(fn);
  const intoStatic = pointsIntoStatic(values) && acceptedTypes(call, ctx) !== "inert";
  if (!clientPath && !untyped && !intoStatic) return;

  const method = `${upload.text}.save()`;
  const problems: string[] = [];
  let severity: Severity = "high";
  let confidence: Confidence = "high";
  if (clientPath) {
    problems.push(
      clientPath.source === "request.files"
        ? `The client's filename (${clientPath.flow[0]?.label ?? "the upload"}) becomes the storage path of ${method}: a name like ../../app/templates/base.html overwrites files outside the upload folder`
        : `${sourceLabel(clientPath)} chooses the storage path of ${method}: a value like ../../app/wsgi.py writes files outside the upload folder`,
    );
  }
  if (untyped) {
    problems.push(`${clientPath ? "the handler also" : `${method} stores an upload of any type: the handler`} checks no extension, MIME type or content`);
    if (!clientPath) confidence = "medium";
  }
  if (intoStatic) {
    problems.push(`${problems.length > 0 ? "it" : method} stores uploads inside the static folder, which serves them to anyone as-is`);
    if (!clientPath && !untyped) [severity, confidence] = ["medium", "medium"];
  }
  const message = `${problems.join("; ")}.`;
  const fix = clientPath ? secureFilenameFix(dst, ctx, scope) : undefined;
  ctx.report({ node: clientPath ? dst : call, message, severity, confidence, ...(clientPath ? { flow: clientPath.flow } : {}), ...(fix ? { fix } : {}) });
}

// ---------------------------------------------------------------------------------------------------------------
// Serving the upload folder

function checkServe(call: SyntaxNode, spec: { dir: string; name: string | null }, ctx: RuleContext): void {
  const args = callArguments(call);
  const dir = args.positional[0] ?? args.keywords.get(spec.dir);
  if (!dir || args.hasSplat) return;
  const scope = scopeOf(call);
  if (!reachingValues(dir, scope).some((v) => /upload/i.test(v.text))) return;
  const served = spec.name ? args.positional[1] ?? args.keywords.get(spec.name) : dir;
  if (served && stringValue(served) !== null) return; // a file the app chose itself
  const asAttachment = args.keywords.get("as_attachment");
  if (asAttachment && !isFalsyLiteral(asAttachment)) return; // True, or decided at runtime
  const mimetype = args.keywords.get("mimetype");
  const mime = mimetype ? stringValue(mimetype)?.toLowerCase() ?? null : null;
  if (mimetype && !(mime !== null && ACTIVE_TYPES.has(mime))) return;
  let confidence: Confidence = "medium";
  if (!mime) {
    const accepts = acceptedTypes(call, ctx);
    if (accepts === "inert") return;
    if (accepts === "unknown") confidence = "low";
  }
  const name = ctx.resolve(call.childForFieldName("function"))!.replace(/^flask\.(helpers\.)?/, "");
  const argList = call.childForFieldName("arguments");
  const last = argList?.type === "argument_list" ? argList.namedChildren.filter((c) => c.type !== "comment").pop() : undefined;
  if (!last) return;
  ctx.report({
    node: call,
    message: mime
      ? `${name}() serves an uploaded file as ${mime}: any HTML or script in the upload runs on the site's origin (stored XSS).`
      : `${name}() serves files from the upload folder inline: an uploaded .html or .svg file is rendered by the browser and its ` +
        "script runs on the site's origin (stored XSS); serve uploads as attachments.",
    confidence,
    fix: {
      safety: "safe",
      description: "send the upload as a download (Content-Disposition: attachment); <img> tags still display images",
      edits: [asAttachment ? { node: asAttachment, text: "True" } : { node: last, text: `${last.text}, as_attachment=True` }],
    },
  });
}

// ---------------------------------------------------------------------------------------------------------------

export default defineRule({
  id: "FLASK-UPLOAD-001",
  title: "File upload stored or served unsafely",
  severity: "high",
  confidence: "high",
  cwe: ["CWE-434", "CWE-20"],
  spec: "FLASK-UPLOAD-001",
  docs: {
    impact:
      "An upload saved under the client's filename lets a caller write anywhere the app can (../../app/templates/base.html, " +
      "../wsgi.py) and overwrite code, templates or other users' files. Without a type allowlist, and when uploads are " +
      "stored in the static folder or served inline, an uploaded .html or .svg file runs script on the site's origin " +
      "(stored XSS that reads sessions and CSRF tokens), and executable or oversized content is accepted.",
    fix:
      "Validate the extension against an allowlist and check the content (e.g. Pillow's verify() for images); store under " +
      "a random server-side name (uuid4().hex plus the validated extension), or at least secure_filename(f.filename), " +
      "in a folder outside static/ (e.g. app.instance_path); serve uploads through a route with " +
      "send_from_directory(UPLOAD_FOLDER, name, as_attachment=True).",
    mitigation:
      "Set MAX_CONTENT_LENGTH (FLASK-LIMITS-001), serve user content with X-Content-Type-Options: nosniff and a strict CSP " +
      "or from a separate domain, and scan or quarantine uploads where the risk warrants it.",
    falsePositives:
      "secure_filename(f.filename) is accepted as a storage name (the spec prefers random names: consider them). A type " +
      "check is recognised by names in the handler (allowed_file, ALLOWED_EXTENSIONS, rsplit/splitext/endswith, mimetype, " +
      "imghdr, magic, validate...): a check done elsewhere (a Flask-WTF FileAllowed validator, a helper called with the file) " +
      "may be missed, and a name that merely looks like a check silences it. Inline serving of the upload folder is " +
      "reported with low confidence when the file does not show what types are accepted, and not at all when its " +
      "allowlist admits only inert types such as images.",
    bad: [
      "import os",
      "from flask import Flask, request",
      "",
      "app = Flask(__name__)",
      "app.config[\"UPLOAD_FOLDER\"] = \"/srv/app/uploads\"",
      "",
      "@app.post(\"/avatar\")",
      "def upload_avatar():",
      "    f = request.files[\"avatar\"]",
      "    f.save(os.path.join(app.config[\"UPLOAD_FOLDER\"], f.filename))",
      "    return \"\", 204",
      "",
    ].join("\n"),
    good: [
      "import os",
      "import uuid",
      "from flask import Flask, abort, request",
      "",
      "app = Flask(__name__)",
      "app.config[\"UPLOAD_FOLDER\"] = \"/srv/app/uploads\"",
      "ALLOWED_EXTENSIONS = {\"png\", \"jpg\", \"jpeg\", \"gif\"}",
      "",
      "@app.post(\"/avatar\")",
      "def upload_avatar():",
      "    f = request.files[\"avatar\"]",
      "    ext = f.filename.rsplit(\".\", 1)[-1].lower() if \".\" in f.filename else \"\"",
      "    if ext not in ALLOWED_EXTENSIONS:",
      "        abort(400)",
      "    f.save(os.path.join(app.config[\"UPLOAD_FOLDER\"], f\"{uuid.uuid4().hex}.{ext}\"))",
      "    return \"\", 204",
      "",
    ].join("\n"),
  },
  on: ["call", "assignment"],
  names: { call: CALL_NAMES },
  check(node, ctx) {
    if (ctx.isTestFile) return;
    if (node.type === "assignment") {
      const left = node.childForFieldName("left");
      const value = node.childForFieldName("right");
      if (!left || !value) return;
      if (left.type === "identifier") {
        // the name first: enclosingFunction walks up to the module for every assignment
        if (isUploadPathSetting(left.text) && !enclosingFunction(node)) checkUploadSetting(left.text, value, ctx);
      } else if (left.type === "subscript") {
        const key = stringValue(left.childForFieldName("subscript"));
        if (key) checkUploadSetting(key, value, ctx);
      }
      return;
    }
    const method = calleeMethod(node);
    if (method === "save") return checkSave(node, ctx);
    if (CONFIG_UPDATES.has(method ?? "")) {
      for (const [name, value] of callArguments(node).keywords) checkUploadSetting(name, value, ctx);
      return;
    }
    const spec = SERVE_FUNCTIONS.get(ctx.resolve(node.childForFieldName("function")) ?? "");
    if (spec) checkServe(node, spec, ctx);
  },
});
