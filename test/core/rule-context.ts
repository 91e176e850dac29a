// A RuleContext over one parsed source, wired the way the engine wires it (mirror tree, imports, taint, memo), for
// unit tests of the core helpers that rules call with their context. Not a test file itself.
import type { SyntaxNode } from "tree-sitter";
import type { RuleContext } from "../../src/core/define-rule.js";
import { emptyProjectFacts, type ProjectFacts } from "../../src/core/project.js";
import { ImportTable, parsePython, resolveName } from "../../src/core/python.js";
import { TaintAnalyzer } from "../../src/core/taint.js";
import { mirrorTree } from "../../src/core/tree.js";

export interface Parsed {
  root: SyntaxNode;
  ctx: RuleContext;
  /** The first node of a type whose text is `text` (or starts with it, for `prefix`), in document order. */
  find(type: string, text: string, prefix?: boolean): SyntaxNode;
}

export function parse(source: string, options: { file?: string; isTestFile?: boolean; project?: Partial<ProjectFacts> } = {}): Parsed {
  const root = mirrorTree(parsePython(source), source);
  const imports = ImportTable.fromTree(root);
  const taint = new TaintAnalyzer(root, imports);
  const memos = new Map<string, unknown>();
  const ctx: RuleContext = {
    file: options.file ?? "app.py",
    source,
    project: { ...emptyProjectFacts(), ...options.project },
    isTestFile: options.isTestFile ?? false,
    resolve: (n) => resolveName(n, imports),
    taint: (n) => taint.taintOf(n),
    hasImport: (m) => imports.has(m),
    localName: (q) => imports.localName(q),
    memo: <T>(key: string, compute: () => T): T => {
      if (!memos.has(key)) memos.set(key, compute());
      return memos.get(key) as T;
    },
    report: () => undefined,
  };
  const find = (type: string, text: string, prefix = false): SyntaxNode => {
    const node = root.descendantsOfType(type).find((n) => (prefix ? n.text.startsWith(text) : n.text === text));
    if (!node) throw new Error(`no ${type} ${prefix ? "starting with" : ""} ${JSON.stringify(text)} in the test source`);
    return node;
  };
  return { root, ctx, find };
}
