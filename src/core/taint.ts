// A small, honest intra-function data-flow helper (spec 2.1): which expressions derive from untrusted input.
//
// What it does: within one function (and at module level) it follows assignments, tuple unpacking, `for` targets,
// walrus, `+=`, `.get()`/subscripts/attributes, string concatenation, `%`-formatting, `.format()`, f-strings,
// `str.join`, containers and conditional expressions, resolving import aliases (`from flask import request as r`).
// A later assignment in the same or an enclosing block replaces an earlier one (`x = int(x)` sanitises x); an
// assignment in a nested block (if/for/try) adds to the candidates instead, since it may not have run.
// What it does not do: follow values through calls to the project's own functions, object fields, globals
// written from functions, or loop-carried flows. Unknown calls end the taint: precision over recall.
import type { SyntaxNode } from "tree-sitter";
import type { FlowStep } from "./types.js";
import { ImportTable, enclosingFunction, resolveName, routesOf, unwrap } from "./python.js";

/** direct: straight from the request; persisted: rows read from a database (stored user content, lower confidence). */
export type TaintLevel = "direct" | "persisted";

export interface Taint {
  level: TaintLevel;
  /** Steps from the source to the expression asked about (the sink step is added by the reporter). */
  flow: FlowStep[];
  /** Short description of the origin: "request.args", "route parameter name", "database row". */
  source: string;
}

const REQUEST_SOURCES = new Set([
  "args", "form", "values", "json", "data", "headers", "cookies", "files", "get_json", "get_data", "stream",
  "query_string", "view_args", "environ", "authorization", "referrer", "user_agent", "path", "full_path", "url",
  "base_url", "url_root", "host_url", "host", "input_stream",
]);

/** Calls that end the taint (spec 2.1 sanitizers and type conversions). Matched on the resolved name. */
const SANITIZERS = new Set([
  "int", "float", "bool", "len", "abs", "round", "ord", "hash", "isinstance", "id", "bin", "hex", "oct",
  "werkzeug.utils.secure_filename", "werkzeug.secure_filename", "secure_filename",
  "werkzeug.security.safe_join", "werkzeug.utils.safe_join", "flask.safe_join", "flask.helpers.safe_join", "safe_join",
  "flask.url_for", "url_for", "markupsafe.escape", "flask.escape", "jinja2.escape", "html.escape", "escape",
  "shlex.quote", "shlex.join", "pipes.quote", "uuid.UUID", "bleach.clean", "decimal.Decimal", "datetime.date.fromisoformat",
]);

/** Builtins and library calls whose result carries the taint of their arguments. */
const PROPAGATING_CALLS = new Set([
  "str", "repr", "bytes", "bytearray", "list", "tuple", "dict", "set", "frozenset", "sorted", "reversed", "format",
  "os.path.join", "os.path.normpath", "os.path.abspath", "os.path.realpath", "os.path.expanduser", "os.fspath",
  "pathlib.Path", "pathlib.PurePath", "posixpath.join", "urllib.parse.unquote", "urllib.parse.unquote_plus",
  "urllib.parse.urljoin", "json.loads", "base64.b64decode", "base64.urlsafe_b64decode", "textwrap.dedent",
  "codecs.decode", "markupsafe.Markup", "flask.Markup", "jinja2.Markup",
]);

/** Methods whose result carries the taint of their receiver (string and mapping methods). */
const PROPAGATING_METHODS = new Set([
  "get", "getlist", "pop", "setdefault", "copy", "to_dict", "items", "values", "keys", "get_json", "get_data",
  "strip", "lstrip", "rstrip", "lower", "upper", "casefold", "title", "capitalize", "swapcase", "replace", "format",
  "format_map", "split", "rsplit", "splitlines", "partition", "rpartition", "encode", "decode", "ljust", "rjust",
  "center", "zfill", "expandtabs", "translate", "removeprefix", "removesuffix", "read", "readline", "readlines",
  "joinpath", "resolve", "absolute", "with_name", "with_suffix", "filename",
]);

/** Methods whose receiver OR arguments taint the result ("sep".join(parts), "{}".format(x)). */
const ARG_PROPAGATING_METHODS = new Set(["join", "format", "format_map", "replace", "joinpath", "urljoin"]);

