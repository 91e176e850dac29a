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
      if (!node.isNamed) return;
      parts.push(`${field ? `${field}: ` : ""}(${node.isMissing ? `MISSING ${node.type}` : node.type}`);
      for (const c of node.children) {
        if (!c.isNamed) continue;
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
 */
export function mirrorTree(tree: Tree, source: string): SyntaxNode {
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
    if (cursor.gotoFirstChild()) {
      const node = current();
      node.fieldName = fieldOf();
      node.parent = parent;
      node.index = 0;
      parent.children.push(node);
      parent = node;
      continue;
    }
    for (;;) {
      if (cursor.gotoNextSibling()) {
        const node = current();
        node.fieldName = fieldOf();
        const owner = parent.parent!;
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
