// A plain-JS mirror of a tree-sitter tree, with the SyntaxNode API our rules use.
//
// Why: the Node binding crosses into native code on every getter (marshal, call, unmarshal) and hands out node
// objects from a weak cache, so identity (`a === b`) is not reliable and a rule that navigates a lot spends most
// of its time in the binding (profiled: 17x the parse time for the full rule set). One cursor walk per file copies
// what rules read (types, fields, offsets); everything after that is ordinary JS objects: fast, and `===` works.
import type { SyntaxNode, Tree } from "tree-sitter";

export interface Point {
  row: number;
  column: number;
}

interface MirrorTree {
  rootNode: MirrorNode;
  source: string;
  lineStarts: number[];
}

/**
 * Node types of tree-sitter-python 0.25 that have fields (from its node-types.json; a test keeps the list true).
 * Asking the cursor for a field name is a native call: children of other types are never asked.
 */
export const TYPES_WITH_FIELDS = new Set([
  "aliased_import", "as_pattern", "assignment", "attribute", "augmented_assignment", "binary_operator", "block",
  "boolean_operator", "call", "case_clause", "class_definition", "comparison_operator", "decorated_definition",
  "default_parameter", "dict_pattern", "dictionary_comprehension", "elif_clause", "else_clause", "except_clause",
  "exec_statement", "for_in_clause", "for_statement", "format_expression", "function_definition",
  "future_import_statement", "generator_expression", "if_statement", "import_from_statement", "import_statement",
  "interpolation", "keyword_argument", "lambda", "list_comprehension", "match_statement", "named_expression",
  "not_operator", "pair", "print_statement", "raise_statement", "set_comprehension", "subscript", "try_statement",
  "type_alias_statement", "typed_default_parameter", "typed_parameter", "unary_operator", "while_statement",
  "with_item", "with_statement",
]);

function pointAt(tree: MirrorTree, index: number): Point {
  const starts = tree.lineStarts;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= index) lo = mid;
    else hi = mid - 1;
  }
  return { row: lo, column: index - starts[lo]! };
}

export class MirrorNode {
  parent: MirrorNode | null = null;
  readonly children: MirrorNode[] = [];
  /** This node's field name in its parent ("function", "arguments"...), or null. */
  fieldName: string | null = null;
  /** Position among the parent's children. */
  index = 0;
  private namedCache: MirrorNode[] | undefined;
  private errorCache: boolean | undefined;

  constructor(
    readonly tree: MirrorTree,
    readonly id: number,
    readonly type: string,
    readonly isNamed: boolean,
    readonly isMissing: boolean,
    readonly startIndex: number,
    readonly endIndex: number,
  ) {}

  get text(): string {
    return this.tree.source.slice(this.startIndex, this.endIndex);
  }
  get startPosition(): Point {
    return pointAt(this.tree, this.startIndex);
  }
  get endPosition(): Point {
    return pointAt(this.tree, this.endIndex);
  }
  get namedChildren(): MirrorNode[] {
    return (this.namedCache ??= this.children.filter((c) => c.isNamed));
  }
  get childCount(): number {
    return this.children.length;
  }
  get namedChildCount(): number {
    return this.namedChildren.length;
  }
  get hasError(): boolean {
    return (this.errorCache ??= this.type === "ERROR" || this.isMissing || this.children.some((c) => c.hasError));
  }
  get firstChild(): MirrorNode | null {
    return this.children[0] ?? null;
  }
  get lastChild(): MirrorNode | null {
    return this.children[this.children.length - 1] ?? null;
  }
  get firstNamedChild(): MirrorNode | null {
    return this.namedChildren[0] ?? null;
  }
  get lastNamedChild(): MirrorNode | null {
    const named = this.namedChildren;
    return named[named.length - 1] ?? null;
  }
  get nextSibling(): MirrorNode | null {
    return this.parent?.children[this.index + 1] ?? null;
  }
  get previousSibling(): MirrorNode | null {
    return this.parent?.children[this.index - 1] ?? null;
  }
  get nextNamedSibling(): MirrorNode | null {
    const siblings = this.parent?.children ?? [];
    for (let i = this.index + 1; i < siblings.length; i++) if (siblings[i]!.isNamed) return siblings[i]!;
    return null;
  }
  get previousNamedSibling(): MirrorNode | null {
    const siblings = this.parent?.children ?? [];
    for (let i = this.index - 1; i >= 0; i--) if (siblings[i]!.isNamed) return siblings[i]!;
    return null;
  }

  child(index: number): MirrorNode | null {
    return this.children[index] ?? null;
  }
  namedChild(index: number): MirrorNode | null {
    return this.namedChildren[index] ?? null;
  }
  childForFieldName(name: string): MirrorNode | null {
    for (const c of this.children) if (c.fieldName === name) return c;
    return null;
  }
  childrenForFieldName(name: string): MirrorNode[] {
    return this.children.filter((c) => c.fieldName === name);
  }
  fieldNameForChild(index: number): string | null {
    return this.children[index]?.fieldName ?? null;
  }

