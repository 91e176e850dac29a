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
  /** Every node in document order (pre-order); a node's descendants are nodes[id + 1 .. last]. */
  nodes: MirrorNode[];
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

/**
 * Named node types of tree-sitter-python 0.25 that never have children (from its node-types.json; a test keeps the
 * list true): the copy does not ask the cursor to descend into them.
 */
export const LEAF_TYPES = new Set([
  "comment", "ellipsis", "escape_interpolation", "escape_sequence", "false", "float", "identifier", "integer",
  "line_continuation", "none", "string_end", "string_start", "true", "type_conversion",
]);

/**
 * Node types whose span can run past their visible children (text in hidden tokens: `string_content` around its
 * escapes, a format spec after `:`; found by comparing with the binding over the fixtures, the corpus and parts of
 * the standard library): the copy asks the cursor for their positions. The module is asked too (trailing blanks).
 */
const SPAN_ASKED_TYPES = new Set(["module", "string_content", "format_specifier"]);

interface TypeInfo {
  type: string;
  named: boolean;
  /** Never has children: a named leaf type, or an anonymous token (`not in` and `is not` are not: two tokens). */
  leaf: boolean;
}

/** Per grammar symbol (one grammar per process): what a type id stands for. */
const typeInfos = new Map<number, TypeInfo>();
const fieldNames = new Map<number, string>();

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

/** The children of every leaf: one frozen array instead of an empty one per leaf (half the nodes). */
const NO_CHILDREN = Object.freeze([]) as unknown as MirrorNode[];

export class MirrorNode {
  parent: MirrorNode | null = null;
  children: MirrorNode[] = NO_CHILDREN;
  /** This node's field name in its parent ("function", "arguments"...), or null. */
  fieldName: string | null = null;
  /** Position among the parent's children. */
  index = 0;
  /** Id of its last descendant (itself for a leaf): its subtree is tree.nodes[id .. last]. */
  last = 0;
  isMissing = false;
  startIndex = 0;
  endIndex = 0;
  private namedCache: MirrorNode[] | undefined;
  private errorCache: boolean | undefined;

  constructor(
    readonly tree: MirrorTree,
    readonly id: number,
    readonly type: string,
    readonly isNamed: boolean,
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
    if (this.children === NO_CHILDREN) return NO_CHILDREN;
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
    const nodes = this.tree.nodes;
    const out: MirrorNode[] = [];
    const ranged = startPosition !== undefined || endPosition !== undefined;
    if (typeof types === "string" && !ranged) {
      for (let i = this.id; i <= this.last; i++) if (nodes[i]!.type === types) out.push(nodes[i]!);
      return out;
    }
    const wanted = typeof types === "string" ? new Set([types]) : new Set(types);
    for (let i = this.id; i <= this.last; i++) {
      const node = nodes[i]!;
      if (!wanted.has(node.type)) continue;
      // A wanted node outside the range: so is its subtree.
      if (ranged && !inRange(node, startPosition, endPosition)) i = node.last;
      else out.push(node);
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
 * Copy a parsed tree into JS objects with one cursor walk, asking the binding as little as possible (each question
 * is a native call): types and field names once per grammar id, field names only under types that have fields, and
 * positions only of leaves. In a tree without errors a node's span is its children's (first start, last end) and an
 * anonymous token's text is its type; a tree with errors (MISSING tokens are zero-width) is asked about every node.
 * Positions as rows and columns are derived from offsets on demand. The result is typed as the binding's
 * SyntaxNode for the rules. With a deadline (a `performance.now()` time), null when the walk runs past it (a 5 MB
 * line is millions of nodes).
 */
export function mirrorTree(tree: Tree, source: string): SyntaxNode;
export function mirrorTree(tree: Tree, source: string, deadline: number): SyntaxNode | null;
export function mirrorTree(tree: Tree, source: string, deadline = Infinity): SyntaxNode | null {
  const lineStarts = [0];
  for (let i = source.indexOf("\n"); i >= 0; i = source.indexOf("\n", i + 1)) lineStarts.push(i + 1);
  const nodes: MirrorNode[] = [];
  const mirror: MirrorTree = { rootNode: undefined as unknown as MirrorNode, source, lineStarts, nodes };
  const exact = tree.rootNode.hasError;
  const cursor = tree.walk();

  const info = (): TypeInfo => {
    const typeId = cursor.nodeTypeId;
    let found = typeInfos.get(typeId);
    if (!found) {
      const type = cursor.nodeType;
      const named = cursor.nodeIsNamed;
      found = { type, named, leaf: named ? LEAF_TYPES.has(type) : !type.includes(" ") };
      typeInfos.set(typeId, found);
    }
    return found;
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
  let openedLeaf = false;
  /** The cursor's node, as a child of `parent`. */
  const open = (parent: MirrorNode | null): MirrorNode => {
    const kind = info();
    openedLeaf = kind.leaf;
    const node = new MirrorNode(mirror, nodes.length, kind.type, kind.named);
    nodes.push(node);
    if (parent) {
      node.parent = parent;
      node.index = parent.children.length;
      if (parent.children === NO_CHILDREN) parent.children = [node];
      else parent.children.push(node);
      if (TYPES_WITH_FIELDS.has(parent.type)) node.fieldName = fieldOf();
    }
    if (exact || SPAN_ASKED_TYPES.has(kind.type)) {
      node.startIndex = cursor.startIndex;
      node.endIndex = cursor.endIndex;
      // MISSING nodes are zero-width: only ask the binding about those
      if (node.startIndex === node.endIndex) node.isMissing = cursor.nodeIsMissing;
    }
    return node;
  };
  /** Positions of a node without children (exact mode asked already). */
  const leafPositions = (node: MirrorNode): void => {
    if (exact || SPAN_ASKED_TYPES.has(node.type)) return;
    const start = cursor.startIndex;
    node.startIndex = start;
    node.endIndex = !node.isNamed && source.startsWith(node.type, start) ? start + node.type.length : cursor.endIndex;
  };

  const root = open(null);
  mirror.rootNode = root;
  let node = root;
  for (;;) {
    if ((nodes.length & 4095) === 0 && performance.now() > deadline) return null;
    // `node` is the one just opened: `openedLeaf` is its kind's.
    if (!openedLeaf && cursor.gotoFirstChild()) {
      node = open(node);
      continue;
    }
    leafPositions(node);
    // Close nodes until one has a next sibling.
    for (;;) {
      node.last = nodes.length - 1;
      const parent = node.parent;
      if (!parent) return root as unknown as SyntaxNode;
      if (cursor.gotoNextSibling()) {
        node = open(parent);
        break;
      }
      cursor.gotoParent();
      if (!exact && !SPAN_ASKED_TYPES.has(parent.type)) {
        parent.startIndex = parent.children[0]!.startIndex;
        parent.endIndex = node.endIndex;
      }
      node = parent;
    }
  }
}
