// The core helpers rewritten to stay linear (or not to crash) on hostile input still read ordinary input the same
// way. The timing side is test/fuzz/regex.test.ts; this is the meaning side.
import { describe, expect, it } from "vitest";
import { defineRule } from "../../src/core/define-rule.js";
import { parseFilePatch } from "../../src/core/diff.js";
import { scanFiles, scanSource } from "../../src/core/engine.js";
import { codeSpan } from "../../src/core/comment.js";
import { collectProjectFacts, emptyProjectFacts } from "../../src/core/project.js";
import { ImportTable, parsePython, resolveName, routeParams } from "../../src/core/python.js";
import { fenced } from "../../src/core/render.js";
import { isDevClassName } from "../../src/core/run-context.js";
import { mirrorTree } from "../../src/core/tree.js";

const docs = { impact: "i", fix: "f", mitigation: "m", falsePositives: "fp", bad: "", good: "" };

describe("project facts", () => {
  const py = (content: string) => collectProjectFacts([{ path: "app.py", content }]);

  it("csrf.protect(): the word before it names CSRF, in any case", () => {
    for (const text of ["csrf.protect()", "my_csrf.protect( )", "CSRF.PROTECT()", "x.csrf_ext.protect()"]) expect(py(text).csrfCustomCheck, text).toBe(true);
    for (const text of ["guard.protect()", "csrf.protect(x)", "csrf .protect()", "csrf.protected()"]) expect(py(text).csrfCustomCheck, text).toBe(false);
  });

  it("CORS_* settings with or without quotes and a closing bracket", () => {
    for (const text of ['app.config["CORS_ORIGINS"] = ["x"]', "CORS_RESOURCES = {}", '{"CORS_ORIGINS": "*"}', 'app.config["CORS_ORIGINS"]  \t= x']) {
      expect(py(text).corsConfig.origins, text).toBe(true);
    }
    expect(py('if app.config["CORS_ORIGINS"] == x: pass').corsConfig.origins).toBe(false);
    expect(py('app.config["CORS_SUPPORTS_CREDENTIALS"] = True').corsConfig.credentials).toBe(true);
    expect(py("CORS_SUPPORTS_CREDENTIALS = False").corsConfig.credentials).toBe(false);
  });

  it("development Dockerfile stages", () => {
    const facts = (from: string) => collectProjectFacts([{ path: "app.py", content: "app.run()\n" }, { path: "Dockerfile", content: `${from}\nCMD python app.py\n` }]);
    for (const from of ["FROM python:3.12 AS dev", "FROM python AS my-devel-stage  ", "from python as Test", "FROM x AS localdebug"]) expect(facts(from).devServerCommands, from).toEqual([]);
    for (const from of ["FROM python:3.12 AS prod", "FROM python:3.12", "FROM dev AS prod", "FROM python AS dev extra"]) expect(facts(from).devServerCommands, from).toHaveLength(1);
  });
});

describe("python helpers", () => {
  it("route converters, with arguments, never across a `<`", () => {
    expect(routeParams("/<int:id>/<path:rest>/<name>")).toEqual([
      { name: "id", converter: "int" }, { name: "rest", converter: "path" }, { name: "name", converter: "string" },
    ].map((p) => expect.objectContaining(p)));
    expect(routeParams("/<any(a, b):kind>").map((p) => p.converter)).toEqual(["any"]);
    expect(routeParams(`/${"<a(".repeat(10)}<b>`).map((p) => p.name)).toEqual(["b"]);
  });

  it("resolveName follows a 10,000-long attribute chain without recursion", () => {
    const source = `import flask\nx = flask${".a".repeat(10_000)}\n`;
    const root = mirrorTree(parsePython(source), source);
    const chain = root.descendantsOfType("attribute").at(0)!;
    expect(resolveName(chain, ImportTable.fromTree(root))).toBe(`flask${".a".repeat(10_000)}`);
    const small = "import os as o\nx = (o).path.join\n";
    const smallRoot = mirrorTree(parsePython(small), small);
    expect(resolveName(smallRoot.descendantsOfType("attribute")[0]!, ImportTable.fromTree(smallRoot))).toBe("os.path.join");
  });

  it("dev config class names split like before: HTTPServer, UnitTestConfig", () => {
    expect(isDevClassName("UnitTestConfig")).toBe(true);
    expect(isDevClassName("DEVConfig")).toBe(true);
    expect(isDevClassName("LocalHTTPConfig")).toBe(true);
    expect(isDevClassName("ProductionConfig")).toBe(false);
    expect(isDevClassName("DevelopmentalConfig")).toBe(false);
  });
});

