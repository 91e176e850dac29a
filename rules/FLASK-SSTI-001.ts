// FLASK-SSTI-001: a template source (render_template_string, jinja2.Template, <env>.from_string) built from
// untrusted input, and str.format() called on an untrusted format string (spec FLASK-SSTI-001).
//
// The showcase fix turns a template built by an f-string, `+`, `%` or a constant `.format()` into a constant Jinja
// template whose values are passed as context: `render_template_string(f"<h1>{name}</h1>")` ->
// `render_template_string("<h1>{{ name }}</h1>", name=name)`. render_template_string autoescapes, so the fix also
// removes the XSS the interpolation had.
import type { SyntaxNode } from "tree-sitter";
import { callNames, defineRule, type RuleContext } from "../src/core/define-rule.js";
import { assignmentsIn, callArguments, classBases, enclosingFunction, rootOf, stringValue, topLevelDefinition, unwrap } from "../src/core/python.js";
import type { Taint } from "../src/core/taint.js";
import type { Confidence } from "../src/core/types.js";

const RULE_ID = "FLASK-SSTI-001";

/** Flask helpers whose first argument is a Jinja template source rendered with the app's (unsandboxed) environment. */
const RENDER_FUNCTIONS = new Set([
  "flask.render_template_string", "flask.templating.render_template_string",
  "flask.stream_template_string", "flask.templating.stream_template_string",
]);

/** Jinja template classes whose constructor compiles a template source. */
const TEMPLATE_CLASSES = new Set([
  "jinja2.Template", "jinja2.environment.Template", "jinja2.nativetypes.NativeTemplate",
]);

/**
 * The calls the check can act on, for the engine's prefilter: the last part of the render function and template
 * class names (a call answers to it as written and as resolved through the imports: `from flask import
 * render_template_string as rts` -> `render_template_string`), `.from_string()` and `.format()`/`.format_map()` on
 * any receiver (`str.format(template, ...)` included).
 */
const SINK_NAMES = [
  ...callNames([...RENDER_FUNCTIONS, ...TEMPLATE_CLASSES]),
  "from_string", "format", "format_map",
];

/**
 * HTML sanitizers the shared taint helper treats as ending the taint (or as unknown calls). They escape `<>&"'`
 * only: `{{ 7*7 }}` and `{% ... %}` survive them, so a template built from their output is still injectable.
 */
const HTML_ONLY_SANITIZERS = new Set([
  "markupsafe.escape", "flask.escape", "jinja2.escape", "html.escape", "werkzeug.utils.escape", "cgi.escape",
  "markupsafe.Markup.escape", "flask.Markup.escape", "markupsafe.Markup", "flask.Markup", "jinja2.Markup",
  "markupsafe.soft_str", "bleach.clean", "bleach.linkify",
]);

/** Escapers whose effect autoescaping reproduces: `{escape(x)}` becomes `{{ x }}`. */
const AUTOESCAPE_EQUIVALENT = new Set([
  "markupsafe.escape", "flask.escape", "jinja2.escape", "html.escape", "markupsafe.Markup.escape", "flask.Markup.escape",
]);

/** String methods through which an escaped value keeps flowing into the template source. */
const STRING_METHODS = new Set([
  "strip", "lstrip", "rstrip", "lower", "upper", "title", "capitalize", "replace", "ljust", "rjust", "center",
]);

/** Names a context variable must not take: Python keywords, Jinja keywords/special names, render_*_string's own parameter. */
const RESERVED_NAMES = new Set([
  "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif",
  "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or",
  "pass", "raise", "return", "try", "while", "with", "yield",
  "true", "false", "none", "self", "loop", "caller", "varargs", "kwargs", "source",
]);

/** A slot whose value is probably pre-built markup: autoescaping it would change the page, so no fix is offered. */
const HTML_LIKE = /html|markup|svg|xml/i;

type SinkKind = "render" | "template" | "from_string";

interface Sink {
  kind: SinkKind;
  /** The template source argument. */
  source: SyntaxNode;
  /** from_string() on a receiver not known to be a Jinja environment. */
  unsureReceiver: boolean;
}

interface TemplateTaint {
  taint: Taint;
  /** The HTML escaper the taint passed through (the shared helper stops there), or null. */
  escaper: string | null;
}

type Edit = { node: SyntaxNode; text: string };

