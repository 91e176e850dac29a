// tree-sitter-python: one parser per thread, and the small query helpers rules share.
import Parser from "tree-sitter";
import type { SyntaxNode, Tree } from "tree-sitter";
import Python from "tree-sitter-python";

let sharedParser: Parser | undefined;

function pythonParser(): Parser {
  if (!sharedParser) {
    sharedParser = new Parser();
    sharedParser.setLanguage(Python as unknown as Parser.Language);
  }
  return sharedParser;
}

/** The Node binding copies the input through a buffer; size it to the input so large files parse in one go. */
const bufferSizeFor = (source: string) => Math.max(32 * 1024, source.length * 2 + 16);

/**
 * The most indentation levels we let tree-sitter-python see. Its external scanner serializes the indentation stack
 * (2 bytes a level, after up to 257 bytes of string delimiters) into tree-sitter's 1,024-byte state buffer, and past
 * ~383 levels it writes beyond the buffer: tree-sitter's assert aborts the whole process (a build without asserts
 * would corrupt memory). Python itself refuses more than 100 levels, so no real file comes near this.
 */
export const MAX_INDENT_LEVELS = 380;

/** A source the parser must not be given (it would bring the process down); the message says why. */
export class UnparseableSource extends Error {
  override name = "UnparseableSource";
}

/**
 * An upper bound on the indentation levels the scanner can stack up for this source, counted up to `stopAbove`.
 * The scanner pushes a level only for an indentation wider than the current one, and measures it as it does here:
 * after a line break (\n, \r or \f), a space counts 1, a tab 8, a backslash-newline continues the run, all modulo
 * 2^16 (a uint16). Its stack is strictly increasing, so it never holds more levels than there are distinct widths.
 */
export function indentationLevels(source: string, stopAbove = Infinity): number {
  const widths = new Set<number>();
  // Line starts right to left: a run continued by `\<newline>` adds the width measured at the line start after
  // that newline, which is the last one measured (or the one before, across the empty line start of `\\\r\n`).
  let last = { start: -1, width: 0 };
  let beforeLast = { start: -1, width: 0 };
  for (let end = source.length; ; ) {
    let start = end;
    for (let c = source.charCodeAt(start - 1); start > 0 && c !== 10 && c !== 13 && c !== 12; c = source.charCodeAt(--start - 1));
    let width = 0;
    let j = start;
    for (let c = source.charCodeAt(j); c === 32 || c === 9; c = source.charCodeAt(++j)) width += c === 9 ? 8 : 1;
    if (source.charCodeAt(j) === 92) {
      const newline = source.charCodeAt(j + 1) === 13 ? j + 2 : j + 1;
      if (source.charCodeAt(newline) === 10) width += last.start === newline + 1 ? last.width : beforeLast.start === newline + 1 ? beforeLast.width : 0;
    }
    width &= 0xffff;
    if (width > 0) widths.add(width);
    if (start === 0 || widths.size > stopAbove) break;
    beforeLast = last;
    last = { start, width };
    end = start - 1;
  }
  return widths.size;
}

function assertParseable(source: string): void {
  if (indentationLevels(source, MAX_INDENT_LEVELS) > MAX_INDENT_LEVELS) {
    throw new UnparseableSource(`more than ${MAX_INDENT_LEVELS} indentation levels (Python allows 100); the Python parser cannot hold them`);
  }
}

/**
 * Parse Python source with the thread's one parser. tree-sitter recovers from syntax errors. Throws
 * UnparseableSource for a source that would crash the parser.
 */
export function parsePython(source: string): Tree {
  assertParseable(source);
  return pythonParser().parse(source, undefined, { bufferSize: bufferSizeFor(source) });
}

/**
 * parsePython with a deadline (a `performance.now()` time): null when the parse runs past it. tree-sitter asks
 * the progress callback every few hundred parse operations (the non-deprecated form of `setTimeoutMicros`), so a
 * pathological input (megabytes of unbalanced brackets: seconds of error recovery) cannot hold the thread.
 * Throws UnparseableSource like parsePython.
 */
