// FLASK-XSS-001: untrusted data reaching HTML without escaping (spec FLASK-XSS-001).
//
// Python: Markup() on untrusted data (request data, route parameters, database rows, a template filter's input),
// HTML built from untrusted data and returned by a view / make_response() / Response() (Flask serves a str as
// text/html), Jinja environments with autoescaping turned off. Templates: `|safe` on variables, `{% autoescape
// false %}` blocks that output variables, unquoted attribute values, `|tojson` inside a double-quoted attribute.
// The fix wraps each untrusted value in escape() where it is interpolated (`f"<h1>{escape(name)}</h1>"`), and
// quotes unquoted attributes.
import type { SyntaxNode, Tree } from "tree-sitter";
import { callNames, defineRule, type RuleContext, type TextReportInput, type TextRuleContext } from "../src/core/define-rule.js";
import {
  callArguments, decoratorsOf, enclosingFunction, isFalsyLiteral, isView, stringValue, unwrap,
} from "../src/core/python.js";
import type { Taint } from "../src/core/taint.js";
import type { Confidence, Fix } from "../src/core/types.js";

const MARKUP = new Set(["markupsafe.Markup", "flask.Markup", "jinja2.Markup", "jinja2.utils.Markup"]);
const ESCAPE = new Set(["markupsafe.escape", "flask.escape", "jinja2.escape", "jinja2.utils.escape"]);
const MAKE_RESPONSE = new Set(["flask.make_response", "flask.helpers.make_response"]);
/** Flask's Response defaults to text/html; werkzeug's to text/plain (HTML only when the mimetype says so). */
const FLASK_RESPONSE = new Set(["flask.Response", "flask.wrappers.Response"]);
const WERKZEUG_RESPONSE = new Set(["werkzeug.Response", "werkzeug.wrappers.Response", "werkzeug.wrappers.response.Response"]);
const JINJA_ENVIRONMENTS = new Set([
  "jinja2.Environment", "jinja2.environment.Environment", "jinja2.sandbox.SandboxedEnvironment",
  "jinja2.sandbox.ImmutableSandboxedEnvironment", "jinja2.Template", "jinja2.environment.Template",
]);
/**
 * The calls check() acts on, by name (RuleDefinition.names): the last segment of each resolved name above, and the
 * `response_class` attribute (`app.response_class(...)`).
 */
const CALL_NAMES = [
  ...callNames([...MARKUP, ...JINJA_ENVIRONMENTS, ...FLASK_RESPONSE, ...WERKZEUG_RESPONSE, ...MAKE_RESPONSE]),
  "response_class",
];
/** Markup methods that escape their arguments (or keep already-escaped text): the result stays escaped. */
const MARKUP_METHODS = new Set(["format", "join", "replace", "strip", "lstrip", "rstrip"]);
/** An HTML tag in a literal piece: `<p>`, `</li`, `<a href=`. */
const TAG = /<\/?[A-Za-z][A-Za-z0-9-]*(?=[\s>/]|$)/;

type Mode = "plain" | "concat" | "nowrap";
interface Slot { node: SyntaxNode; mode: Mode; taint: Taint | null }
/** A slot before its taint is asked: `loopSource` is the iterable a comprehension variable comes from. */
interface Value { node: SyntaxNode; mode: Mode; loopSource: SyntaxNode | undefined }
type TaintFn = (node: SyntaxNode) => Taint | null;

/**
 * Splits an HTML-building expression (f-string, `+`, `%`, `.format()`, `"".join()`, and the variables they are
 * assigned to) into its literal text and its interpolated values ("slots"). A value interpolated into an f-string,
 * % or .format() can be wrapped in escape() as is; one concatenated with `+` needs str(escape(x)), since
 * `"<p>" + Markup(...)` escapes the "<p>" too.
 */
class HtmlBuild {
  readonly literals: string[] = [];
  /** The interpolated values; their taint is asked only by tainted() (a value without HTML around it needs none). */
  private readonly values: Value[] = [];
  fixable = true;
  private readonly seen = new Set<number>();
  constructor(private readonly ctx: RuleContext, private readonly taintOf: TaintFn) {}

  value(node: SyntaxNode, mode: Mode, vars: Map<string, SyntaxNode>, depth: number): void {
    const n = unwrap(node);
    if (depth < 8 && this.builder(n, vars, depth)) return;
    if (depth < 7 && n.type === "identifier") {
      const bindings = bindingsOf(n);
      if (bindings.some((b) => isBuilder(b.value, this.ctx))) {
        for (const b of bindings) {
          if (this.seen.has(b.value.id)) continue;
          this.seen.add(b.value.id);
          this.value(b.value, "concat", vars, depth + 1);
        }
        return;
      }
    }
    if (producesMarkup(n, this.ctx)) return; // Markup % x, Markup.format(x), escape(x): escaped already
    const root = chainRoot(n);
    this.values.push({ node: n, mode, loopSource: root ? vars.get(root) : undefined });
  }

  private builder(n: SyntaxNode, vars: Map<string, SyntaxNode>, depth: number): boolean {
    const next = depth + 1;
    switch (n.type) {
      case "string": {
        if (/b/i.test(n.child(0)?.text.match(/^[a-zA-Z]*/)?.[0] ?? "")) return false;
        for (const part of n.namedChildren) {
          if (part.type === "string_content") this.literals.push(part.text);
          if (part.type !== "interpolation") continue;
          if (part.childForFieldName("type_conversion") || part.childForFieldName("format_specifier") || /=\s*\}$/.test(part.text)) this.fixable = false;
          const expr = part.childForFieldName("expression");
          if (expr) this.value(expr, "plain", vars, next);
        }
        return true;
      }
      case "concatenated_string":
        for (const part of n.namedChildren) this.builder(part, vars, next);
        return true;
      case "binary_operator": {
        const operator = n.childForFieldName("operator")?.text;
        if (operator === "+") {
          const operands = plusOperands(n);
          // a `+` chain with a Markup operand escapes every str operand (Markup.__add__ / __radd__)
          if (operands.some((o) => producesMarkup(o, this.ctx))) return true;
          for (const o of operands) this.value(o, "concat", vars, next);
          return true;
        }
        if (operator !== "%") return false;
        const format = literalOf(n.childForFieldName("left")!);
        if (format === null) return false;
        this.literals.push(format);
        if (hasNonStringDirective(format)) this.fixable = false;
        const right = unwrap(n.childForFieldName("right")!);
        const values = right.type === "tuple" ? right.namedChildren
          : right.type === "dictionary" ? right.namedChildren.map((p) => p.childForFieldName("value") ?? p) : [right];
        for (const v of values) this.value(v, "plain", vars, next);
        return true;
      }
      case "call": {
        const fn = n.childForFieldName("function");
        const method = fn?.type === "attribute" ? fn.childForFieldName("attribute")?.text : null;
        const receiver = fn?.childForFieldName("object");
        const literal = receiver && (method === "format" || method === "join") ? literalOf(receiver) : null;
        if (literal === null) return false;
        this.literals.push(literal);
        const args = callArguments(n);
        if (method === "format") {
          if (/\{[^{}]*[!:]/.test(literal) || args.hasSplat) this.fixable = false;
          for (const v of [...args.positional, ...args.keywords.values()]) this.value(v, "plain", vars, next);
          return true;
        }
        const joined = args.positional[0] ? unwrap(args.positional[0]) : null;
        if (joined && (joined.type === "generator_expression" || joined.type === "list_comprehension")) {
          const inner = new Map(vars);
          for (const clause of joined.namedChildren.filter((c) => c.type === "for_in_clause")) {
            const left = clause.childForFieldName("left");
            const right = clause.childForFieldName("right");
            if (left?.type === "identifier" && right) inner.set(left.text, right);
          }
          const body = joined.childForFieldName("body");
          if (body) this.value(body, "concat", inner, next);
        } else if (joined && (joined.type === "list" || joined.type === "tuple")) {
          for (const element of joined.namedChildren) this.value(element, "concat", vars, next);
        } else if (joined) this.value(joined, "nowrap", vars, next);
        return true;
      }
      case "conditional_expression":
        this.value(n.namedChild(0)!, "concat", vars, next);
        this.value(n.namedChild(2)!, "concat", vars, next);
        return true;
      default:
        return false;
    }
  }