export default defineRule({
  id: RULE_ID,
  title: "Template source built from untrusted input (server-side template injection)",
  severity: "critical",
  confidence: "high",
  cwe: ["CWE-1336", "CWE-94"],
  spec: "FLASK-SSTI-001",
  docs: {
    impact:
      "Jinja evaluates every {{ ... }} and {% ... %} in a template source. Whoever controls the source given to " +
      "render_template_string(), jinja2.Template() or Environment.from_string() (a query parameter, a form field, an " +
      "upload, a template stored in the database) can read the app config and SECRET_KEY and run Python on the server, " +
      "e.g. {{ cycler.__init__.__globals__.os.popen('id').read() }}. A user-supplied str.format() string likewise walks " +
      "the attributes of its arguments ({user.__init__.__globals__}) and leaks secrets.",
    fix:
      "Keep the template source constant and pass user data as context variables: " +
      "render_template_string(\"<h1>Hello {{ name }}!</h1>\", name=name) (autoescaped, so this also removes the XSS of " +
      "an interpolated value). For user-defined message templates use string.Template(...).safe_substitute(...) or " +
      "str.replace(), which cannot evaluate expressions; never call .format() on a user-supplied string.",
    mitigation:
      "If users really must author templates, render them only with jinja2.sandbox.SandboxedEnvironment (or " +
      "ImmutableSandboxedEnvironment) with a minimal context and strict allowlists, keep Jinja updated, assume sandbox " +
      "escapes exist and isolate the renderer. Restrict and audit who can edit stored templates.",
    falsePositives:
      "Silent for constant templates with user data passed as context, render_template() with file templates, " +
      "templates read from the application's own files, SandboxedEnvironment().from_string(), and values passed " +
      "through int(), url_for() or secure_filename(). HTML escaping (escape(), Markup, bleach.clean) does not neutralise " +
      "{{ }}, so it does not silence the rule. Templates loaded from a database row are reported with medium " +
      "confidence: verify whether untrusted users can write them. from_string() on a receiver the rule cannot identify " +
      "as a Jinja environment gets a lower confidence, and an app-wide sandbox (a Flask subclass whose " +
      "jinja_environment is a SandboxedEnvironment) is not recognised: verify it.",
    bad: [
      "from flask import Flask, request, render_template_string",
      "",
      "app = Flask(__name__)",
      "",
      "@app.route(\"/hello\")",
      "def hello():",
      "    name = request.args.get(\"name\", \"\")",
      "    return render_template_string(f\"<h1>Hello {name}!</h1>\")",
      "",
    ].join("\n"),
    good: [
      "from flask import Flask, request, render_template_string",
      "",
      "app = Flask(__name__)",
      "",
      "@app.route(\"/hello\")",
      "def hello():",
      "    name = request.args.get(\"name\", \"\")",
      "    return render_template_string(\"<h1>Hello {{ name }}!</h1>\", name=name)",
      "",
    ].join("\n"),
  },
  on: ["call"],
  names: { call: SINK_NAMES },
  check(call, ctx) {
    const sink = sinkOf(call, ctx);
    if (sink) {
      checkTemplateSink(call, sink, ctx);
      return;
    }
    checkFormatString(call, ctx);
  },
});

// ---------------------------------------------------------------------------------------------------------------
// Template sinks

function sinkOf(call: SyntaxNode, ctx: RuleContext): Sink | null {
  const fn = call.childForFieldName("function");
  if (!fn) return null;
  const name = ctx.resolve(fn);
  let kind: SinkKind | null = null;
  let unsureReceiver = false;
  if (name && RENDER_FUNCTIONS.has(name)) kind = "render";
  else if (name && TEMPLATE_CLASSES.has(name)) kind = "template";
  else if (fn.type === "attribute" && fn.childForFieldName("attribute")?.text === "from_string") {
    const receiver = fn.childForFieldName("object");
    const receiverKind = receiver ? classifyReceiver(receiver, ctx, 0) : "unknown";
    if (receiverKind === "sandbox" || receiverKind === "foreign") return null;
    kind = "from_string";
    unsureReceiver = receiverKind === "unknown";
  }
  if (!kind) return null;
  const args = callArguments(call);
  const source = args.positional[0] ?? args.keywords.get("source");
  return source ? { kind, source, unsureReceiver } : null;
}

function checkTemplateSink(call: SyntaxNode, sink: Sink, ctx: RuleContext): void {
  const found = templateTaint(sink.source, ctx);
  if (!found) return;
  const { taint, escaper } = found;
  const callee = shortLabel(call.childForFieldName("function")!.text);
  const source = unwrap(sink.source);
  const variable = source.type === "identifier" ? source.text : null;
  const built = variable ? assignedValue(source) : source;
  const shape = built ? shapeOf(built) : null;
  const how = `${shape ? ` through ${shape}` : ""}${variable ? `${shape ? " assigned to" : " via"} ${variable}` : ""}`;
  const escapeNote = escaper ? ` (${shortLabel(escaper)}() escapes HTML only: {{ }} survives it)` : "";
  const origin = taint.flow[0]?.label ?? taint.source;
  const message =
    taint.level === "direct"
      ? `${origin} reaches ${callee}() as the template source${how}${escapeNote}: Jinja evaluates any {{ ... }} in it, so a request can run code on the server.`
      : `A template loaded from the database (${origin}) reaches ${callee}()${how} and is rendered by the unsandboxed Jinja environment: whoever can edit it can run code on the server.`;
  let confidence: Confidence = taint.level === "direct" ? "high" : "medium";
  if (sink.unsureReceiver) confidence = confidence === "high" ? "medium" : "low";
  ctx.report({
    node: sink.source,
    message,
    confidence,
    flow: taint.flow,
    fix: sink.kind === "render" ? constantTemplateFix(call, sink.source, ctx) : undefined,
  });
}