export function parsePythonBefore(source: string, deadline: number): Tree | null {
  assertParseable(source);
  const parser = pythonParser();
  const tree = parser.parse(source, undefined, {
    bufferSize: bufferSizeFor(source),
    progressCallback: () => performance.now() > deadline,
  }) as Tree | null;
  // A halted parse is resumed by the next parse() unless reset: the next file would get this file's tree.
  if (!tree) parser.reset();
  return tree;
}

/** The first line (1-based) holding a syntax error, or 0 when the tree is clean. */
export function firstErrorLine(root: SyntaxNode): number {
  if (!root.hasError) return 0;
  const stack: SyntaxNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === "ERROR" || node.isMissing) return node.startPosition.row + 1;
    for (let i = node.childCount - 1; i >= 0; i--) {
      const child = node.child(i)!;
      if (child.hasError || child.type === "ERROR" || child.isMissing) stack.push(child);
    }
  }
  return root.startPosition.row + 1;
}

// ---------------------------------------------------------------------------------------------------------------
// Imports and name resolution

/** Names Flask exports that a `from flask import *` brings in and that rules care about. */
const FLASK_STAR_NAMES = new Set([
  "request", "render_template_string", "render_template", "Markup", "session", "redirect", "send_file",
  "send_from_directory", "make_response", "Flask", "Blueprint", "url_for", "escape",
]);

export class ImportTable {
  /** local name -> qualified dotted name ("r" -> "flask.request", "sp" -> "subprocess"). */
  readonly aliases = new Map<string, string>();
  readonly modules = new Set<string>();
  readonly starModules = new Set<string>();
  /** resolveName's answers by node: every rule resolves the callee of every call, so each is worked out once. */
  readonly resolved = new Map<SyntaxNode, string | null>();

  static fromTree(root: SyntaxNode): ImportTable {
    const table = new ImportTable();
    // Imports may sit in functions, try-blocks and if-blocks; collect them all (one pass over import nodes).
    for (const node of root.descendantsOfType(["import_statement", "import_from_statement"])) {
      table.add(node);
    }
    return table;
  }

  private add(node: SyntaxNode): void {
    if (node.type === "import_statement") {
      for (const item of node.namedChildren) {
        if (item.type === "dotted_name") {
          const full = item.text;
          this.modules.add(full);
          const head = full.split(".")[0]!;
          if (!this.aliases.has(head)) this.aliases.set(head, head);
        } else if (item.type === "aliased_import") {
          const name = item.childForFieldName("name")?.text;
          const alias = item.childForFieldName("alias")?.text;
          if (name && alias) {
            this.modules.add(name);
            this.aliases.set(alias, name);
          }
        }
      }
      return;
    }
    const moduleNode = node.childForFieldName("module_name");
    if (!moduleNode) return;
    const moduleName = moduleNode.text;
    this.modules.add(moduleName);
    if (node.namedChildren.some((c) => c.type === "wildcard_import")) {
      this.starModules.add(moduleName);
      return;
    }
    for (const item of node.childrenForFieldName("name")) {
      if (item.type === "dotted_name") {
        this.aliases.set(item.text, `${moduleName}.${item.text}`);
      } else if (item.type === "aliased_import") {
        const name = item.childForFieldName("name")?.text;
        const alias = item.childForFieldName("alias")?.text;
        if (name && alias) this.aliases.set(alias, `${moduleName}.${name}`);
      }
    }
  }

  /** Qualified name of a bare identifier: its import, a flask star import, or the identifier itself. */
  qualify(identifier: string): string {
    const aliased = this.aliases.get(identifier);
    if (aliased) return aliased;
    if (this.starModules.has("flask") && FLASK_STAR_NAMES.has(identifier)) return `flask.${identifier}`;
    return identifier;
  }

  /**
   * How this file can spell a qualified name, or null when no import binds it: "os.environ" is `environ` after
   * `from os import environ`, `o.environ` after `import os as o`, `os.environ` after `import os`.
   */
  localName(qualified: string): string | null {
    let best: string | null = null;
    for (const [local, target] of this.aliases) {
      let candidate: string | null = null;
      if (target === qualified) candidate = local;
      else if (qualified.startsWith(`${target}.`)) candidate = `${local}${qualified.slice(target.length)}`;
      if (candidate && (best === null || candidate.length < best.length)) best = candidate;
    }
    return best;
  }

