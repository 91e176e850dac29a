// FLASK-PATH-001: path traversal (CWE-22, CWE-73). Untrusted input (spec 2.1) that reaches a file path: flask's
// send_file(), open()/io.open()/codecs.open()/os.open(), pathlib's read_text()/write_bytes()/unlink()..., os.remove/
// rename/replace/listdir, shutil.copy*/move/rmtree, tarfile.open() and zipfile.ZipFile(); also through os.path.join,
// normpath/abspath/realpath (which do not sanitise) and pathlib's `/` operator (which the shared taint helper does not
// follow, so this rule follows it itself).
//
// Silent: send_from_directory() and safe_join() (Werkzeug's safe_join inside), secure_filename(), os.path.basename()
// and Path(x).name (they drop the directories), <int:>/<uuid:> route parameters, allowlist lookups (FILES[name]),
// constant paths, and the normalise-then-validate guard in the same function: an if before the sink that exits when
// the check fails (`if not os.path.realpath(p).startswith(BASE): abort(403)`), or an if around it whose branch runs
// only when it passes. Checks recognised: startswith()/commonpath()/is_relative_to() on a realpath/abspath/normpath/
// resolve() form, an allowlist membership test (`if name not in ALLOWED`), a strict regex or isalnum(), a path
// validator called by name (is_safe_path(BASE, p)), and `.relative_to()` in a try whose except exits. It is a
// heuristic: the checked value must be (built from) the value the sink uses; what the check proves is not verified.
//
// Fix: send_file(os.path.join(BASE, name)) / send_file(Path(BASE) / name) -> send_from_directory(BASE, name) (safe
// when send_from_directory is imported or flask is used as a module: it behaves like send_file, resolves relative
// directories the same way, and answers 404 to an escaping path). For open() and the other sinks, os.path.join ->
// safe_join is offered for review only: safe_join returns None for an escaping path, which must be checked.
import type { SyntaxNode } from "tree-sitter";
import { callNames, defineRule, type FixInput, type RuleContext } from "../src/core/define-rule.js";
import { callArguments, calleeMethod, enclosingFunction, stringValue, unwrap } from "../src/core/python.js";
import type { Taint } from "../src/core/taint.js";
import { wordsInOrder } from "../src/core/text.js";

interface SinkSpec {
  /** Positional indexes and keyword names of the path arguments. */
  positions: number[];
  keywords: string[];
  /** What a caller who controls the path can do: "...lets the caller <does>". */
  does: string;
}

const sink = (positions: number[], keywords: string[], does: string): SinkSpec => ({ positions, keywords, does });
const READ = "open any file the app can read (or write)";
const SERVE = "download any file the app can read (source code, config, keys)";
const DELETE = "delete files outside the intended directory";
const MOVE = "copy, move or overwrite files outside the intended directory";
const WRITE = "create or overwrite files outside the intended directory";
const LIST = "list any directory on the server";
const ARCHIVE = "open any archive on the server";

const CALL_SINKS: Record<string, SinkSpec> = {
  "flask.send_file": sink([0], ["path_or_file"], SERVE),
  "flask.helpers.send_file": sink([0], ["path_or_file"], SERVE),
  open: sink([0], ["file"], READ),
  "io.open": sink([0], ["file"], READ),
  "codecs.open": sink([0], ["filename"], READ),
  "os.open": sink([0], ["path"], READ),
  "os.remove": sink([0], ["path"], DELETE),
  "os.unlink": sink([0], ["path"], DELETE),
  "os.rmdir": sink([0], ["path"], DELETE),
  "shutil.rmtree": sink([0], ["path"], DELETE),
  "os.rename": sink([0, 1], ["src", "dst"], MOVE),
  "os.replace": sink([0, 1], ["src", "dst"], MOVE),
  "shutil.copy": sink([0, 1], ["src", "dst"], MOVE),
  "shutil.copy2": sink([0, 1], ["src", "dst"], MOVE),
  "shutil.copyfile": sink([0, 1], ["src", "dst"], MOVE),
  "shutil.copytree": sink([0, 1], ["src", "dst"], MOVE),
  "shutil.move": sink([0, 1], ["src", "dst"], MOVE),
  "os.listdir": sink([0], ["path"], LIST),
  "os.scandir": sink([0], ["path"], LIST),
  "tarfile.open": sink([0], ["name"], ARCHIVE),
  "zipfile.ZipFile": sink([0], ["file"], ARCHIVE),
};

