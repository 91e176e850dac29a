import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { parsePython } from "../../src/core/python.js";
import { FIELD_CHILD_TYPES, LEAF_TYPES, mirrorTree } from "../../src/core/tree.js";

const source = `import os
from flask import request as r

@app.route("/x/<name>")
def view(name, *args, limit: int = 10, **kw):
    """Doc é 🙂."""
    total = sum(x * 2 for x in range(limit) if x)
    if name and not r.args.get("q"):
        return {"a": [1, 2], **kw}
    elif (y := len(name)) > 3:
        raise ValueError(f"bad {name!r:>10}")
    else:
        with open(os.path.join("/tmp", name)) as fh, lock:
            pass
    try:
        lambda a, b=1: a + b
    except (KeyError, ValueError) as e:
        print(e[0], e.attr, -total, total % 3)
    finally:
        del total
def broken(:
    pass
`;

/** The mirror equals the binding's tree node for node: types, fields, offsets, positions, errors, text. */
function expectSameTree(source: string, label: string): void {
  const tree = parsePython(source);
  const mirror = mirrorTree(tree, source);
  const walk = (native: import("tree-sitter").SyntaxNode, copy: import("tree-sitter").SyntaxNode, path: string): void => {
    expect([copy.type, copy.startIndex, copy.endIndex, copy.isNamed, copy.isMissing, copy.hasError], path).toEqual([
      native.type, native.startIndex, native.endIndex, native.isNamed, native.isMissing, native.hasError,
    ]);
    expect(copy.startPosition, path).toEqual(native.startPosition);
    expect(copy.endPosition, path).toEqual(native.endPosition);
    expect(copy.text, path).toBe(native.text);
    expect(copy.childCount, path).toBe(native.childCount);
    for (let i = 0; i < native.childCount; i++) {
      expect(copy.fieldNameForChild(i), `${path}/${i}`).toBe(native.fieldNameForChild(i) ?? null);
      walk(native.child(i)!, copy.child(i)!, `${path}/${native.child(i)!.type}`);
    }
  };
  walk(tree.rootNode, mirror, `${label}:module`);
  expect(mirror.toString(), label).toBe(tree.rootNode.toString());
  const types = ["call", "identifier", "string", "string_start", "string_content", "string_end"];
  expect(mirror.descendantsOfType(types).map((n) => `${n.type}@${n.startIndex}:${n.text}`), label).toEqual(
    tree.rootNode.descendantsOfType(types).map((n) => `${n.type}@${n.startIndex}:${n.text}`),
  );
}

/** Every node's type, field, span and flags, in document order, read from the binding's cursor (it asks everything). */
function nativeSignature(tree: import("tree-sitter").Tree): string {
  const out: string[] = [];
  const cursor = tree.walk();
  for (;;) {
    out.push(`${cursor.currentFieldName ?? ""}:${cursor.nodeType}@${cursor.startIndex}-${cursor.endIndex}${cursor.nodeIsNamed ? "" : "'"}${cursor.nodeIsMissing ? "!" : ""}`);
    if (cursor.gotoFirstChild()) continue;
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent()) return out.join("\n");
      out.push(")");
    }
  }
}

function signature(root: import("tree-sitter").SyntaxNode): string {
  const out: string[] = [];
  const visit = (node: import("tree-sitter").SyntaxNode, field: string | null): void => {
    out.push(`${field ?? ""}:${node.type}@${node.startIndex}-${node.endIndex}${node.isNamed ? "" : "'"}${node.isMissing ? "!" : ""}`);
    node.children.forEach((child, i) => visit(child, node.fieldNameForChild(i)));
    if (node.childCount > 0) out.push(")");
  };
  visit(root, null);
  return out.join("\n");
}