  /** Is `moduleName` (or a submodule of it) imported, in any form? */
  has(moduleName: string): boolean {
    for (const m of this.modules) if (m === moduleName || m.startsWith(`${moduleName}.`)) return true;
    return false;
  }
}

/** Dotted, import-resolved name of an identifier or attribute chain; null for anything else. */
export function resolveName(node: SyntaxNode | null | undefined, imports: ImportTable): string | null {
  if (!node) return null;
  const known = imports.resolved.get(node);
  if (known !== undefined) return known;
  const name = resolveUncached(node, imports);
  imports.resolved.set(node, name);
  return name;
}

function resolveUncached(node: SyntaxNode, imports: ImportTable): string | null {
  // A loop, not recursion: a hostile `a.b.c...` chain 10,000 attributes long must not overflow the stack.
  if (node.type === "identifier") return imports.qualify(node.text);
  const attributes: string[] = [];
  for (let current: SyntaxNode | null = node; current; ) {
    if (current.type === "identifier") {
      attributes.push(imports.qualify(current.text));
      return attributes.reverse().join(".");
    }
    if (current.type === "attribute") {
      const attribute = current.childForFieldName("attribute")?.text;
      if (!attribute) return null;
      attributes.push(attribute);
      current = current.childForFieldName("object");
    } else if (current.type === "parenthesized_expression" && current.namedChildCount === 1) {
      current = current.namedChild(0);
    } else {
      return null;
    }
  }
  return null;
}

/**
 * The name an assignment sets, read like a setting: `NAME = v`, `obj.name = v`, `obj["name"] = v` give the name;
 * null for any other target (`a, b = v`, `d[k] = v`). The engine prefilters assignments by it.
 */
export function assignedName(assignment: SyntaxNode): string | null {
  const target = assignment.childForFieldName("left");
  if (!target) return null;
  if (target.type === "identifier") return target.text;
  if (target.type === "attribute") return target.childForFieldName("attribute")?.text ?? null;
  if (target.type === "subscript") {
    const keys = target.childrenForFieldName("subscript");
    return keys.length === 1 ? stringValue(keys[0]) : null;
  }
  return null;
}