  looksLikeHtml(): boolean {
    return this.literals.some((l) => TAG.test(l));
  }

  tainted(): Slot[] {
    const byId = new Map<number, Slot>();
    for (const { node, mode, loopSource } of this.values) {
      const taint = this.taintOf(node) ?? (loopSource ? this.taintOf(loopSource) : null);
      if (taint) byId.set(node.id, { node, mode, taint });
    }
    return [...byId.values()];
  }
}

function isBuilder(node: SyntaxNode, ctx: RuleContext): boolean {
  const probe = new HtmlBuild(ctx, () => null);
  probe.value(node, "concat", new Map(), 7); // depth 7: one level, no recursion through variables
  return probe.literals.length > 0;
}

/** The operands of a `+` chain, left to right (iterative: a 10,000-term concatenation must not overflow the stack). */
function plusOperands(node: SyntaxNode): SyntaxNode[] {
  const operands: SyntaxNode[] = [];
  const pending = [node];
  while (pending.length > 0) {
    const u = unwrap(pending.pop()!);
    const left = u.type === "binary_operator" && u.childForFieldName("operator")?.text === "+" ? u.childForFieldName("left") : null;
    const right = left ? u.childForFieldName("right") : null;
    if (left && right) pending.push(right, left);
    else operands.push(u);
  }
  return operands;
}

/**
 * Does a %-format hold a directive other than %s, %% and %(name)s? What /%(?![s%(])|%\([^)]*\)(?!s)/ tells, in
 * linear time: that pattern scans to the end of the text from every `%(` that has no `)` after it.
 */
function hasNonStringDirective(format: string): boolean {
  let close = -1; // the first ")" at or after the last `%(` looked at (format.length: none)
  for (let at = format.indexOf("%"); at >= 0; at = format.indexOf("%", at + 1)) {
    const next = format[at + 1];
    if (next !== "s" && next !== "%" && next !== "(") return true;
    if (next !== "(") continue;
    if (close < at + 2) {
      close = format.indexOf(")", at + 2);
      if (close < 0) close = format.length;
    }
    if (close < format.length && format[close + 1] !== "s") return true;
  }
  return false;
}

/** Markup(...), escape(...), and `%` / .format() / .join() / `+` on one of them: their values are escaped. */
function producesMarkup(node: SyntaxNode, ctx: RuleContext): boolean {
  const n = unwrap(node);
  if (n.type === "call") {
    const fn = n.childForFieldName("function");
    const name = ctx.resolve(fn);
    if (name && (MARKUP.has(name) || ESCAPE.has(name) || /(^|\.)Markup\.escape$/.test(name))) return true;
    const method = fn?.type === "attribute" ? fn.childForFieldName("attribute")?.text : null;
    return !!method && MARKUP_METHODS.has(method) && producesMarkup(fn!.childForFieldName("object")!, ctx);
  }
  if (n.type === "binary_operator") {
    const operator = n.childForFieldName("operator")?.text;
    if (operator === "%") return producesMarkup(n.childForFieldName("left")!, ctx);
    if (operator === "+") return plusOperands(n).some((o) => producesMarkup(o, ctx));
  }
  return false;
}

/** The value of a plain string literal, or of a name bound once to one (a module constant, a local). */
function literalOf(node: SyntaxNode): string | null {
  const n = unwrap(node);
  const direct = stringValue(n);
  if (direct !== null || n.type !== "identifier") return direct;
  const bindings = bindingsOf(n);
  return bindings.length === 1 && !bindings[0]!.augmented ? stringValue(bindings[0]!.value) : null;
}

function chainRoot(node: SyntaxNode): string | null {
  let n: SyntaxNode | null = node;
  while (n && (n.type === "attribute" || n.type === "subscript")) n = n.childForFieldName(n.type === "attribute" ? "object" : "value");
  return n?.type === "identifier" ? n.text : null;
}

interface Binding { value: SyntaxNode; augmented: boolean; at: number }

/** Per tree: scope (function id, 0 for the module) -> name -> its `name = v` / `name += v` bindings. */
const bindingIndex = new WeakMap<Tree, Map<number, Map<string, Binding[]>>>();

function scopeBindings(tree: Tree, scope: SyntaxNode): Map<string, Binding[]> {
  let byScope = bindingIndex.get(tree);
  if (!byScope) bindingIndex.set(tree, (byScope = new Map()));
  const key = scope.type === "module" ? 0 : scope.id;
  let names = byScope.get(key);
  if (names) return names;
  names = new Map();
  const body = scope.type === "module" ? scope : scope.childForFieldName("body");
  for (const node of body?.descendantsOfType(["assignment", "augmented_assignment"]) ?? []) {
    // compare nodes by id: tree-sitter's JS wrappers are cached weakly, so `===` on nodes is not reliable
    if ((enclosingFunction(node)?.id ?? 0) !== key) continue;
    const left = node.childForFieldName("left");
    const right = node.childForFieldName("right");
    if (left?.type !== "identifier" || !right || right.type === "assignment") continue;
    const augmented = node.type === "augmented_assignment";
    if (augmented && node.childForFieldName("operator")?.text !== "+=") continue;
    const list = names.get(left.text) ?? [];
    list.push({ value: right, augmented, at: node.startIndex });
    names.set(left.text, list);
  }
  byScope.set(key, names);
  return names;
}

