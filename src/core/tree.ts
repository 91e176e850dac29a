// A plain-JS mirror of a tree-sitter tree, with the SyntaxNode API our rules use.
//
// Why: the Node binding crosses into native code on every getter (marshal, call, unmarshal) and hands out node
// objects from a weak cache, so identity (`a === b`) is not reliable and a rule that navigates a lot spends most
// of its time in the binding (profiled: 17x the parse time for the full rule set). One cursor walk per file copies
// what rules read (types, fields, offsets); everything after that is ordinary JS objects: fast, and `===` works.
import type { SyntaxNode, Tree } from "tree-sitter";
import Python from "tree-sitter-python";

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
  /** Only a tree with errors has MISSING nodes (their ids) and nodes with errors (hasError, cached by id). */
  errors: { missing: Set<number>; hasError: Map<number, boolean> } | null;
}

interface GrammarType {
  type: string;
  named: boolean;
  children?: object;
  fields?: Record<string, { types: { type: string; named: boolean }[] }>;
  subtypes?: { type: string; named: boolean }[];
}

/** tree-sitter-python's node-types (the package ships them with the language). */
const GRAMMAR = (Python as unknown as { nodeTypeInfo: GrammarType[] }).nodeTypeInfo;

/**
 * For each type with fields, the child types a field can hold (supertypes such as `expression` expanded), from the
 * grammar's node-types: a child of another type has no field, and the cursor is not asked (a third of the children
 * of such nodes are `(`, `.`, `=`, `:`...).
 */
export const FIELD_CHILD_TYPES: ReadonlyMap<string, ReadonlySet<string>> = (() => {
  const grammar = GRAMMAR;
  const subtypes = new Map(grammar.filter((t) => t.subtypes).map((t) => [t.type, t.subtypes!]));
  const expand = (type: string, into: Set<string>): void => {
    if (into.has(type)) return;
    into.add(type);
    for (const sub of subtypes.get(type) ?? []) expand(sub.type, into);
  };
  const out = new Map<string, Set<string>>();
  for (const t of grammar) {
    if (!t.named || !t.fields || Object.keys(t.fields).length === 0) continue;
    const types = new Set<string>();
    for (const field of Object.values(t.fields)) for (const child of field.types) expand(child.type, types);
    out.set(t.type, types);
  }
  return out;
})();

/**
 * Types whose children's fields follow from their position alone in a tree without errors (the grammar's rules are
 * fixed sequences: `call` is function then arguments, `attribute` object "." attribute, `keyword_argument` name "="
 * value), counting every child but comments and line continuations (extras, which can sit between any two tokens).
 * A third of all field questions are about these three: they are not asked.
 */
const POSITIONAL_FIELDS = new Map<string, readonly (string | null)[]>([
  ["call", ["function", "arguments"]],
  ["attribute", ["object", null, "attribute"]],
  ["keyword_argument", ["name", null, "value"]],
]);

/** How many of the first `before` children are not extras (the next one's position for POSITIONAL_FIELDS). */
function tokensBefore(siblings: MirrorNode[], before: number): number {
  let count = 0;
  for (let i = 0; i < before; i++) if (siblings[i]!.type !== "comment" && siblings[i]!.type !== "line_continuation") count++;
  return count;
}

/**
 * Named node types that never have children (terminals: node-types lists them without children, subtypes or
 * fields): the copy does not ask the cursor to descend into them.
 */
export const LEAF_TYPES: ReadonlySet<string> = new Set(
  GRAMMAR.filter((t) => t.named && !t.children && !t.subtypes && !t.fields).map((t) => t.type),
);

/**
 * Nodes whose span can run past their visible children, so the copy asks the cursor for their positions (found by
 * comparing with the binding over the fixtures, the corpus and the standard library): text in hidden tokens
 * (`string_content` around its escapes, a format spec after `:`), the module (trailing blanks) and the body of a
 * `match` (it starts at the newline after `match x:`, before its first case).
 */
function spanAsked(node: MirrorNode): boolean {
  const type = node.type;
  if (type === "block") return node.parent?.type === "match_statement";
  return type === "module" || type === "string_content" || type === "format_specifier";
}

interface TypeInfo {
  type: string;
  named: boolean;
  /** Never has children: a named leaf type, or an anonymous token (`not in` and `is not` are not: two tokens). */
  leaf: boolean;
}

