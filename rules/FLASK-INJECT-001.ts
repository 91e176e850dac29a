// FLASK-INJECT-001: SQL built from untrusted input. Sinks are the calls that run or wrap SQL text (DB-API
// execute*, SQLAlchemy text()/exec_driver_sql()/from_statement(), Django/peewee raw(), peewee execute_sql(),
// pandas.read_sql); a finding
// needs the query text itself to carry request (or stored) data. Values passed separately as parameters are
// the fix, never a finding. The showcase fix rewrites an inline f-string / concatenation / %-format / .format()
// query into a parameterised one in the placeholder style of the driver the file imports.
import type { SyntaxNode } from "tree-sitter";
import { callNames, defineRule, type FixInput, type RuleContext } from "../src/core/define-rule.js";
import { guardedOnPath } from "../src/core/guards.js";
import { callArguments, enclosingFunction, nearestBlock, rootOf, stringValue, unwrap } from "../src/core/python.js";
import type { Taint } from "../src/core/taint.js";

// ---------------------------------------------------------------------------------------------------------------
// Sinks

/** How the sink runs its SQL text: decides the SQL-shape gate, the placeholder style and the fix shape. */
type SinkKind = "execute" | "executemany" | "executescript" | "driver_sql" | "raw" | "text" | "read_sql" | "from_statement";

interface Sink {
  kind: SinkKind;
  call: SyntaxNode;
  query: SyntaxNode;
  /** The query was passed as `sql=` / `statement=` ...: the fix cannot append a positional params argument. */
  byKeyword: boolean;
  receiver: SyntaxNode | null;
  /** Generic method names (execute, raw, db.text) need the query to look like SQL or the receiver like a DB handle. */
  generic: boolean;
  /** For messages: "cur.execute", "text", "pd.read_sql". */
  label: string;
}

const EXECUTE_METHODS: Record<string, SinkKind> = {
  execute: "execute",
  executemany: "executemany",
  executescript: "executescript",
  exec_driver_sql: "driver_sql",
  execute_sql: "driver_sql", // peewee Database.execute_sql(sql, params)
  raw: "raw",
  from_statement: "from_statement",
};
const QUERY_KEYWORDS = ["sql", "statement", "query", "operation", "raw_query", "text"];
const TEXT_FUNCTIONS = new Set(["sqlalchemy.text", "sqlalchemy.sql.text", "sqlalchemy.sql.expression.text", "sqlmodel.text"]);
const READ_SQL_FUNCTIONS = new Set(["pandas.read_sql", "pandas.read_sql_query", "pandas.io.sql.read_sql", "pandas.io.sql.read_sql_query"]);

/**
 * The calls findSink can accept, for the engine's prefilter: the last part of the text()/read_sql() names (a call
 * answers to it as written and as resolved through the imports: `from sqlalchemy import text as t` -> `text`),
 * `text` on a db object, and the execute-style methods, on any receiver.
 */
const SINK_NAMES = [
  ...callNames([...TEXT_FUNCTIONS, ...READ_SQL_FUNCTIONS], ["text"]),
  ...Object.keys(EXECUTE_METHODS),
];

function findSink(call: SyntaxNode, ctx: RuleContext): Sink | null {
  const fn = call.childForFieldName("function");
  if (!fn) return null;
  const name = ctx.resolve(fn);
  let kind: SinkKind | null = null;
  let receiver: SyntaxNode | null = null;
  let generic = false;
  if (name && TEXT_FUNCTIONS.has(name)) kind = "text";
  else if (name && READ_SQL_FUNCTIONS.has(name)) kind = "read_sql";
  else if (fn.type === "attribute") {
    const method = fn.childForFieldName("attribute")?.text ?? "";
    receiver = fn.childForFieldName("object");
    if (method === "text") {
      // Flask-SQLAlchemy re-exports text() on the extension object: db.text("...")
      const owner = ctx.resolve(receiver);
      if (owner && /(^|\.)db$/.test(owner)) {
        kind = "text";
        generic = true;
      }
    } else if (Object.hasOwn(EXECUTE_METHODS, method)) {
      kind = EXECUTE_METHODS[method]!;
      generic = kind !== "from_statement" && kind !== "driver_sql";
    }
  }
  if (!kind) return null;
  const args = callArguments(call);
  let query = args.positional[0] ?? null;
  let byKeyword = false;
  if (!query) {
    for (const key of QUERY_KEYWORDS) {
      const value = args.keywords.get(key);
      if (value) {
        query = value;
        byKeyword = true;
        break;
      }
    }
  }
  if (!query) return null;
  const label = fn.text.replace(/\s+/g, "");
  return { kind, call, query, byKeyword, receiver, generic, label: label.length > 40 ? `.${calleeTail(label)}` : label };
}

function calleeTail(label: string): string {
  return label.slice(label.lastIndexOf(".") + 1);
}