/** The last segment of a call's callee: "execute" for `db.cursor().execute(...)`. */
export function calleeMethod(call: SyntaxNode): string | null {
  const fn = call.childForFieldName("function");
  if (!fn) return null;
  if (fn.type === "identifier") return fn.text;
  if (fn.type === "attribute") return fn.childForFieldName("attribute")?.text ?? null;
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Literals and arguments

/** The value of a plain string literal (or an implicit concatenation of them); null if it interpolates. */
export function stringValue(node: SyntaxNode | null | undefined): string | null {
  if (!node) return null;
  if (node.type === "parenthesized_expression" && node.namedChildCount === 1) return stringValue(node.namedChild(0));
  if (node.type === "concatenated_string") {
    let out = "";
    for (const part of node.namedChildren) {
      const value = stringValue(part);
      if (value === null) return null;
      out += value;
    }
    return out;
  }
  if (node.type !== "string") return null;
  const raw = stringPrefix(node).includes("r");
  let out = "";
  for (const child of node.namedChildren) {
    if (child.type === "interpolation") return null;
    if (child.type === "string_content") out += raw ? child.text : unescapeContent(child);
    else if (child.type === "escape_sequence") out += raw ? child.text : unescape(child.text);
  }
  return out;
}

/** The text of a string_content node with its escape_sequence children decoded. */
function unescapeContent(content: SyntaxNode): string {
  let out = "";
  let cursor = content.startIndex;
  const text = content.text;
  for (const escape of content.namedChildren) {
    if (escape.type !== "escape_sequence") continue;
    out += text.slice(cursor - content.startIndex, escape.startIndex - content.startIndex) + unescape(escape.text);
    cursor = escape.endIndex;
  }
  return out + text.slice(cursor - content.startIndex);
}

function unescape(seq: string): string {
  const simple: Record<string, string> = { "\\n": "\n", "\\t": "\t", "\\r": "\r", "\\\\": "\\", "\\'": "'", '\\"': '"' };
  return simple[seq] ?? seq;
}

/** Is this a string literal of any kind, including f-strings? */
export function isStringLiteral(node: SyntaxNode | null | undefined): boolean {
  return !!node && (node.type === "string" || node.type === "concatenated_string");
}

/** The prefix letters of a string literal, lower-cased ("f", "rb", ""). */
export function stringPrefix(node: SyntaxNode): string {
  const start = node.type === "concatenated_string" ? node.namedChild(0) : node;
  const opener = start?.child(0)?.text ?? "";
  return (opener.match(/^[a-zA-Z]*/)?.[0] ?? "").toLowerCase();
}

/** Shared between rules (memoised per call node): never modify one. */
export interface CallArguments {
  positional: SyntaxNode[];
  keywords: Map<string, SyntaxNode>;
  /** `*args` / `**kwargs` present: the call may pass anything. */
  hasSplat: boolean;
}

/** callArguments' answers: most rules read the arguments of every call they see. Do not modify what it returns. */
const argumentsOfCall = new WeakMap<SyntaxNode, CallArguments>();

export function callArguments(call: SyntaxNode): CallArguments {
  let result = argumentsOfCall.get(call);
  if (!result) argumentsOfCall.set(call, (result = readCallArguments(call)));
  return result;
}

function readCallArguments(call: SyntaxNode): CallArguments {
  const result = { positional: [] as SyntaxNode[], keywords: new Map<string, SyntaxNode>(), hasSplat: false };
  const args = call.childForFieldName("arguments");
  if (!args) return result;
  if (args.type === "generator_expression") {
    result.positional.push(args);
    return result;
  }
  for (const arg of args.namedChildren) {
    if (arg.type === "comment") continue;
    if (arg.type === "keyword_argument") {
      const name = arg.childForFieldName("name")?.text;
      const value = arg.childForFieldName("value");
      if (name && value) result.keywords.set(name, value);
    } else if (arg.type === "list_splat" || arg.type === "dictionary_splat") {
      result.hasSplat = true;
    } else {
      result.positional.push(arg);
    }
  }
  return result;
}

export function keywordArg(call: SyntaxNode, name: string): SyntaxNode | null {
  return callArguments(call).keywords.get(name) ?? null;
}

/** `True`, or a non-zero int / non-empty string literal: a value that enables a flag. */
export function isTruthyLiteral(node: SyntaxNode | null | undefined): boolean {
  if (!node) return false;
  if (node.type === "true") return true;
  if (node.type === "integer") return Number(node.text) !== 0;
  const value = stringValue(node);
  return value !== null && ["1", "true", "yes", "on"].includes(value.trim().toLowerCase());
}

export function isFalsyLiteral(node: SyntaxNode | null | undefined): boolean {
  if (!node) return false;
  if (node.type === "false" || node.type === "none") return true;
  if (node.type === "integer") return Number(node.text) === 0;
  const value = stringValue(node);
  return value !== null && ["", "0", "false", "no", "off"].includes(value.trim().toLowerCase());
}

/** Unwrap parentheses. */
export function unwrap(node: SyntaxNode): SyntaxNode {
  let current = node;
  while (current.type === "parenthesized_expression" && current.namedChildCount === 1) current = current.namedChild(0)!;
  return current;
}

// ---------------------------------------------------------------------------------------------------------------
// Structure

export function enclosingFunction(node: SyntaxNode): SyntaxNode | null {
  for (let p = node.parent; p; p = p.parent) if (p.type === "function_definition") return p;
  return null;
}

/** The class whose body directly holds this node (not through a method). */
export function enclosingClass(node: SyntaxNode): SyntaxNode | null {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === "function_definition") return null;
    if (p.type === "class_definition") return p;
  }
  return null;
}