/** Result methods that load rows (persisted content). */
/** DB-API cursor reads: the names alone say a row was loaded. */
const CURSOR_METHODS = new Set(["fetchone", "fetchall", "fetchmany"]);
/** ORM result methods: generic names, so the receiver chain must look like a query. */
const ROW_METHODS = new Set([
  "first", "one", "one_or_none", "all", "scalar", "scalars", "scalar_one",
  "scalar_one_or_none", "get_or_404", "first_or_404", "one_or_404", "mappings",
]);
const DB_RECEIVER = /\b(query|execute|session|cursor|objects|select|filter|filter_by|where)\b/;

interface Binding {
  name: string;
  /** The statement or clause that binds the name. */
  node: SyntaxNode;
  /** The expression whose taint the name takes (null: bound to something untainted, e.g. a `with` target). */
  value: SyntaxNode | null;
  /** The block holding the binding: a later binding in a block that contains the use replaces earlier ones. */
  block: SyntaxNode;
  /** Binding takes effect here: uses at or after this index see it. */
  effectiveIndex: number;
  /** A comprehension variable: visible only inside its comprehension (`block`). */
  local?: boolean;
}

type Env = Map<string, Binding[]>;

const MAX_LABEL = 60;

function label(text: string): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > MAX_LABEL ? `${oneLine.slice(0, MAX_LABEL - 1)}…` : oneLine;
}

function step(node: SyntaxNode, text: string): FlowStep {
  return {
    line: node.startPosition.row + 1,
    startColumn: node.startPosition.column + 1,
    endColumn: node.startPosition.row === node.endPosition.row ? node.endPosition.column + 1 : node.startPosition.column + 2,
    label: text,
  };
}

function prefer(a: Taint | null, b: Taint | null): Taint | null {
  if (!a) return b;
  if (!b) return a;
  return a.level === "direct" || b.level !== "direct" ? a : b;
}

/** Per-sink options: a sink that a sanitizer does not protect (escape() leaves `{{ }}` for SSTI) names it here. */
export interface TaintOptions {
  /** Resolved names of sanitizers that do NOT end the taint for this sink. */
  notSanitizers?: readonly string[];
}

/** Options of `get(key, default, type=int)`: a conversion that ends the taint (werkzeug's MultiDict.get). */
const CONVERTING_TYPES = new Set(["int", "float", "bool", "uuid.UUID", "decimal.Decimal"]);

export class TaintAnalyzer {
  private readonly envs = new Map<number, Env>();
  private readonly memo = new Map<number, Taint | null>();
  private readonly inProgress = new Set<number>();
  private readonly sanitizers: ReadonlySet<string>;
  /** Sanitizers this sink does not trust: they pass their argument's taint through. */
  private readonly passThrough: ReadonlySet<string>;

  constructor(
    private readonly root: SyntaxNode,
    private readonly imports: ImportTable,
    options: TaintOptions = {},
  ) {
    this.passThrough = new Set(options.notSanitizers ?? []);
    this.sanitizers = this.passThrough.size === 0 ? SANITIZERS : new Set([...SANITIZERS].filter((s) => !this.passThrough.has(s)));
  }

  /** Taint of an expression, or null when it is not derived from untrusted input. */
  taintOf(node: SyntaxNode | null | undefined): Taint | null {
    if (!node) return null;
    const cached = this.memo.get(node.id);
    if (cached !== undefined) return cached;
    if (this.inProgress.has(node.id)) return null; // a cycle (x = x + y): contributes nothing new
    this.inProgress.add(node.id);
    let result: Taint | null = null;
    try {
      result = this.compute(node);
    } finally {
      this.inProgress.delete(node.id);
    }
    this.memo.set(node.id, result);
    return result;
  }

  /** Is this a `request.<source>` attribute (through aliases)? Returns the source label. */
  requestSource(node: SyntaxNode): string | null {
    const name = resolveName(node, this.imports);
    if (!name) return null;
    const match = /^flask\.(?:globals\.)?request\.(\w+)/.exec(name);
    if (!match || !REQUEST_SOURCES.has(match[1]!)) return null;
    return `request.${match[1]}`;
  }