/** Statement starters and clause keywords: the literal parts of a query must read as SQL for generic sinks. */
const SQL_START = /^[\s(]*(select|insert|update|delete|replace|merge|upsert|with|create|drop|alter|truncate|pragma|call|exec|explain|show|describe|grant|revoke|vacuum|attach)\b/i;
const SQL_CLAUSE_UPPER = /\b(SELECT|INSERT|UPDATE|DELETE|FROM|WHERE|VALUES|ORDER BY|GROUP BY|LIMIT|OFFSET|JOIN|AND|OR|LIKE|SET|HAVING|UNION)\b/;
const SQL_CLAUSE_LOWER = /\b(where(?!\s*:)|order\s+by|group\s+by|values\s*\(|limit|offset|having|union|like|inner\s+join|left\s+join)\b/i;

function looksLikeSql(text: string): boolean {
  return SQL_START.test(text) || SQL_CLAUSE_UPPER.test(text) || SQL_CLAUSE_LOWER.test(text);
}

/** cursor, cur, conn, db, session, engine, get_db(), mysql.connection.cursor() ... */
const DB_HANDLE = /(^|_)(cur|curs|cursor|c|conn|connection|con|cnx|db|database|session|sess|engine|sqlite|tx|txn|transaction|connect|objects)$/i;

function looksLikeDbHandle(receiver: SyntaxNode | null): boolean {
  if (!receiver) return false;
  let node = unwrap(receiver);
  if (node.type === "call") node = node.childForFieldName("function") ?? node;
  const last = node.type === "attribute" ? node.childForFieldName("attribute")?.text : node.type === "identifier" ? node.text : null;
  return !!last && (DB_HANDLE.test(last) || /^get_(db|conn|connection|cursor)$/i.test(last));
}

// ---------------------------------------------------------------------------------------------------------------
// Shape of the query: its literal SQL text and the expressions spliced into it, followed through the local
// variables it is built from (with the core's dominance rule). Each spliced expression is then asked to
// ctx.taint(), except those that are safe by construction: placeholder lists (", ".join("?" for _ in ids)),
// identifiers checked against an allowlist, request values converted with type=int.

interface Shape {
  text: string;
  /** Expressions spliced into the SQL text (not literals). */
  leaves: SyntaxNode[];
  /** The line the query variable is built on, when the sink receives a variable. */
  builtOn: number | null;
}

interface Def {
  /** Expression the name takes; for `q += x` the augmented assignment itself. */
  value: SyntaxNode;
  block: SyntaxNode;
  effectiveIndex: number;
}

class ShapeReader {
  private readonly defsCache = new Map<string, { defs: Def[]; complex: boolean }>();

  constructor(private readonly ctx: RuleContext) {}

  /** The strongest taint among the spliced expressions of a query (null: nothing untrusted reaches the text). */
  taintOf(query: SyntaxNode, shape: Shape = this.read(query)): Taint | null {
    let best: Taint | null = null;
    for (const leaf of shape.leaves) {
      const t = this.ctx.taint(leaf);
      if (!t || (t.level === "persisted" && isKeyColumn(leaf))) continue;
      if (!best || (t.level === "direct" && best.level !== "direct")) best = t;
    }
    return best;
  }

  tainted(node: SyntaxNode): boolean {
    return this.taintOf(node) !== null;
  }

  /** The expressions a name may hold at this use (simple assignments only), or null when unsure. */
  definitions(use: SyntaxNode): SyntaxNode[] | null {
    const defs = this.liveDefs(use);
    if (!defs || defs.some((d) => d.value.type === "augmented_assignment")) return null;
    return defs.map((d) => d.value);
  }

  read(query: SyntaxNode): Shape {
    const shape: Shape = { text: "", leaves: [], builtOn: null };
    const q = unwrap(query);
    if (q.type === "identifier") {
      const defs = this.liveDefs(q);
      if (defs && defs.length > 0) shape.builtOn = defs[0]!.value.startPosition.row + 1;
    }
    this.collect(query, shape, 0, new Set());
    return shape;
  }

  private collect(raw: SyntaxNode, shape: Shape, depth: number, visiting: Set<number>): void {
    const node = unwrap(raw);
    if (depth > 8) {
      shape.leaves.push(node);
      return;
    }
    switch (node.type) {
      case "string":
        for (const child of node.namedChildren) {
          if (child.type === "string_content") shape.text += child.text;
          else if (child.type === "interpolation" && child.namedChild(0)) this.collect(child.namedChild(0)!, shape, depth + 1, visiting);
        }
        return;
      case "concatenated_string":
        for (const part of node.namedChildren) this.collect(part, shape, depth + 1, visiting);
        return;
      case "binary_operator": {
        const op = node.childForFieldName("operator")?.text;
        if (op !== "+" && op !== "%") break;
        this.collect(node.childForFieldName("left")!, shape, depth + 1, visiting);
        this.collect(node.childForFieldName("right")!, shape, depth + 1, visiting);
        return;
      }
      case "tuple":
      case "list":
      case "expression_list":
        for (const child of node.namedChildren) this.collect(child, shape, depth + 1, visiting);
        return;
      case "dictionary":
        for (const pair of node.namedChildren) {
          const value = pair.childForFieldName("value");
          if (value) this.collect(value, shape, depth + 1, visiting);
        }
        return;
      case "conditional_expression": {
        const [whenTrue, condition, whenFalse] = node.namedChildren;
        // `sort if sort in ALLOWED else "name"`: the true branch is allowlisted by its own condition
        if (whenTrue && !(condition && validates(condition, whenTrue.text, this.ctx))) this.collect(whenTrue, shape, depth + 1, visiting);
        if (whenFalse) this.collect(whenFalse, shape, depth + 1, visiting);
        return;
      }
      case "call": {
        if (isTypeConvertedRequestValue(node)) return;
        const fn = node.childForFieldName("function");
        const method = fn?.type === "attribute" ? fn.childForFieldName("attribute")?.text : null;
        if (fn && (method === "join" || method === "format" || method === "format_map")) {
          this.collect(fn.childForFieldName("object")!, shape, depth + 1, visiting);
          const args = node.childForFieldName("arguments");
          // "sep".join(x for x in xs): the generator is the one argument, not an argument list
          const argList = args?.type === "argument_list" ? args.namedChildren : args ? [args] : [];
          for (const arg of argList) {
            const value = arg.type === "keyword_argument" ? arg.childForFieldName("value") : arg;
            if (value && value.type !== "comment") this.collect(value, shape, depth + 1, visiting);
          }
          return;
        }
        break;
      }
      case "generator_expression":
      case "list_comprehension":
      case "set_comprehension": {
        const body = node.childForFieldName("body");
        // "?" for _ in ids: a placeholder list, whatever ids holds
        const constant = stringValue(body);
        if (constant !== null) {
          shape.text += constant;
          return;
        }
        if (isAllowlistedComprehension(node, this.ctx)) return;
        break;
      }
      case "augmented_assignment":
        this.collect(node.childForFieldName("left")!, shape, depth + 1, visiting);
        this.collect(node.childForFieldName("right")!, shape, depth + 1, visiting);
        return;
      case "identifier": {
        if (isGuardedByAllowlist(node, this.ctx)) return;
        if (visiting.has(node.id)) return;
        const defs = this.liveDefs(node);
        if (!defs || defs.length === 0) break;
        visiting.add(node.id);
        for (const def of defs) this.collect(def.value, shape, depth + 1, visiting);
        visiting.delete(node.id);
        return;
      }
      default:
        break;
    }
    shape.leaves.push(node);
  }

  /** The assignments of `use` that may reach it (same dominance rule as the core), or null when unsure. */
  private liveDefs(use: SyntaxNode): Def[] | null {
    const scope = enclosingFunction(use) ?? rootOf(use);
    const key = `${scope.id}:${use.text}`;
    let entry = this.defsCache.get(key);
    if (!entry) {
      entry = scopeDefs(scope, use.text);
      this.defsCache.set(key, entry);
    }
    if (entry.complex) return null;
    let live: Def[] = [];
    for (const def of entry.defs) {
      if (def.effectiveIndex > use.startIndex) break;
      const dominates = def.block.startIndex <= use.startIndex && use.endIndex <= def.block.endIndex;
      live = dominates ? [def] : [...live, def];
    }
    return live;
  }
}

const BINDING_CONTAINERS = new Set([
  "for_statement", "for_in_clause", "with_item", "named_expression", "global_statement", "nonlocal_statement",
  "except_clause", "import_statement", "import_from_statement", "aliased_import", "parameters", "lambda_parameters",
]);

/**
 * Simple `name = value` / `name += value` bindings of a name in one scope (not nested functions). Any other way
 * of binding it (for target, with-as, walrus, unpacking, parameter, global) marks it complex: the caller then
 * leaves the name to the core's taint.
 */
function scopeDefs(scope: SyntaxNode, name: string): { defs: Def[]; complex: boolean } {
  const defs: Def[] = [];
  let complex = false;
  if (scope.type === "function_definition") {
    const params = scope.childForFieldName("parameters");
    if (params && params.descendantsOfType("identifier").some((i) => i.text === name)) complex = true;
  }
  const body = scope.type === "function_definition" ? scope.childForFieldName("body") : scope;
  const stack: SyntaxNode[] = body ? [body] : [];
  while (stack.length > 0 && !complex) {
    const node = stack.pop()!;
    if ((node.type === "function_definition" || node.type === "class_definition") && node !== body) {
      if (node.childForFieldName("name")?.text === name) complex = true;
      continue;
    }
    if (node.type === "lambda") continue;
    if (node.type === "assignment") {
      const left = node.childForFieldName("left");
      let value = node.childForFieldName("right");
      while (value?.type === "assignment") value = value.childForFieldName("right");
      if (left?.type === "identifier" && left.text === name) {
        if (value) defs.push({ value, block: nearestBlock(node), effectiveIndex: node.endIndex });
        else complex = true; // annotated declaration without value
      } else if (left && left.type !== "identifier" && left.descendantsOfType("identifier").some((i) => i.text === name && isBindingTarget(i, left))) {
        complex = true;
      }
    } else if (node.type === "augmented_assignment") {
      const left = node.childForFieldName("left");
      if (left?.type === "identifier" && left.text === name) {
        const op = node.childForFieldName("operator")?.text;
        if (op === "+=" || op === "%=") defs.push({ value: node, block: nearestBlock(node), effectiveIndex: node.endIndex });
        else complex = true;
      }
    } else if (BINDING_CONTAINERS.has(node.type) && bindsName(node, name)) {
      complex = true;
    }
    for (let i = node.namedChildCount - 1; i >= 0; i--) stack.push(node.namedChild(i)!);
  }
  defs.sort((a, b) => a.effectiveIndex - b.effectiveIndex);
  return { defs, complex };
}

/** In `a, b = ...` / `x[i] = ...` / `o.x = ...`: is this identifier a bound name (not an index or object)? */
function isBindingTarget(identifier: SyntaxNode, left: SyntaxNode): boolean {
  for (let p: SyntaxNode | null = identifier; p && p !== left; p = p.parent) {
    const parent = p.parent;
    if (!parent) return false;
    if (parent.type === "subscript" || parent.type === "attribute") return false;
  }
  return true;
}

function bindsName(node: SyntaxNode, name: string): boolean {
  switch (node.type) {
    case "for_statement":
    case "for_in_clause": {
      const left = node.childForFieldName("left");
      return !!left && (left.text === name || left.descendantsOfType("identifier").some((i) => i.text === name));
    }
    case "named_expression":
      return node.childForFieldName("name")?.text === name;
    case "with_item": {
      const alias = node.descendantsOfType("as_pattern_target");
      return alias.some((a) => a.descendantsOfType("identifier").some((i) => i.text === name));
    }
    case "global_statement":
    case "nonlocal_statement":
      return node.namedChildren.some((c) => c.text === name);
    case "except_clause":
      return node.descendantsOfType("as_pattern_target").some((a) => a.text === name);
    case "import_statement":
    case "import_from_statement":
    case "aliased_import":
      return node.descendantsOfType(["identifier"]).some((i) => i.text === name);
    default:
      return false;
  }
}

/** String checks whose success leaves only digits / word characters. */
const SAFE_STR_CHECKS = new Set(["isdigit", "isdecimal", "isnumeric", "isalnum", "isalpha", "isidentifier"]);

/**
 * When `condition` is true, is `name` known to be harmless? `name in ALLOWED` (ALLOWED untainted),
 * `re.fullmatch(p, name)` / `re.match(r"...$", name)` / `PATTERN.fullmatch(name)`, `name.isdigit()` and the like.
 */
function validates(condition: SyntaxNode, name: string, ctx: RuleContext): boolean {
  const cond = unwrap(condition);
  if (cond.type === "boolean_operator") {
    if (cond.childForFieldName("operator")?.text !== "and") return false;
    return [cond.childForFieldName("left"), cond.childForFieldName("right")].some((c) => !!c && validates(c, name, ctx));
  }
  if (cond.type === "comparison_operator" && cond.namedChildCount === 2) {
    const operators = cond.children.filter((c) => !c.isNamed).map((c) => c.text).join(" ");
    const [left, right] = cond.namedChildren as [SyntaxNode, SyntaxNode];
    return operators === "in" && unwrap(left).text === name && ctx.taint(right) === null;
  }
  if (cond.type !== "call") return false;
  const fn = cond.childForFieldName("function");
  if (fn?.type !== "attribute") return false;
  const method = fn.childForFieldName("attribute")?.text ?? "";
  const object = fn.childForFieldName("object");
  const args = callArguments(cond).positional;
  if (SAFE_STR_CHECKS.has(method)) return !!object && unwrap(object).text === name && args.length === 0;
  if (method !== "fullmatch" && method !== "match") return false;
  if (ctx.resolve(fn) === `re.${method}`) {
    const pattern = stringValue(args[0]);
    const anchored = method === "fullmatch" || (pattern !== null && /(\$|\\Z)$/.test(pattern));
    return anchored && args[1] !== undefined && unwrap(args[1]).text === name;
  }
  // a compiled pattern: PATTERN.fullmatch(name)
  return method === "fullmatch" && args[0] !== undefined && unwrap(args[0]).text === name;
}

/** When `condition` is false, is `name` known to be harmless? `name not in ALLOWED`, `not validates(...)`. */
function rejectsInvalid(condition: SyntaxNode, name: string, ctx: RuleContext): boolean {
  const cond = unwrap(condition);
  if (cond.type === "boolean_operator") {
    if (cond.childForFieldName("operator")?.text !== "or") return false;
    return [cond.childForFieldName("left"), cond.childForFieldName("right")].some((c) => !!c && rejectsInvalid(c, name, ctx));
  }
  if (cond.type === "not_operator") {
    const inner = cond.childForFieldName("argument");
    return !!inner && validates(inner, name, ctx);
  }
  if (cond.type === "comparison_operator" && cond.namedChildCount === 2) {
    const operators = cond.children.filter((c) => !c.isNamed).map((c) => c.text).join(" ");
    const [left, right] = cond.namedChildren as [SyntaxNode, SyntaxNode];
    return operators === "not in" && unwrap(left).text === name && ctx.taint(right) === null;
  }
  return false;
}

/** Does this block end by leaving the function (raise, return, abort(...))? */
function exits(block: SyntaxNode | null): boolean {
  const last = block?.namedChildren.filter((c) => c.type !== "comment").at(-1);
  if (!last) return false;
  if (last.type === "raise_statement" || last.type === "return_statement" || last.type === "continue_statement") return true;
  if (last.type === "expression_statement") {
    const call = last.namedChild(0);
    const fn = call?.type === "call" ? call.childForFieldName("function") : null;
    return !!fn && /(^|\.)abort$/.test(fn.text);
  }
  return false;
}

/**
 * `if sort not in ALLOWED: abort(400)` (or `if not re.fullmatch(...)`) earlier in an enclosing block, or the use
 * sits in the body of `if sort in ALLOWED:`. Allowlists are how dynamic ORDER BY columns are made safe.
 */
function isGuardedByAllowlist(use: SyntaxNode, ctx: RuleContext): boolean {
  const name = use.text;
  return guardedOnPath(use, {
    around(p, child) {
      if (p.type !== "if_statement" && p.type !== "elif_clause") return false;
      const condition = p.childForFieldName("condition");
      return !!condition && p.childForFieldName("consequence") === child && validates(condition, name, ctx);
    },
    before(statement) {
      const condition = statement.type === "if_statement" ? statement.childForFieldName("condition") : null;
      return !!condition && rejectsInvalid(condition, name, ctx) && exits(statement.childForFieldName("consequence"));
    },
  });
}

/** `[c for c in cols if c in ALLOWED]`: every element passed the allowlist. */
function isAllowlistedComprehension(node: SyntaxNode, ctx: RuleContext): boolean {
  const body = node.childForFieldName("body");
  const clause = node.namedChildren.find((c) => c.type === "for_in_clause");
  const variable = clause?.childForFieldName("left");
  if (!body || !variable || variable.type !== "identifier" || unwrap(body).text !== variable.text) return false;
  return node.namedChildren.some((c) => c.type === "if_clause" && !!c.namedChild(0) && validates(c.namedChild(0)!, variable.text, ctx));
}

/** `row["id"]`, `user.author_id`, `post.pk`: a key the database assigned, not stored user text. */
function isKeyColumn(node: SyntaxNode): boolean {
  const n = unwrap(node);
  const key =
    n.type === "attribute" ? n.childForFieldName("attribute")?.text : n.type === "subscript" ? stringValue(n.childForFieldName("subscript")) : n.type === "identifier" ? n.text : null;
  return !!key && /^(id|pk|\w+_id)$/i.test(key);
}

/** request.args.get("limit", type=int): Werkzeug converts (or drops) the value, so only a number can come back. */
function isTypeConvertedRequestValue(call: SyntaxNode): boolean {
  const fn = call.childForFieldName("function");
  if (fn?.type !== "attribute" || fn.childForFieldName("attribute")?.text !== "get") return false;
  const converter = callArguments(call).keywords.get("type");
  return !!converter && ["int", "float", "bool"].includes(converter.text);
}

// ---------------------------------------------------------------------------------------------------------------
// The inline query as a template (for the fix): literal characters and the expressions spliced between them.

interface Tok {
  /** Source text of the character (an escape sequence keeps its backslash). */
  raw: string;
  /** The one character it stands for in the SQL text. */
  val: string;
  /** char: a plain character; esc: an escape sequence; brace: `{{`/`}}` of an f-string or .format(); pct: `%%`. */
  kind: "char" | "esc" | "brace" | "pct";
}

interface Slot {
  node: SyntaxNode;
  /** No format spec, conversion or `=`: the value is passed as it is. */
  clean: boolean;
  /** The f-string interpolation (`{TABLE}`) when it can stay in an f-string. */
  interpolation: SyntaxNode | null;
}

/** A token or a slot, and the piece (string literal to rewrite) it belongs to. */
type Item = ({ tok: Tok } | { slot: Slot }) & { piece: number };

interface Piece {
  /** The node the piece's new literal replaces. */
  node: SyntaxNode;
  /** Non-f prefix letters as written ("", "r", "u"). */
  prefix: string;
  /** The string delimiter (' " ''' """). */
  delim: string;
}

interface Template {
  items: Item[];
  /** Implicitly concatenated literals keep their own lines (and the comments between them); else one piece. */
  pieces: Piece[];
  how: string;
}

function stringParts(node: SyntaxNode): { prefix: string; delim: string; fString: boolean } | null {
  if (node.type !== "string") return null;
  const start = node.child(0)?.text ?? "";
  const match = /^([a-zA-Z]*)('''|"""|'|")$/.exec(start);
  if (!match) return null;
  const letters = match[1]!;
  if (/b/i.test(letters)) return null;
  return { prefix: letters.replace(/f/gi, ""), delim: match[2]!, fString: /f/i.test(letters) };
}

/** The characters of a string literal's content; f-string interpolations become slots. */
function literalItems(node: SyntaxNode, piece: number): Item[] | null {
  const parts = stringParts(node);
  if (!parts) return null;
  const rawString = /r/i.test(parts.prefix);
  const items: Item[] = [];
  for (const child of node.children) {
    if (child.type === "string_start" || child.type === "string_end") continue;
    if (child.type === "interpolation") {
      const expression = child.namedChild(0);
      if (!expression) return null;
      const clean = !child.children.some((c) => c.type === "type_conversion" || c.type === "format_specifier" || c.text === "=");
      items.push({ slot: { node: expression, clean, interpolation: child }, piece });
      continue;
    }
    if (child.type !== "string_content") return null;
    const text = child.text;
    const specials = new Map<number, SyntaxNode>();
    for (const s of child.namedChildren) specials.set(s.startIndex - child.startIndex, s);
    for (let i = 0; i < text.length; ) {
      const special = specials.get(i);
      if (special && special.type === "escape_interpolation") {
        items.push({ tok: { raw: special.text, val: special.text[0]!, kind: "brace" }, piece });
        i += special.text.length;
      } else if (special && special.type === "escape_sequence" && !rawString) {
        items.push({ tok: { raw: special.text, val: unescapeOne(special.text), kind: "esc" }, piece });
        i += special.text.length;
      } else {
        items.push({ tok: { raw: text[i]!, val: text[i]!, kind: "char" }, piece });
        i += 1;
      }
    }
  }
  return items;
}

/** The one character an escape sequence stands for (the analysis needs one value character per source token). */
function unescapeOne(seq: string): string {
  const simple: Record<string, string> = { "\\'": "'", '\\"': '"', "\\\\": "\\", "\\n": "\n", "\\t": "\t", "\\r": "\r", "\\\n": " " };
  const known = simple[seq];
  if (known !== undefined) return known;
  const hex = /^\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|([0-7]{1,3}))$/.exec(seq);
  if (hex) {
    const code = hex[1] ? parseInt(hex[1], 16) : hex[2] ? parseInt(hex[2], 16) : parseInt(hex[3]!, 8);
    return String.fromCharCode(code);
  }
  return "\u0001";
}

/** Templates by query node: a finding asks for its query's template up to three times (fix, message, advice). */
const templateCache = new WeakMap<SyntaxNode, Template | null>();

/** The inline query of a sink as a template, or null when it is not built inline (or in a way we can rewrite). */
function inlineTemplate(query: SyntaxNode): Template | null {
  let template = templateCache.get(query);
  if (template === undefined) {
    template = buildTemplate(query);
    templateCache.set(query, template);
  }
  return template;
}

function buildTemplate(query: SyntaxNode): Template | null {
  const node = unwrap(query);
  if (node.type === "string") {
    const parts = stringParts(node);
    if (!parts?.fString) return null;
    const items = literalItems(node, 0);
    return items ? { items, pieces: [{ node, prefix: parts.prefix, delim: parts.delim }], how: "an f-string" } : null;
  }
  if (node.type === "concatenated_string") return implicitTemplate(node);
  const op = node.type === "binary_operator" ? node.childForFieldName("operator")?.text : null;
  if (op === "+") return concatTemplate(node);
  if (op === "%") return percentTemplate(node);
  if (node.type === "call") return formatTemplate(node);
  return null;
}

/** "SELECT ... " f"WHERE name = '{name}'": each literal stays a piece of its own. */
function implicitTemplate(node: SyntaxNode): Template | null {
  const items: Item[] = [];
  const pieces: Piece[] = [];
  let fString = false;
  for (const part of node.namedChildren) {
    if (part.type === "comment") continue;
    const parts = stringParts(part);
    const inner = parts ? literalItems(part, pieces.length) : null;
    if (!parts || !inner) return null;
    fString ||= parts.fString;
    pieces.push({ node: part, prefix: parts.prefix, delim: parts.delim });
    for (const item of inner) items.push(item); // not push(...inner): a long literal would overflow the stack
  }
  return fString ? { items, pieces, how: "an f-string" } : null;
}

/** The operands of a `+` chain, left to right (iterative: a 10,000-term concatenation must not overflow the stack). */
function concatOperands(node: SyntaxNode, out: SyntaxNode[]): void {
  const pending = [node];
  while (pending.length > 0) {
    const n = unwrap(pending.pop()!);
    const left = n.type === "binary_operator" && n.childForFieldName("operator")?.text === "+" ? n.childForFieldName("left") : null;
    const right = left ? n.childForFieldName("right") : null;
    if (left && right) {
      pending.push(right, left);
    } else if (n.type === "concatenated_string") {
      for (const part of n.namedChildren) if (part.type !== "comment") out.push(part);
    } else {
      out.push(n);
    }
  }
}

/** "... = '" + name + "'": merged into one literal (all literals must share prefix and delimiter). */
function concatTemplate(node: SyntaxNode): Template | null {
  const operands: SyntaxNode[] = [];
  concatOperands(node, operands);
  const items: Item[] = [];
  let first: { prefix: string; delim: string } | null = null;
  for (const operand of operands) {
    const parts = stringParts(operand);
    if (parts) {
      if (!first) first = parts;
      else if (parts.prefix.toLowerCase() !== first.prefix.toLowerCase() || parts.delim !== first.delim) return null;
      const inner = literalItems(operand, 0);
      if (!inner) return null;
      for (const item of inner) items.push(item);
    } else if (operand.type === "string" || operand.type === "concatenated_string") {
      return null;
    } else {
      items.push({ slot: { node: operand, clean: true, interpolation: null }, piece: 0 });
    }
  }
  if (!first || node.descendantsOfType("comment").length > 0) return null;
  return { items, pieces: [{ node, prefix: first.prefix, delim: first.delim }], how: "string concatenation" };
}

/** Plain (non-f) string literal items, or null. */
function plainItems(node: SyntaxNode): { items: Item[]; prefix: string; delim: string } | null {
  const n = unwrap(node);
  const pieces = n.type === "concatenated_string" ? n.namedChildren.filter((c) => c.type !== "comment") : [n];
  let items: Item[] = [];
  let first: { prefix: string; delim: string } | null = null;
  for (const piece of pieces) {
    const parts = stringParts(piece);
    if (!parts || parts.fString) return null;
    if (!first) first = parts;
    else if (parts.prefix.toLowerCase() !== first.prefix.toLowerCase() || parts.delim !== first.delim) return null;
    const inner = literalItems(piece, 0);
    if (!inner) return null;
    if (items.length === 0) items = inner;
    else for (const item of inner) items.push(item);
  }
  return first ? { items, prefix: first.prefix, delim: first.delim } : null;
}

/** "... '%s' ..." % x  /  % (a, b)  /  % {"name": x} */
function percentTemplate(node: SyntaxNode): Template | null {
  const left = plainItems(node.childForFieldName("left")!);
  const rightNode = node.childForFieldName("right");
  if (!left || !rightNode || node.descendantsOfType("comment").length > 0) return null;
  const right = unwrap(rightNode);
  let positional: SyntaxNode[] = [];
  const named = new Map<string, SyntaxNode>();
  if (right.type === "tuple") {
    positional = right.namedChildren.filter((c) => c.type !== "comment");
    if (positional.some((c) => c.type === "list_splat")) return null;
  } else if (right.type === "dictionary") {
    for (const pair of right.namedChildren) {
      if (pair.type !== "pair") return null;
      const key = stringValue(pair.childForFieldName("key"));
      const value = pair.childForFieldName("value");
      if (key === null || !value) return null;
      named.set(key, value);
    }
  } else {
    positional = [right];
  }
  const items: Item[] = [];
  let next = 0;
  const toks = left.items;
  for (let i = 0; i < toks.length; i++) {
    const item = toks[i]!;
    if (!("tok" in item) || item.tok.val !== "%") {
      items.push(item);
      continue;
    }
    const rest = toks.slice(i + 1, i + 40).map((t) => ("tok" in t ? t.tok.val : "\0")).join("");
    if (rest.startsWith("%")) {
      items.push({ tok: { raw: "%%", val: "%", kind: "pct" }, piece: 0 });
      i += 1;
      continue;
    }
    const directive = /^(\(([A-Za-z_]\w*)\))?([#0\- +]*\d*(?:\.\d+)?)([sdirfaxXeEgGcou])/.exec(rest);
    if (!directive) return null;
    const key = directive[2];
    const value = key !== undefined ? named.get(key) : positional[next++];
    if (!value) return null;
    const clean = directive[3] === "" && ["s", "d", "i"].includes(directive[4]!);
    items.push({ slot: { node: value, clean, interpolation: null }, piece: 0 });
    i += directive[0].length;
  }
  if (named.size === 0 && next !== positional.length) return null;
  return { items, pieces: [{ node, prefix: left.prefix, delim: left.delim }], how: "%-formatting" };
}

/** "... '{}' ...".format(x) / "{0}" / "{name}".format(name=x) */
function formatTemplate(call: SyntaxNode): Template | null {
  const fn = call.childForFieldName("function");
  if (fn?.type !== "attribute" || fn.childForFieldName("attribute")?.text !== "format") return null;
  const base = plainItems(fn.childForFieldName("object")!);
  if (!base || call.descendantsOfType("comment").length > 0) return null;
  const args = callArguments(call);
  if (args.hasSplat) return null;
  const items: Item[] = [];
  let auto = 0;
  const toks = base.items;
  for (let i = 0; i < toks.length; i++) {
    const item = toks[i]!;
    if (!("tok" in item) || (item.tok.val !== "{" && item.tok.val !== "}")) {
      items.push(item);
      continue;
    }
    const following = toks[i + 1];
    const followingVal = following && "tok" in following ? following.tok.val : "";
    if (followingVal === item.tok.val) {
      items.push({ tok: { raw: `${item.tok.raw}${item.tok.raw}`, val: item.tok.val, kind: "brace" }, piece: 0 });
      i += 1;
      continue;
    }
    if (item.tok.val === "}") return null;
    let field = "";
    let j = i + 1;
    for (; j < toks.length; j++) {
      const t = toks[j]!;
      if (!("tok" in t)) return null;
      if (t.tok.val === "}") break;
      field += t.tok.val;
    }
    if (j >= toks.length) return null;
    const name = /^[^!:.[]*/.exec(field)![0];
    const value = name === "" ? args.positional[auto++] : /^\d+$/.test(name) ? args.positional[Number(name)] : args.keywords.get(name);
    if (!value) return null;
    items.push({ slot: { node: value, clean: name === field, interpolation: null }, piece: 0 });
    i = j;
  }
  return { items, pieces: [{ node: call, prefix: base.prefix, delim: base.delim }], how: "str.format()" };
}

// ---------------------------------------------------------------------------------------------------------------
// Parameterising a template

type Placeholder = "qmark" | "format" | "named";

interface Parameterised {
  /** The new string literal of each piece of the template. */
  literals: string[];
  params: { name: string; expr: string }[];
  /** Every slot was a plain value: the rewrite keeps the query's meaning. */
  exact: boolean;
  /** Some slot sat inside a quoted SQL literal (a LIKE pattern): passed as one f-string parameter. */
  pattern: boolean;
}

const VALUE_BEFORE = /(?:[=<>]|\bI?LIKE|\bLIMIT|\bOFFSET)$/i;
const IS_BLANK = /\s/;
/** The last character the text before a value may have (/[\s=<>(,]$/). */
const BEFORE_VALUE_CHAR = /[\s=<>(,]/;
/** The first character the text after a value may have (/^(?:$|[\s),;])/: or none). */
const AFTER_VALUE_CHAR = /[\s),;]/;

/**
 * The SQL text of a template, one character per item (so offsets are item indexes), with what the slot checks ask of
 * its prefixes worked out once: a template with many slots asked them of every prefix anew, which was quadratic
 * (trimming it, counting its quotes, finding its last `VALUES (` and whether that is still open).
 */
class SqlText {
  readonly text: string;
  /** quotes[q][k]: how many `q` quotes text[0, k) holds. */
  private readonly quotes: Record<"'" | '"', Int32Array>;
  /** The offsets of the slots, ascending. */
  readonly slots: number[] = [];
  /** The end offsets of the /\bVALUES\s*\(/gi matches, ascending (in a prefix: those that end within it). */
  private readonly valuesEnds: number[] = [];
  /** For each of them, the offset just past the ")" that closes that parenthesis (Infinity: none does). */
  private valuesCloses: number[] = [];

  constructor(vals: string[], slotAt: (offset: number) => boolean) {
    const text = vals.join("");
    this.text = text;
    const n = text.length;
    const single = new Int32Array(n + 1);
    const double = new Int32Array(n + 1);
    for (let k = 0; k < n; k++) {
      const c = text.charCodeAt(k);
      single[k + 1] = single[k]! + (c === 39 ? 1 : 0); // '
      double[k + 1] = double[k]! + (c === 34 ? 1 : 0); // "
      if (c === 63 && slotAt(k)) this.slots.push(k); // ?
    }
    this.quotes = { "'": single, '"': double };
    for (const m of text.matchAll(/\bVALUES\s*\(/gi)) this.valuesEnds.push(m.index + m[0].length);
    if (this.valuesEnds.length === 0) return;
    // depth[k]: "(" minus ")" in text[0, k); for each VALUES end, the first offset after it where the depth is one
    // less than there: its ")" ends there. Right to left, with the nearest offset of each depth so far.
    const depth = new Int32Array(n + 1);
    for (let k = 0; k < n; k++) {
      const c = text.charCodeAt(k);
      depth[k + 1] = depth[k]! + (c === 40 ? 1 : c === 41 ? -1 : 0); // ( )
    }
    const nearest = new Int32Array(2 * n + 3).fill(-1); // by depth + n + 1
    const closes = new Map<number, number>();
    const ends = new Set(this.valuesEnds);
    for (let k = n; k >= 0; k--) {
      if (ends.has(k)) {
        const at = nearest[depth[k]! - 1 + n + 1]!;
        closes.set(k, at < 0 ? Infinity : at);
      }
      nearest[depth[k]! + n + 1] = k;
    }
    this.valuesCloses = this.valuesEnds.map((e) => closes.get(e)!);
  }

  /** How many `quote` characters text[0, end) holds. */
  count(quote: "'" | '"', end: number): number {
    return this.quotes[quote][end]!;
  }

  /** The end of text[0, end) without its trailing blanks (what .trimEnd() keeps: the same characters as \s). */
  trimmedEnd(end: number): number {
    while (end > 0 && IS_BLANK.test(this.text[end - 1]!)) end--;
    return end;
  }

  /** Can text[0, end) come before a value: /[\s=<>(,]$/. */
  beforeValue(end: number): boolean {
    return end > 0 && BEFORE_VALUE_CHAR.test(this.text[end - 1]!);
  }

  /** Can text[start, ...) come after a value: /^(?:$|[\s),;])/. */
  afterValue(start: number): boolean {
    return start >= this.text.length || AFTER_VALUE_CHAR.test(this.text[start]!);
  }

  /** Is a slot, with text[0, end) the SQL text before it, in a value position (after = ..., LIKE, LIMIT, VALUES (...)? */
  isValuePosition(end: number): boolean {
    const trimmed = this.trimmedEnd(end);
    // VALUE_BEFORE's longest word (OFFSET) and the character its \b looks at fit in the last 8 characters
    if (VALUE_BEFORE.test(this.text.slice(Math.max(0, trimmed - 8), trimmed))) return true;
    const last = this.text[trimmed - 1];
    if (last !== "(" && last !== ",") return false;
    // the last VALUES ( within the text, and whether it is still open at its end
    let low = 0;
    let high = this.valuesEnds.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.valuesEnds[mid]! <= trimmed) low = mid + 1;
      else high = mid;
    }
    return low > 0 && this.valuesCloses[low - 1]! > trimmed;
  }
}

const sqlTexts = new WeakMap<Template, SqlText>();

/** A template's SQL text: one value character per item ("?" for a slot), so character offsets are item indexes. */
function sqlTextOf(tpl: Template): SqlText {
  let sql = sqlTexts.get(tpl);
  if (!sql) {
    sql = new SqlText(tpl.items.map((it) => ("tok" in it ? it.tok.val : "?")), (k) => "slot" in tpl.items[k]!);
    sqlTexts.set(tpl, sql);
  }
  return sql;
}

/**
 * Rewrite a template with placeholders. Slots in a value position become placeholders (their `'...'` quotes
 * dropped); untainted slots elsewhere stay interpolated when they are f-string interpolations (a constant table
 * name); a slot inside a quoted SQL literal turns that whole literal into one f-string parameter (review only).
 * Returns null when some slot cannot be handled (an identifier position fed by the request).
 */
function parameterise(tpl: Template, style: Placeholder, isTainted: (node: SyntaxNode) => boolean): Parameterised | null {
  const items = tpl.items;
  // one value character per item: the SQL text before slot i is text[0, i), after it text[i + 1, ...)
  const sql = sqlTextOf(tpl);
  const text = sql.text;
  const drop = new Set<number>();
  const plan = new Map<number, "param" | "keep">();
  /** pattern groups: opening quote index -> closing quote index */
  const groups = new Map<number, number>();
  /** The group made last: groups never overlap and open after the slots before them, so only it can hold a slot. */
  let lastGroup: { open: number; close: number } | null = null;
  let exact = true;
  let pattern = false;
  for (const i of sql.slots) {
    const item = items[i]!;
    if (!("slot" in item)) continue;
    if (lastGroup && i > lastGroup.open && i < lastGroup.close) continue;
    const singles = sql.count("'", i);
    if (sql.count('"', i) % 2 === 1) return null; // a "quoted" identifier or MySQL string: not ours to guess
    if (item.slot.node.text.includes("\n") || !item.slot.clean) exact = false;
    if (text[i - 1] === "'" && text[i + 1] === "'" && singles % 2 === 1) {
      // the text outside the quotes: text[0, i - 1) before, text[i + 2, ...) after
      if (!sql.isValuePosition(i - 1) || !sql.beforeValue(i - 1) || !sql.afterValue(i + 2)) return null;
      if (items[i - 1]!.piece !== item.piece || items[i + 1]!.piece !== item.piece) return null;
      drop.add(i - 1).add(i + 1);
      plan.set(i, "param");
      continue;
    }
    if (singles % 2 === 1) {
      // inside a quoted SQL literal: '%{q}%' -> one parameter holding the whole pattern
      const open = text.lastIndexOf("'", i - 1);
      const close = text.indexOf("'", i + 1);
      // the text outside the literal: text[0, open) before, text[close + 1, ...) after
      if (close < 0 || text[open - 1] === "'" || text[close + 1] === "'") return null;
      if (!sql.isValuePosition(open) || !sql.beforeValue(open) || !sql.afterValue(close + 1)) return null;
      if (items[open]!.piece !== items[close]!.piece) return null;
      groups.set(open, close);
      lastGroup = { open, close };
      exact = false;
      pattern = true;
      continue;
    }
    if (sql.isValuePosition(i) && (i === 0 || sql.beforeValue(i)) && sql.afterValue(i + 1)) {
      plan.set(i, "param");
      continue;
    }
    // identifier position (table, column, ORDER BY): only a constant may stay, and only as an interpolation
    if (item.slot.interpolation && !isTainted(item.slot.node)) {
      plan.set(i, "keep");
      continue;
    }
    return null;
  }

  const keeps = new Set<number>();
  for (const [i, how] of plan) if (how === "keep") keeps.add(items[i]!.piece);
  if (style === "qmark" && items.some((it) => "tok" in it && it.tok.val === "?")) exact = false;
  const used = new Set<string>();
  for (const m of text.matchAll(/:(\w+)/g)) used.add(m[1]!);
  const params: { name: string; expr: string }[] = [];
  const byExpr = new Map<string, string>();
  const placeholder = (expr: string, hint: SyntaxNode | null, suffix = ""): string => {
    if (style !== "named") {
      params.push({ name: "", expr });
      return style === "qmark" ? "?" : "%s";
    }
    const known = byExpr.get(expr);
    if (known) return `:${known}`;
    const name = paramName(hint, used, params.length + 1, suffix);
    used.add(name);
    byExpr.set(expr, name);
    params.push({ name, expr });
    return `:${name}`;
  };
  const renderTok = (tok: Tok, fString: boolean): string => {
    if (tok.kind === "pct") return style === "format" ? "%%" : "%";
    if (tok.val === "%" && style === "format") return "%%";
    if (tok.kind === "brace") return fString ? tok.val.repeat(2) : tok.val;
    if (fString && (tok.val === "{" || tok.val === "}")) return tok.val.repeat(2);
    return tok.raw;
  };

  // each piece's text as a list of strings joined once at the end (one item is one character: keep the loop lean)
  const contents = tpl.pieces.map((): string[] => []);
  const fStrings = tpl.pieces.map((_, k) => keeps.has(k));
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const close = groups.size > 0 ? groups.get(i) : undefined;
    if (close !== undefined) {
      const inside = items.slice(i + 1, close);
      const expr = patternExpr(inside);
      if (expr === null) return null;
      const slots = inside.filter((it) => "slot" in it);
      contents[item.piece]!.push(placeholder(expr, slots.length === 1 && "slot" in slots[0]! ? slots[0].slot.node : null, "_pattern"));
      i = close;
    } else if (drop.size > 0 && drop.has(i)) {
      continue;
    } else if ("tok" in item) {
      contents[item.piece]!.push(renderTok(item.tok, fStrings[item.piece]!));
    } else if (plan.get(i) === "keep") {
      contents[item.piece]!.push(item.slot.interpolation!.text);
    } else {
      contents[item.piece]!.push(placeholder(item.slot.node.text, item.slot.node));
    }
  }
  const literals = tpl.pieces.map((piece, k) => `${keeps.has(k) ? "f" : ""}${piece.prefix}${piece.delim}${contents[k]!.join("")}${piece.delim}`);
  return { literals, params, exact, pattern };
}

/**
 * Where SQL wants an identifier: /(?:\b(?:FROM|JOIN|INTO|UPDATE|TABLE|BY|SELECT|DISTINCT)|\bORDER\s+BY\s+[\w."]+|[,.]|\w_)$/i
 * at the end of the text before a slot. The words are tested on the last 10 characters (the longest, DISTINCT, and
 * the character its \b looks at fit), ORDER BY by orderByBefore: the pattern ran over the whole text for every slot.
 */
const IDENTIFIER_WORD_BEFORE = /(?:\b(?:FROM|JOIN|INTO|UPDATE|TABLE|BY|SELECT|DISTINCT)|[,.]|\w_)$/i;

/** Does text[0, end) end with /\bORDER\s+BY\s+[\w."]+$/i? Each run is the longest one, so it is read backwards. */
function orderByBefore(text: string, end: number): boolean {
  let k = end;
  while (k > 0 && /[\w."]/.test(text[k - 1]!)) k--;
  if (k === end) return false;
  let by = k;
  while (by > 0 && IS_BLANK.test(text[by - 1]!)) by--;
  if (by === k || by < 2 || !/^BY$/i.test(text.slice(by - 2, by))) return false;
  let order = by - 2;
  while (order > 0 && IS_BLANK.test(text[order - 1]!)) order--;
  if (order === by - 2 || order < 5 || !/^ORDER$/i.test(text.slice(order - 5, order))) return false;
  return order === 5 || !/\w/.test(text[order - 6]!);
}

/** Does request data land where SQL wants an identifier (table, column, ORDER BY direction)? */
function taintsIdentifier(tpl: Template, isTainted: (node: SyntaxNode) => boolean): boolean {
  const sql = sqlTextOf(tpl);
  return tpl.items.some((item, i) => {
    if (!("slot" in item)) return false;
    const end = sql.text[i - 1] === "'" ? i - 1 : i; // the text before the slot, less an opening quote
    if (sql.count("'", end) % 2 !== 0) return false;
    const trimmed = sql.trimmedEnd(end);
    const identifier = IDENTIFIER_WORD_BEFORE.test(sql.text.slice(Math.max(0, trimmed - 10), trimmed)) || orderByBefore(sql.text, trimmed);
    return identifier && isTainted(item.slot.node);
  });
}

/** The parameter for a quoted SQL pattern like '%{q}%': f"%{q}%". */
function patternExpr(items: Item[]): string | null {
  let body = "";
  for (const item of items) {
    if ("slot" in item) body += `{${item.slot.node.text}}`;
    else if (item.tok.kind === "pct") body += "%";
    else if (item.tok.val === "{" || item.tok.val === "}") body += item.tok.val.repeat(2);
    else body += item.tok.kind === "esc" ? item.tok.raw : item.tok.val;
  }
  const quote = !body.includes('"') ? '"' : !body.includes("'") ? "'" : null;
  return quote && !body.includes("\n") ? `f${quote}${body}${quote}` : null;
}

const PYTHON_KEYWORDS = new Set([
  "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif",
  "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or",
  "pass", "raise", "return", "try", "while", "with", "yield",
]);

/** A bind-parameter name from the expression: name, request.args["q"] -> q, form.email.data -> email. */
function paramName(node: SyntaxNode | null, used: Set<string>, index: number, suffix = ""): string {
  let candidate = "";
  const n = node ? unwrap(node) : null;
  if (n?.type === "identifier") candidate = n.text;
  else if (n?.type === "attribute") {
    const attr = n.childForFieldName("attribute")?.text ?? "";
    candidate = attr === "data" ? (n.childForFieldName("object")?.childForFieldName("attribute")?.text ?? attr) : attr;
  } else if (n?.type === "subscript") candidate = stringValue(n.childForFieldName("subscript")) ?? "";
  else if (n?.type === "call") candidate = stringValue(callArguments(n).positional[0]) ?? "";
  if (!/^[A-Za-z_]\w*$/.test(candidate) || PYTHON_KEYWORDS.has(candidate)) candidate = `p${index}`;
  else candidate += suffix;
  let name = candidate;
  for (let k = 2; used.has(name); k++) name = `${candidate}_${k}`;
  return name;
}

// ---------------------------------------------------------------------------------------------------------------
// Driver and fix assembly

const QMARK_DRIVERS = ["sqlite3", "aiosqlite", "pyodbc"];
const FORMAT_DRIVERS = ["psycopg2", "psycopg", "pymysql", "MySQLdb", "mysql.connector", "pg8000", "flask_mysqldb", "flaskext.mysql"];
const SQLALCHEMY_MODULES = ["sqlalchemy", "flask_sqlalchemy", "sqlmodel"];

interface DriverStyle {
  placeholder: Placeholder;
  /** The file names exactly one DB-API paramstyle and nothing that could make the receiver SQLAlchemy. */
  known: boolean;
  note: string;
}

/**
 * The placeholder style of the driver the file imports. It is known (a safe fix) when exactly one DB-API
 * paramstyle is imported and the receiver cannot be SQLAlchemy: a Session or Connection wants text() and :name,
 * so with SQLAlchemy in the file the receiver must plainly be a DB-API cursor or connection.
 */
function driverStyle(ctx: RuleContext, receiver: SyntaxNode | null, reader: ShapeReader): DriverStyle {
  const qmark = QMARK_DRIVERS.filter((m) => ctx.hasImport(m));
  const format = FORMAT_DRIVERS.filter((m) => ctx.hasImport(m));
  const alchemyImported = SQLALCHEMY_MODULES.some((m) => ctx.hasImport(m));
  const alchemyReceiver = /\b(session|engine)\b/.test(receiver?.text ?? "");
  const drivers = (qmark.length > 0 ? 1 : 0) + (format.length > 0 ? 1 : 0);
  if (alchemyReceiver || (alchemyImported && drivers === 0)) return { placeholder: "named", known: false, note: "SQLAlchemy :name placeholders" };
  const known = drivers === 1 && (!alchemyImported || isDbApiHandle(receiver, ctx, reader));
  if (drivers === 1 && qmark.length > 0) return { placeholder: "qmark", known, note: `${qmark[0]} ? placeholders` };
  if (drivers === 1) return { placeholder: "format", known, note: `${format[0]} %s placeholders` };
  return { placeholder: "format", known: false, note: "use your driver's placeholder style" };
}

/** `cur`, `x.cursor()`, `sqlite3.connect(...)`, or a name bound to one of those: a DB-API object, not SQLAlchemy. */
function isDbApiHandle(receiver: SyntaxNode | null, ctx: RuleContext, reader: ShapeReader, depth = 0): boolean {
  if (!receiver || depth > 3) return false;
  const node = unwrap(receiver);
  if (node.type === "call") {
    const fn = node.childForFieldName("function");
    if (fn?.type === "attribute" && fn.childForFieldName("attribute")?.text === "cursor") return true;
    const name = ctx.resolve(fn);
    return !!name && [...QMARK_DRIVERS, ...FORMAT_DRIVERS].some((m) => name === `${m}.connect`);
  }
  if (node.type !== "identifier" && node.type !== "attribute") return false;
  const last = node.type === "attribute" ? node.childForFieldName("attribute")?.text : node.text;
  if (last && /^(cur|curs|cursor)$|_(cur|cursor)$/i.test(last)) return true;
  if (node.type !== "identifier") return false;
  const defs = reader.definitions(node);
  return !!defs && defs.length > 0 && defs.every((d) => isDbApiHandle(d, ctx, reader, depth + 1));
}

function paramsTuple(params: { expr: string }[], open = "(", close = ")"): string {
  const inner = params.map((p) => p.expr).join(", ");
  return open === "(" && params.length === 1 ? `(${inner},)` : `${open}${inner}${close}`;
}

function paramsDict(params: { name: string; expr: string }[]): string {
  return `{${params.map((p) => `"${p.name}": ${p.expr}`).join(", ")}}`;
}

function closingParen(call: SyntaxNode): SyntaxNode | null {
  const args = call.childForFieldName("arguments");
  const last = args?.child(args.childCount - 1);
  return args?.type === "argument_list" && last?.type === ")" ? last : null;
}

function fixFor(sink: Sink, ctx: RuleContext, reader: ShapeReader): FixInput | undefined {
  const tpl = inlineTemplate(sink.query);
  if (!tpl) return undefined;
  const isTainted = (n: SyntaxNode) => reader.tainted(n);
  const args = callArguments(sink.call);
  const onlyQuery = args.positional.length === 1 && args.keywords.size === 0 && !args.hasSplat && !sink.byKeyword;
  const paren = closingParen(sink.call);
  /** Edits for the rewritten literals, `before` ahead of the first and `after` behind the last, plus extras. */
  const make = (p: Parameterised, safe: boolean, description: string, before: string, after: string, extra: { node: SyntaxNode; text: string }[] = []): FixInput => {
    const last = tpl.pieces.length - 1;
    // `execute((f"..."))`: what goes around the query goes around the parentheses, or it would make a tuple
    const parens = sink.query.type === "parenthesized_expression" ? sink.query : null;
    const open = parens?.child(0);
    const close = parens?.child(parens.childCount - 1);
    const edits = tpl.pieces.map((piece, k) => ({
      node: piece.node,
      text: `${k === 0 && !parens ? before : ""}${p.literals[k]}${k === last && !parens ? after : ""}`,
    }));
    if (open && close) edits.push({ node: open, text: `${before}${open.text}` }, { node: close, text: `${close.text}${after}` });
    const all = [...edits, ...extra];
    const anchor = all.reduce((a, b) => (b.node.startIndex < a.node.startIndex ? b : a));
    const laidOut = all.map((e) => literalEdit(e.node, e.text, lineIndent(ctx.source, anchor.node)));
    return { safety: safe && laidOut.every((e) => e.exact) ? "safe" : "review", description, edits: laidOut.map((e) => e.edit) };
  };
  const binds = (p: Parameterised) => p.params.map((x) => `${x.name}=${x.expr}`).join(", ");

  if (sink.kind === "text") {
    const p = parameterise(tpl, "named", isTainted);
    if (!p || p.params.length === 0 || !paren || !onlyQuery) return undefined;
    const parent = sink.call.parent;
    const chained = parent?.type === "attribute" && parent.childForFieldName("attribute")?.text === "bindparams";
    const description = p.pattern ? "bind the quoted pattern as one parameter with .bindparams()" : "bind the values as :name parameters with .bindparams()";
    return make(p, p.exact && !chained, description, "", "", [{ node: paren, text: `).bindparams(${binds(p)})` }]);
  }

  if (sink.kind === "execute" || sink.kind === "driver_sql") {
    if (!onlyQuery) return undefined;
    let style = driverStyle(ctx, sink.receiver, reader);
    // exec_driver_sql() / execute_sql() hand the string to the DB-API driver as it is: never text() / :name
    if (sink.kind === "driver_sql" && style.placeholder === "named") style = { placeholder: "format", known: false, note: "use your driver's placeholder style" };
    const p = parameterise(tpl, style.placeholder, isTainted);
    if (!p || p.params.length === 0) return undefined;
    const safe = style.known && p.exact && sink.kind === "execute";
    const description = `${p.pattern ? "pass the quoted pattern as one bound parameter" : "pass the values as bound parameters"} (${style.note})`;
    if (style.placeholder === "named") return make(p, false, description, "text(", `), ${paramsDict(p.params)}`);
    return make(p, safe, description, "", `, ${paramsTuple(p.params)}`);
  }

  if (sink.kind === "raw") {
    // Django's Manager.raw(sql, params) takes a list; peewee's Model.raw(sql, *params) does not: Django only
    if (!onlyQuery || !ctx.hasImport("django")) return undefined;
    const p = parameterise(tpl, "format", isTainted);
    if (!p || p.params.length === 0) return undefined;
    return make(p, p.exact, "pass the values as raw() query parameters (%s placeholders)", "", `, ${paramsTuple(p.params, "[", "]")}`);
  }

  if (sink.kind === "read_sql") {
    if (sink.byKeyword || args.keywords.has("params") || args.hasSplat || !paren) return undefined;
    const style = driverStyle(ctx, null, reader);
    const p = parameterise(tpl, style.placeholder, isTainted);
    if (!p || p.params.length === 0) return undefined;
    const named = style.placeholder === "named";
    const params = named ? paramsDict(p.params) : paramsTuple(p.params);
    return make(p, false, `pass the values with params= (${style.note})`, named ? "text(" : "", named ? ")" : "", [
      { node: paren, text: `, params=${params})` },
    ]);
  }

  if (sink.kind === "from_statement") {
    if (!onlyQuery) return undefined;
    const p = parameterise(tpl, "named", isTainted);
    if (!p || p.params.length === 0) return undefined;
    return make(p, false, "wrap the SQL in text() and bind the values with .bindparams()", "text(", `).bindparams(${binds(p)})`);
  }
  return undefined; // executemany / executescript: the statement itself must change
}

/** The indentation of the line a node starts on. */
function lineIndent(source: string, node: SyntaxNode): string {
  const lineStart = source.lastIndexOf("\n", node.startIndex - 1) + 1;
  return /^[ \t]*/.exec(source.slice(lineStart, node.startIndex))![0];
}

/**
 * An edit replacing a node. The engine indents every continuation line of an edit like the anchor line (the
 * first edited line); a triple-quoted query keeps its own line layout, so that indentation is taken off first.
 * When a line is indented less than the anchor that cannot be done exactly (exact: false: advice only).
 */
function literalEdit(node: SyntaxNode, text: string, indent: string): { edit: { node: SyntaxNode; text: string }; exact: boolean } {
  if (!text.includes("\n")) return { edit: { node, text }, exact: true };
  const adjusted: string[] = [];
  for (const [i, line] of text.split("\n").entries()) {
    if (i === 0 || line === "") adjusted.push(line);
    else if (line.startsWith(indent)) adjusted.push(line.slice(indent.length));
    else return { edit: { node, text }, exact: false };
  }
  return { edit: { node, text: adjusted.join("\n") }, exact: true };
}

/** "through an f-string", "through the query string `q` (built on line 12)", "as the whole SQL statement". */
function describeBuild(sink: Sink, shape: Shape): string {
  const q = unwrap(sink.query);
  if (q.type === "identifier") return `through the query string \`${q.text}\`${shape.builtOn ? ` (built on line ${shape.builtOn})` : ""}`;
  const how = inlineTemplate(sink.query)?.how;
  if (how) return `through ${how}`;
  if (q.type === "call" && /\.join$/.test(q.childForFieldName("function")?.text ?? "")) return "through str.join()";
  return shape.text.trim() === "" ? "as the whole SQL statement" : "through string building";
}

function sourceLabel(taint: Taint): string {
  const first = taint.flow[0]?.label ?? taint.source;
  return first.length > 50 ? taint.source : first;
}

/**
 * execute(), raw() and db.text() are generic method names: the query's literal text must read as SQL (not a
 * GraphQL document or a job spec), or, when the whole statement is one value, the receiver must be a DB handle.
 */
function readsAsSql(sink: Sink, shape: Shape): boolean {
  const literal = shape.text.trim();
  return literal === "" ? looksLikeDbHandle(sink.receiver) : looksLikeSql(literal);
}

function messageFor(sink: Sink, shape: Shape, taint: Taint, hasFix: boolean, reader: ShapeReader): string {
  const how = describeBuild(sink, shape);
  const query = unwrap(sink.query);
  const tpl = hasFix ? null : inlineTemplate(sink.query);
  let advice = "";
  if (query.type === "identifier") advice = ` Build \`${query.text}\` with placeholders and pass the values as query parameters.`;
  else if (tpl && taintsIdentifier(tpl, (n) => reader.tainted(n))) advice = " A table or column name cannot be a bound parameter: pick it from a fixed allowlist.";
  else if (shape.text.trim() === "") advice = " Never run SQL text supplied by the client.";
  else if (sink.kind === "executescript") advice = " executescript() cannot bind parameters: run the statements with execute() and placeholders.";
  else if (tpl && callArguments(sink.call).positional.length > 1) advice = " Pass it as a bound parameter like the others.";
  if (taint.level === "direct") return `${sourceLabel(taint)} reaches ${sink.label}() ${how}, so the request can rewrite the SQL statement.${advice}`;
  return `A value read back from the database (${sourceLabel(taint)}) reaches ${sink.label}() ${how}: stored user content can rewrite the statement (second-order SQL injection).${advice}`;
}

export default defineRule({
  id: "FLASK-INJECT-001",
  title: "SQL built from untrusted input (SQL injection)",
  severity: "high",
  confidence: "high",
  cwe: ["CWE-89"],
  spec: "FLASK-INJECT-001",
  docs: {
    impact:
      "Request data (or stored user content read back from the database) is spliced into the SQL text, so whoever " +
      "sends it can change the statement: read other users' rows, bypass a login check, modify or delete data, and " +
      "on some databases run commands or read files.",
    fix:
      "Keep the SQL constant and pass the values separately as bound parameters in the driver's placeholder style " +
      "(sqlite3 `?`, psycopg/PyMySQL `%s`, SQLAlchemy `text(\":name\").bindparams(name=...)`), or use the ORM " +
      "(`filter_by(name=...)`, `select(User).where(User.name == name)`). Identifiers (table, column, sort direction) " +
      "cannot be bound: pick them from a fixed allowlist.",
    mitigation:
      "Validate types early (`int()`, `type=int`), connect with a database role limited to what the app needs, and " +
      "never return raw database errors to the client.",
    falsePositives:
      "Data is followed within one function. Checks there are recognised (`x in ALLOWED` / `not in` + abort, " +
      "`re.fullmatch`, `.isdigit()`, `int()`, `type=int`, constant lookups); a check made in another function is not, " +
      "so verify the value cannot reach the statement unvalidated. Parameters of helper functions that are not routes " +
      "are not flagged (their origin is unknown). Findings on stored data (medium confidence) are real only if users " +
      "can write the column read back; key columns (`id`, `*_id`) are assumed to be database-assigned.",
    bad: [
      "import sqlite3",
      "from flask import Flask, request",
      "",
      "app = Flask(__name__)",
      "",
      "@app.route(\"/users\")",
      "def users():",
      "    name = request.args.get(\"name\", \"\")",
      "    db = sqlite3.connect(\"app.db\")",
      "    rows = db.execute(f\"SELECT * FROM users WHERE name = '{name}'\").fetchall()",
      "    return {\"users\": rows}",
      "",
    ].join("\n"),
    good: [
      "import sqlite3",
      "from flask import Flask, request",
      "",
      "app = Flask(__name__)",
      "",
      "@app.route(\"/users\")",
      "def users():",
      "    name = request.args.get(\"name\", \"\")",
      "    db = sqlite3.connect(\"app.db\")",
      "    rows = db.execute(\"SELECT * FROM users WHERE name = ?\", (name,)).fetchall()",
      "    return {\"users\": rows}",
      "",
    ].join("\n"),
  },
  on: ["call"],
  names: { call: SINK_NAMES },
  check(node, ctx) {
    const sink = findSink(node, ctx);
    if (!sink) return;
    const reader = new ShapeReader(ctx);
    const shape = reader.read(sink.query);
    // The spliced expressions decide (placeholder lists, allowlisted identifiers and type=int values do not
    // count); the core's own answer for the whole query supplies the longer flow when it agrees.
    const spliced = reader.taintOf(sink.query, shape);
    if (!spliced) return;
    if (sink.generic && !readsAsSql(sink, shape)) return;
    const whole = ctx.taint(sink.query);
    const taint = whole && whole.level === spliced.level ? whole : spliced;
    const fix = unwrap(sink.query).type === "identifier" ? undefined : fixFor(sink, ctx, reader);
    ctx.report({
      node: sink.query,
      message: messageFor(sink, shape, taint, !!fix, reader),
      confidence: taint.level === "direct" ? "high" : "medium",
      flow: taint.flow,
      ...(fix ? { fix } : {}),
    });
  },
});