export function className(cls: SyntaxNode): string {
  return cls.childForFieldName("name")?.text ?? "";
}

/** The base classes named in `class X(A, b.B):` as written. */
export function classBases(cls: SyntaxNode): string[] {
  const args = cls.childForFieldName("superclasses");
  return args ? args.namedChildren.filter((c) => c.type === "identifier" || c.type === "attribute").map((c) => c.text) : [];
}

/** `__name__ == "__main__"` (either way round). */
export function isMainGuardCondition(condition: SyntaxNode | null): boolean {
  if (!condition) return false;
  const cond = unwrap(condition);
  if (cond.type !== "comparison_operator" || cond.namedChildCount !== 2) return false;
  const operator = cond.children.find((c) => !c.isNamed)?.text;
  if (operator !== "==") return false;
  const [left, right] = cond.namedChildren as [SyntaxNode, SyntaxNode];
  return (
    (left.text === "__name__" && stringValue(right) === "__main__") ||
    (right.text === "__name__" && stringValue(left) === "__main__")
  );
}

/** `if __name__ == "__main__":` itself (inMainGuard answers for a node inside any enclosing guard). */
export function isMainGuardIf(ifStatement: SyntaxNode): boolean {
  return isMainGuardCondition(ifStatement.childForFieldName("condition"));
}

/** Is the node inside the body of `if __name__ == "__main__":`? */
export function inMainGuard(node: SyntaxNode): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === "if_statement" && isMainGuardCondition(p.childForFieldName("condition"))) {
      const body = p.childForFieldName("consequence");
      if (body && body.startIndex <= node.startIndex && node.endIndex <= body.endIndex) return true;
    }
  }
  return false;
}

export interface RouteParam {
  name: string;
  /** Werkzeug converter: "string" (default), "int", "float", "path", "uuid", "any", custom. */
  converter: string;
}

export interface RouteInfo {
  path: string;
  methods: string[];
  params: RouteParam[];
}

const ROUTE_METHOD_DECORATORS: Record<string, string> = {
  get: "GET", post: "POST", put: "PUT", patch: "PATCH", delete: "DELETE",
};

/** routesOf's answers: many rules and the taint analysis ask for the routes of every function. */
const routesOfFunction = new WeakMap<SyntaxNode, RouteInfo[]>();

/**
 * The Flask routes declared on a function by `@x.route(...)`, `@x.get(...)` etc. (app or blueprint). Shared
 * between callers (memoised per node): never modify the result.
 */
export function routesOf(fn: SyntaxNode): RouteInfo[] {
  let routes = routesOfFunction.get(fn);
  if (!routes) routesOfFunction.set(fn, (routes = readRoutes(fn)));
  return routes;
}

function readRoutes(fn: SyntaxNode): RouteInfo[] {
  const decorated = fn.parent?.type === "decorated_definition" ? fn.parent : null;
  if (!decorated) return [];
  const routes: RouteInfo[] = [];
  for (const decorator of decorated.namedChildren) {
    if (decorator.type !== "decorator") continue;
    const call = decorator.namedChild(0);
    if (!call || call.type !== "call") continue;
    const callee = call.childForFieldName("function");
    if (!callee || callee.type !== "attribute") continue;
    const method = callee.childForFieldName("attribute")?.text ?? "";
    const args = callArguments(call);
    const path = stringValue(args.positional[0] ?? args.keywords.get("rule"));
    if (path === null) continue;
    let methods: string[];
    if (method === "route") {
      const listed = args.keywords.get("methods");
      methods = listed
        ? listed.namedChildren.map((m) => stringValue(m)?.toUpperCase()).filter((m): m is string => !!m)
        : ["GET"];
    } else if (ROUTE_METHOD_DECORATORS[method]) {
      methods = [ROUTE_METHOD_DECORATORS[method]!];
    } else {
      continue;
    }
    routes.push({ path, methods, params: routeParams(path) });
  }
  return routes;
}