/** `name = v` / `name += v` before the use, in its function (or, failing that, at module level). */
function bindingsOf(use: SyntaxNode): Binding[] {
  const fn = enclosingFunction(use);
  if (fn) {
    const local = (scopeBindings(use.tree, fn).get(use.text) ?? []).filter((b) => b.at < use.startIndex);
    if (local.length > 0) return local;
    if (fn.childForFieldName("parameters")?.descendantsOfType("identifier").some((p) => p.text === use.text)) return [];
  }
  return scopeBindings(use.tree, use.tree.rootNode).get(use.text) ?? [];
}

// ---------------------------------------------------------------------------------------------------------------
// Python checks

export default defineRule({
  id: "FLASK-XSS-001",
  title: "Untrusted data rendered as HTML without escaping (XSS)",
  severity: "high",
  confidence: "high",
  cwe: ["CWE-79", "CWE-116"],
  spec: "FLASK-XSS-001",
  kinds: ["python", "template"],
  docs: {
    impact:
      "Whoever controls the value (a query parameter, a form field, a route segment, a comment stored in the database) " +
      "can inject <script> or event-handler attributes into the page and run JavaScript as the victim: steal the " +
      "session, act on their behalf (XSS also defeats CSRF protection), or deface the page. Stored content hits every " +
      "visitor who views it.",
    fix:
      "Let Jinja's autoescaping do the work: pass values to a template instead of marking them safe. Remove " +
      "Markup(...) and |safe from user data; build markup with Markup(\"<b>{}</b>\").format(value) or wrap each " +
      "value in escape() (markupsafe) where it is interpolated into an HTML string; quote every attribute that holds a " +
      "Jinja expression (value=\"{{ x }}\"); keep autoescape on in every Jinja environment that renders HTML. When " +
      "users must supply HTML, sanitize it with a trusted HTML sanitizer (nh3, bleach) before marking it safe.",
    mitigation:
      "Deploy a strict Content-Security-Policy without 'unsafe-inline' (it also covers javascript: URLs), set cookies " +
      "HttpOnly, and serve user uploads as attachments or from another origin.",
    falsePositives:
      "Silent for escape()/bleach.clean() output, Markup(\"...\").format()/% (which escape their arguments), values " +
      "converted with int() or url_for(), constants, text/plain or JSON responses, |safe on literals or after |e or " +
      "|tojson, and quoted attributes. Database values are reported with medium confidence (verify that users can " +
      "write them); |safe on a variable the template cannot trace is medium, and low for names like body_html that " +
      "suggest HTML produced by a sanitizer: verify where it is built. An Environment(autoescape=False) whose use the " +
      "rule cannot see is medium; one that only renders text templates (.txt) is not reported.",
    bad: [
      "from flask import Flask, render_template, request",
      "from markupsafe import Markup",
      "",
      "app = Flask(__name__)",
      "",
      "@app.route(\"/notice\")",
      "def notice():",
      "    return render_template(\"notice.html\", notice=Markup(request.args[\"msg\"]))",
      "",
      "@app.route(\"/search\")",
      "def search():",
      "    q = request.args.get(\"q\", \"\")",
      "    return f\"<h1>Results for {q}</h1>\"",
      "",
    ].join("\n"),
    good: [
      "from flask import Flask, render_template, request",
      "from markupsafe import escape",
      "",
      "app = Flask(__name__)",
      "",
      "@app.route(\"/notice\")",
      "def notice():",
      "    return render_template(\"notice.html\", notice=request.args[\"msg\"])  # autoescaped",
      "",
      "@app.route(\"/search\")",
      "def search():",
      "    q = request.args.get(\"q\", \"\")",
      "    return f\"<h1>Results for {escape(q)}</h1>\"",
      "",
    ].join("\n"),
  },
  on: ["call", "return_statement", "assignment"],
  names: { call: CALL_NAMES },
  check(node, ctx) {
    if (ctx.isTestFile) return; // test apps echo request data on purpose
    if (node.type === "return_statement") return checkReturn(node, ctx);
    if (node.type === "assignment") return checkAutoescapeAssignment(node, ctx);
    const name = ctx.resolve(node.childForFieldName("function"));
    if (name && MARKUP.has(name)) return checkMarkup(node, ctx);
    if (name && JINJA_ENVIRONMENTS.has(name)) return checkEnvironment(node, name, ctx);
    checkResponse(node, name, ctx);
  },
  checkText: checkTemplate,
});

function checkMarkup(call: SyntaxNode, ctx: RuleContext): void {
  const args = callArguments(call);
  const arg = args.positional[0] ?? args.keywords.get("base");
  if (!arg) return;
  const filter = templateFilterOf(call);
  const build = new HtmlBuild(ctx, (n) => ctx.taint(n) ?? (filter ? filterInputTaint(n, filter) : null));
  build.value(arg, "concat", new Map(), 0);
  const tainted = build.tainted();
  if (tainted.length === 0) return;
  const taint = strongest(tainted);
  const callee = call.childForFieldName("function")!.text;
  const origin = taint.flow[0]?.label ?? taint.source;
  const fromFilter = taint.source.startsWith("filter argument");
  const message = fromFilter
    ? `The template filter ${filter!.name}() passes its input (${origin}) to ${callee}() unescaped: whatever a template filters through it, often user content, is rendered as raw HTML. Escape it first: escape(${origin}).`
    : taint.level === "direct"
      ? `${origin} reaches ${callee}(), which marks it as safe HTML: Jinja will not escape it, so a crafted value runs script in the page (reflected XSS).`
      : `A database value (${origin}) reaches ${callee}() and is rendered unescaped: if users can write it, this is stored XSS.`;
  const whole = tainted.length === 1 && tainted[0]!.node.id === unwrap(arg).id && args.positional.length + args.keywords.size === 1;
  const escaper = escaperFor(call) ?? `${callee}.escape`;
  const fix = fromFilter ? undefined
    : whole ? escapeFix([{ node: call, text: `${escaper}(${unwrap(arg).text})` }], tainted, build, escaper, true)
      : escapeFix(wrapEdits(tainted, escaper), tainted, build, escaper, true);
  ctx.report({ node: call, message, confidence: fromFilter ? "medium" : confidenceOf(tainted), flow: taint.flow, fix });
}