  private compute(raw: SyntaxNode): Taint | null {
    const node = unwrap(raw);
    switch (node.type) {
      case "identifier":
        return this.lookup(node);
      case "attribute": {
        const source = this.requestSource(node);
        if (source) return { level: "direct", source, flow: [step(node, label(node.text))] };
        return this.taintOf(node.childForFieldName("object"));
      }
      case "subscript": {
        const value = node.childForFieldName("value");
        // request.args["q"]: name the whole subscript as the source, it is what a reader looks for
        if (value && this.requestSource(value)) return { level: "direct", source: this.requestSource(value)!, flow: [step(node, label(node.text))] };
        return this.taintOf(value);
      }
      case "call":
        return this.callTaint(node);
      case "binary_operator": {
        const operator = node.childForFieldName("operator")?.text;
        // + concatenates, % formats, / joins pathlib paths (numbers were cleared by int()/float() already)
        if (operator !== "+" && operator !== "%" && operator !== "/") return null;
        return prefer(this.taintOf(node.childForFieldName("left")), this.taintOf(node.childForFieldName("right")));
      }
      case "string":
        return this.anyOf(node.namedChildren.filter((c) => c.type === "interpolation").map((c) => c.namedChild(0)));
      case "concatenated_string":
      case "list":
      case "tuple":
      case "set":
      case "expression_list":
        return this.anyOf(node.namedChildren);
      case "dictionary":
        return this.anyOf(node.namedChildren.map((pair) => pair.childForFieldName("value") ?? pair));
      case "pair":
        return this.taintOf(node.childForFieldName("value"));
      case "conditional_expression":
        // `a if cond else b`: named children are a, cond, b; the condition does not flow into the value.
        return prefer(this.taintOf(node.namedChild(0)), this.taintOf(node.namedChild(2)));
      case "boolean_operator":
        return prefer(this.taintOf(node.childForFieldName("left")), this.taintOf(node.childForFieldName("right")));
      case "await":
        return this.taintOf(node.namedChild(0));
      case "list_comprehension":
      case "generator_expression":
      case "set_comprehension":
      case "dictionary_comprehension":
        // the loop variables are bound to the iterable's taint (collectBindings), so the body says it all:
        // [shlex.quote(x) for x in tainted] is clean, [x.strip() for x in tainted] is not
        return this.taintOf(node.childForFieldName("body"));
      case "named_expression":
        return this.taintOf(node.childForFieldName("value"));
      case "augmented_assignment": {
        const operator = node.childForFieldName("operator")?.text;
        if (operator !== "+=" && operator !== "%=") return this.taintOf(node.childForFieldName("left"));
        return prefer(this.taintOf(node.childForFieldName("left")), this.taintOf(node.childForFieldName("right")));
      }
      default:
        return null;
    }
  }

  private anyOf(nodes: (SyntaxNode | null)[]): Taint | null {
    let best: Taint | null = null;
    for (const n of nodes) {
      best = prefer(best, this.taintOf(n));
      if (best?.level === "direct") return best;
    }
    return best;
  }

  private callTaint(call: SyntaxNode): Taint | null {
    const fn = call.childForFieldName("function");
    if (!fn) return null;
    const args = call.childForFieldName("arguments");
    // f(x for x in xs): the generator is the argument list itself
    const argNodes = !args
      ? []
      : args.type === "generator_expression"
        ? [args]
        : args.namedChildren.map((a) => (a.type === "keyword_argument" ? a.childForFieldName("value") : a));
    const name = resolveName(fn, this.imports);
    if (name && this.sanitizers.has(name)) return null;

    // request.args.get("page", 1, type=int): werkzeug converts (or falls back to the default): no longer text
    const method0 = fn.type === "attribute" ? fn.childForFieldName("attribute")?.text : undefined;
    if ((method0 === "get" || method0 === "getlist") && args) {
      const typeArg = args.namedChildren.find((a) => a.type === "keyword_argument" && a.childForFieldName("name")?.text === "type");
      const converter = resolveName(typeArg?.childForFieldName("value"), this.imports);
      if (converter && CONVERTING_TYPES.has(converter)) return null;
    }
    // request.get_json(), request.args.get(...) and friends
    if (fn.type === "attribute") {
      const source = this.requestSource(fn);
      if (source) return { level: "direct", source, flow: [step(call, label(call.text))] };
    }
    if (name && (PROPAGATING_CALLS.has(name) || this.passThrough.has(name))) return this.anyOf(argNodes);
    if (fn.type !== "attribute") return null;

    const method = fn.childForFieldName("attribute")?.text ?? "";
    const receiver = fn.childForFieldName("object");
    if (name?.startsWith("flask.session.")) return null; // our own signed cookie, not attacker text
    if (CURSOR_METHODS.has(method)) {
      return { level: "persisted", source: "database row", flow: [step(call, label(call.text))] };
    }
    if (ROW_METHODS.has(method) || method === "get") {
      if (receiver && (method === "get" ? /\b(query|session)$/.test(receiver.text) : DB_RECEIVER.test(receiver.text))) {
        return { level: "persisted", source: "database row", flow: [step(call, label(call.text))] };
      }
    }
    const receiverTaint = PROPAGATING_METHODS.has(method) || ARG_PROPAGATING_METHODS.has(method) ? this.taintOf(receiver) : null;
    if (ARG_PROPAGATING_METHODS.has(method)) return prefer(receiverTaint, this.anyOf(argNodes));
    return receiverTaint;
  }

