// Reading a URL the way the code spells it, for rules that ask who picks where a request or redirect goes
// (FLASK-SSRF-001, FLASK-REDIRECT-001). spellings() lists the ways a URL string may be spelled, as literal text and
// expressions, following f-strings, +, %, .format(), `or`, conditionals (minus a branch its own condition checks)
// and local assignments. urlHit() reads the text before the first untrusted piece of each spelling; a trusted
// non-literal piece (a base URL from config) reads as OPAQUE. What the text before it means is the rule's call.
import type { SyntaxNode } from "tree-sitter";
import type { RuleContext } from "./define-rule.js";
import { localNames, type Checks } from "./guards.js";
import { assignmentsIn, callArguments, enclosingFunction, nearestBlock, rootOf, stringValue, unwrap } from "./python.js";
import type { Taint } from "./taint.js";
import type { FlowStep } from "./types.js";

/** Literal text, or an expression reached through `hops` (the assignments followed to get there). */
export type Piece = string | { node: SyntaxNode; hops: SyntaxNode[] };
/** Stands for a trusted piece whose text is not known (a configured base URL). */
export const OPAQUE = "\u0000";
const MAX_ALTERNATIVES = 8;

function cartesian(a: Piece[][], b: Piece[][]): Piece[][] {
  return a.flatMap((x) => b.map((y) => [...x, ...y])).slice(0, MAX_ALTERNATIVES);
}

