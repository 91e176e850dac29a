import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { parsePython } from "../../src/core/python.js";
import { TYPES_WITH_FIELDS, mirrorTree } from "../../src/core/tree.js";

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

describe("the tree mirror", () => {
  it("matches the binding node for node: types, fields, offsets, positions, errors", () => {
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
    walk(tree.rootNode, mirror, "module");
    expect(mirror.toString()).toBe(tree.rootNode.toString());
    expect(mirror.descendantsOfType(["call", "identifier"]).map((n) => n.text)).toEqual(
      tree.rootNode.descendantsOfType(["call", "identifier"]).map((n) => n.text),
    );
  });

  it("knows every node type of the grammar that has fields", () => {
    const require = createRequire(import.meta.url);
    const types = JSON.parse(readFileSync(require.resolve("tree-sitter-python/src/node-types.json"), "utf8")) as { type: string; fields?: object }[];
    const withFields = types.filter((t) => t.fields && Object.keys(t.fields).length > 0).map((t) => t.type).sort();
    expect([...TYPES_WITH_FIELDS].sort()).toEqual(withFields);
  });
});