  // --- names ----------------------------------------------------------------------------------------------

  private scopeOf(node: SyntaxNode): SyntaxNode {
    return enclosingFunction(node) ?? this.root;
  }

  private lookup(use: SyntaxNode): Taint | null {
    const name = use.text;
    let scope: SyntaxNode | null = this.scopeOf(use);
    let position = use.startIndex;
    let useNode: SyntaxNode = use;
    while (scope) {
      const bindings = this.env(scope).get(name);
      if (bindings && bindings.length > 0) return this.fromBindings(bindings, useNode, position, name);
      if (scope.type === "function_definition") {
        const param = this.paramTaint(scope, name);
        if (param !== undefined) return param;
        // a closure: look in the enclosing scope, at the point where the inner function is defined
        useNode = scope;
        position = scope.startIndex;
        scope = enclosingFunction(scope) ?? this.root;
      } else {
        scope = null;
      }
    }
    return null;
  }

  private fromBindings(bindings: Binding[], use: SyntaxNode, position: number, name: string): Taint | null {
    let live: Binding[] = [];
    for (const b of bindings) {
      if (b.effectiveIndex > position) break;
      const inside = b.block.startIndex <= use.startIndex && use.endIndex <= b.block.endIndex;
      if (b.local && !inside) continue;
      const dominates = b.block.startIndex <= use.startIndex && use.endIndex <= b.block.endIndex;
      live = dominates ? [b] : [...live, b];
    }
    let best: Taint | null = null;
    for (const b of live) {
      const t = this.taintOf(b.value);
      if (!t) continue;
      const withStep: Taint = { ...t, flow: [...t.flow, step(b.node, `assigned to ${name}`)] };
      best = prefer(best, withStep);
    }
    return best;
  }

  /** Taint of a function parameter: route path parameters are untrusted (except int/float/uuid converters). */
  private paramTaint(fn: SyntaxNode, name: string): Taint | null | undefined {
    const params = fn.childForFieldName("parameters");
    const param = params?.namedChildren.find((p) => paramName(p) === name);
    if (!param) return undefined;
    for (const route of routesOf(fn)) {
      const routeParam = route.params.find((p) => p.name === name);
      if (!routeParam) continue;
      if (["int", "float", "uuid"].includes(routeParam.converter)) return null;
      return {
        level: "direct",
        source: `route parameter ${name}`,
        flow: [step(param, `route parameter <${routeParam.converter === "string" ? "" : `${routeParam.converter}:`}${name}> of ${route.path}`)],
      };
    }
    return null;
  }

  private env(scope: SyntaxNode): Env {
    const existing = this.envs.get(scope.id);
    if (existing) return existing;
    const env: Env = new Map();
    const body = scope.type === "function_definition" ? scope.childForFieldName("body") : scope;
    if (body) collectBindings(body, env);
    for (const list of env.values()) list.sort((a, b) => a.effectiveIndex - b.effectiveIndex);
    this.envs.set(scope.id, env);
    return env;
  }
}

/** Identifiers bound by an assignment target (`x`, `a, b`, `(a, [b, c])`). */
function namesIn(target: SyntaxNode): string[] {
  if (target.type === "identifier") return [target.text];
  return target.namedChildren.flatMap(namesIn);
}