/** The ways `raw` may be spelled (at most 8); `checks` says which branch of `x if check(x) else y` is checked. */
export function spellings(raw: SyntaxNode, ctx: RuleContext, checks: Checks, hops: SyntaxNode[] = [], depth = 0): Piece[][] {
  const node = unwrap(raw);
  const leaf: Piece[][] = [[{ node, hops }]];
  if (depth > 8) return leaf;
  const read = (n: SyntaxNode | null | undefined, h = hops) => (n ? spellings(n, ctx, checks, h, depth + 1) : [[]]);
  switch (node.type) {
    case "string": {
      let out: Piece[][] = [[]];
      for (const child of node.namedChildren) {
        if (child.type === "string_content" || child.type === "escape_sequence") out = out.map((s) => [...s, child.text]);
        else if (child.type === "interpolation") out = cartesian(out, read(child.childForFieldName("expression")));
      }
      return out;
    }
    case "concatenated_string":
      return node.namedChildren.reduce<Piece[][]>((acc, part) => cartesian(acc, read(part)), [[]]);
    case "binary_operator": {
      const op = node.childForFieldName("operator")?.text;
      const left = node.childForFieldName("left");
      const right = node.childForFieldName("right");
      if (op === "+") return cartesian(read(left), read(right));
      const template = stringValue(left);
      if (op !== "%" || template === null || !right) return leaf;
      const values = unwrap(right).type === "tuple" ? unwrap(right).namedChildren : [right];
      let i = 0;
      // linear: a mapping key of at most 200 characters (`[^)]*` rescanned the rest from every `%(`), and a width
      // that starts after the flags (`[-#0 +]*\d*` split a run of zeros every way)
      return splitTemplate(template, /%(?:\([^)]{0,200}\))?[-#0 +]*(?:[1-9]\d*)?(?:\.\d+)?[a-zA-Z%]/g, (m) => (m === "%%" ? "%" : read(values[i++] ?? right)));
    }
    case "call": {
      const fn = node.childForFieldName("function");
      const template = fn?.type === "attribute" && fn.childForFieldName("attribute")?.text === "format" ? stringValue(fn.childForFieldName("object")) : null;
      if (template === null) return leaf;
      const args = callArguments(node);
      let auto = 0;
      return splitTemplate(template, /\{\{|\}\}|\{[^{}]*\}/g, (m) => {
        if (m === "{{" || m === "}}") return m[0]!;
        const field = /^\{([^.[!:}]*)/.exec(m)![1]!;
        const value = field === "" ? args.positional[auto++] : /^\d+$/.test(field) ? args.positional[Number(field)] : args.keywords.get(field);
        return value ? read(value) : leaf;
      });
    }
    case "boolean_operator":
      return [...read(node.childForFieldName("left")), ...read(node.childForFieldName("right"))].slice(0, MAX_ALTERNATIVES);
    case "conditional_expression": {
      // `x if is_safe(x) else DEFAULT`: the branch its own condition checks is not a way the value is spelled
      const [a, cond, b] = node.namedChildren;
      const negated = cond?.type === "not_operator";
      const checked = negated ? b : a;
      const test = negated ? cond!.childForFieldName("argument") : cond;
      const skip = checked && test && checks(test, localNames(checked, ctx)) ? checked : null;
      return [a, b].filter((x) => x && x.id !== skip?.id).flatMap((x) => read(x)).slice(0, MAX_ALTERNATIVES);
    }
    case "identifier": {
      const defs = definitions(node);
      if (!defs || defs.length === 0) return leaf;
      return defs.flatMap((d) => (d.value.type === "augmented_assignment"
        ? cartesian(read(d.value.childForFieldName("left"), [...hops, d.value]), read(d.value.childForFieldName("right"), [...hops, d.value]))
        : read(d.value, [...hops, d.stmt]))).slice(0, MAX_ALTERNATIVES);
    }
    default:
      return leaf;
  }
}

function splitTemplate(template: string, field: RegExp, valueOf: (match: string) => Piece[][] | string): Piece[][] {
  let out: Piece[][] = [[]];
  let cursor = 0;
  for (const match of template.matchAll(field)) {
    const value = valueOf(match[0]);
    // Extend the spellings in place (they are this function's own arrays): copying them for every field made a
    // template of many fields (`"{{" * 50000`) quadratic. Only a field with several spellings multiplies them.
    for (const s of out) s.push(template.slice(cursor, match.index));
    if (typeof value === "string") for (const s of out) s.push(value);
    else if (value.length === 1) for (const s of out) for (const piece of value[0]!) s.push(piece);
    else out = cartesian(out, value);
    cursor = match.index! + match[0].length;
  }
  return out.map((s) => [...s, template.slice(cursor)]);
}

/** Statements that bind a name some other way than `name = value`: the name's value is then left to the core. */
const BINDERS: Record<string, (n: SyntaxNode) => SyntaxNode | null | undefined> = {
  for_statement: (n) => n.childForFieldName("left"),
  for_in_clause: (n) => n.childForFieldName("left"),
  named_expression: (n) => n.childForFieldName("name"),
  with_item: (n) => n.descendantsOfType("as_pattern_target")[0],
  global_statement: (n) => n,
  nonlocal_statement: (n) => n,
};

/** The simple `name = value` / `name += value` assignments that may reach this use (null: bound another way). */
function definitions(use: SyntaxNode): { value: SyntaxNode; stmt: SyntaxNode }[] | null {
  const fn = enclosingFunction(use);
  if (fn?.childForFieldName("parameters")?.descendantsOfType("identifier").some((p) => p.text === use.text)) return null;
  const found: { value: SyntaxNode; stmt: SyntaxNode; block: SyntaxNode }[] = [];
  const stack = fn ? [fn.childForFieldName("body")!] : [rootOf(use)];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (["function_definition", "class_definition", "lambda"].includes(node.type)) continue;
    if (node.type === "assignment" || node.type === "augmented_assignment") {
      const left = node.childForFieldName("left");
      let value = node.type === "assignment" ? node.childForFieldName("right") : node;
      while (value?.type === "assignment") value = value.childForFieldName("right");
      if (left?.type === "identifier" && left.text === use.text && value) found.push({ value, stmt: node, block: nearestBlock(node) });
      else if (left && left.type !== "identifier" && left.descendantsOfType("identifier").some((i) => i.text === use.text)) return null;
    } else if (BINDERS[node.type]) {
      if (BINDERS[node.type]!(node)?.descendantsOfType("identifier").some((i) => i.text === use.text)) return null;
    }
    stack.push(...node.namedChildren);
  }
  if (found.length === 0 && fn) {
    // a module constant read in a function: usable when bound exactly once at top level
    const top = assignmentsIn(rootOf(use), use.text);
    const value = top.length === 1 ? top[0]!.childForFieldName("right") : null;
    return value ? [{ value, stmt: top[0]! }] : null;
  }
  found.sort((a, b) => a.stmt.endIndex - b.stmt.endIndex);
  let live: typeof found = [];
  for (const d of found) {
    if (d.stmt.endIndex > use.startIndex) break;
    live = d.block.startIndex <= use.startIndex && use.endIndex <= d.block.endIndex ? [d] : [...live, d];
  }
  return live;
}

// ---------------------------------------------------------------------------------------------------------------
// Who picks the destination

export type Control = "full" | "none" | "unknown";

export interface UrlHit {
  control: "full" | "unknown";
  taint: Taint;
  /** The assignments followed from the sink to the untrusted piece. */
  hops: SyntaxNode[];
  /** The untrusted piece is the whole URL. */
  whole: boolean;
}

export interface UrlReading {
  /** What counts as a check of the URL (for `x if check(x) else y`). */
  checks: Checks;
  /** The untrusted-data facts of a piece, or null for a piece that cannot choose the destination. */
  taint(piece: SyntaxNode): Taint | null;
  /** Who controls the destination when an untrusted piece follows this literal text (OPAQUE for unknown text). */
  control(prefix: string): Control;
}

/**
 * Who controls the destination when an untrusted piece follows an empty prefix (all of it) or one with a scheme:
 * none once the authority is closed by / ? # or \, unknown when an OPAQUE piece may or may not close it, else all.
 * Null for a prefix without a scheme: the rule's own reading decides (a path, a base URL, "http" + rest).
 */
export function absoluteControl(prefix: string): Control | null {
  if (prefix === "") return "full";
  const scheme = prefix.indexOf("://");
  if (scheme < 0) return null;
  const authority = prefix.slice(scheme + 3);
  const end = authority.search(/[/?#\\]/);
  if (end > 0) return "none";
  return end < 0 && authority.includes(OPAQUE) ? "unknown" : "full";
}

const rank = (h: UrlHit) => (h.control === "full" ? 2 : 0) + (h.taint.level === "direct" ? 1 : 0);

/** The strongest way untrusted input picks the URL's destination over all its spellings, or null. */
export function urlHit(url: SyntaxNode, ctx: RuleContext, reading: UrlReading): UrlHit | null {
  let best: UrlHit | null = null;
  for (const spelling of spellings(url, ctx, reading.checks)) {
    let prefix = "";
    for (const piece of spelling) {
      if (typeof piece === "string") {
        prefix += piece;
        continue;
      }
      const taint = reading.taint(piece.node);
      if (!taint) {
        prefix += OPAQUE;
        continue;
      }
      const control = reading.control(prefix);
      if (control !== "none") {
        const hit: UrlHit = { control, taint, hops: piece.hops, whole: prefix === "" && spelling.slice(spelling.indexOf(piece) + 1).every((p) => p === "") };
        if (!best || rank(hit) > rank(best)) best = hit;
      }
      break;
    }
  }
  return best;
}

/** The taint's flow followed by the assignments the URL was read through, outermost last. */
export function hitFlow(hit: UrlHit): FlowStep[] {
  const flow: FlowStep[] = [...hit.taint.flow];
  for (const hop of [...hit.hops].reverse()) {
    const { row, column } = hop.startPosition;
    flow.push({ line: row + 1, startColumn: column + 1, endColumn: column + 2, label: `assigned to ${hop.childForFieldName("left")?.text ?? "a name"}` });
  }
  return flow;
}