export function routeParams(path: string): RouteParam[] {
  const params: RouteParam[] = [];
  // converter arguments stop at `<`: `[^)>]*` let every `<x(` rescan the rest of a hostile path (quadratic)
  for (const match of path.matchAll(/<(?:([a-zA-Z_][\w]*)(?:\([^)<>]*\))?:)?([a-zA-Z_]\w*)>/g)) {
    params.push({ name: match[2]!, converter: match[1] ?? "string" });
  }
  return params;
}

/** "search() [GET /search]" or "Config" or "" at module level. */
export function describeContext(node: SyntaxNode): string {
  const fn = enclosingFunction(node);
  if (fn) {
    const name = fn.childForFieldName("name")?.text ?? "<lambda>";
    const route = routesOf(fn)[0];
    return route ? `${name}() [${route.methods.join(",")} ${route.path}]` : `${name}()`;
  }
  const cls = enclosingClass(node);
  return cls ? className(cls) : "";
}

/** The decorators of a function or class (empty when it has none). */
export function decoratorsOf(definition: SyntaxNode): SyntaxNode[] {
  const decorated = definition.parent?.type === "decorated_definition" ? definition.parent : null;
  return decorated ? decorated.namedChildren.filter((d) => d.type === "decorator") : [];
}

/** Flask views: routes, error handlers, and the HTTP methods of a View class. */
export function isView(fn: SyntaxNode): boolean {
  if (routesOf(fn).length > 0) return true;
  if (decoratorsOf(fn).some((d) => /\.(app_)?errorhandler\s*\(/.test(d.text))) return true;
  const decorated = fn.parent?.type === "decorated_definition" ? fn.parent : null;
  const cls = enclosingClass(decorated ?? fn);
  const method = fn.childForFieldName("name")?.text ?? "";
  return !!cls && classBases(cls).some((b) => /View$/.test(b)) && /^(get|post|put|patch|delete|dispatch_request)$/.test(method);
}

// ---------------------------------------------------------------------------------------------------------------
// Scopes and bindings

export function rootOf(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.parent) n = n.parent;
  return n;
}

/** The block (or module) whose statements hold the node. */
export function nearestBlock(node: SyntaxNode): SyntaxNode {
  for (let p = node.parent; p; p = p.parent) if (p.type === "block" || p.type === "module") return p;
  return node;
}

/** `attr` of `a.b.attr`; the text of anything else. */
export function lastSegment(node: SyntaxNode): string {
  if (node.type === "attribute") return node.childForFieldName("attribute")?.text ?? "";
  return node.text;
}

/** The `name = value` statements written directly in a block or module (not nested in if/try/with). */
export function assignmentsIn(block: SyntaxNode, name: string): SyntaxNode[] {
  return block.namedChildren.flatMap((s) => {
    const a = s.type === "expression_statement" ? s.firstNamedChild : null;
    return a?.type === "assignment" && a.childForFieldName("left")?.text === name ? [a] : [];
  });
}

/** A module-level constant's value (`CSP = {...}`, `GiB = 1024 ** 3`), when the module binds the name exactly once. */
export function moduleConstant(identifier: SyntaxNode): SyntaxNode | null {
  // A bare annotation (`CSP: dict`) binds nothing: only assignments with a value count.
  const values = assignmentsIn(rootOf(identifier), identifier.text).flatMap((a) => a.childForFieldName("right") ?? []);
  return values.length === 1 ? values[0]! : null;
}

/** A top-level `def name` / `class name` (decorated or not). */
export function topLevelDefinition(root: SyntaxNode, name: string, type: "function_definition" | "class_definition"): SyntaxNode | null {
  for (const statement of root.namedChildren) {
    const def = statement.type === "decorated_definition" ? statement.childForFieldName("definition") : statement;
    if (def?.type === type && def.childForFieldName("name")?.text === name) return def;
  }
  return null;
}

/** Assignments of a scope body (if/try/with blocks included), not descending into nested functions or classes. */
export function* scopeAssignments(scope: SyntaxNode): Generator<SyntaxNode> {
  const stack = [...scope.namedChildren].reverse();
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type === "function_definition" || n.type === "class_definition" || n.type === "lambda") continue;
    if (n.type === "assignment") yield n;
    for (let i = n.namedChildCount - 1; i >= 0; i--) stack.push(n.namedChild(i)!);
  }
}

