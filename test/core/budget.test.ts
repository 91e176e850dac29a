// The per-file time budget and the parser guards: a file that would hang or crash the worker is reported as
// skipped, with the reason, and the scan goes on.
import { describe, expect, it } from "vitest";
import { defineRule, type Rule } from "../../src/core/define-rule.js";
import { DEFAULT_FILE_BUDGET_MS, scanAnyFile, scanFiles, scanSource } from "../../src/core/engine.js";
import { emptyProjectFacts } from "../../src/core/project.js";
import { MAX_INDENT_LEVELS, UnparseableSource, indentationLevels, parsePython, parsePythonBefore } from "../../src/core/python.js";
import { mirrorTree } from "../../src/core/tree.js";

const docs = { impact: "i", fix: "f", mitigation: "m", falsePositives: "fp", bad: "", good: "" };
const project = emptyProjectFacts();

const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

/** Reports every call to `danger()`, spending `ms` on each. */
function slowRule(ms: number, id = "FLASK-TEST-001"): Rule {
  return defineRule({
    id, title: "slow", severity: "high", confidence: "high", cwe: [], spec: "x", docs, on: ["call"],
    check(node, ctx) {
      busy(ms);
      if (node.childForFieldName("function")?.text === "danger") ctx.report({ node, message: "danger called" });
    },
  });
}

const dangers = (n: number) => "danger()\n".repeat(n);

describe("per-file time budget", () => {
  it("defaults to 2 s", () => {
    expect(DEFAULT_FILE_BUDGET_MS).toBe(2000);
  });

  it("stops a slow file between rule calls, keeps what was found, and says where it stopped", () => {
    const start = performance.now();
    const scan = scanSource({ path: "slow.py", content: dangers(40) }, { rules: [slowRule(10)], project, fileBudgetMs: 100 });
    const elapsed = performance.now() - start;
    expect(scan.skipped).toEqual({ file: "slow.py", reason: expect.stringMatching(/^scan exceeded the 100 ms per-file budget at rule FLASK-TEST-001 \(line \d+\); the file is partly unscanned$/) });
    expect(scan.partial).toBe(true);
    // each kept finding came from a rule call that ran to completion; the rest of the file was not checked
    expect(scan.findings.length).toBeGreaterThan(0);
    expect(scan.findings.length).toBeLessThan(40);
    const stoppedAt = Number(/\(line (\d+)\)/.exec(scan.skipped!.reason)![1]);
    expect(scan.findings.at(-1)!.span.startLine).toBe(stoppedAt);
    // overrun: at most one rule call past the deadline (plus timer noise)
    expect(elapsed).toBeLessThan(100 + 10 + 150);
  });

  it("scanFiles lists the stopped file as skipped, keeps its findings and goes on with the next file", () => {
    const result = scanFiles(
      [{ path: "slow.py", content: dangers(40) }, { path: "fast.py", content: "danger()\n" }],
      { rules: [slowRule(10)], project, fileBudgetMs: 100 },
    );
    expect(result.skipped.map((s) => s.file)).toEqual(["slow.py"]);
    expect(result.findings.some((f) => f.file === "slow.py")).toBe(true);
    expect(result.findings.filter((f) => f.file === "fast.py")).toHaveLength(1);
    expect(result.filesScanned).toBe(2); // a partly scanned file was scanned, and is listed as skipped too
  });

  it("a file within its budget is not marked", () => {
    const scan = scanSource({ path: "a.py", content: dangers(3) }, { rules: [slowRule(0)], project });
    expect(scan.skipped).toBeUndefined();
    expect(scan.partial).toBeUndefined();
    expect(scan.findings).toHaveLength(3);
  });

  it("bounds the parse itself: a parse past the budget is abandoned, and the parser is reset for the next file", () => {
    // a few hundred KB of unbalanced brackets: seconds of tree-sitter error recovery
    let garbage = "";
    let x = 7;
    for (let i = 0; i < 400_000; i++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      garbage += "([{:'\"\n x=#"[x % 12];
    }
    const start = performance.now();
    const result = scanFiles([{ path: "garbage.py", content: garbage }], { rules: [slowRule(0)], project, fileBudgetMs: 5 });
    expect(performance.now() - start).toBeLessThan(1000);
    expect(result.skipped).toEqual([{ file: "garbage.py", reason: "scan exceeded the 5 ms per-file budget while parsing; the file is not scanned" }]);
    expect(result.filesScanned).toBe(0);
    expect(result.findings).toEqual([]);
    // without reset() tree-sitter would resume the abandoned parse and hand this file the garbage's tree
    expect(parsePython("x = 1\n").rootNode.toString()).toBe("(module (expression_statement (assignment left: (identifier) right: (integer))))");
    expect(scanSource({ path: "a.py", content: "danger()\n" }, { rules: [slowRule(0)], project }).findings).toHaveLength(1);
  });

  it("parsePythonBefore returns null past its deadline, a tree before it", () => {
    expect(parsePythonBefore("(".repeat(200_000), performance.now() - 1)).toBeNull();
    expect(parsePythonBefore("x = 1\n", performance.now() + 10_000)?.rootNode.hasError).toBe(false);
  });

  it("mirrorTree gives up past its deadline", () => {
    const source = "x = [" + "1, ".repeat(50_000) + "]\n";
    const tree = parsePython(source);
    expect(mirrorTree(tree, source, performance.now() - 1)).toBeNull();
    expect(mirrorTree(tree, source, performance.now() + 10_000)?.type).toBe("module");
  });

  it("stops a file of another kind between its rules", () => {
    const first = defineRule({
      id: "FLASK-TEST-002", title: "t", severity: "low", confidence: "low", cwe: [], spec: "x", docs, kinds: ["dockerfile"],
      checkText(ctx) {
        busy(60);
        ctx.report({ line: 1, message: "first" });
      },
    });
    const second = defineRule({
      id: "FLASK-TEST-003", title: "t", severity: "low", confidence: "low", cwe: [], spec: "x", docs, kinds: ["dockerfile"],
      checkText(ctx) {
        ctx.report({ line: 1, message: "never" });
      },
    });
    const scan = scanAnyFile({ path: "Dockerfile", content: "FROM python\n" }, { rules: [first, second], project, fileBudgetMs: 50 })!;
    expect(scan.skipped?.reason).toBe("scan exceeded the 50 ms per-file budget at rule FLASK-TEST-002; the file is partly unscanned");
    expect(scan.findings.map((f) => f.ruleId)).toEqual(["FLASK-TEST-002"]);
  });
});