/** The taint of a template source, looking through HTML escapers (which do not neutralise template syntax). */
function templateTaint(source: SyntaxNode, ctx: RuleContext): TemplateTaint | null {
  const taint = ctx.taint(source);
  if (taint) return { taint, escaper: null };
  return throughHtmlEscape(source, ctx, 0);
}

function throughHtmlEscape(node: SyntaxNode, ctx: RuleContext, depth: number): TemplateTaint | null {
  if (depth > 4) return null;
  const n = unwrap(node);
  const first = (nodes: (SyntaxNode | null | undefined)[]): TemplateTaint | null => {
    for (const item of nodes) {
      const found = item ? throughHtmlEscape(item, ctx, depth + 1) : null;
      if (found) return found;
    }
    return null;
  };
  switch (n.type) {
    case "call": {
      const fn = n.childForFieldName("function");
      if (!fn) return null;
      const name = ctx.resolve(fn);
      const args = callArguments(n);
      if (name && HTML_ONLY_SANITIZERS.has(name)) {
        const arg = args.positional[0];
        if (!arg) return null;
        const taint = ctx.taint(arg);
        return taint ? { taint, escaper: fn.text } : throughHtmlEscape(arg, ctx, depth + 1);
      }
      if (name === "str") return first(args.positional);
      if (fn.type !== "attribute") return null;
      const method = fn.childForFieldName("attribute")?.text ?? "";
      const receiver = fn.childForFieldName("object");
      if (method === "format" || method === "format_map" || method === "join") {
        return first([receiver, ...args.positional, ...args.keywords.values()]);
      }
      return STRING_METHODS.has(method) ? first([receiver]) : null;
    }
    case "string":
      return first(n.namedChildren.filter((c) => c.type === "interpolation").map((c) => c.namedChild(0)));
    case "concatenated_string":
    case "tuple":
    case "list":
    case "expression_list":
      return first(n.namedChildren);
    case "dictionary":
      return first(n.namedChildren.map((pair) => pair.childForFieldName("value")));
    case "binary_operator": {
      const operator = n.childForFieldName("operator")?.text;
      return operator === "+" || operator === "%" ? first([n.childForFieldName("left"), n.childForFieldName("right")]) : null;
    }
    case "conditional_expression":
      return first([n.namedChild(0), n.namedChild(2)]);
    case "identifier":
      return first([assignedValue(n)]);
    default:
      return null;
  }
}