function checkReturn(ret: SyntaxNode, ctx: RuleContext): void {
  const value = ret.namedChild(0);
  if (!value) return;
  const fn = enclosingFunction(ret);
  if (!fn) return;
  // isView once per function, however many returns it has
  const views = ctx.memo("views", () => new Map<number, boolean>());
  let view = views.get(fn.id);
  if (view === undefined) views.set(fn.id, (view = isView(fn)));
  if (!view) return;
  const parts = value.type === "expression_list" || value.type === "tuple" ? value.namedChildren : [value];
  if (parts.slice(1).some((p) => declaresNonHtml(p))) return;
  const name = fn.childForFieldName("name")?.text ?? "the view";
  checkHtmlValue(parts[0]!, `returned by ${name}()`, ctx);
}

function checkResponse(call: SyntaxNode, name: string | null, ctx: RuleContext): void {
  const fn = call.childForFieldName("function");
  const isResponseClass = (name && FLASK_RESPONSE.has(name)) || (fn?.type === "attribute" && fn.childForFieldName("attribute")?.text === "response_class");
  const werkzeug = !!name && WERKZEUG_RESPONSE.has(name);
  if (!isResponseClass && !werkzeug && !(name && MAKE_RESPONSE.has(name))) return;
  const args = callArguments(call);
  const body = args.positional[0] ?? args.keywords.get("response");
  if (!body) return;
  // Response(response, status, headers, mimetype, content_type); make_response(body, status, headers)
  const declared = [args.keywords.get("mimetype"), args.keywords.get("content_type"), ...(isResponseClass || werkzeug ? args.positional.slice(3, 5) : [])]
    .filter((v): v is SyntaxNode => !!v);
  // a declared type that is not literally HTML (text/plain, application/json, or a variable we cannot read): silent
  if (declared.some((v) => !/html/i.test(stringValue(v) ?? ""))) return;
  if ([args.keywords.get("headers"), ...args.positional.slice(1, 3)].some((h) => !!h && declaresNonHtml(h))) return;
  if (werkzeug && declared.length === 0) return; // werkzeug's default is text/plain
  checkHtmlValue(body, `passed to ${fn!.text}()`, ctx);
}

/** A headers dict whose Content-Type is not literally HTML. */
function declaresNonHtml(node: SyntaxNode): boolean {
  const n = unwrap(node);
  return n.type === "dictionary" && n.namedChildren.some((pair) => /^content-type$/i.test(stringValue(pair.childForFieldName("key")) ?? "")
    && !/html/i.test(stringValue(pair.childForFieldName("value")) ?? ""));
}

function checkHtmlValue(value: SyntaxNode, where: string, ctx: RuleContext): void {
  const build = new HtmlBuild(ctx, (n) => ctx.taint(n));
  build.value(value, "concat", new Map(), 0);
  if (!build.looksLikeHtml()) return;
  const tainted = build.tainted();
  if (tainted.length === 0) return;
  const taint = strongest(tainted);
  const origin = taint.flow[0]?.label ?? taint.source;
  const message = taint.level === "direct"
    ? `${origin} is inserted unescaped into the HTML ${where}: Flask serves it as text/html, so the browser runs any markup in the value (reflected XSS).`
    : `A database value (${origin}) is inserted unescaped into the HTML ${where}: stored user content runs as markup in every visitor's browser (stored XSS).`;
  const escaper = escaperFor(value);
  ctx.report({
    node: value,
    message,
    confidence: confidenceOf(tainted),
    flow: taint.flow,
    fix: escapeFix(wrapEdits(tainted, escaper ?? "escape"), tainted, build, escaper ?? "escape", escaper !== null),
  });
}

function wrapEdits(tainted: Slot[], escaper: string): { node: SyntaxNode; text: string }[] {
  return tainted.map((s) => ({ node: s.node, text: s.mode === "concat" ? `str(${escaper}(${s.node.text}))` : `${escaper}(${s.node.text})` }));
}

/** Safe when every untrusted value comes straight from the request and escaping it cannot change trusted markup. */
function escapeFix(edits: { node: SyntaxNode; text: string }[], tainted: Slot[], build: HtmlBuild, escaper: string, imported: boolean) {
  if (!build.fixable || tainted.some((s) => s.mode === "nowrap" || s.node.text.includes("\n"))) return undefined;
  const markupInside = tainted.some((s) => s.node.descendantsOfType("string").some((str) => TAG.test(str.text)));
  const safe = imported && !markupInside && tainted.every((s) => s.taint!.level === "direct");
  return {
    safety: safe ? "safe" as const : "review" as const,
    description: imported
      ? `escape the untrusted value with ${escaper}() where it is inserted into the HTML${tainted.some((s) => s.taint!.level !== "direct") ? " (or sanitize it with nh3/bleach if it is meant to hold HTML)" : ""}`
      : "escape the untrusted value (from markupsafe import escape), or render a template that autoescapes it",
    edits,
  };
}

/** The word characters that end `text` (`text.match(/\w+$/)?.[0] ?? ""`, which is quadratic on a long word before other text). */
function lastWord(text: string): string {
  let start = text.length;
  while (start > 0 && /\w/.test(text[start - 1]!)) start--;
  return text.slice(start);
}

function strongest(slots: Slot[]): Taint {
  return (slots.find((s) => s.taint!.level === "direct") ?? slots[0]!).taint!;
}

/** direct: high; a database value: medium, low when its name says the app stored rendered HTML (body_html). */
function confidenceOf(slots: Slot[]): Confidence {
  if (slots.some((s) => s.taint!.level === "direct")) return "high";
  return slots.every((s) => PRE_RENDERED.test(lastWord(s.node.text))) ? "low" : "medium";
}

const escaperCache = new WeakMap<Tree, string | null>();

/** The name of markupsafe's escape (or Markup.escape) imported at module level, usable anywhere in the file. */
function escaperFor(node: SyntaxNode): string | null {
  if (!escaperCache.has(node.tree)) escaperCache.set(node.tree, findEscaper(node.tree.rootNode));
  return escaperCache.get(node.tree)!;
}

function findEscaper(root: SyntaxNode): string | null {
  let markupClass: string | null = null;
  for (const stmt of moduleImports(root)) {
    if (stmt.type === "import_statement") {
      for (const item of stmt.namedChildren) {
        const name = item.type === "aliased_import" ? item.childForFieldName("name")?.text : item.text;
        const local = item.type === "aliased_import" ? item.childForFieldName("alias")?.text : item.text;
        if (name === "markupsafe" && local) return `${local}.escape`;
      }
      continue;
    }
    const module = stmt.childForFieldName("module_name")?.text;
    for (const item of stmt.childrenForFieldName("name")) {
      const name = item.type === "aliased_import" ? item.childForFieldName("name")?.text : item.text;
      const local = item.type === "aliased_import" ? item.childForFieldName("alias")?.text : item.text;
      if (!local) continue;
      if (ESCAPE.has(`${module}.${name}`)) return local;
      if (MARKUP.has(`${module}.${name}`)) markupClass ??= `${local}.escape`;
    }
  }
  return markupClass;
}