describe("the tree mirror", () => {
  it("matches the binding node for node in a tree with errors (every node asked)", () => {
    expect(parsePython(source).rootNode.hasError).toBe(true);
    expectSameTree(source, "sample");
    // Recovery gives fields to children of an ERROR (`in` is a comparison's `operators` here).
    const prose = "if x:\n    order in which the items were inserted in the graph.\n";
    expect(parsePython(prose).rootNode.hasError).toBe(true);
    expectSameTree(prose, "prose");
    expect(mirrorTree(parsePython(prose), prose).descendantsOfType("in")[0]?.fieldName).toBe("operators");
  });

  it("matches the binding node for node in error-free trees (spans from children, tokens from their type)", () => {
    const clean = source.replace("def broken(:\n    pass\n", "") + "x = a not  in b or a is  not b\nprint(f'{x!r:>10}', b'\\n', ..., None, True, 1_000j, 0x1F)\n";
    expect(parsePython(clean).rootNode.hasError).toBe(false);
    expectSameTree(clean, "clean sample");
    // Every Python fixture and example of the repository.
    const root = fileURLToPath(new URL("../../", import.meta.url));
    const files = [
      ...readdirSync(join(root, "rules")).filter((f) => f.endsWith(".py")).map((f) => join(root, "rules", f)),
      ...readdirSync(join(root, "examples/vulnerable-app"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".py")).map((f) => join(root, "examples/vulnerable-app", f)),
    ];
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      const tree = parsePython(text);
      expect(signature(mirrorTree(tree, text)), file).toBe(nativeSignature(tree));
    }
  });

  it("reads token positions from the source only where the text proves them (blanks, non-ASCII names, prefixes)", () => {
    const tricky = [
      "x = 1\r\n# a comment ending in CR\r\ny = x\f+ 2",
      "\ufeffz = 3",
      "café = naïve + é_1 + x",
      "if x:  # trailing\n    pass",
      "match x:\n    # before the first case\n    case 1:\n        pass",
      "s = rb\"a\" Rb\"\"\"b\"\"\" f\"{x!r:>{y}} {'q'}\" u'''t''' \"\" ''",
      "a = b \\\n  + c",
      "y = (f  # comments sit between a call's function and its arguments\n    (x)), (a  # and an attribute's parts\n    .b), g(k  # c\n    = 1)",
      "print(not x, a not in b, a is not b, ..., None, True, False, NoneX, 1_0j, 0x1F, .5e3, lambda: 0)",
      "async def f(*, a: int = 1, **k) -> None:\n    await g(); return {**k, 'a': [*a]}, x[1:2, ::3]",
      "",
    ].join("\n");
    expect(parsePython(tricky).rootNode.hasError).toBe(false);
    expectSameTree(tricky, "tricky");
  });

  it("descendantsOfType with a range skips wanted nodes outside it, like the binding", () => {
    const tree = parsePython(source);
    const mirror = mirrorTree(tree, source);
    const from = { row: 6, column: 0 };
    const to = { row: 12, column: 0 };
    expect(mirror.descendantsOfType(["call", "identifier"], from, to).map((n) => n.text)).toEqual(
      tree.rootNode.descendantsOfType(["call", "identifier"], from, to).map((n) => n.text),
    );
  });

  it("knows every node type of the grammar that has fields", () => {
    const require = createRequire(import.meta.url);
    const types = JSON.parse(readFileSync(require.resolve("tree-sitter-python/src/node-types.json"), "utf8")) as { type: string; fields?: object }[];
    const withFields = types.filter((t) => t.fields && Object.keys(t.fields).length > 0).map((t) => t.type).sort();
    expect([...FIELD_CHILD_TYPES.keys()].sort()).toEqual(withFields);
    // Supertypes are expanded: a call's function can be any primary expression, an attribute's attribute only a name.
    expect(FIELD_CHILD_TYPES.get("call")?.has("subscript")).toBe(true);
    expect(FIELD_CHILD_TYPES.get("attribute")?.has(".")).toBe(false);
  });

  it("knows every named node type of the grammar that never has children", () => {
    const require = createRequire(import.meta.url);
    const types = JSON.parse(readFileSync(require.resolve("tree-sitter-python/src/node-types.json"), "utf8")) as { type: string; named: boolean; fields?: object; children?: object; subtypes?: object }[];
    // Terminals are listed without a `fields` key; `break_statement` and the like have `fields: {}` and a token child.
    const leaves = types.filter((t) => t.named && !t.children && !t.subtypes && !t.fields).map((t) => t.type).sort();
    expect([...LEAF_TYPES].sort()).toEqual(leaves);
  });
});
