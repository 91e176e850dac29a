import { readFileSync } from "node:fs";
import { describe, it, expect } from "vitest";
import { changedLinesOf, parseUnifiedDiff, type ChangedLines } from "../../src/core/diff.js";
import { filterToChanged } from "../../src/core/filter.js";
import type { Finding, Span } from "../../src/core/types.js";

function span(startLine: number, endLine = startLine, startColumn = 5, endColumn = 20): Span {
  return { startLine, startColumn, endLine, endColumn };
}

function finding(overrides: Partial<Finding> & Pick<Finding, "file" | "span">): Finding {
  return {
    ruleId: "FLASK-INJ-001",
    title: "SQL built from untrusted input",
    severity: "high",
    confidence: "high",
    message: "The query is built by concatenating request data.",
    evidence: 'db.execute("SELECT ... " + order)',
    context: "search() [GET /search]",
    fingerprint: `fp-${overrides.file}-${overrides.span.startLine}`,
    ...overrides,
  };
}

function changed(entries: Record<string, number[]>): ChangedLines {
  return new Map(Object.entries(entries).map(([path, lines]) => [path, new Set(lines)]));
}

describe("filterToChanged", () => {
  const changes = changed({ "app/views.py": [1, 15, 16, 17, 18, 33], "app/admin.py": [1, 2, 3] });

  it("keeps a finding on an added line, as the same object", () => {
    const onAdded = finding({ file: "app/views.py", span: span(33) });
    const [kept, ...rest] = filterToChanged([onAdded], changes);
    expect(kept).toBe(onAdded);
    expect(rest).toEqual([]);
  });

  it("keeps a multi-line finding when only some of its lines are added, on either edge", () => {
    const crossesStart = finding({ file: "app/views.py", span: span(12, 15) }); // 12-14 context, 15 added
    const crossesEnd = finding({ file: "app/views.py", span: span(18, 21) }); // 18 added, 19-21 context
    const spansAll = finding({ file: "app/views.py", span: span(2, 40) });
    expect(filterToChanged([crossesStart, crossesEnd, spansAll], changes)).toEqual([crossesStart, crossesEnd, spansAll]);
  });

  it("drops a finding whose lines the change does not add, including context lines next to added ones", () => {
    const context = finding({ file: "app/views.py", span: span(13) });
    const between = finding({ file: "app/views.py", span: span(19, 32) });
    expect(filterToChanged([context, between], changes)).toEqual([]);
  });

  it("ignores findings in files the change does not touch, even on line numbers added elsewhere", () => {
    const otherFile = finding({ file: "app/models.py", span: span(1, 3) });
    const noLines = finding({ file: "app/item.py", span: span(1) });
    expect(filterToChanged([otherFile, noLines], new Map([...changes, ["app/item.py", new Set<number>()]]))).toEqual([]);
  });

  it("re-anchors a taint finding whose sink is untouched on the first added step of its flow", () => {
    const fix = { safety: "safe" as const, startLine: 40, endLine: 40, replacement: "db.execute(q, (order,))", description: "bind it" };
    const taint = finding({
      file: "app/views.py",
      span: span(40, 41, 9, 30),
      fix,
      flow: [
        { line: 13, startColumn: 9, endColumn: 36, label: "request.args.get('q')" }, // context: not added
        { line: 15, startColumn: 13, endColumn: 46, label: "request.args.get('order')" }, // first added step
        { line: 17, startColumn: 9, endColumn: 60, label: "concatenated into the query" }, // added too
        { line: 40, startColumn: 9, endColumn: 30, label: "db.execute(...)" },
      ],
    });
    const [anchored, ...rest] = filterToChanged([taint], changes);
    expect(rest).toEqual([]);
    expect(anchored).toEqual({
      ...taint,
      span: { startLine: 15, startColumn: 13, endLine: 15, endColumn: 46 },
      anchoredFrom: {
        line: 40,
        note:
          "The untrusted value added here (request.args.get('order')) reaches the FLASK-INJ-001 sink " +
          "(SQL built from untrusted input) at line 40, which this change does not touch.",
      },
      fix: { ...fix, safety: "review" },
    });
    expect(anchored?.message).toBe(taint.message);
    expect(anchored?.fingerprint).toBe(taint.fingerprint);
  });

  it("keeps a finding whose own span is added as it is, even when its flow is added too", () => {
    const both = finding({
      file: "app/views.py",
      span: span(17),
      flow: [{ line: 15, startColumn: 1, endColumn: 9, label: "request.args.get('order')" }],
    });
    const [kept] = filterToChanged([both], changes);
    expect(kept).toBe(both);
    expect(kept?.anchoredFrom).toBeUndefined();
  });

  it("drops a taint finding when neither its span nor any flow step is added", () => {
    const untouched = finding({
      file: "app/views.py",
      span: span(25),
      flow: [
        { line: 13, startColumn: 9, endColumn: 36, label: "request.args.get('q')" },
        { line: 25, startColumn: 5, endColumn: 20, label: "db.execute(...)" },
      ],
    });
    expect(filterToChanged([untouched], changes)).toEqual([]);
  });

  it("keeps input order and never mutates its input", () => {
    const input = [
      finding({ file: "app/admin.py", span: span(3) }),
      finding({ file: "app/views.py", span: span(13) }),
      finding({
        file: "app/views.py",
        span: span(30),
        fix: { safety: "safe", startLine: 30, endLine: 30, replacement: "x", description: "y" },
        flow: [{ line: 16, startColumn: 1, endColumn: 4, label: "" }],
      }),
      finding({ file: "app/views.py", span: span(1) }),
    ];
    const before = structuredClone(input);
    const changesBefore = structuredClone(changes);
    const output = filterToChanged(input, changes);
    expect(output.map((f) => [f.file, f.span.startLine, f.anchoredFrom?.line])).toEqual([
      ["app/admin.py", 3, undefined],
      ["app/views.py", 16, 30],
      ["app/views.py", 1, undefined],
    ]);
    expect(output[1]?.anchoredFrom?.note).toBe(
      "The untrusted value added here reaches the FLASK-INJ-001 sink (SQL built from untrusted input) at line 30, " +
        "which this change does not touch.",
    );
    expect(input).toEqual(before);
    expect(changes).toEqual(changesBefore);
  });

  it("works end to end with changedLinesOf on a real diff", () => {
    const changedLines = changedLinesOf(parseUnifiedDiff(readFileSync(new URL("../fixtures/diffs/git-pr.diff", import.meta.url), "utf8")));
    const findings = [
      finding({ file: "app/views.py", span: span(16, 18) }), // the new ORDER BY query
      finding({ file: "app/views.py", span: span(13) }), // unchanged context line
      finding({ ruleId: "FLASK-DEPLOY-002", file: "app/views.py", span: span(33) }), // app.run(debug=True)
      finding({ ruleId: "FLASK-DEPLOY-002", file: "app/config.py", span: span(2) }), // DEBUG = True
      finding({ file: "app/old_helpers.py", span: span(1) }), // removed file
      finding({ file: "app/item.py", span: span(1) }), // renamed without change
    ];
    expect(filterToChanged(findings, changedLines).map((f) => `${f.file}:${f.span.startLine}`)).toEqual([
      "app/views.py:16",
      "app/views.py:33",
      "app/config.py:2",
    ]);
  });
});