function paramName(param: SyntaxNode): string | null {
  if (param.type === "identifier") return param.text;
  const inner = param.childForFieldName("name") ?? param.namedChild(0);
  return inner?.type === "identifier" ? inner.text : null;
}

function nearestBlock(node: SyntaxNode): SyntaxNode {
  for (let p = node.parent; p; p = p.parent) if (p.type === "block" || p.type === "module") return p;
  return node;
}

function addBinding(env: Env, name: string, binding: Omit<Binding, "name">): void {
  const list = env.get(name) ?? [];
  list.push({ name, ...binding });
  env.set(name, list);
}

/** Bind each name of an assignment target to `value` (unpacking keeps the whole value: an over-approximation). */
function bindTarget(env: Env, target: SyntaxNode, value: SyntaxNode | null, stmt: SyntaxNode, effectiveIndex: number): void {
  const t = unwrap(target);
  if (t.type === "identifier") {
    addBinding(env, t.text, { node: stmt, value, block: nearestBlock(stmt), effectiveIndex });
  } else if (t.type === "pattern_list" || t.type === "tuple_pattern" || t.type === "list_pattern" || t.type === "tuple" || t.type === "list") {
    for (const element of t.namedChildren) bindTarget(env, element, value, stmt, effectiveIndex);
  } else if (t.type === "list_splat_pattern") {
    const inner = t.namedChild(0);
    if (inner) bindTarget(env, inner, value, stmt, effectiveIndex);
  }
}

/** Walk a scope's body (not into nested functions, classes or lambdas) and record its bindings. */
function collectBindings(body: SyntaxNode, env: Env): void {
  const stack: SyntaxNode[] = [body];
  while (stack.length > 0) {
    const node = stack.pop()!;
    switch (node.type) {
      case "function_definition":
      case "class_definition":
      case "lambda":
        if (node !== body) {
          const name = node.childForFieldName("name");
          if (name) addBinding(env, name.text, { node, value: null, block: nearestBlock(node), effectiveIndex: node.startIndex });
          continue;
        }
        break;
      case "assignment": {
        const left = node.childForFieldName("left");
        const right = node.childForFieldName("right");
        // chained `a = b = value`: the right side is itself an assignment
        let value = right;
        while (value?.type === "assignment") value = value.childForFieldName("right");
        if (left) bindTarget(env, left, value ?? null, node, node.endIndex);
        break;
      }
      case "augmented_assignment": {
        // `q += tainted` keeps what q had and adds the right side; compute() reads both from the statement.
        const left = node.childForFieldName("left");
        if (left?.type === "identifier") {
          addBinding(env, left.text, { node, value: node, block: nearestBlock(node), effectiveIndex: node.endIndex });
        }
        break;
      }
      case "for_statement": {
        const left = node.childForFieldName("left");
        const right = node.childForFieldName("right");
        if (left && right) bindTarget(env, left, right, node, left.endIndex);
        break;
      }
      case "for_in_clause": {
        // [body for x in xs]: the body comes first in the text, so the binding takes effect at the comprehension
        const comprehension = node.parent;
        const left = node.childForFieldName("left");
        const right = node.childForFieldName("right");
        if (comprehension && left && right) {
          bindTarget(env, left, right, node, comprehension.startIndex);
          for (const name of namesIn(left)) {
            const list = env.get(name)!;
            const binding = list[list.length - 1]!;
            binding.block = comprehension;
            binding.local = true;
          }
        }
        break;
      }
      case "named_expression": {
        const name = node.childForFieldName("name");
        if (name) addBinding(env, name.text, { node, value: node.childForFieldName("value"), block: nearestBlock(node), effectiveIndex: node.endIndex });
        break;
      }
      case "with_item": {
        const value = node.childForFieldName("value");
        if (value?.type === "as_pattern") {
          const target = value.childForFieldName("alias") ?? value.namedChildren[value.namedChildCount - 1];
          const inner = target?.type === "as_pattern_target" ? target.namedChild(0) : target;
          if (inner) bindTarget(env, inner, null, node, node.endIndex);
        }
        break;
      }
      default:
        break;
    }
    for (let i = node.namedChildCount - 1; i >= 0; i--) stack.push(node.namedChild(i)!);
  }
}
