import { describe, expect, it } from "vitest";
import {
  ImportTable, callArguments, describeContext, inMainGuard, parsePython, resolveName, routeParams, routesOf, stringValue,
} from "../../src/core/python.js";

const parse = (s: string) => parsePython(s).rootNode;

describe("python helpers", () => {
  it("resolves names through every import form", () => {
    const root = parse(`import subprocess as sp
import os.path
from subprocess import run as sh
from flask import *
[sp.run, os.path.join, sh, request.args, local.thing]
`);
    const imports = ImportTable.fromTree(root);
    const exprs = root.descendantsOfType("list")[0]!.namedChildren;
    expect(exprs.map((e) => resolveName(e, imports))).toEqual([
      "subprocess.run", "os.path.join", "subprocess.run", "flask.request.args", "local.thing",
    ]);
    expect(imports.has("os")).toBe(true);
    expect(imports.has("sqlite3")).toBe(false);
  });

  it("spells a qualified name the way the file's imports allow", () => {
    const names = (src: string) => ImportTable.fromTree(parse(src));
    expect(names("import os\n").localName("os.environ")).toBe("os.environ");
    expect(names("import os as o\n").localName("os.environ")).toBe("o.environ");
    expect(names("from os import environ\nimport os\n").localName("os.environ")).toBe("environ");
    expect(names("from os import path\n").localName("os.environ")).toBeNull();
    expect(names("import os.path\n").localName("os.environ")).toBe("os.environ");
  });

  it("reads string literals, refusing interpolation", () => {
    const root = parse(`a = "x" 'y'\nb = f"{c}"\nd = r"\\d"\ne = "tab\\t"\n`);
    const values = root.descendantsOfType("assignment").map((a) => stringValue(a.childForFieldName("right")));
    expect(values).toEqual(["xy", null, "\\d", "tab\t"]);
  });

  it("knows the main guard", () => {
    const root = parse(`a()\nif __name__ == "__main__":\n    b()\nif "__main__" == __name__:\n    c()\nelse:\n    d()\n`);
    const calls = Object.fromEntries(root.descendantsOfType("call").map((c) => [c.text, inMainGuard(c)]));
    expect(calls).toEqual({ "a()": false, "b()": true, "c()": true, "d()": false });
  });

  it("reads routes, methods and path parameters", () => {
    const root = parse(`@bp.route("/a/<int:id>/<name>", methods=["GET", "post"])\ndef a(id, name):\n    x()\n@app.delete("/b")\ndef b():\n    pass\n`);
    const [fa, fb] = root.descendantsOfType("function_definition");
    expect(routesOf(fa!)).toEqual([{ path: "/a/<int:id>/<name>", methods: ["GET", "POST"], params: [{ name: "id", converter: "int" }, { name: "name", converter: "string" }] }]);
    expect(routesOf(fb!)[0]?.methods).toEqual(["DELETE"]);
    expect(describeContext(root.descendantsOfType("call").find((c) => c.text === "x()")!)).toBe("a() [GET,POST /a/<int:id>/<name>]");
    expect(routeParams("/f/<any(a, b):kind>/<path:p>")).toEqual([{ name: "kind", converter: "any" }, { name: "p", converter: "path" }]);
  });

  it("splits call arguments", () => {
    const call = parse(`f(a, b, k=1, *rest, **kw)`).descendantsOfType("call")[0]!;
    const args = callArguments(call);
    expect(args.positional.map((n) => n.text)).toEqual(["a", "b"]);
    expect([...args.keywords.keys()]).toEqual(["k"]);
    expect(args.hasSplat).toBe(true);
  });
});