/** pathlib.Path methods that do I/O on the receiver's path. */
const PATH_METHODS: Record<string, string> = {
  read_text: READ, read_bytes: READ, open: READ, write_text: WRITE, write_bytes: WRITE, touch: WRITE,
  unlink: DELETE, rmdir: DELETE, iterdir: LIST,
};

/**
 * The calls the check can act on, for the engine's prefilter: the last part of every sink's qualified name (a call
 * answers to it as written and as resolved through the imports: `from flask import send_file as sf` ->
 * `send_file`), and the pathlib methods, on any receiver.
 */
const SINK_NAMES = callNames(Object.keys(CALL_SINKS), Object.keys(PATH_METHODS));

const PATH_CLASSES = new Set(["pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "pathlib.PurePosixPath"]);
const JOINS = new Set(["os.path.join", "posixpath.join"]);
/** Calls whose result is a path carrying their arguments' taint (followed here so `/` and `.name` inside are seen). */
const PATH_PROPAGATORS = new Set([
  ...PATH_CLASSES, ...JOINS, "str", "os.fspath", "os.path.normpath", "os.path.abspath", "os.path.realpath",
  "os.path.expanduser", "posixpath.normpath",
]);
const PATH_PROPAGATING_METHODS = new Set(["resolve", "absolute", "expanduser", "with_suffix", "joinpath", "with_name"]);
/** Collapse `..` (needed before a prefix check means anything). */
const NORMALIZERS = new Set([
  "os.path.realpath", "os.path.abspath", "os.path.normpath", "posixpath.realpath", "posixpath.abspath", "posixpath.normpath",
]);

// ---------------------------------------------------------------------------------------------------------------
// Local bindings of the enclosing function (the shared helper cannot be asked about pathlib's `/`)

export interface Scope {
  fn: SyntaxNode | null;
  /** name -> plain `name = value` assignments, in source order. */
  plain: Map<string, SyntaxNode[]>;
  /** Names bound any other way (parameters, for/with targets, unpacking, +=, walrus, global). */
  other: Set<string>;
}

const NESTED_SCOPES = new Set(["function_definition", "class_definition", "lambda"]);

export function scopeOf(node: SyntaxNode): Scope {
  const fn = enclosingFunction(node);
  const scope: Scope = { fn, plain: new Map(), other: new Set() };
  if (!fn) return scope;
  const addOther = (n: SyntaxNode | null) => {
    if (!n) return;
    for (const id of n.type === "identifier" ? [n] : n.descendantsOfType("identifier")) scope.other.add(id.text);
  };
  for (const p of fn.childForFieldName("parameters")?.namedChildren ?? []) addOther(p.type === "identifier" ? p : p.childForFieldName("name") ?? p.namedChild(0));
  const stack: SyntaxNode[] = [fn.childForFieldName("body")!].filter(Boolean);
  const found: SyntaxNode[] = [];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (NESTED_SCOPES.has(n.type)) continue;
    if (n.type === "assignment") {
      const left = n.childForFieldName("left");
      if (left?.type === "identifier") found.push(n);
      else if (left && left.type !== "attribute" && left.type !== "subscript") addOther(left);
    } else if (n.type === "augmented_assignment" && n.childForFieldName("left")?.type === "identifier") {
      addOther(n.childForFieldName("left"));
    } else if (n.type === "for_statement" || n.type === "for_in_clause") addOther(n.childForFieldName("left"));
    else if (n.type === "named_expression") addOther(n.childForFieldName("name"));
    else if (n.type === "as_pattern_target" || n.type === "global_statement" || n.type === "nonlocal_statement") addOther(n);
    for (let i = n.namedChildCount - 1; i >= 0; i--) stack.push(n.namedChild(i)!);
  }
  for (const a of found.sort((x, y) => x.startIndex - y.startIndex)) {
    const name = a.childForFieldName("left")!.text;
    scope.plain.set(name, [...(scope.plain.get(name) ?? []), a]);
  }
  return scope;
}

function assignedValue(assignment: SyntaxNode): SyntaxNode | null {
  let value = assignment.childForFieldName("right");
  while (value?.type === "assignment") value = value.childForFieldName("right");
  return value;
}

function nearestBlock(node: SyntaxNode): SyntaxNode {
  for (let p = node.parent; p; p = p.parent) if (p.type === "block" || p.type === "module") return p;
  return node;
}

/** The plain assignments of `id` that may reach it (a later one in an enclosing block replaces earlier ones). */
function liveBindings(scope: Scope, id: SyntaxNode): SyntaxNode[] {
  if (scope.other.has(id.text)) return [];
  let live: SyntaxNode[] = [];
  for (const a of scope.plain.get(id.text) ?? []) {
    if (a.endIndex > id.startIndex) break;
    const block = nearestBlock(a);
    live = block.startIndex <= id.startIndex && id.endIndex <= block.endIndex ? [a] : [...live, a];
  }
  return live;
}

function prefer(a: Taint | null, b: Taint | null): Taint | null {
  if (!a) return b;
  if (!b) return a;
  return a.level === "direct" || b.level !== "direct" ? a : b;
}

function isPathClassCall(node: SyntaxNode, ctx: RuleContext): boolean {
  const n = unwrap(node);
  return n.type === "call" && PATH_CLASSES.has(ctx.resolve(n.childForFieldName("function")) ?? "");
}

/** Taint of a path expression: the shared helper, plus pathlib's `/`, `.name`/`.stem` (a basename) and locals bound to them. */
export function pathTaint(raw: SyntaxNode, ctx: RuleContext, scope: Scope, depth = 0): Taint | null {
  const node = unwrap(raw);
  if (depth > 8) return ctx.taint(node);
  const recurse = (n: SyntaxNode | null) => (n ? pathTaint(n, ctx, scope, depth + 1) : null);
  switch (node.type) {
    case "binary_operator":
      if (node.childForFieldName("operator")?.text !== "/") return ctx.taint(node);
      return prefer(recurse(node.childForFieldName("left")), recurse(node.childForFieldName("right")));
    case "attribute": {
      const attr = node.childForFieldName("attribute")?.text ?? "";
      const object = node.childForFieldName("object");
      if ((attr === "name" || attr === "stem") && object && isPathClassCall(object, ctx)) return null;
      if (attr === "parent" && object && isPathClassCall(object, ctx)) return recurse(object);
      return ctx.taint(node);
    }
    case "call": {
      const fn = node.childForFieldName("function");
      const args = callArguments(node);
      if (PATH_PROPAGATORS.has(ctx.resolve(fn) ?? "")) return args.positional.reduce<Taint | null>((t, a) => prefer(t, recurse(a)), null);
      const method = calleeMethod(node);
      if (fn?.type === "attribute" && method && PATH_PROPAGATING_METHODS.has(method)) {
        const own = args.positional.reduce<Taint | null>((t, a) => prefer(t, recurse(a)), null);
        return prefer(recurse(fn.childForFieldName("object")), method === "joinpath" || method === "with_name" ? own : null);
      }
      return ctx.taint(node);
    }
    case "identifier": {
      const live = liveBindings(scope, node);
      if (live.length === 0) return ctx.taint(node);
      let best: Taint | null = null;
      for (const a of live) {
        const t = recurse(assignedValue(a));
        if (t) best = prefer(best, { ...t, flow: [...t.flow, flowStep(a, `assigned to ${node.text}`)] });
      }
      return best;
    }
    default:
      return ctx.taint(node);
  }
}

function flowStep(node: SyntaxNode, label: string) {
  const oneLine = node.startPosition.row === node.endPosition.row;
  return {
    line: node.startPosition.row + 1,
    startColumn: node.startPosition.column + 1,
    endColumn: oneLine ? node.endPosition.column + 1 : node.startPosition.column + 2,
    label,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// What an expression is built from (through local assignments): for guards and for upload objects

interface Origins {
  /** Identifier -> its first occurrence. */
  names: Map<string, SyntaxNode>;
  /** A normalising call (realpath/abspath/normpath/resolve) is part of it. */
  normalized: boolean;
  /** A `.filename` attribute (an upload's client-side name) is part of it. */
  filename: boolean;
}

/** The expression and the values of the local assignments it is built from (transitively). */
export function reachingValues(node: SyntaxNode, scope: Scope): SyntaxNode[] {
  const out = [node];
  const seen = new Set<number>();
  for (let i = 0; i < out.length && i < 64; i++) {
    for (const id of out[i]!.descendantsOfType("identifier")) {
      if (isNameOnly(id)) continue;
      for (const a of liveBindings(scope, id)) {
        const value = assignedValue(a);
        if (value && !seen.has(a.id)) {
          seen.add(a.id);
          out.push(value);
        }
      }
    }
  }
  return out;
}

/** An attribute's name or a keyword argument's name: not a variable. */
function isNameOnly(id: SyntaxNode): boolean {
  const parent = id.parent;
  return (
    (parent?.type === "attribute" && parent.childForFieldName("attribute")?.id === id.id) ||
    (parent?.type === "keyword_argument" && parent.childForFieldName("name")?.id === id.id)
  );
}

export function originsOf(node: SyntaxNode, ctx: RuleContext, scope: Scope): Origins {
  const out: Origins = { names: new Map(), normalized: false, filename: false };
  for (const value of reachingValues(node, scope)) {
    for (const n of value.descendantsOfType(["identifier", "call", "attribute"])) {
      if (n.type === "identifier" && !isNameOnly(n)) {
        if (!out.names.has(n.text)) out.names.set(n.text, n);
      } else if (n.type === "call") {
        if (NORMALIZERS.has(ctx.resolve(n.childForFieldName("function")) ?? "") || calleeMethod(n) === "resolve") out.normalized = true;
      } else if (n.type === "attribute" && n.childForFieldName("attribute")?.text === "filename") {
        out.filename = true;
      }
    }
  }
  return out;
}

function taintedNames(origins: Origins, ctx: RuleContext, scope: Scope): Set<string> {
  const names = new Set<string>();
  for (const [name, id] of origins.names) if (pathTaint(id, ctx, scope)) names.add(name);
  return names;
}

// ---------------------------------------------------------------------------------------------------------------
// Guards: normalise-then-validate, allowlists, strict patterns (same function, before or around the sink)

/** A regex that cannot match `/`, `\` or a `.`-wildcard, anchored at both ends by the call used. */
function isStrictPattern(pattern: string, anchoredByCall: boolean): boolean {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      if (/[SWDs/\\]/.test(pattern[i + 1] ?? "")) return false;
      i++;
    } else if (c === "/") return false;
    else if (c === "[" && !inClass) {
      if (pattern[i + 1] === "^") return false;
      inClass = true;
    } else if (c === "]") inClass = false;
    else if (c === "." && !inClass) return false;
  }
  return anchoredByCall || /(\$|\\Z)$/.test(pattern);
}

function compiledPattern(id: SyntaxNode, ctx: RuleContext): string | null {
  let root = id;
  while (root.parent) root = root.parent;
  for (const stmt of root.namedChildren) {
    const a = stmt.type === "expression_statement" ? stmt.namedChild(0) : null;
    if (a?.type !== "assignment" || a.childForFieldName("left")?.text !== id.text) continue;
    const value = assignedValue(a);
    if (value?.type === "call" && ctx.resolve(value.childForFieldName("function")) === "re.compile") {
      return stringValue(callArguments(value).positional[0]);
    }
  }
  return null;
}

function mentions(node: SyntaxNode | undefined, names: Set<string>): boolean {
  const n = node ? unwrap(node) : null;
  return !!n && n.type === "identifier" && names.has(n.text);
}

/**
 * A path validator called by name: is_safe_path(BASE, p), is_within_directory(d, p), validate_path(p). Not
 * allowed_file()-style checks, which look at the extension only.
 */
const VALIDATOR_WORD = /safe|within|inside|contained|traversal/i;
/** /safe|within|inside|contained|traversal|(valid|check)\w*path|path\w*(valid|check)/i, in linear time. */
function isValidatorName(name: string): boolean {
  return VALIDATOR_WORD.test(name) || wordsInOrder(name, ["valid", "check"], ["path"]) || wordsInOrder(name, ["path"], ["valid", "check"]);
}


/** Does a guard node sit under an odd number of negations (`not`, `!=`, `not in`) within the condition? */
function isNegated(guard: SyntaxNode, condition: SyntaxNode): boolean {
  let negated = false;
  for (let n: SyntaxNode | null = guard; n && n.id !== condition.id; n = n.parent) {
    const parent = n.parent;
    if (parent?.type === "not_operator") negated = !negated;
    if (parent?.type === "comparison_operator" && parent.childrenForFieldName("operators").some((o) => o.type === "!=")) negated = !negated;
  }
  return negated;
}

/** The guard sub-expressions of a condition that validate the sink's path, each with its polarity. */
function guardsIn(condition: SyntaxNode, sinkTainted: Set<string>, ctx: RuleContext, scope: Scope): { node: SyntaxNode; negated: boolean }[] {
  const found: { node: SyntaxNode; negated: boolean }[] = [];
  const overlaps = (subject: SyntaxNode | null | undefined, normalized: boolean) => {
    if (!subject) return false;
    const origins = originsOf(subject, ctx, scope);
    return (!normalized || origins.normalized) && [...taintedNames(origins, ctx, scope)].some((t) => sinkTainted.has(t));
  };
  for (const n of condition.descendantsOfType(["call", "comparison_operator"])) {
    const negated = isNegated(n, condition);
    if (n.type === "comparison_operator") {
      const ops = n.childrenForFieldName("operators").map((o) => o.type);
      const [left, right] = n.namedChildren;
      if ((ops.includes("in") || ops.includes("not in")) && mentions(left, sinkTainted) && right && !ctx.taint(right)) {
        found.push({ node: n, negated: ops.includes("not in") ? !negated : negated });
      }
      continue;
    }
    const fn = n.childForFieldName("function");
    const method = calleeMethod(n) ?? "";
    const name = ctx.resolve(fn);
    const args = callArguments(n).positional;
    const receiver = fn?.type === "attribute" ? fn.childForFieldName("object") : null;
    let ok = false;
    if (method === "startswith" || method === "is_relative_to") ok = overlaps(receiver, true);
    else if (name === "os.path.commonpath" || name === "os.path.commonprefix") ok = overlaps(args[0], true);
    else if (["isalnum", "isdigit", "isdecimal", "isidentifier"].includes(method)) ok = mentions(receiver ?? undefined, sinkTainted);
    else if (name === "re.fullmatch" || name === "re.match") {
      const pattern = stringValue(args[0]);
      ok = pattern !== null && isStrictPattern(pattern, name === "re.fullmatch") && mentions(args[1], sinkTainted);
    } else if ((method === "fullmatch" || method === "match") && receiver?.type === "identifier") {
      const pattern = compiledPattern(receiver, ctx);
      ok = pattern !== null && isStrictPattern(pattern, method === "fullmatch") && mentions(args[0], sinkTainted);
    } else if (isValidatorName(method)) ok = args.some((a) => overlaps(a, false));
    if (ok) found.push({ node: n, negated });
  }
  return found;
}

function exits(block: SyntaxNode | null, ctx: RuleContext): boolean {
  if (!block) return false;
  if (block.descendantsOfType(["return_statement", "raise_statement", "continue_statement", "break_statement"]).length > 0) return true;
  return block.descendantsOfType("call").some((c) => /(^|\.)abort$/.test(ctx.resolve(c.childForFieldName("function")) ?? ""));
}

const within = (inner: SyntaxNode, outer: SyntaxNode | null) => !!outer && outer.startIndex <= inner.startIndex && inner.endIndex <= outer.endIndex;

/**
 * Is the sink protected, in the same function, by a validation of the path it uses: an if before it that exits
 * when the check fails, an if around it whose branch runs only when the check passes, or a try whose
 * `.relative_to()` on a normalised path raises into an exiting except?
 */
export function isGuarded(sinkNode: SyntaxNode, pathArg: SyntaxNode, ctx: RuleContext, scope: Scope): boolean {
  if (!scope.fn) return false;
  const sinkTainted = taintedNames(originsOf(pathArg, ctx, scope), ctx, scope);
  if (sinkTainted.size === 0) return false;
  const own = (n: SyntaxNode) => enclosingFunction(n)?.id === scope.fn!.id;
  for (const ifs of scope.fn.descendantsOfType("if_statement").filter(own)) {
    const condition = ifs.childForFieldName("condition");
    if (!condition || within(sinkNode, condition)) continue;
    const consequence = ifs.childForFieldName("consequence");
    let wantNegated: boolean;
    if (ifs.endIndex <= sinkNode.startIndex && exits(consequence, ctx)) wantNegated = true;
    else if (within(sinkNode, consequence)) wantNegated = false;
    else if (within(sinkNode, ifs)) wantNegated = true;
    else continue;
    if (guardsIn(condition, sinkTainted, ctx, scope).some((g) => g.negated === wantNegated)) return true;
  }
  for (const tryStmt of scope.fn.descendantsOfType("try_statement").filter(own)) {
    const body = tryStmt.childForFieldName("body");
    if (!body || (tryStmt.endIndex > sinkNode.startIndex && !within(sinkNode, body))) continue;
    const handlers = tryStmt.namedChildren.filter((c) => c.type === "except_clause");
    if (handlers.length === 0 || !handlers.every((h) => exits(h, ctx))) continue;
    const checks = body.descendantsOfType("call").filter((c) => calleeMethod(c) === "relative_to" && c.startIndex < sinkNode.startIndex);
    for (const check of checks) {
      const receiver = check.childForFieldName("function")?.childForFieldName("object");
      const origins = receiver ? originsOf(receiver, ctx, scope) : null;
      if (origins?.normalized && [...taintedNames(origins, ctx, scope)].some((t) => sinkTainted.has(t))) return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// Fixes

/** `os.path.join(BASE, name)` or `Path(BASE) / name` -> the two parts. */
function baseAndName(arg: SyntaxNode, ctx: RuleContext): [SyntaxNode, SyntaxNode] | null {
  const a = unwrap(arg);
  if (a.type === "call" && JOINS.has(ctx.resolve(a.childForFieldName("function")) ?? "")) {
    const args = callArguments(a);
    return !args.hasSplat && args.keywords.size === 0 && args.positional.length === 2 ? [args.positional[0]!, args.positional[1]!] : null;
  }
  if (a.type === "binary_operator" && a.childForFieldName("operator")?.text === "/") {
    const left = unwrap(a.childForFieldName("left")!);
    if (left.type !== "call" || !isPathClassCall(left, ctx)) return null;
    const args = callArguments(left);
    return !args.hasSplat && args.keywords.size === 0 && args.positional.length === 1 ? [args.positional[0]!, a.childForFieldName("right")!] : null;
  }
  return null;
}

function sendFromDirectoryFix(call: SyntaxNode, arg: SyntaxNode, ctx: RuleContext): FixInput | undefined {
  const parts = baseAndName(arg, ctx);
  const args = callArguments(call);
  if (!parts || args.positional.length !== 1 || args.positional[0]!.id !== arg.id || args.hasSplat) return undefined;
  const fn = call.childForFieldName("function")!;
  // Keep the call's own style (`flask.send_file` -> `flask.send_from_directory`), else however the file imports it.
  const object = fn.type === "attribute" ? fn.childForFieldName("object") : null;
  const callee = object && ctx.resolve(object) === "flask" ? `${object.text}.send_from_directory` : ctx.localName("flask.send_from_directory");
  return {
    safety: callee ? "safe" : "review",
    description: `serve the file with send_from_directory(), which rejects paths that leave the directory${callee ? "" : " (import send_from_directory from flask)"}`,
    edits: [{ node: fn, text: callee ?? "send_from_directory" }, { node: arg, text: `${parts[0].text}, ${parts[1].text}` }],
  };
}

/** os.path.join -> safe_join on every tainted path argument (review: safe_join returns None to be checked). */
function safeJoinFix(args: SyntaxNode[], ctx: RuleContext, scope: Scope): FixInput | undefined {
  const joins = args
    .map(unwrap)
    .filter((a) => a.type === "call" && JOINS.has(ctx.resolve(a.childForFieldName("function")) ?? "") && pathTaint(a, ctx, scope));
  if (joins.length === 0) return undefined;
  const local = ctx.localName("werkzeug.security.safe_join");
  return {
    safety: "review",
    description:
      "join with werkzeug.security.safe_join(), which returns None for a path that leaves the base directory: " +
      `check for None and abort(404) first (passing None on raises TypeError)${local ? "" : "; import it from werkzeug.security"}`,
    edits: joins.map((a) => ({ node: a.childForFieldName("function")!, text: local ?? "safe_join" })),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The check

export function sourceLabel(t: Taint): string {
  if (t.level === "persisted") return `A value loaded from the database (${t.flow[0]?.label ?? "a stored row"})`;
  if (t.source === "request.files") return `The client's filename of ${t.flow[0]?.label ?? "an upload"}`;
  return t.source.startsWith("route parameter") ? `The ${t.source}` : t.flow[0]?.label ?? t.source;
}

function via(arg: SyntaxNode, ctx: RuleContext): string {
  const a = unwrap(arg);
  if (a.type === "call") {
    const name = ctx.resolve(a.childForFieldName("function"));
    if (name && (JOINS.has(name) || NORMALIZERS.has(name))) return ` through ${name}()`;
  }
  if (a.type === "binary_operator" && a.childForFieldName("operator")?.text === "/") return " through pathlib's / operator";
  if (a.type === "string" && a.namedChildren.some((c) => c.type === "interpolation")) return " through an f-string";
  if (a.type === "binary_operator") return " through string building";
  if (a.type === "identifier") return ` through the variable ${a.text}`;
  return "";
}

function pathArguments(call: SyntaxNode, spec: SinkSpec): SyntaxNode[] {
  const args = callArguments(call);
  const out = spec.positions.map((i) => args.positional[i]).filter((a): a is SyntaxNode => !!a);
  for (const k of spec.keywords) {
    const kw = args.keywords.get(k);
    if (kw) out.push(kw);
  }
  return out;
}

/** `fix` is asked for only when the finding is reported (it reads the function's bindings and taint too). */
function checkPath(call: SyntaxNode, arg: SyntaxNode, sinkName: string, does: string, ctx: RuleContext, scope: Scope, fix?: () => FixInput | undefined): boolean {
  const taint = pathTaint(arg, ctx, scope);
  if (!taint) return false;
  // An upload object itself (a file-like FileStorage) is data, not a path; its .filename is a path.
  if (taint.source === "request.files" && !originsOf(arg, ctx, scope).filename) return false;
  if (isGuarded(call, arg, ctx, scope)) return false;
  const fixInput = fix?.();
  ctx.report({
    node: call,
    message:
      `${sourceLabel(taint)} reaches ${sinkName}()${via(arg, ctx)}; a value such as ../../etc/passwd or an absolute path ` +
      `lets the caller ${does}${taint.level === "persisted" ? " (verify whether users can set the stored value)" : ""}.`,
    confidence: taint.level === "direct" ? "high" : "medium",
    flow: taint.flow,
    ...(fixInput ? { fix: fixInput } : {}),
  });
  return true;
}

export default defineRule({
  id: "FLASK-PATH-001",
  title: "Untrusted input used as a file path (path traversal)",
  severity: "high",
  confidence: "high",
  cwe: ["CWE-22", "CWE-73"],
  spec: "FLASK-PATH-001",
  docs: {
    impact:
      "A request value used as a file path lets any caller step out of the intended directory with ../ segments or " +
      "an absolute path (os.path.join(BASE, \"/etc/passwd\") ignores BASE): send_file() hands out the app's source, " +
      "config, .env and private keys; open(), os.remove(), shutil.move() and pathlib writes read, overwrite or delete " +
      "files anywhere the app's user can. normpath()/abspath()/realpath() alone do not prevent it.",
    fix:
      "Serve user-named files with send_from_directory(BASE, name), which applies Werkzeug's safe_join and answers 404 " +
      "for an escaping path. For other file I/O join with werkzeug.security.safe_join(BASE, name) and abort(404) when it " +
      "returns None, or reduce the name with secure_filename()/os.path.basename(), or look it up in an allowlist. " +
      "Prefer identifiers (an <int:id> looked up in the database) over file names in URLs.",
    mitigation:
      "If a path must be computed, normalise it and validate the result: real = os.path.realpath(os.path.join(BASE, " +
      "name)); if os.path.commonpath([BASE, real]) != BASE: abort(404). Keep served files in a dedicated directory, and " +
      "run the app as a user that cannot read secrets or write outside its data directories.",
    falsePositives:
      "Silent for send_from_directory(), safe_join(), secure_filename(), os.path.basename(), Path(x).name, <int:>/<uuid:> " +
      "route parameters, allowlist lookups and constant paths, and when the same function validates the path first " +
      "(a startswith()/commonpath()/is_relative_to() test of a realpath/abspath/normpath/resolve() form, an allowlist `in` " +
      "test, a strict regex or isalnum(), a validator named like is_safe_path(), relative_to() in a try); the rule does " +
      "not verify what such a check proves (e.g. a startswith() without a trailing separator also admits /base2), and " +
      "an extension-only check such as allowed_file() is not a path guard. A check in another function is not seen. Paths loaded from the database are reported with medium confidence: verify whether " +
      "users can choose them (an upload's original filename) or the server generates them.",
    bad: [
      "import os",
      "from flask import Flask, request, send_file",
      "",
      "app = Flask(__name__)",
      "REPORTS = os.path.join(app.root_path, \"reports\")",
      "",
      "@app.route(\"/reports/download\")",
      "def download_report():",
      "    name = request.args.get(\"name\", \"\")",
      "    return send_file(os.path.join(REPORTS, name))",
      "",
    ].join("\n"),
    good: [
      "import os",
      "from flask import Flask, request, send_from_directory",
      "",
      "app = Flask(__name__)",
      "REPORTS = os.path.join(app.root_path, \"reports\")",
      "",
      "@app.route(\"/reports/download\")",
      "def download_report():",
      "    name = request.args.get(\"name\", \"\")",
      "    return send_from_directory(REPORTS, name)",
      "",
    ].join("\n"),
  },
  on: ["call"],
  names: { call: SINK_NAMES },
  check(call, ctx) {
    const fn = call.childForFieldName("function");
    const name = ctx.resolve(fn);
    // own keys only: a call of `constructor` or `toString` is no sink (a plain index found Object.prototype's)
    const spec = name && Object.hasOwn(CALL_SINKS, name) ? CALL_SINKS[name] : undefined;
    if (spec && name) {
      const args = pathArguments(call, spec);
      if (args.length === 0) return;
      const scope = scopeOf(call);
      for (const arg of args) {
        const fix = name.endsWith("send_file") ? () => sendFromDirectoryFix(call, arg, ctx) : () => safeJoinFix(args, ctx, scope);
        if (checkPath(call, arg, name, spec.does, ctx, scope, fix)) return;
      }
      return;
    }
    const method = calleeMethod(call);
    const receiver = fn?.type === "attribute" ? fn.childForFieldName("object") : null;
    if (!method || !receiver || !Object.hasOwn(PATH_METHODS, method)) return;
    const scope = scopeOf(call);
    if (!isPathValued(receiver, ctx, scope)) return;
    checkPath(call, receiver, `Path.${method}`, PATH_METHODS[method]!, ctx, scope);
  },
});

/** Is this expression a pathlib path (a Path(...) call, a `/` of one, or a local bound to one)? */
function isPathValued(raw: SyntaxNode, ctx: RuleContext, scope: Scope, depth = 0): boolean {
  const node = unwrap(raw);
  if (depth > 6) return false;
  if (isPathClassCall(node, ctx)) return true;
  if (node.type === "binary_operator" && node.childForFieldName("operator")?.text === "/") {
    return isPathValued(node.childForFieldName("left")!, ctx, scope, depth + 1);
  }
  if (node.type === "call" && PATH_PROPAGATING_METHODS.has(calleeMethod(node) ?? "")) {
    const fn = node.childForFieldName("function");
    return fn?.type === "attribute" && isPathValued(fn.childForFieldName("object")!, ctx, scope, depth + 1);
  }
  if (node.type === "attribute" && node.childForFieldName("attribute")?.text === "parent") {
    return isPathValued(node.childForFieldName("object")!, ctx, scope, depth + 1);
  }
  if (node.type === "identifier") {
    const live = liveBindings(scope, node);
    return live.length > 0 && live.every((a) => {
      const v = assignedValue(a);
      return !!v && isPathValued(v, ctx, scope, depth + 1);
    });
  }
  return false;
}