  /** This node and its descendants of the given types, in document order, like the binding's. */
  descendantsOfType(types: string | string[], startPosition?: Point, endPosition?: Point): MirrorNode[] {
    const wanted = typeof types === "string" ? new Set([types]) : new Set(types);
    const out: MirrorNode[] = [];
    const stack: MirrorNode[] = [this];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (wanted.has(node.type)) {
        if (!inRange(node, startPosition, endPosition)) continue;
        out.push(node);
      }
      const kids = node.children;
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
    }
    return out;
  }

  /** The smallest descendant spanning [start, end] (offsets), like the binding's descendantForIndex. */
  descendantForIndex(start: number, end = start): MirrorNode {
    let node: MirrorNode = this;
    for (;;) {
      const next = node.children.find((c) => c.startIndex <= start && end <= c.endIndex && (c.endIndex > c.startIndex || start === end));
      if (!next) return node;
      node = next;
    }
  }

  namedDescendantForIndex(start: number, end = start): MirrorNode {
    let node = this.descendantForIndex(start, end);
    while (!node.isNamed && node.parent) node = node.parent;
    return node;
  }

  /** The S-expression of the named nodes, with field names, like the binding's toString(). */
  toString(): string {
    const parts: string[] = [];
    const visit = (node: MirrorNode, field: string | null) => {
      if (!node.isNamed && !node.isMissing) return;
      const name = node.isNamed ? node.type : JSON.stringify(node.type);
      parts.push(`${field ? `${field}: ` : ""}(${node.isMissing ? `MISSING ${name}` : name}`);
      for (const c of node.children) {
        if (!c.isNamed && !c.isMissing) continue;
        parts.push(" ");
        visit(c, c.fieldName);
      }
      parts.push(")");
    };
    visit(this, null);
    return parts.join("");
  }
}

function inRange(node: MirrorNode, start?: Point, end?: Point): boolean {
  if (!start && !end) return true;
  const s = node.startPosition;
  const e = node.endPosition;
  if (start && (e.row < start.row || (e.row === start.row && e.column < start.column))) return false;
  if (end && (s.row > end.row || (s.row === end.row && s.column > end.column))) return false;
  return true;
}

/**
 * Copy a parsed tree into JS objects with one cursor walk. Types and field names are read once per grammar id;
 * positions are derived from offsets on demand. The result is typed as the binding's SyntaxNode for the rules.
 * With a deadline (a `performance.now()` time), null when the walk runs past it (a 5 MB line is millions of nodes).
 */
export function mirrorTree(tree: Tree, source: string): SyntaxNode;
export function mirrorTree(tree: Tree, source: string, deadline: number): SyntaxNode | null;
export function mirrorTree(tree: Tree, source: string, deadline = Infinity): SyntaxNode | null {
  const lineStarts = [0];
  for (let i = source.indexOf("\n"); i >= 0; i = source.indexOf("\n", i + 1)) lineStarts.push(i + 1);
  const mirror: MirrorTree = { rootNode: undefined as unknown as MirrorNode, source, lineStarts };
  const typeNames = new Map<number, { type: string; named: boolean }>();
  const fieldNames = new Map<number, string>();
  const cursor = tree.walk();
  let nextId = 0;

  const current = (): MirrorNode => {
    const typeId = cursor.nodeTypeId;
    let info = typeNames.get(typeId);
    if (!info) {
      info = { type: cursor.nodeType, named: cursor.nodeIsNamed };
      typeNames.set(typeId, info);
    }
    const start = cursor.startIndex;
    const end = cursor.endIndex;
    // MISSING nodes are zero-width: only ask the binding about those
    const missing = start === end ? cursor.nodeIsMissing : false;
    return new MirrorNode(mirror, nextId++, info.type, info.named, missing, start, end);
  };
  const fieldOf = (): string | null => {
    const fieldId = (cursor as unknown as { currentFieldId: number }).currentFieldId;
    if (!fieldId) return null;
    let name = fieldNames.get(fieldId);
    if (name === undefined) {
      name = cursor.currentFieldName ?? "";
      fieldNames.set(fieldId, name);
    }
    return name || null;
  };

  const root = current();
  mirror.rootNode = root;
  let parent = root;
  for (;;) {
    if ((nextId & 4095) === 0 && performance.now() > deadline) return null;
    if (cursor.gotoFirstChild()) {
      const node = current();
      if (TYPES_WITH_FIELDS.has(parent.type)) node.fieldName = fieldOf();
      node.parent = parent;
      node.index = 0;
      parent.children.push(node);
      parent = node;
      continue;
    }
    for (;;) {
      if (cursor.gotoNextSibling()) {
        const node = current();
        const owner = parent.parent!;
        if (TYPES_WITH_FIELDS.has(owner.type)) node.fieldName = fieldOf();
        node.parent = owner;
        node.index = owner.children.length;
        owner.children.push(node);
        parent = node;
        break;
      }
      if (!cursor.gotoParent()) return root as unknown as SyntaxNode;
      parent = parent.parent!;
    }
  }
}