/** "an f-string", "string concatenation"...: how a template source was built, for the message. */
function shapeOf(expr: SyntaxNode): string | null {
  const n = unwrap(expr);
  if (n.type === "string" && n.namedChildren.some((c) => c.type === "interpolation")) return "an f-string";
  if (n.type === "concatenated_string" && n.namedChildren.some((p) => p.namedChildren.some((c) => c.type === "interpolation"))) {
    return "an f-string";
  }
  if (n.type === "binary_operator") {
    const operator = n.childForFieldName("operator")?.text;
    if (operator === "+") return "string concatenation";
    if (operator === "%") return "%-formatting";
  }
  if (n.type === "call") {
    const fn = n.childForFieldName("function");
    const method = fn?.type === "attribute" ? fn.childForFieldName("attribute")?.text : null;
    if (method === "format" || method === "format_map") return "str.format()";
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// from_string() receivers

type ReceiverKind = "sandbox" | "jinja" | "foreign" | "unknown";

/** Is the receiver of `.from_string()` a sandboxed environment, a Jinja environment, something else entirely? */
function classifyReceiver(receiver: SyntaxNode, ctx: RuleContext, depth: number): ReceiverKind {
  const r = unwrap(receiver);
  if (depth > 3) return "unknown";
  if (r.type === "call") return classifyConstructor(r.childForFieldName("function"), ctx);
  const name = ctx.resolve(r);
  if (name && (/(^|\.)jinja_env$/.test(name) || name.startsWith("jinja2.") || name.startsWith("flask."))) return "jinja";
  if (r.type === "identifier") {
    const value = assignedValue(r);
    if (value) return classifyReceiver(value, ctx, depth + 1);
    if (localClass(r, r.text)) return "foreign"; // a class of this file: its own from_string()
    if (name && name !== r.text) {
      // imported: a class (Color.from_string) or a module function is not a Jinja environment
      const last = name.split(".").pop() ?? "";
      if (/^[A-Z]/.test(last) || ctx.hasImport(name)) return "foreign";
    }
    return "unknown";
  }
  if (r.type === "attribute") {
    const value = selfAttributeValue(r);
    if (value) return classifyReceiver(value, ctx, depth + 1);
  }
  return "unknown";
}

function classifyConstructor(fn: SyntaxNode | null, ctx: RuleContext): ReceiverKind {
  if (!fn) return "unknown";
  const name = ctx.resolve(fn) ?? fn.text;
  const last = name.split(".").pop() ?? "";
  if (/SandboxedEnvironment$/.test(last)) return "sandbox";
  if (name.startsWith("jinja2.") || /jinja/i.test(last)) return "jinja";
  const cls = fn.type === "identifier" ? localClass(fn, fn.text) : null;
  if (cls) {
    const bases = classBases(cls);
    if (bases.some((b) => /SandboxedEnvironment$/.test(b))) return "sandbox";
    return bases.some((b) => /Environment$/.test(b)) ? "jinja" : "foreign";
  }
  if (/^[A-Z]/.test(last) && !/Env(ironment)?$/.test(last)) return "foreign";
  return "unknown";
}

/** A class defined at the top level of the file. */
function localClass(anyNode: SyntaxNode, name: string): SyntaxNode | null {
  return topLevelDefinition(rootOf(anyNode), name, "class_definition");
}

/** `self.env` / `cls.env`: the value assigned to it in the class (`self.env = X(...)` or a class attribute `env = X(...)`). */
function selfAttributeValue(attribute: SyntaxNode): SyntaxNode | null {
  const object = attribute.childForFieldName("object");
  const attr = attribute.childForFieldName("attribute")?.text;
  if (!object || !attr || (object.text !== "self" && object.text !== "cls")) return null;
  let cls: SyntaxNode | null = null;
  for (let p = attribute.parent; p; p = p.parent) if (p.type === "class_definition") { cls = p; break; }
  const body = cls?.childForFieldName("body");
  if (!body) return null;
  let value: SyntaxNode | null = null;
  for (const assignment of body.descendantsOfType("assignment")) {
    const left = assignment.childForFieldName("left");
    if (!left) continue;
    const classLevel = left.type === "identifier" && left.text === attr && assignment.parent?.parent === body;
    const instance = left.type === "attribute" && left.text.replace(/\s/g, "") === `${object.text}.${attr}`;
    if (classLevel || instance) value = assignment.childForFieldName("right");
  }
  return value;
}

/**
 * The value last assigned to a name before its use: in the enclosing function (`name = value` statements), else at
 * the module's top level. Null for parameters and for anything else.
 */
function assignedValue(use: SyntaxNode): SyntaxNode | null {
  const name = use.text;
  const fn = enclosingFunction(use);
  if (fn) {
    const body = fn.childForFieldName("body");
    let value: SyntaxNode | null = null;
    for (const assignment of body?.descendantsOfType("assignment") ?? []) {
      if (assignment.endIndex > use.startIndex || enclosingFunction(assignment) !== fn) continue;
      const left = assignment.childForFieldName("left");
      if (left?.type === "identifier" && left.text === name) value = assignment.childForFieldName("right");
    }
    if (value) return value;
    const params = fn.childForFieldName("parameters");
    if (params?.descendantsOfType("identifier").some((p) => p.text === name)) return null;
  }
  // at module level only the bindings written up to the use
  const top = assignmentsIn(rootOf(use), name).filter((a) => fn || a.startIndex <= use.startIndex);
  return top[top.length - 1]?.childForFieldName("right") ?? null;
}

// ---------------------------------------------------------------------------------------------------------------
// str.format() on an untrusted format string

function checkFormatString(call: SyntaxNode, ctx: RuleContext): void {
  const fn = call.childForFieldName("function");
  if (fn?.type !== "attribute") return;
  const method = fn.childForFieldName("attribute")?.text;
  if (method !== "format" && method !== "format_map") return;
  const args = callArguments(call);
  let formatString = fn.childForFieldName("object");
  let values = args.positional.length + args.keywords.size;
  if (ctx.resolve(fn) === `str.${method}`) {
    formatString = args.positional[0] ?? null; // str.format(template, ...)
    values -= 1;
  }
  // no arguments: nothing for the format string to read (it can only raise)
  if (!formatString || (values <= 0 && !args.hasSplat)) return;
  if (stringValue(formatString) !== null) return; // a constant format string
  const taint = ctx.taint(formatString);
  if (taint?.level !== "direct") return;
  if (isReportedTemplateSource(call, ctx)) return; // the template-source finding covers it
  ctx.report({
    node: call,
    severity: "high",
    message: `${taint.flow[0]?.label ?? taint.source} is used as the format string of .${method}(): a user-supplied format string can read attributes of the arguments ({0.__init__.__globals__}) and leak secrets such as the app config.`,
    flow: taint.flow,
  });
}

/** Is this expression the template source of a sink this rule reports (directly, as its argument)? */
function isReportedTemplateSource(expr: SyntaxNode, ctx: RuleContext): boolean {
  let parent = expr.parent;
  while (parent?.type === "parenthesized_expression") parent = parent.parent;
  if (parent?.type === "keyword_argument") parent = parent.parent;
  const call = parent?.type === "argument_list" ? parent.parent : null;
  if (call?.type !== "call") return false;
  const sink = sinkOf(call, ctx);
  return !!sink && sink.source.startIndex <= expr.startIndex && expr.endIndex <= sink.source.endIndex;
}

// ---------------------------------------------------------------------------------------------------------------
// The fix: a constant Jinja template plus context variables

/** A template expression split into literal text and interpolated expressions ("slots"). */
interface TemplatePlan {
  /** Runtime text of the literal parts and the slot expressions, in order. */
  pieces: (string | SyntaxNode)[];
  /** Keyword names suggested by the code itself ("{name}".format(name=...)). */
  hints: Map<number, string>;
  /** The edits of the template expression, given each slot's context variable name. */
  edits(nameOf: (slot: SyntaxNode) => string): Edit[];
  /** Set when the plan rewrites the whole expression (kwargs may then be appended to its text). */
  whole: SyntaxNode | null;
}

function constantTemplateFix(call: SyntaxNode, source: SyntaxNode, ctx: RuleContext) {
  const src = unwrap(source);
  let template = src;
  let assignment: SyntaxNode | null = null;
  if (src.type === "identifier") {
    assignment = singleUseTemplateVariable(src, call);
    const right = assignment?.childForFieldName("right");
    if (!assignment || !right) return undefined;
    template = unwrap(right);
  }
  const plan = planTemplate(template, ctx);
  if (!plan || !literalTextIsPlain(plan.pieces)) return undefined;
  const slots = plan.pieces.filter((p): p is SyntaxNode => typeof p !== "string");
  if (slots.length === 0) return undefined;

  const args = callArguments(call);
  // render_template_string autoescapes: exact for an HTML page, not for plain text (an email body, a CSV line)
  const literalText = plan.pieces.filter((p): p is string => typeof p === "string").join("");
  let exact = !args.hasSplat && /<\/?[a-zA-Z][^<>]*>/.test(literalText);
  const taken = new Map<string, string>(); // context name -> expression text
  for (const [name, value] of args.keywords) taken.set(name, value.text);
  taken.set("source", "\0");
  const names = new Map<string, string>(); // expression text -> context name
  const additions: string[] = [];
  const slotName = new Map<number, string>();
  for (const slot of slots) {
    const info = slotInfo(slot, plan.hints.get(slot.id), ctx);
    if (info.text.includes("\n")) return undefined;
    // pre-built markup: escaping it would break the page; the fix is to move that markup into the template
    if (HTML_LIKE.test(info.text) || HTML_LIKE.test(info.base)) return undefined;
    if (!info.simple) exact = false;
    let name = names.get(info.text);
    if (!name) {
      name = info.base;
      for (let n = 2; taken.has(name) && taken.get(name) !== info.text; n++) name = `${info.base}_${n}`;
      if (!taken.has(name)) additions.push(name === info.text ? `${name}=${name}` : `${name}=${info.text}`);
      taken.set(name, info.text);
      names.set(info.text, name);
    }
    slotName.set(slot.id, name);
  }
  // moving the values to the call must not change what they evaluate to
  if (assignment && !valuesUnchangedBetween(slots, assignment, call)) return undefined;

  const edits = plan.edits((slot) => slotName.get(slot.id)!);
  if (additions.length > 0) {
    const kwargs = `, ${additions.join(", ")}`;
    const lastArg = lastArgument(call);
    if (!lastArg) return undefined;
    const merged = plan.whole && lastArg.endIndex === plan.whole.endIndex ? edits.find((e) => e.node === plan.whole) : undefined;
    if (merged) merged.text += kwargs;
    else {
      const leaf = lastLeaf(lastArg);
      if (edits.some((e) => e.node.startIndex < leaf.endIndex && leaf.startIndex < e.node.endIndex)) return undefined;
      edits.push({ node: leaf, text: leaf.text + kwargs });
    }
  }
  const finalEdits = relativeToAnchor(edits, ctx.source);
  if (!finalEdits) return undefined;
  return {
    safety: exact ? ("safe" as const) : ("review" as const),
    description: exact
      ? "render a constant template and pass the values as context variables (autoescaped)"
      : "render a constant template and pass the values as context variables; check the output: the values are now HTML-escaped, and a moved expression or **context may behave differently",
    edits: finalEdits,
  };
}

function planTemplate(node: SyntaxNode, ctx: RuleContext): TemplatePlan | null {
  if (node.type === "string" || node.type === "concatenated_string") return planFString(node, ctx);
  if (node.type === "binary_operator") {
    const operator = node.childForFieldName("operator")?.text;
    if (operator === "+") return planConcat(node, ctx);
    if (operator === "%") return planPercent(node, ctx);
    return null;
  }
  if (node.type === "call") return planFormat(node, ctx);
  return null;
}

interface LiteralParts {
  open: string;
  close: string;
  pieces: (string | SyntaxNode)[];
  fString: boolean;
}

/** A string literal's delimiters (without the f prefix) and its text and interpolations; null when unsuitable. */
function literalParts(node: SyntaxNode, ctx: RuleContext): LiteralParts | null {
  if (node.type !== "string") return null;
  const start = node.child(0);
  const end = node.child(node.childCount - 1);
  if (start?.type !== "string_start" || end?.type !== "string_end") return null;
  const prefix = /^[a-zA-Z]*/.exec(start.text)?.[0] ?? "";
  if (/[bB]/.test(prefix)) return null;
  const fString = /[fF]/.test(prefix);
  // only plain escapes: \x7b, \N{...} and friends could spell template delimiters
  if (node.descendantsOfType("escape_sequence").some((e) => !/^\\([ntr\\'"]|\r?\n)$/.test(e.text))) return null;
  const pieces: (string | SyntaxNode)[] = [];
  let cursor = start.endIndex;
  for (const child of node.namedChildren) {
    if (child.type !== "interpolation") continue;
    // {x!r}, {x:>4}, {x=}: not a plain value
    if (child.childCount !== 3 || child.startPosition.row !== child.endPosition.row) return null;
    pieces.push(ctx.source.slice(cursor, child.startIndex), child.namedChild(0)!);
    cursor = child.endIndex;
  }
  pieces.push(ctx.source.slice(cursor, end.startIndex));
  // in an f-string, literal braces are written {{ }}: they would become Jinja syntax
  if (fString && pieces.some((p) => typeof p === "string" && /[{}]/.test(p))) return null;
  return { open: start.text.replace(/[fF]/, ""), close: end.text, pieces, fString };
}

/** f"...{x}..." (or an implicit concatenation with f-strings): edit the prefix and each interpolation in place. */
function planFString(node: SyntaxNode, ctx: RuleContext): TemplatePlan | null {
  const strings = node.type === "concatenated_string" ? node.namedChildren : [node];
  const pieces: (string | SyntaxNode)[] = [];
  const fStrings: SyntaxNode[] = [];
  for (const part of strings) {
    const parts = literalParts(part, ctx);
    if (!parts) return null;
    if (parts.fString) fStrings.push(part);
    pieces.push(...parts.pieces);
  }
  if (fStrings.length === 0) return null;
  return {
    pieces,
    hints: new Map(),
    whole: null,
    edits(nameOf) {
      const edits: Edit[] = [];
      for (const part of fStrings) {
        const start = part.child(0)!;
        edits.push({ node: start, text: start.text.replace(/[fF]/, "") });
        for (const child of part.namedChildren) {
          if (child.type === "interpolation") edits.push({ node: child, text: `{{ ${nameOf(child.namedChild(0)!)} }}` });
        }
      }
      return edits;
    },
  };
}

/** "<h1>" + name + "</h1>": one literal with the delimiters of the first literal operand. */
function planConcat(node: SyntaxNode, ctx: RuleContext): TemplatePlan | null {
  const operands: SyntaxNode[] = [];
  const flatten = (n: SyntaxNode): void => {
    const u = unwrap(n);
    if (u.type === "binary_operator" && u.childForFieldName("operator")?.text === "+") {
      flatten(u.childForFieldName("left")!);
      flatten(u.childForFieldName("right")!);
    } else operands.push(u);
  };
  flatten(node);
  let delimiters: { open: string; close: string } | null = null;
  const pieces: (string | SyntaxNode)[] = [];
  for (const operand of operands) {
    if (operand.type === "concatenated_string") return null;
    if (operand.type !== "string") {
      pieces.push(operand);
      continue;
    }
    const parts = literalParts(operand, ctx);
    if (!parts) return null;
    if (!delimiters) delimiters = { open: parts.open, close: parts.close };
    else if (delimiters.open !== parts.open && !requotable(parts, delimiters.open)) return null;
    pieces.push(...parts.pieces);
  }
  if (!delimiters) return null;
  return wholePlan(node, delimiters, pieces, new Map());
}

/** A plain '...' literal can be written inside "..." (and back) when it holds no quote and no backslash. */
function requotable(parts: LiteralParts, open: string): boolean {
  const simpleQuote = /^['"]$/;
  if (!simpleQuote.test(parts.open) || !simpleQuote.test(open)) return false;
  return parts.pieces.every((p) => typeof p !== "string" || !/['"\\]/.test(p));
}

/** "<p>%s</p>" % name or % (a, b): only %s conversions. */
function planPercent(node: SyntaxNode, ctx: RuleContext): TemplatePlan | null {
  const left = unwrap(node.childForFieldName("left")!);
  const right = unwrap(node.childForFieldName("right")!);
  const parts = literalParts(left, ctx);
  if (!parts || parts.fString || parts.pieces.length !== 1) return null;
  if (right.type === "dictionary" || right.type === "list_splat") return null;
  const values = right.type === "tuple" ? right.namedChildren : [right];
  if (values.some((v) => v.type === "list_splat" || v.type === "comment")) return null;
  const text = parts.pieces[0] as string;
  const pieces: (string | SyntaxNode)[] = [];
  let literal = "";
  let used = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== "%") {
      literal += text[i];
      continue;
    }
    const next = text[i + 1];
    i++;
    if (next === "%") literal += "%";
    else if (next === "s" && used < values.length) {
      pieces.push(literal, values[used++]!);
      literal = "";
    } else return null;
  }
  if (used !== values.length) return null;
  pieces.push(literal);
  return wholePlan(node, { open: parts.open, close: parts.close }, pieces, new Map());
}

/** "<p>{}</p>".format(name) / "{0}" / "{name}".format(name=...): plain fields only. */
function planFormat(node: SyntaxNode, ctx: RuleContext): TemplatePlan | null {
  const fn = node.childForFieldName("function");
  if (fn?.type !== "attribute" || fn.childForFieldName("attribute")?.text !== "format") return null;
  const parts = literalParts(unwrap(fn.childForFieldName("object")!), ctx);
  if (!parts || parts.fString || parts.pieces.length !== 1) return null;
  const args = callArguments(node);
  if (args.hasSplat) return null;
  const text = parts.pieces[0] as string;
  const pieces: (string | SyntaxNode)[] = [];
  const hints = new Map<number, string>();
  let auto: boolean | null = null;
  let nextIndex = 0;
  let literal = "";
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    if (c === "}") return null; // "}}" or a stray brace
    if (c !== "{") {
      literal += c;
      i++;
      continue;
    }
    const close = text.indexOf("}", i);
    if (close < 0) return null;
    const field = text.slice(i + 1, close);
    let value: SyntaxNode | undefined;
    if (field === "" || /^\d+$/.test(field)) {
      const isAuto = field === "";
      if (auto !== null && auto !== isAuto) return null;
      auto = isAuto;
      value = args.positional[isAuto ? nextIndex++ : Number(field)];
    } else if (/^[A-Za-z_]\w*$/.test(field)) {
      value = args.keywords.get(field);
      if (value) hints.set(value.id, field);
    } else return null; // {{, {0.attr}, {x[0]}, {x!r}, {x:>4}
    if (!value) return null;
    pieces.push(literal, value);
    literal = "";
    i = close + 1;
  }
  pieces.push(literal);
  return wholePlan(node, { open: parts.open, close: parts.close }, pieces, hints);
}

function wholePlan(
  node: SyntaxNode,
  delimiters: { open: string; close: string },
  pieces: (string | SyntaxNode)[],
  hints: Map<number, string>,
): TemplatePlan {
  return {
    pieces,
    hints,
    whole: node,
    edits(nameOf) {
      const body = pieces.map((p) => (typeof p === "string" ? p : `{{ ${nameOf(p)} }}`)).join("");
      return [{ node, text: `${delimiters.open}${body}${delimiters.close}` }];
    },
  };
}

/** The literal text must not contain Jinja delimiters, nor braces that would merge with a placeholder. */
function literalTextIsPlain(pieces: (string | SyntaxNode)[]): boolean {
  // join adjacent literal pieces, so delimiters split across literals are seen
  const runs: string[] = [""];
  for (const piece of pieces) {
    if (typeof piece === "string") runs[runs.length - 1] += piece;
    else runs.push("");
  }
  return runs.every((run, i) => {
    if (/\{[{%#]/.test(run)) return false;
    if (i < runs.length - 1 && run.endsWith("{")) return false;
    if (i > 0 && run.startsWith("}")) return false;
    return true;
  });
}

interface SlotInfo {
  /** The expression passed as the context value. */
  text: string;
  /** The context variable name it suggests. */
  base: string;
  /** An identifier, attribute chain, literal subscript or .get("key"): moving it to the call is exact. */
  simple: boolean;
}

function slotInfo(slot: SyntaxNode, hint: string | undefined, ctx: RuleContext): SlotInfo {
  let expr = unwrap(slot);
  // {escape(name)} -> {{ name }}: autoescaping does the same
  if (expr.type === "call") {
    const args = callArguments(expr);
    const name = ctx.resolve(expr.childForFieldName("function"));
    if (name && AUTOESCAPE_EQUIVALENT.has(name) && args.positional.length === 1 && args.keywords.size === 0 && !args.hasSplat) {
      expr = unwrap(args.positional[0]!);
    }
  }
  const derived = simpleBase(expr);
  const base = contextName(hint ?? derived ?? "value");
  return { text: expr.text, base, simple: derived !== null };
}

/** The name an identifier, attribute chain, literal subscript or `.get("key")` suggests; null for other shapes. */
function simpleBase(expr: SyntaxNode): string | null {
  const chain = (n: SyntaxNode | null): string[] | null => {
    if (!n) return null;
    if (n.type === "identifier") return [n.text];
    if (n.type !== "attribute") return null;
    const head = chain(n.childForFieldName("object"));
    const attr = n.childForFieldName("attribute")?.text;
    return head && attr ? [...head, attr] : null;
  };
  const whole = chain(expr);
  if (whole) return whole.join("_");
  if (expr.type === "subscript") {
    const base = chain(expr.childForFieldName("value"));
    const keys = expr.childrenForFieldName("subscript");
    if (!base || keys.length !== 1) return null;
    const key = keys[0]!;
    const text = stringValue(key);
    if (text !== null && key.type === "string") return text.toLowerCase();
    if (key.type === "integer") return `${base[base.length - 1]}_${key.text}`;
    return null;
  }
  if (expr.type === "call") {
    const fn = expr.childForFieldName("function");
    if (fn?.type !== "attribute" || fn.childForFieldName("attribute")?.text !== "get") return null;
    if (!chain(fn.childForFieldName("object"))) return null;
    const args = callArguments(expr);
    if (args.hasSplat || args.positional.length === 0 || args.positional.length > 2) return null;
    const key = stringValue(args.positional[0]);
    const rest = [...args.positional.slice(1), ...args.keywords.values()];
    if (key === null || !rest.every((r) => isPlainValue(r))) return null;
    return key.toLowerCase();
  }
  return null;
}

function isPlainValue(node: SyntaxNode): boolean {
  const n = unwrap(node);
  return ["string", "integer", "float", "true", "false", "none", "identifier"].includes(n.type) && stringPrefix(n) === "";
}

function stringPrefix(n: SyntaxNode): string {
  return n.type === "string" ? (/^[a-zA-Z]*/.exec(n.child(0)?.text ?? "")?.[0] ?? "").toLowerCase().replace(/[ru]/g, "") : "";
}

/** `name` without leading and trailing underscores (not .replace(/^_+|_+$/g, ""): quadratic on a long inner run). */
function trimUnderscores(name: string): string {
  let start = 0;
  let end = name.length;
  while (start < end && name[start] === "_") start++;
  while (end > start && name[end - 1] === "_") end--;
  return name.slice(start, end);
}

/** A valid, non-reserved context variable name. */
function contextName(raw: string): string {
  let name = trimUnderscores(raw.replace(/\W+/g, "_"));
  if (name === "") name = "value";
  if (/^\d/.test(name)) name = `value_${name}`;
  return RESERVED_NAMES.has(name) ? `${name}_value` : name;
}

/**
 * `tmpl = f"..."` followed by `render_template_string(tmpl)`: the assignment, when the variable is bound once, used
 * only by this call, in the same block, so the template can be made constant where it is built.
 */
function singleUseTemplateVariable(use: SyntaxNode, call: SyntaxNode): SyntaxNode | null {
  const fn = enclosingFunction(call);
  const body = fn?.childForFieldName("body");
  if (!fn || !body) return null;
  if (fn.childForFieldName("parameters")?.descendantsOfType("identifier").some((p) => p.text === use.text)) return null;
  const occurrences = body.descendantsOfType("identifier").filter((i) => i.text === use.text);
  if (occurrences.length !== 2) return null;
  const target = occurrences.find((o) => o.id !== use.id);
  const assignment = target?.parent;
  if (assignment?.type !== "assignment" || assignment.childForFieldName("left")?.id !== target!.id) return null;
  if (assignment.parent?.type !== "expression_statement" || assignment.endIndex > call.startIndex) return null;
  const block = assignment.parent.parent;
  if (!block || enclosingFunction(assignment) !== fn || !(block.startIndex <= call.startIndex && call.endIndex <= block.endIndex)) return null;
  return assignment.childForFieldName("right")?.type === "assignment" ? null : assignment;
}

/** No name a moved value reads is written (or even mentioned) between the template's assignment and the call. */
function valuesUnchangedBetween(slots: SyntaxNode[], assignment: SyntaxNode, call: SyntaxNode): boolean {
  const names = new Set<string>();
  for (const slot of slots) {
    if (slot.type === "identifier") names.add(slot.text);
    for (const id of slot.descendantsOfType("identifier")) names.add(id.text);
  }
  const fn = enclosingFunction(call);
  const body = fn?.childForFieldName("body");
  if (!body) return false;
  return !body
    .descendantsOfType("identifier")
    .some((id) => names.has(id.text) && id.startIndex >= assignment.endIndex && id.endIndex <= call.startIndex);
}

function lastArgument(call: SyntaxNode): SyntaxNode | null {
  const args = call.childForFieldName("arguments")?.namedChildren.filter((a) => a.type !== "comment") ?? [];
  return args[args.length - 1] ?? null;
}

function lastLeaf(node: SyntaxNode): SyntaxNode {
  let current = node;
  while (current.childCount > 0) current = current.child(current.childCount - 1)!;
  return current;
}

/**
 * The engine writes the lines after the first of an edit's text relative to the anchor line's indentation; undo
 * that in advance so multi-line literals stay byte-identical. Null when a line is indented less than the anchor.
 */
function relativeToAnchor(edits: Edit[], source: string): Edit[] | null {
  if (edits.length === 0) return null;
  const first = edits.reduce((a, b) => (b.node.startIndex < a.node.startIndex ? b : a));
  const lineStart = source.lastIndexOf("\n", first.node.startIndex - 1) + 1;
  const indent = /^[ \t]*/.exec(source.slice(lineStart))?.[0] ?? "";
  const out: Edit[] = [];
  for (const edit of edits) {
    const lines = edit.text.split("\n");
    for (let i = 1; i < lines.length; i++) {
      if (lines[i] === "") continue;
      if (!lines[i]!.startsWith(indent)) return null;
      lines[i] = lines[i]!.slice(indent.length);
    }
    out.push({ node: edit.node, text: lines.join("\n") });
  }
  return out;
}

function shortLabel(text: string): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > 48 ? `…${oneLine.slice(-47)}` : oneLine;
}