describe("evidence redaction of non-Python files", () => {
  const echo = defineRule({
    id: "FLASK-TEST-020", title: "t", severity: "low", confidence: "low", cwe: [], spec: "x", docs, kinds: ["dockerfile", "env"],
    checkText(ctx) {
      ctx.lines.forEach((line, i) => line && ctx.report({ line: i + 1, message: "line" }));
    },
  });
  const evidence = (path: string, content: string) => scanFiles([{ path, content }], { rules: [echo], project: emptyProjectFacts() }).findings.map((f) => f.evidence);

  it("redacts NAME=value, ENV NAME value and ${NAME:-value}, keeps references", () => {
    expect(evidence(".env", 'SECRET_KEY=abc\nMY_API_KEY: "q w"\nDB_PASSWORD=${DB_PASSWORD}\nX="a PASSWORD=b"\nNAME=x\n')).toEqual([
      "SECRET_KEY='********'", "MY_API_KEY: '********'", "DB_PASSWORD=${DB_PASSWORD}", "X=\"a PASSWORD='********'\"", "NAME=x",
    ]);
    expect(evidence("Dockerfile", "ENV SECRET_KEY s3cr3t\nENV TOKEN=${TOKEN:-dev}\n\tENV\tAPI_KEY\tv\n")).toEqual([
      "ENV SECRET_KEY '********'", "ENV TOKEN=${TOKEN:-'********'}", "\tENV\tAPI_KEY\t'********'",
    ]);
  });
});

describe("diffs", () => {
  it("a hunk header whose line numbers no file has is unreadable, like any unreadable header", () => {
    const change = parseFilePatch("a.py", `@@ -1 +${"9".repeat(400)} @@\n+x\n@@ -1 +1 @@\n+y\n`);
    expect(change.hunks).toEqual([{ oldStart: 1, oldLines: 0, newStart: 1, newLines: 1 }]);
    expect([...change.addedLines]).toEqual([1]);
  });
});

describe("render", () => {
  it("code spans and fences stay longer than any backtick run, however many runs", () => {
    expect(codeSpan("a `b` c")).toBe("``a `b` c``");
    expect(fenced("x = '```'", "python")).toBe("````python\nx = '```'\n````");
    expect(fenced("` ".repeat(150_000), "text").startsWith("```text\n")).toBe(true);
  });
});

describe("a file with a rule error on every node", () => {
  it("scanFiles gathers more rule errors than a spread could pass (push(...) threw RangeError past ~120k)", () => {
    const thrower = defineRule({
      id: "FLASK-TEST-021", title: "t", severity: "low", confidence: "low", cwe: [], spec: "x", docs, on: ["integer"],
      check() {
        throw new Error("boom");
      },
    });
    const content = `x = [${"1,".repeat(130_000)}]\n`;
    const result = scanFiles([{ path: "a.py", content }], { rules: [thrower], project: emptyProjectFacts(), fileBudgetMs: 60_000 });
    expect(result.ruleErrors).toHaveLength(130_000);
    expect(scanSource({ path: "b.py", content: "1\n" }, { rules: [thrower], project: emptyProjectFacts() }).ruleErrors).toHaveLength(1);
  }, 60_000);
});