/** Import statements at module level, including those in a top-level try/if (a shallow walk: cheap per report). */
function moduleImports(root: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const visit = (block: SyntaxNode, depth: number) => {
    for (const stmt of block.namedChildren) {
      if (stmt.type === "import_statement" || stmt.type === "import_from_statement") out.push(stmt);
      else if (depth < 2 && /^(try_statement|if_statement|block|except_clause|else_clause|elif_clause)$/.test(stmt.type)) visit(stmt, depth + 1);
    }
  };
  visit(root, 0);
  return out;
}

// --- template filters: their input is whatever the template passes, often user content -----------------------

interface FilterFunction { name: string; params: Set<string> }

function templateFilterOf(node: SyntaxNode): FilterFunction | null {
  const fn = enclosingFunction(node);
  if (!fn || !decoratorsOf(fn).some((d) => /\.(app_)?template_(filter|global)\b/.test(d.text))) return null;
  const params = new Set<string>();
  for (const p of fn.childForFieldName("parameters")?.namedChildren ?? []) {
    const name = p.type === "identifier" ? p.text : p.type === "default_parameter" || p.type === "typed_parameter" ? (p.childForFieldName("name") ?? p.namedChild(0))?.text : null;
    if (name && !/^(self|ctx|context|eval_ctx|env|environment)$/.test(name)) params.add(name);
  }
  // a parameter reassigned in the body (value = escape(value)) is no longer the raw input
  for (const a of fn.childForFieldName("body")?.descendantsOfType(["assignment", "augmented_assignment"]) ?? []) {
    const left = a.childForFieldName("left");
    if (left?.type === "identifier") params.delete(left.text);
  }
  return { name: fn.childForFieldName("name")?.text ?? "filter", params };
}

const STRING_METHODS = new Set(["replace", "strip", "lstrip", "rstrip", "lower", "upper", "title", "capitalize", "format", "join", "split", "splitlines"]);

function filterInputTaint(node: SyntaxNode, filter: FilterFunction): Taint | null {
  const n = unwrap(node);
  let param: SyntaxNode | null = null;
  if (n.type === "identifier" && filter.params.has(n.text)) param = n;
  else if (n.type === "call") {
    const fn = n.childForFieldName("function");
    const method = fn?.type === "attribute" ? fn.childForFieldName("attribute")?.text : null;
    const receiver = fn?.childForFieldName("object");
    if (method && STRING_METHODS.has(method) && receiver) return filterInputTaint(receiver, filter);
    if (fn?.text === "str") return callArguments(n).positional[0] ? filterInputTaint(callArguments(n).positional[0]!, filter) : null;
  }
  if (!param) return null;
  const step = { line: param.startPosition.row + 1, startColumn: param.startPosition.column + 1, endColumn: param.endPosition.column + 1, label: param.text };
  return { level: "persisted", source: `filter argument ${param.text}`, flow: [step] };
}

// --- Jinja environments without autoescaping --------------------------------------------------------------------

function checkEnvironment(call: SyntaxNode, name: string, ctx: RuleContext): void {
  const args = callArguments(call);
  const autoescape = args.keywords.get("autoescape");
  const explicit = !!autoescape && (isFalsyLiteral(autoescape) || isLambdaFalse(autoescape));
  if (autoescape && !explicit) return;
  if (!autoescape && args.hasSplat) return;
  const evidence = htmlEvidence(call, name, args.positional[0], ctx.source);
  if (evidence.kind === "text" || (!explicit && evidence.kind !== "html")) return;
  const short = call.childForFieldName("function")!.text;
  const what = evidence.kind === "html" ? `renders HTML (${evidence.what})` : "may render HTML templates";
  const setting = explicit ? "autoescape=False" : "no autoescape (Jinja's default is off)";
  const argumentList = call.childForFieldName("arguments")!;
  ctx.report({
    node: explicit ? autoescape! : call,
    message: `${short}() with ${setting} ${what}: every {{ value }} is inserted as raw HTML, so untrusted values become XSS.`,
    confidence: explicit ? (evidence.kind === "html" ? "high" : "medium") : "medium",
    fix: {
      safety: "review",
      description: "turn autoescaping on (templates that relied on raw output need |safe on trusted values only, or a separate text environment)",
      edits: explicit
        ? [{ node: autoescape!, text: "True" }]
        : argumentList.text.includes("\n") ? []
        : [{ node: argumentList, text: argumentList.namedChildCount === 0 ? "(autoescape=True)" : `${withoutTrailingComma(argumentList.text.slice(0, -1))}, autoescape=True)` }],
    },
  });
}

/** `text` without trailing blanks and one comma before them: .replace(/,?\s*$/, ""), which is quadratic on a long inner run of blanks. */
function withoutTrailingComma(text: string): string {
  const trimmed = text.trimEnd();
  return trimmed.endsWith(",") ? trimmed.slice(0, -1) : trimmed;
}

function isLambdaFalse(node: SyntaxNode): boolean {
  return node.type === "lambda" && isFalsyLiteral(node.childForFieldName("body"));
}

/** Does the file show this environment rendering HTML (.html templates, a literal with tags) or only text? */
function htmlEvidence(call: SyntaxNode, name: string, template: SyntaxNode | undefined, source: string): { kind: "html" | "text" | "unknown"; what: string } {
  if (/Template$/.test(name)) {
    const text = template ? stringValue(template) : null;
    if (text === null) return { kind: "unknown", what: "" };
    return TAG.test(text) && text.includes("{{") ? { kind: "html", what: "an HTML template literal" } : { kind: "text", what: "" };
  }
  let target: string | null = null;
  const parent = call.parent;
  if (parent?.type === "assignment" && parent.childForFieldName("right")?.id === call.id) target = parent.childForFieldName("left")?.text ?? null;
  // `Environment(...).get_template("x.html")` directly, or `<target>.get_template("x.html")` anywhere in the file
  const uses: { method: string; value: string }[] = [];
  const direct = parent?.type === "attribute" && parent.parent?.type === "call" ? callArguments(parent.parent).positional[0] : undefined;
  if (direct) uses.push({ method: parent!.childForFieldName("attribute")?.text ?? "", value: stringValue(direct) ?? "" });
  if (target && /^[\w.]+$/.test(target)) {
    // `\(\s*(?:\[\s*)?`, not `\(\s*\[?\s*`: two runs of blanks side by side backtrack quadratically
    const pattern = new RegExp(`(?<![\\w.])${target.replace(/\./g, "\\.")}\\s*\\.\\s*(get_template|select_template|get_or_select_template|from_string)\\(\\s*(?:\\[\\s*)?(?:"([^"\\n]{0,300})"|'([^'\\n]{0,300})')`, "g");
    for (const m of source.matchAll(pattern)) uses.push({ method: m[1]!, value: m[2] ?? m[3] ?? "" });
  }
  let text = false;
  for (const { method, value } of uses) {
    if (!/^(get_template|select_template|get_or_select_template|from_string)$/.test(method)) continue;
    if (/\.(html?|xhtml|xml|svg)$/i.test(value) || (method === "from_string" && TAG.test(value))) {
      return { kind: "html", what: method === "from_string" ? "from_string() of an HTML literal" : `${method}("${value}")` };
    }
    if (/\.\w+$/.test(value) || method === "from_string") text = true;
  }
  return { kind: text ? "text" : "unknown", what: "" };
}