/** Per grammar symbol (one grammar per process): what a type id stands for. */
const typeInfos: TypeInfo[] = [];
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
  startIndex = 0;
  endIndex = 0;
  private namedCache: MirrorNode[] | undefined;

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
  get isMissing(): boolean {
    return this.tree.errors?.missing.has(this.id) ?? false;
  }
  get hasError(): boolean {
    const errors = this.tree.errors;
    if (!errors) return false;
    let known = errors.hasError.get(this.id);
    if (known === undefined) {
      known = this.type === "ERROR" || this.isMissing || this.children.some((c) => c.hasError);
      errors.hasError.set(this.id, known);
    }
    return known;
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
    // Indexed: the hottest method of a scan, and for-of allocated an iterator per call where V8 did not inline it.
    const children = this.children;
    for (let i = 0; i < children.length; i++) if (children[i]!.fieldName === name) return children[i]!;
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

/** The first offset at or after `from` that is not a blank tree-sitter-python skips between tokens (ASCII ones). */
function skipBlanks(source: string, from: number): number {
  let i = from;
  for (let c = source.charCodeAt(i); c === 32 || c === 10 || c === 9 || c === 13 || c === 12 || c === 0xfeff || c === 0x2060 || c === 0x200b; c = source.charCodeAt(++i));
  return i;
}

const isAsciiWord = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
const CONSTANT_TEXT: Record<string, string> = { true: "True", false: "False", none: "None" };

/**
 * Where a named token that starts at `start` ends, read from the source, or -1 when the source does not read as
 * that token there or only the parser can tell (non-ASCII identifiers, numbers, a comment ending in `\r`).
 */
function namedLeafEnd(source: string, type: string, start: number): number {
  let c = source.charCodeAt(start);
  switch (type) {
    case "identifier": {
      if (!isAsciiWord(c) || (c >= 48 && c <= 57)) return -1;
      let i = start + 1;
      for (c = source.charCodeAt(i); isAsciiWord(c); c = source.charCodeAt(++i));
      return c >= 128 ? -1 : i;
    }
    case "string_start": {
      let i = start;
      while (i - start < 3 && ((c >= 97 && c <= 122) || (c >= 65 && c <= 90))) c = source.charCodeAt(++i);
      if (c !== 34 && c !== 39) return -1;
      return source.charCodeAt(i + 1) === c && source.charCodeAt(i + 2) === c ? i + 3 : i + 1;
    }
    case "comment": {
      if (c !== 35) return -1;
      // Within the line only: indexOf("\r") over the rest of the file made a file of comments quadratic.
      let end = start + 1;
      for (c = source.charCodeAt(end); c !== 10 && end < source.length; c = source.charCodeAt(++end)) if (c === 13) return -1;
      return end;
    }
    case "true":
    case "false":
    case "none": {
      const text = CONSTANT_TEXT[type]!;
      return source.startsWith(text, start) && !isAsciiWord(source.charCodeAt(start + text.length)) ? start + text.length : -1;
    }
    default:
      return -1;
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
  const exact = tree.rootNode.hasError;
  const errors = exact ? { missing: new Set<number>(), hasError: new Map<number, boolean>() } : null;
  const mirror: MirrorTree = { rootNode: undefined as unknown as MirrorNode, source, lineStarts, nodes, errors };
  const cursor = tree.walk();

  const info = (): TypeInfo => {
    const typeId = cursor.nodeTypeId;
    let found = typeInfos[typeId];
    if (!found) {
      const type = cursor.nodeType;
      const named = cursor.nodeIsNamed;
      found = { type, named, leaf: named ? LEAF_TYPES.has(type) : !type.includes(" ") };
      typeInfos[typeId] = found;
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
  /**
   * The children gathered so far of the node open at each depth (reused arrays): a node gets an exact-size copy
   * when it closes, where pushing onto its own array left 17 slots for 2 children (V8 grows arrays by 50% + 16).
   */
  const levels: MirrorNode[][] = [];
  /** How many children levels[depth] holds (the arrays are reused, never shortened: setting length is slow). */
  const counts: number[] = [];
  /** Depth of the cursor's node (the root is 0). */
  let depth = 0;
  /** The cursor's node, as a child of `parent`. */
  const open = (parent: MirrorNode | null): MirrorNode => {
    const kind = info();
    openedLeaf = kind.leaf;
    const node = new MirrorNode(mirror, nodes.length, kind.type, kind.named);
    nodes.push(node);
    if (kind.type === "string") stringDepth++;
    if (parent) {
      node.parent = parent;
      const siblings = levels[depth - 1]!;
      node.index = counts[depth - 1]!++;
      siblings[node.index] = node;
      // In a tree with errors, recovery puts fields where the grammar has none (`operators` under an ERROR): every
      // child is asked.
      const positional = exact ? undefined : POSITIONAL_FIELDS.get(parent.type);
      if (positional) node.fieldName = kind.type === "comment" || kind.type === "line_continuation" ? null : (positional[tokensBefore(siblings, node.index)] ?? null);
      else if (exact || FIELD_CHILD_TYPES.get(parent.type)?.has(kind.type)) node.fieldName = fieldOf();
    }
    if (exact || spanAsked(node)) {
      node.startIndex = cursor.startIndex;
      node.endIndex = cursor.endIndex;
      // MISSING nodes are zero-width: only ask the binding about those
      if (node.startIndex === node.endIndex && cursor.nodeIsMissing) errors?.missing.add(node.id);
    }
    return node;
  };
  /** End of the last leaf copied, in document order: the next token starts after it and some blanks. */
  let lastEnd = 0;
  /** Strings open around the cursor: inside one, text hides in tokens the cursor does not show. */
  let stringDepth = 0;
  /** Positions of a node without children (exact mode and span-asked types asked already). */
  const leafPositions = (node: MirrorNode): void => {
    if (exact || spanAsked(node)) {
      lastEnd = node.endIndex;
      return;
    }
    // Outside strings only blanks separate tokens (comments and line continuations are nodes of their own), so a
    // token starts at the first non-blank after the last one; its text is checked before it is believed.
    if (stringDepth === 0 || (stringDepth === 1 && node.type === "string_start")) {
      const start = skipBlanks(source, lastEnd);
      const end = node.isNamed ? namedLeafEnd(source, node.type, start) : source.startsWith(node.type, start) ? start + node.type.length : -1;
      if (end > start) {
        node.startIndex = start;
        node.endIndex = lastEnd = end;
        return;
      }
    }
    const start = cursor.startIndex;
    node.startIndex = start;
    node.endIndex = lastEnd = !node.isNamed && source.startsWith(node.type, start) ? start + node.type.length : cursor.endIndex;
  };

  /** A child the copy makes itself (no cursor): a leaf at the given span. */
  const madeLeaf = (parent: MirrorNode, type: string, start: number, end: number): MirrorNode => {
    const leaf = new MirrorNode(mirror, nodes.length, type, true);
    nodes.push(leaf);
    leaf.parent = parent;
    leaf.startIndex = start;
    leaf.endIndex = end;
    leaf.last = leaf.id;
    return leaf;
  };
  /**
   * A string without interpolation or escapes (most of them) is string_start, string_content (unless empty) and
   * string_end, all read from the source: one native question (its end) instead of a dozen. False, having asked
   * nothing but the end, for any other string (f-strings, escapes, nested in an f-string, a tree with errors).
   */
  const copyPlainString = (string: MirrorNode): boolean => {
    if (exact || stringDepth !== 1) return false;
    const start = skipBlanks(source, lastEnd);
    const startEnd = namedLeafEnd(source, "string_start", start);
    if (startEnd < 0) return false;
    let quote = start;
    for (let c = source.charCodeAt(quote); c !== 34 && c !== 39; c = source.charCodeAt(++quote)) {
      if (c === 102 || c === 70 || c === 116 || c === 84) return false; // f"", t"": interpolations
    }
    const end = cursor.endIndex;
    const contentEnd = end - (startEnd - quote);
    if (contentEnd < startEnd || !source.startsWith(source.slice(quote, startEnd), contentEnd)) return false;
    const backslash = source.indexOf("\\", startEnd);
    if (backslash >= 0 && backslash < contentEnd) return false;
    string.startIndex = start;
    string.endIndex = lastEnd = end;
    const children = [madeLeaf(string, "string_start", start, startEnd)];
    if (contentEnd > startEnd) children.push(madeLeaf(string, "string_content", startEnd, contentEnd));
    children.push(madeLeaf(string, "string_end", contentEnd, end));
    children.forEach((child, i) => (child.index = i));
    string.children = children;
    stringDepth--;
    return true;
  };

  const root = open(null);
  mirror.rootNode = root;
  let node = root;
  for (;;) {
    if ((nodes.length & 4095) === 0 && performance.now() > deadline) return null;
    // `node` is the one just opened: `openedLeaf` is its kind's.
    const whole = !openedLeaf && node.type === "string" && copyPlainString(node);
    if (!openedLeaf && !whole && cursor.gotoFirstChild()) {
      levels[depth] ??= [];
      counts[depth++] = 0;
      node = open(node);
      continue;
    }
    if (!whole) leafPositions(node);
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
      if (parent.type === "string") stringDepth--;
      parent.children = levels[--depth]!.slice(0, counts[depth]);
      if (!exact && !spanAsked(parent)) {
        parent.startIndex = parent.children[0]!.startIndex;
        parent.endIndex = node.endIndex;
      }
      node = parent;
    }
  }
}