/** Scopes that can see a name used at `node`: the enclosing function bodies, innermost first, then the module. */
export function* visibleScopes(node: SyntaxNode): Generator<SyntaxNode> {
  for (let fn = enclosingFunction(node); fn; fn = enclosingFunction(fn)) {
    const body = fn.childForFieldName("body");
    if (body) yield body;
  }
  yield rootOf(node);
}

/** The value a name is bound to, when the innermost visible scope that binds it binds it exactly once (a constant). */
export function constantValue(identifier: SyntaxNode): SyntaxNode | null {
  for (const scope of visibleScopes(identifier)) {
    const bindings = [...scopeAssignments(scope)].filter((a) => a.childForFieldName("left")?.text === identifier.text);
    if (bindings.length > 1) return null;
    if (bindings.length === 1) return bindings[0]!.childForFieldName("right");
  }
  return null;
}

/** Is the module name bound at module level by `import os` (not only by `from os import ...`)? */
export function bindsModule(root: SyntaxNode, name: string): boolean {
  for (const statement of root.descendantsOfType("import_statement")) {
    if (enclosingFunction(statement)) continue;
    for (const item of statement.namedChildren) {
      if (item.type === "dotted_name" && item.text.split(".")[0] === name) return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// Flask application objects

export interface AppObjectOptions {
  /** Count Flask-SocketIO objects too (`socketio.run(app, debug=True)` starts the same development server). */
  socketio?: boolean;
  /**
   * How a bare name is followed to a factory call: "constant" (default) when the innermost scope that binds it
   * binds it exactly once; "any" when any assignment visible from the use binds it to one.
   */
  binding?: "constant" | "any";
}

// `(?:^|[._])\w*app$` as a lookbehind from the final "app": tried from every `_` of a long name, `\w*` rescanned
// the rest of it each time (quadratic on `x_c_c_..._c`). Same language, one backward scan.
const APP_NAME = /(?<=(?:^|[._])\w*)app$|(?<=^|[._])application$/i;
const APP_OR_SOCKETIO_NAME = /(?<=(?:^|[._])\w*)app$|(?<=^|[._])(?:application|socketio|sio)$/i;
const APP_FACTORY = /^(?:Flask|Quart|\w*create_app|make_app|build_app|get_app)$/;
const APP_OR_SOCKETIO_FACTORY = /^(?:Flask|Quart|SocketIO|\w*create_app|make_app|build_app|get_app)$/;

/** `Flask(__name__)`, `create_app()`, `make_app()` (and `SocketIO(app)` with `socketio`). */
export function isAppFactoryCall(node: SyntaxNode | null, options: AppObjectOptions = {}): boolean {
  if (node?.type !== "call") return false;
  const fn = node.childForFieldName("function");
  const factory = options.socketio ? APP_OR_SOCKETIO_FACTORY : APP_FACTORY;
  return !!fn && (fn.type === "identifier" || fn.type === "attribute") && factory.test(lastSegment(fn));
}

/** `app`, `flask_app`, `self.app`, `current_app` (`socketio`), a factory call, or a name bound to one. */
export function isAppObject(node: SyntaxNode | null, options: AppObjectOptions = {}): boolean {
  if (!node) return false;
  const target = unwrap(node);
  if (target.type === "call") return isAppFactoryCall(target, options);
  if (target.type !== "identifier" && target.type !== "attribute") return false;
  if ((options.socketio ? APP_OR_SOCKETIO_NAME : APP_NAME).test(target.text)) return true;
  if (target.type !== "identifier") return false;
  if (options.binding !== "any") return isAppFactoryCall(constantValue(target), options);
  for (const scope of visibleScopes(target)) {
    for (const assignment of scopeAssignments(scope)) {
      if (assignment.childForFieldName("left")?.text === target.text && isAppFactoryCall(assignment.childForFieldName("right"), options)) return true;
    }
  }
  return false;
}