/** app.jinja_env.autoescape = False, app.jinja_options = {"autoescape": False}, jinja_options["autoescape"] = False. */
function checkAutoescapeAssignment(assignment: SyntaxNode, ctx: RuleContext): void {
  const left = assignment.childForFieldName("left");
  const right = assignment.childForFieldName("right");
  if (!left || !right) return;
  const off = (v: SyntaxNode | null | undefined) => !!v && (isFalsyLiteral(v) || isLambdaFalse(v));
  if (left.type === "attribute" && left.childForFieldName("attribute")?.text === "autoescape") {
    const env = left.childForFieldName("object");
    if (env?.type !== "attribute" || env.childForFieldName("attribute")?.text !== "jinja_env" || !off(right)) return;
    const app = env.childForFieldName("object")!.text;
    ctx.report({
      node: right,
      message: `${left.text} = ${right.text} turns off Flask's HTML escaping for every template: each {{ value }} is inserted as raw HTML.`,
      fix: { safety: "review", description: "restore Flask's default (escape .html/.htm/.xml/.xhtml/.svg templates)", edits: [{ node: right, text: `${app}.select_jinja_autoescape` }] },
    });
    return;
  }
  let value: SyntaxNode | null = null;
  const target = left.text;
  if (target.endsWith("jinja_options") && /(^|\.)jinja_options$/.test(target)) {
    const r = unwrap(right);
    if (r.type === "dictionary") value = r.namedChildren.find((p) => stringValue(p.childForFieldName("key")) === "autoescape")?.childForFieldName("value") ?? null;
    else if (r.type === "call" && r.childForFieldName("function")?.text === "dict") value = callArguments(r).keywords.get("autoescape") ?? null;
  } else if (left.type === "subscript" && stringValue(left.childForFieldName("subscript")) === "autoescape" && /(^|\.)jinja_options$/.test(left.childForFieldName("value")?.text ?? "")) {
    value = right;
  }
  if (!off(value)) return;
  ctx.report({
    node: value!,
    message: `jinja_options sets autoescape to ${value!.text}: Flask renders every template without HTML escaping, so each {{ value }} is inserted as raw HTML.`,
    fix: { safety: "review", description: "turn it on (or drop the option: Flask's default escapes .html/.htm/.xml/.xhtml/.svg templates)", edits: [{ node: value!, text: "True" }] },
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Templates (Jinja syntax, linear scan)

/** Filters whose output cannot carry markup: |safe after them is harmless. striptags is NOT one (it unescapes). */
const NEUTRALIZING = /^(e|escape|forceescape|tojson|int|float|length|count|urlencode|filesizeformat|wordcount|sanitize\w*|bleach\w*|clean\w*|nh3\w*)$/;
/** Names of raw user input: |safe on them is almost certainly XSS. */
const USER_INPUT = /(^|_)(comments?|bio|q|query|search|messages?|msg|feedback|reviews?|reply|replies|input|about|signature|nickname|username|display_name|user_input|raw)(_|$)/i;
/** Names of values that are most likely numbers: an unquoted attribute holding one is a weaker finding. */
const NUMERIC_NAME = /^(id|\w+_id|pk|count|total|page|index|size|year|num\w*|\w+_count)$/;
/** Names of markup the application produced (typically by a sanitizer or a Markdown renderer): verify, low confidence. */
const PRE_RENDERED = /(^|_)(html|svg|markup)$/i;

interface JinjaExpr { start: number; end: number; inner: string }

const MAX_FINDINGS_PER_LINE = 20;
const MAX_FIX_LINE = 2000;

function checkTemplate(ctx: TextRuleContext): void {
  if (ctx.isTestFile) return;
  // Minified or hostile templates: a bounded number of findings per line, and no whole-line fix on a huge line.
  const perLine = new Map<number, number>();
  const wants = (line: number) => (perLine.get(line) ?? 0) < MAX_FINDINGS_PER_LINE;
  const report = (input: TextReportInput) => {
    if (!wants(input.line)) return;
    perLine.set(input.line, (perLine.get(input.line) ?? 0) + 1);
    ctx.report((ctx.lines[input.line - 1]?.length ?? 0) > MAX_FIX_LINE ? { ...input, fix: undefined } : input);
  };
  const text = maskNonCode(ctx.source);
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const pos = (offset: number) => {
    let lo = 0, hi = lineStarts.length - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (lineStarts[mid]! <= offset) lo = mid; else hi = mid - 1; }
    return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
  };
  const missing = new Set<string>(); // needles with no further occurrence: keeps hostile input linear
  const find = (needle: string, from: number) => {
    if (missing.has(needle)) return -1;
    const at = text.indexOf(needle, from);
    if (at < 0) missing.add(needle);
    return at;
  };
  const regions: { start: number; outputs: string[] }[] = []; // open {% autoescape false %} blocks (innermost last)
  const autoescapeStack: boolean[] = [];
  const unquoted: Unquoted[] = [];

  const expressionAt = (i: number): JinjaExpr | null => {
    const end = find("}}", i + 2);
    return end < 0 ? null : { start: i, end: end + 2, inner: text.slice(i + 2, end) };
  };
  const onExpression = (e: JinjaExpr) => {
    const { base, filters } = splitFilters(e.inner);
    const region = autoescapeStack.at(-1) === false ? regions.at(-1) : undefined;
    if (region) {
      if (!inert(base, filters) && !NEUTRALIZING.test(filters.at(-1)?.name ?? "")) region.outputs.push(base.trim());
      return;
    }
    reportSafe(e.start, e.end, base, filters, e.inner.includes("|"));
  };
  /** `{{ x|safe }}` (removable: the fix can drop the filter) or `{% set y = x|safe %}`. */
  const reportSafe = (start: number, end: number, base: string, filters: Filter[], removable: boolean) => {
    const safeAt = filters.findIndex((f) => f.name === "safe");
    if (safeAt < 0 || isLiteral(base) || /^(caller|super|self\.\w+|csrf_token)\s*\(/.test(base.trim())) return;
    if (filters.slice(0, safeAt).some((f) => NEUTRALIZING.test(f.name))) return;
    if (!wants(pos(start).line)) return;
    const names = base.match(/[A-Za-z_]\w*/g) ?? [];
    const last = names.at(-1) ?? "";
    const confidence: Confidence = PRE_RENDERED.test(last) ? "low"
      : /\brequest\s*\./.test(base) || names.some((n) => USER_INPUT.test(n)) ? "high" : "medium";
    const at = pos(start);
    const line = ctx.lines[at.line - 1] ?? "";
    const shown = base.trim().length > 40 ? `${base.trim().slice(0, 39)}…` : base.trim();
    const cut = filters[safeAt]!;
    const from = start + 2 + cut.pipe;
    const to = start + 2 + cut.endOffset;
    const sameLine = pos(end).line === at.line;
    report({
      line: at.line, startColumn: at.column, endColumn: sameLine ? pos(end).column : undefined, confidence,
      message: confidence === "low"
        ? `|safe renders ${shown} as raw HTML: the name suggests markup the application built; verify that it comes from a trusted HTML sanitizer, never from raw user input.`
        : `|safe renders ${shown} without escaping: if it holds user content (${confidence === "high" ? "the name says it does" : "check where the template gets it"}), a crafted value runs script in the page.`,
      fix: confidence === "low" || !sameLine || !removable ? undefined : {
        safety: "review", startLine: at.line, endLine: at.line,
        description: "remove |safe so autoescaping applies (sanitize with nh3/bleach first if the value must keep HTML)",
        replacement: line.slice(0, from - lineStarts[at.line - 1]!).trimEnd() + line.slice(to - lineStarts[at.line - 1]!),
      },
    });
  };
  const onStatement = (start: number, inner: string) => {
    const statement = inner.replace(/^[-+]/, "").replace(/[-+]$/, "").trim();
    const auto = /^autoescape\s+(\S+)$/.exec(statement);
    if (auto) {
      const on = !/^(false|False|0)$/.test(auto[1]!);
      autoescapeStack.push(on);
      if (!on) regions.push({ start, outputs: [] });
      return;
    }
    if (/^endautoescape\b/.test(statement)) {
      if (autoescapeStack.pop() === false) closeRegion(regions.pop());
      return;
    }
    const set = /^set\s+[\w\s,]+=([^]*)$/.exec(statement);
    if (set && autoescapeStack.at(-1) !== false) {
      const { base, filters } = splitFilters(set[1]!);
      reportSafe(start, start + inner.length + 4, base, filters, false);
    }
  };
  const closeRegion = (region: { start: number; outputs: string[] } | undefined) => {
    if (!region || region.outputs.length === 0 || !wants(pos(region.start).line)) return;
    const at = pos(region.start);
    const line = ctx.lines[at.line - 1] ?? "";
    const names = region.outputs.slice(0, 3).map((o) => `{{ ${o.length > 30 ? `${o.slice(0, 29)}…` : o} }}`).join(", ");
    const keyword = /\bfalse\b|\bFalse\b/.exec(line.slice(at.column - 1, at.column + 80));
    report({
      line: at.line, startColumn: at.column, confidence: "medium",
      message: `{% autoescape false %} outputs ${names}${region.outputs.length > 3 ? " and more" : ""} without escaping: any of them holding user content runs as markup in the page.`,
      fix: keyword ? {
        safety: "review", startLine: at.line, endLine: at.line, description: "keep autoescaping on; mark only trusted values |safe",
        replacement: line.slice(0, at.column - 1 + keyword.index) + "true" + line.slice(at.column - 1 + keyword.index + 5),
      } : undefined,
    });
  };

  // Attribute values: quoted ones may hold {{ x|tojson }} (needs single quotes); unquoted ones must not hold {{ }}.
  const attributeValue = (eq: number): number => {
    let j = eq + 1;
    while (j < text.length && /[ \t\r\n]/.test(text[j]!)) j++;
    const attr = /[\w:.@-]{1,64}\s*$/.exec(text.slice(Math.max(0, eq - 80), eq))?.[0].trim() ?? "";
    const quote = text[j];
    if (quote === '"' || quote === "'") {
      let k = j + 1;
      let tojson = false;
      while (k < text.length && text[k] !== quote) {
        if (text.startsWith("{{", k)) {
          const e = expressionAt(k);
          if (!e) return text.length;
          onExpression(e);
          if (splitFilters(e.inner).filters.some((f) => f.name === "tojson")) tojson = true;
          k = e.end;
        } else if (text.startsWith("{%", k)) {
          const end = find("%}", k + 2);
          if (end < 0) return text.length;
          onStatement(k, text.slice(k + 2, end));
          k = end + 2;
        } else k++;
      }
      if (tojson && quote === '"' && autoescapeStack.at(-1) !== false) reportTojson(j, k, attr);
      return k + 1;
    }
    let k = j;
    let hasOutput = false;
    let allInert = true;
    let textual = false; // an output that is not obviously a number (ids, counts): those can hold spaces
    while (k < text.length && !/[\s>]/.test(text[k]!) && !text.startsWith("/>", k)) {
      if (text.startsWith("{{", k)) {
        const e = expressionAt(k);
        if (!e) return text.length;
        onExpression(e);
        const { base, filters } = splitFilters(e.inner);
        hasOutput = true;
        if (!inert(base, filters)) {
          allInert = false;
          if (!NUMERIC_NAME.test(lastWord(base.trim()))) textual = true;
        }
        k = e.end;
      } else if (text.startsWith("{%", k)) {
        const end = find("%}", k + 2);
        if (end < 0) return text.length;
        onStatement(k, text.slice(k + 2, end));
        k = end + 2;
      } else k++;
    }
    if (hasOutput && !allInert) {
      const raw = ctx.source.slice(j, k);
      unquoted.push({ start: Math.max(0, eq - attr.length), end: k, valueStart: j, attr, confidence: textual ? "high" : "medium", fixable: pos(j).line === pos(k).line && !/["']/.test(raw.replace(/\{\{[^]*?\}\}/g, "")) });
    }
    return k;
  };
  const reportTojson = (open: number, close: number, attr: string) => {
    const at = pos(open);
    if (!wants(at.line)) return;
    const line = ctx.lines[at.line - 1] ?? "";
    const sameLine = pos(close).line === at.line;
    const value = ctx.source.slice(open + 1, close);
    const col = (o: number) => o - lineStarts[at.line - 1]!;
    report({
      line: at.line, startColumn: at.column, endColumn: sameLine ? pos(close).column + 1 : undefined, confidence: "medium",
      message: `${attr}="...{{ ...|tojson }}...": tojson does not escape double quotes, so a string value ends the attribute and the rest is parsed as new attributes. Use single quotes around the attribute (Flask's documented form).`,
      fix: sameLine && !value.includes("'") ? {
        safety: "safe", startLine: at.line, endLine: at.line, description: "quote the attribute with single quotes, which tojson escapes",
        replacement: `${line.slice(0, col(open))}'${value}'${line.slice(col(close) + 1)}`,
      } : undefined,
    });
  };

  // The scan: text, tags, HTML comments and script/style content; Jinja constructs are handled wherever they occur.
  let mode: "text" | "tag" | "comment" | "raw" = "text";
  let tagName = "";
  let i = 0;
  while (i < text.length) {
    if (text[i] === "{" && (text[i + 1] === "{" || text[i + 1] === "%")) {
      if (text[i + 1] === "{") {
        const e = expressionAt(i);
        if (!e) break;
        onExpression(e);
        i = e.end;
      } else {
        const end = find("%}", i + 2);
        if (end < 0) break;
        onStatement(i, text.slice(i + 2, end));
        i = end + 2;
      }
      continue;
    }
    const c = text[i]!;
    if (mode === "text") {
      if (c === "<" && text.startsWith("<!--", i)) { mode = "comment"; i += 4; continue; }
      const open = c === "<" ? /^<([A-Za-z][\w:-]{0,40})/.exec(text.slice(i, i + 42)) : null;
      if (open) { tagName = open[1]!.toLowerCase(); mode = "tag"; i += open[0].length; continue; }
    } else if (mode === "comment") {
      if (text.startsWith("-->", i)) { mode = "text"; i += 3; continue; }
    } else if (mode === "raw") {
      if (c === "<" && text.slice(i, i + 2 + tagName.length).toLowerCase() === `</${tagName}`) { mode = "text"; continue; }
    } else if (c === ">") {
      mode = tagName === "script" || tagName === "style" ? "raw" : "text";
    } else if (c === "=") {
      i = attributeValue(i);
      continue;
    }
    i++;
  }
  for (const region of regions) closeRegion(region); // blocks left open at the end of the file
  reportUnquoted(ctx, report, unquoted, pos, lineStarts);
}

interface Unquoted { start: number; end: number; valueStart: number; attr: string; confidence: Confidence; fixable: boolean }

function reportUnquoted(
  ctx: TextRuleContext,
  report: (input: TextReportInput) => void,
  found: Unquoted[],
  pos: (o: number) => { line: number; column: number },
  lineStarts: number[],
): void {
  const byLine = new Map<number, typeof found>();
  for (const f of found) {
    const line = pos(f.valueStart).line;
    const items = byLine.get(line) ?? [];
    if (items.length < MAX_FINDINGS_PER_LINE) items.push(f);
    byLine.set(line, items);
  }
  for (const [line, items] of byLine) {
    let fix: Fix | undefined;
    if (items.every((f) => f.fixable) && (ctx.lines[line - 1]?.length ?? 0) <= MAX_FIX_LINE) {
      let replacement = ctx.lines[line - 1] ?? "";
      for (const f of [...items].reverse()) {
        const a = f.valueStart - lineStarts[line - 1]!;
        const b = f.end - lineStarts[line - 1]!;
        const value = replacement.slice(a, b);
        const q = value.includes('"') ? "'" : '"';
        replacement = `${replacement.slice(0, a)}${q}${value}${q}${replacement.slice(b)}`;
      }
      fix = { safety: "safe", startLine: line, endLine: line, replacement, description: "quote the attribute value" };
    }
    for (const f of items) {
      const at = pos(f.start);
      const value = ctx.source.slice(f.valueStart, f.end);
      const q = value.includes('"') ? "'" : '"';
      report({
        line, startColumn: at.line === line ? at.column : 1, endColumn: pos(f.end).line === line ? pos(f.end).column : undefined, confidence: f.confidence,
        message: `Unquoted attribute ${f.attr}=${value.length > 40 ? `${value.slice(0, 39)}…` : value}: autoescaping does not escape spaces, so a value like "x onfocus=alert(1) autofocus" adds event-handler attributes. Quote it: ${f.attr}=${q}${value.length > 40 ? "…" : value}${q}.`,
        fix,
      });
    }
  }
}

interface Filter { name: string; pipe: number; endOffset: number }

/** `base|f1(args)|f2`: the base expression and the filters applied at top level (outside quotes and brackets). */
function splitFilters(inner: string): { base: string; filters: Filter[] } {
  const filters: Filter[] = [];
  let depth = 0;
  let quote = "";
  let baseEnd = -1;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (quote) { if (c === quote && inner[i - 1] !== "\\") quote = ""; continue; }
    if (c === '"' || c === "'") quote = c;
    else if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth = Math.max(0, depth - 1);
    else if (c === "|" && depth === 0) {
      if (baseEnd < 0) baseEnd = i;
      const name = /^\s*([A-Za-z_]\w*)/.exec(inner.slice(i + 1, i + 80));
      if (name) filters.push({ name: name[1]!, pipe: i, endOffset: i + 1 + name[0].length });
    }
  }
  return { base: baseEnd < 0 ? inner : inner.slice(0, baseEnd), filters };
}

function isLiteral(base: string): boolean {
  return /^\s*(?:"[^"\\]*"|'[^'\\]*'|-?\d+(?:\.\d+)?|true|false|none|True|False|None)\s*$/.test(base);
}

/** An output that cannot contain markup or spaces: literals, url_for(), csrf_token(), loop counters, numbers. */
function inert(base: string, filters: Filter[]): boolean {
  const b = base.trim();
  if (isLiteral(b) || /^(url_for|csrf_token)\s*\(/.test(b) || /^loop\.(index0?|revindex0?|length|depth0?)$/.test(b)) return true;
  return /^(int|float|length|count|urlencode)$/.test(filters.at(-1)?.name ?? "");
}

/** Blank out Jinja comments {# #} and {% raw %} blocks (their content is not code), keeping offsets and newlines. */
function maskNonCode(source: string): string {
  const opener = /\{#|\{%[-+]?\s*raw\s*[-+]?%\}/g;
  const endRaw = /\{%[-+]?\s*endraw\s*[-+]?%\}/g;
  let out = "";
  let cursor = 0;
  for (let m = opener.exec(source); m; m = opener.exec(source)) {
    let end: number;
    if (m[0] === "{#") {
      const close = source.indexOf("#}", m.index + 2);
      end = close < 0 ? source.length : close + 2;
    } else {
      endRaw.lastIndex = m.index + m[0].length;
      const close = endRaw.exec(source);
      end = close ? close.index + close[0].length : source.length;
    }
    out += source.slice(cursor, m.index) + source.slice(m.index, end).replace(/[^\n]/g, " ");
    cursor = end;
    opener.lastIndex = end;
    if (end >= source.length) break;
  }
  return out + source.slice(cursor);
}
