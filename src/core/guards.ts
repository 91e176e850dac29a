// "Is this value checked in the same function before the sink?" A heuristic, not a proof: the rules that use it
// (SSRF, open redirect, SQL and command injection, CORS) decide what counts as a check of their value; this module
// owns the walk from the sink to its function: the conditions of the branches around it and the statements before
// it in each enclosing block.
import type { SyntaxNode } from "tree-sitter";
import type { RuleContext } from "./define-rule.js";
import { enclosingFunction, stringValue } from "./python.js";

/** Does the expression read one of these names (or this name)? */
export function mentions(node: SyntaxNode | null | undefined, names: ReadonlySet<string> | string): boolean {
  if (!node) return false;
  const has = typeof names === "string" ? (text: string) => text === names : (text: string) => names.has(text);
  return node.descendantsOfType("identifier").some((i) => has(i.text));
}

/** Local names an expression reads (not imports such as `request`, not attribute or keyword names). */
export function localNames(node: SyntaxNode, ctx: RuleContext): Set<string> {
  const names = new Set<string>();
  for (const id of node.descendantsOfType("identifier")) {
    const parent = id.parent;
    if (parent?.type === "attribute" && parent.childForFieldName("attribute")?.id === id.id) continue;
    if (parent?.type === "keyword_argument" && parent.childForFieldName("name")?.id === id.id) continue;
    if (ctx.resolve(id) === id.text && !ctx.hasImport(id.text)) names.add(id.text);
  }
  return names;
}

/** The value's local names plus the names assigned from them (`parsed = urlparse(url)`), and the names they were assigned from. */
export function trackedNames(value: SyntaxNode, ctx: RuleContext): Set<string> {
  const names = localNames(value, ctx);
  const assignments = enclosingFunction(value)?.descendantsOfType("assignment") ?? [];
  for (let round = 0; round < 3; round++) {
    for (const a of assignments) {
      const left = a.childForFieldName("left");
      const right = a.childForFieldName("right");
      if (left?.type !== "identifier" || !right) continue;
      if (!names.has(left.text) && mentions(right, names)) names.add(left.text);
      else if (names.has(left.text)) for (const name of localNames(right, ctx)) names.add(name);
    }
  }
  return names;
}

/** The literal arguments of a call (a tuple argument spread), null for a non-literal one. */
export function literalArgs(call: SyntaxNode): (string | null)[] {
  const args = call.childForFieldName("arguments")?.namedChildren ?? [];
  return args.flatMap((a) => (a.type === "tuple" ? a.namedChildren : [a])).map((a) => stringValue(a));
}

export interface GuardWalk {
  /** An enclosing node of the sink (`child` is the one of its children on the path to the sink): a guard? */
  around?(parent: SyntaxNode, child: SyntaxNode): boolean;
  /** A statement before the path to the sink, in an enclosing block: a guard? */
  before?(statement: SyntaxNode): boolean;
  /** Read the statements of the module too when the sink is at module level (default true). */
  moduleLevel?: boolean;
}

/** Walk from `node` up to its function (or the module), asking `walk` about what encloses and precedes it. */
export function guardedOnPath(node: SyntaxNode, walk: GuardWalk): boolean {
  const fn = enclosingFunction(node);
  for (let child: SyntaxNode = node, p = node.parent; p && p !== fn; child = p, p = p.parent) {
    if (walk.around?.(p, child)) return true;
    if (p.type !== "block" && !(p.type === "module" && walk.moduleLevel !== false)) continue;
    if (!walk.before) continue;
    for (const statement of p.namedChildren) {
      if (statement.startIndex >= child.startIndex) break;
      if (walk.before(statement)) return true;
    }
  }
  return false;
}

/** Does this condition check one of the names (as the rule understands a check of its value)? */
export type Checks = (cond: SyntaxNode, names: Set<string>) => boolean;

/**
 * Is the value (tracked through `names`) checked before the sink, in the same function: the sink sits in a
 * branch (any branch) of an if/elif/conditional expression whose condition checks it, or an earlier statement is an
 * `assert` of a check, a bare validator call, or an if/elif whose condition checks the value and whose body then
 * exits (return/raise/continue/break/abort()) or reassigns it.
 */
export function checkedBefore(sink: SyntaxNode, names: Set<string>, checks: Checks): boolean {
  if (names.size === 0) return false;
  return guardedOnPath(sink, {
    around(p, child) {
      if (p.type !== "if_statement" && p.type !== "elif_clause" && p.type !== "conditional_expression") return false;
      const cond = p.type === "conditional_expression" ? p.namedChild(1) : p.childForFieldName("condition");
      return !!cond && cond.id !== child.id && checks(cond, names);
    },
    before: (statement) => guardStatement(statement, names, checks),
  });
}

function guardStatement(statement: SyntaxNode, names: Set<string>, checks: Checks): boolean {
  if (statement.type === "assert_statement") return !!statement.namedChild(0) && checks(statement.namedChild(0)!, names);
  if (statement.type === "expression_statement" && statement.namedChild(0)?.type === "call") return checks(statement.namedChild(0)!, names);
  if (statement.type !== "if_statement") return false;
  return [statement, ...statement.namedChildren.filter((c) => c.type === "elif_clause")].some((branch) => {
    const cond = branch.childForFieldName("condition");
    return !!cond && checks(cond, names) && exitsOrReassigns(branch.childForFieldName("consequence"), names);
  });
}

function exitsOrReassigns(block: SyntaxNode | null, names: Set<string>): boolean {
  return !!block?.namedChildren.some((s) => {
    if (["return_statement", "raise_statement", "continue_statement", "break_statement"].includes(s.type)) return true;
    const inner = s.type === "expression_statement" ? s.namedChild(0) : null;
    if (inner?.type === "call" && /(^|\.)abort$/.test(inner.childForFieldName("function")?.text ?? "")) return true;
    return inner?.type === "assignment" && names.has(inner.childForFieldName("left")?.text ?? "");
  });
}