describe("sources that would crash the parser", () => {
  const nested = (depth: number) => Array.from({ length: depth }, (_, i) => `${" ".repeat(i)}if a:\n`).join("") + `${" ".repeat(depth)}f("x")\n`;

  it("counts indentation levels the way tree-sitter-python's scanner measures them", () => {
    expect(indentationLevels("x = 1\n")).toBe(0);
    expect(indentationLevels(nested(3))).toBe(3);
    expect(indentationLevels("if a:\n\tif b:\n\t\tx\n        y\n")).toBe(2); // a tab is 8 columns: y is at the first level
    expect(indentationLevels("x = \\\n  \\\n    y\n")).toBe(2); // a backslash-newline continues the measure
    expect(indentationLevels(`${" ".repeat(65_537)}x\n x\n`)).toBe(1); // widths are uint16
    expect(indentationLevels(nested(1000), 10)).toBe(11); // stops counting past the limit
  });

  it("refuses a file nested past the scanner's state buffer instead of aborting the process", () => {
    // 520 levels with a string open: tree-sitter-python's scanner wrote past its 1 KiB state and an assert
    // killed the process (found by the fuzz suite)
    expect(() => parsePython(nested(520))).toThrow(UnparseableSource);
    expect(() => parsePythonBefore(nested(520), Infinity)).toThrow(UnparseableSource);
    const result = scanFiles([{ path: "deep.py", content: nested(520) }, { path: "ok.py", content: "danger()\n" }], { rules: [slowRule(0)], project });
    expect(result.skipped).toEqual([{ file: "deep.py", reason: `more than ${MAX_INDENT_LEVELS} indentation levels (Python allows 100); the Python parser cannot hold them; not scanned` }]);
    expect(result.findings.map((f) => f.file)).toEqual(["ok.py"]);
    expect(result.filesScanned).toBe(1);
  });

  it("parses a file just under the limit", () => {
    expect(parsePython(nested(MAX_INDENT_LEVELS)).rootNode.hasError).toBe(false);
  });
});
