// tree-sitter-python: one parser per thread, and the small query helpers rules share.
import Parser from "tree-sitter";
import type { SyntaxNode, Tree } from "tree-sitter";
import Python from "tree-sitter-python";

let sharedParser: Parser | undefined;

/** Parse Python source with the thread's one parser. tree-sitter recovers from syntax errors. */
export function parsePython(source: string): Tree {
  if (!sharedParser) {
    sharedParser = new Parser();
    sharedParser.setLanguage(Python as unknown as Parser.Language);
  }
  // The Node binding copies the input through a buffer; size it to the input so large files parse in one go.
  return sharedParser.parse(source, undefined, { bufferSize: Math.max(32 * 1024, source.length * 2 + 16) });
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
  if (node.type === "identifier") return imports.qualify(node.text);
  if (node.type === "attribute") {
    const object = resolveName(node.childForFieldName("object"), imports);
    const attribute = node.childForFieldName("attribute")?.text;
    return object && attribute ? `${object}.${attribute}` : null;
  }
  if (node.type === "parenthesized_expression" && node.namedChildCount === 1) {
    return resolveName(node.namedChild(0), imports);
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

export interface CallArguments {
  positional: SyntaxNode[];
  keywords: Map<string, SyntaxNode>;
  /** `*args` / `**kwargs` present: the call may pass anything. */
  hasSplat: boolean;
}

export function callArguments(call: SyntaxNode): CallArguments {
  const result: CallArguments = { positional: [], keywords: new Map(), hasSplat: false };
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

function isMainGuardCondition(condition: SyntaxNode | null): boolean {
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

/** The Flask routes declared on a function by `@x.route(...)`, `@x.get(...)` etc. (app or blueprint). */
export function routesOf(fn: SyntaxNode): RouteInfo[] {
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
  for (const match of path.matchAll(/<(?:([a-zA-Z_][\w]*)(?:\([^)>]*\))?:)?([a-zA-Z_]\w*)>/g)) {
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
