// Property/fuzz tests of the engine on hostile and broken input (issue 5): thousands of mutated and generated
// Python files, mutated files of the other kinds, and malformed diffs. Whatever the input: no exception escapes,
// results are well-formed (lines inside the file, columns >= 1, non-empty fingerprints), and every file finishes
// within the per-file budget or is reported skipped. The seed is fixed and printed (FUZZ_SEED=<n> replays a run,
// FUZZ_RUNS=<factor> scales the number of runs, FUZZ_EXAMPLES=<dir> saves the input behind each contained rule
// error); the closing line gives the inputs run and the slowest file.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";
import { decodeSource } from "../../src/core/decode.js";
import { changedLinesOf, parseFilePatch, parseUnifiedDiff } from "../../src/core/diff.js";
import { DEFAULT_FILE_BUDGET_MS, scanFiles } from "../../src/core/engine.js";
import { filterToChanged } from "../../src/core/filter.js";
import { collectProjectFacts } from "../../src/core/project.js";
import type { Finding, SourceFile } from "../../src/core/types.js";
import { FuzzStats, assertWellFormed, assertWellFormedChange, seedCorpus, seedDiffs } from "./corpus.js";
import { applyByteOps, applyTextOps, byteOp, generatedPython, hostileText, textOp } from "./mutate.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20260517);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * RUNS));
/** What a file may take past the budget: the engine stops between rule calls, plus timer and GC noise. */
const SLACK_MS = 1000;
const RULE_IDS = new Set(allRules.map((r) => r.id));
const encoder = new TextEncoder();
const corpus = seedCorpus();
const stats = new FuzzStats();

beforeAll(() => {
  console.log(`fuzz: seed ${SEED} (set FUZZ_SEED=${SEED} to replay); ${corpus.python.length} Python and ${corpus.text.length} other seed files`);
});

afterAll(() => {
  if (process.env.FUZZ_EXAMPLES) stats.writeExamples(process.env.FUZZ_EXAMPLES);
  const kinds = [...stats.byKind].map(([k, n]) => `${k} ${n}${stats.slowestByKind.has(k) ? ` (slowest ${stats.slowestByKind.get(k)!.toFixed(0)} ms)` : ""}`).join(", ");
  const errors = stats.ruleErrors.size === 0 ? "none" : [...stats.ruleErrors].map(([k, n]) => `${k} (x${n})`).join("; ");
  console.log(
    `fuzz summary: seed ${SEED}, ${stats.inputs} inputs (${kinds}); slowest file ${stats.slowest.ms.toFixed(0)} ms (${stats.slowest.what}); ` +
      `slowest project facts ${stats.slowestFacts.ms.toFixed(0)} ms; ${stats.skippedByBudget} skipped by the ${DEFAULT_FILE_BUDGET_MS} ms budget; contained rule errors: ${errors}`,
  );
});

/** Decode, gather facts, scan with every rule, and check the result; returns the scan's time. */
function scanChecked(kind: string, path: string, bytes: Uint8Array, opts: { maxBytes?: number } = {}): number {
  stats.count(kind);
  const decoded = decodeSource(path, bytes, opts);
  if ("skipped" in decoded) {
    expect(decoded.skipped.file).toBe(path);
    expect(decoded.skipped.reason.length).toBeGreaterThan(0);
    return 0;
  }
  return scanFile(kind, decoded.file);
}

function scanFile(kind: string, file: SourceFile): number {
  let start = performance.now();
  const project = collectProjectFacts([file]);
  const factsMs = performance.now() - start;
  stats.timeFacts(factsMs, `${kind} ${file.path}, ${file.content.length} chars`);
  start = performance.now();
  const result = scanFiles([file], { rules: allRules, project });
  const ms = performance.now() - start;
  stats.time(ms, `${kind} ${file.path}, ${file.content.length} chars`, kind);
  stats.noteScan(file, result);
  assertWellFormed(file, result, RULE_IDS);
  for (const skipped of result.skipped) expect(skipped.reason).toMatch(/^(scan exceeded the .+ per-file budget .+; the file is (partly unscanned|not scanned)|more than \d+ indentation levels .+; not scanned)$/);
  if (ms > DEFAULT_FILE_BUDGET_MS + SLACK_MS) {
    throw new Error(`${file.path} (${file.content.length} chars) took ${ms.toFixed(0)} ms, over the ${DEFAULT_FILE_BUDGET_MS} ms budget${result.skipped.length ? " even though it was stopped" : ""}`);
  }
  if (factsMs > 1000) throw new Error(`collectProjectFacts took ${factsMs.toFixed(0)} ms on ${file.path}`);
  return ms;
}

function check<T>(property: fc.IRawProperty<T>, numRuns: number, offset: number): void {
  fc.assert(property, { seed: SEED + offset, numRuns: runs(numRuns) });
}

describe("fuzz: Python files through decodeSource + scanFiles (all rules) + collectProjectFacts", () => {
  it("mutated real sources (truncation, hostile insertions, CRLF, tabs, BOM, NUL, bad UTF-8)", () => {
    check(
      fc.property(fc.nat(), fc.array(textOp, { maxLength: 6 }), fc.array(byteOp, { maxLength: 2 }), (index, ops, byteOps) => {
        const seed = corpus.python[index % corpus.python.length]!;
        scanChecked("python-mutated", seed.path, applyByteOps(encoder.encode(applyTextOps(seed.content, ops)), byteOps));
      }),
      900,
      1,
    );
  }, 120_000);

  it("generated Python-like token soup", () => {
    check(
      fc.property(generatedPython, fc.constantFrom("app.py", "tests/test_app.py", "config.py", "wsgi.py"), (source, path) => {
        scanChecked("python-generated", path, encoder.encode(source));
      }),
      700,
      2,
    );
  }, 120_000);

  it("unicode-heavy sources: identifiers, strings and comments of non-BMP, combining and bidi characters", () => {
    const unicode = fc.string({ unit: fc.constantFrom("😀", "\u{10ffff}", "\u{1d49c}", "e\u0301", "\u202e", "\u2066", "\u200d", "ß", "ﬁ", "İ", "\u0645", "a"), minLength: 1, maxLength: 20 });
    check(
      fc.property(unicode, unicode, unicode, (name, text, comment) => {
        const source =
          `from flask import request, redirect\nimport os\n# ${comment}\n@app.route("/${text}")\ndef v${name}():\n` +
          `    ${name.replace(/[^\p{L}]/gu, "") || "x"} = request.args["${text}"]  # ${comment}\n    os.system("${text}" + request.args["q"])\n    return redirect(f"${text}{request.args['n']}")\n`;
        scanChecked("python-unicode", "app.py", encoder.encode(source));
        // a JS string can hold what UTF-8 bytes cannot (a lone surrogate): the engine takes SourceFile directly too
        scanFile("python-unicode", { path: "app.py", content: source.replace(/😀/g, "\ud83d") });
      }),
      200,
      3,
    );
  }, 120_000);
});

describe("fuzz: other file kinds (Dockerfile, compose, Procfile, systemd, shell, requirements, .env, templates)", () => {
  it("mutated real deployment files and templates", () => {
    check(
      fc.property(fc.nat(), fc.array(textOp, { maxLength: 6 }), fc.array(byteOp, { maxLength: 1 }), (index, ops, byteOps) => {
        const seed = corpus.text[index % corpus.text.length]!;
        scanChecked("text-mutated", seed.path, applyByteOps(encoder.encode(applyTextOps(seed.content, ops)), byteOps));
      }),
      500,
      4,
    );
  }, 120_000);
});

// --- diffs ---------------------------------------------------------------------------------------------------------

const PATHS = ["app.py", "views.py", "dir/sub/x.py", "a b.py", "\"caf\\303\\251.py\"", "\"q\\\"uote.py\"", "\"unterminated.py", "b/a/b.py", "Dockerfile", "templates/t.html"];
const headerLine = fc.oneof(
  fc.constantFrom(...PATHS).map((p) => `diff --git a/${p} b/${p}`),
  fc.constantFrom(...PATHS).map((p) => `--- a/${p}`),
  fc.constantFrom(...PATHS).map((p) => `+++ b/${p}`),
  fc.constantFrom(
    "--- /dev/null", "+++ /dev/null", "new file mode 100644", "deleted file mode 100755", "rename from old name.py", "rename to new.py",
    "copy from a.py", "copy to b.py", "similarity index 97%", "index 83db48f..bf269f4 100644", "Binary files a/x.png and b/x.png differ",
    "GIT binary patch", "literal 0", "HcmV?d00001", "old mode 100644", "new mode 100755", "diff --git a/x", "diff --git ", "Index: x.py",
    "===================================================================", "-- ", "2.43.0", "From 1234 Mon Sep 17 00:00:00 2001",
  ),
);
const digits = fc.oneof(fc.nat({ max: 400 }).map(String), fc.constantFrom("0", "00", "4294967296", "9007199254740993", "9".repeat(400), ""));
const hunkHeader = fc
  .tuple(digits, fc.option(digits), digits, fc.option(digits), fc.constantFrom("", " def f():", "@", " @@", "\t"), fc.constantFrom("@@", "@@@", "@"))
  .map(([a, b, c, d, tail, at]) => `${at} -${a}${b === null ? "" : `,${b}`} +${c}${d === null ? "" : `,${d}`} ${at}${tail}`);
const bodyLine = fc.oneof(
  { arbitrary: fc.tuple(fc.constantFrom("+", "-", " ", "+", " "), fc.string({ maxLength: 30 })).map(([p, t]) => p + t.replace(/[\r\n]/g, "")), weight: 6 },
  { arbitrary: fc.constantFrom("", "\\ No newline at end of file", "\\", "+", "-", " ", "@@", "+++", "---", "garbage"), weight: 2 },
  { arbitrary: hostileText.map((t) => `+${t}`), weight: 1 },
);
const fileDiff = fc.tuple(fc.array(headerLine, { maxLength: 6 }), fc.array(fc.tuple(hunkHeader, fc.array(bodyLine, { maxLength: 25 })), { maxLength: 4 }));
const diffText = fc
  .tuple(fc.array(fileDiff, { minLength: 1, maxLength: 4 }), fc.array(textOp, { maxLength: 3 }))
  .map(([files, ops]) => applyTextOps(files.map(([headers, hunks]) => [...headers, ...hunks.flatMap(([h, body]) => [h, ...body])].join("\n")).join("\n") + "\n", ops));

/** Findings to filter: a real scan of a rule fixture, re-homed onto the diff's paths. */
const sampleFindings: Finding[] = (() => {
  const sample = corpus.python.find((f) => f.path.endsWith(".py") && f.content.includes("request"))!;
  return scanFiles([sample], { rules: allRules, project: collectProjectFacts([sample]) }).findings;
})();

function checkChanges(changes: ReturnType<typeof parseUnifiedDiff>): void {
  for (const change of changes) assertWellFormedChange(change);
  const changed = changedLinesOf(changes);
  const paths = [...changed.keys()];
  const findings = sampleFindings.map((f, i) => ({ ...f, file: paths[i % Math.max(1, paths.length)] ?? f.file }));
  const kept = filterToChanged(findings, changed);
  expect(kept.length).toBeLessThanOrEqual(findings.length);
  for (const finding of kept) {
    const added = changed.get(finding.file)!;
    const touches = [...added].some((line) => line >= finding.span.startLine && line <= finding.span.endLine);
    if (!touches && !finding.anchoredFrom) throw new Error(`filterToChanged kept ${finding.ruleId} at ${finding.span.startLine} outside the added lines`);
  }
}

describe("fuzz: unified diffs and GitHub patches (parseUnifiedDiff, parseFilePatch, filterToChanged)", () => {
  it("generated diffs: malformed hunks, wrong counts, binary markers, renames, quoted paths, garbage", () => {
    check(
      fc.property(diffText, fc.constantFrom("added" as const, "modified" as const, "renamed" as const, "removed" as const), (text, status) => {
        stats.count("diff");
        checkChanges(parseUnifiedDiff(text));
        checkChanges([parseFilePatch("app.py", text, status)]);
      }),
      1500,
      5,
    );
  }, 120_000);

  it("mutated real diffs (and random text read as a diff)", () => {
    const diffs = seedDiffs();
    check(
      fc.property(fc.nat(), fc.array(textOp, { maxLength: 6 }), fc.string({ unit: "binary", maxLength: 200 }), (index, ops, garbage) => {
        stats.count("diff");
        const text = applyTextOps(diffs[index % diffs.length]!, ops);
        checkChanges(parseUnifiedDiff(text));
        checkChanges([parseFilePatch("app.py", text)]);
        checkChanges(parseUnifiedDiff(garbage));
        checkChanges([parseFilePatch("x.py", garbage)]);
      }),
      600,
      6,
    );
  }, 120_000);
});

// --- one case each: deep nesting, a 5 MB line --------------------------------------------------------------------------

const DEEP = 10_000;
const DEEP_CASES: Record<string, string> = {
  parentheses: `x = ${"(".repeat(DEEP)}request.args["a"]${")".repeat(DEEP)}\n`,
  "unclosed parentheses": `x = ${"(".repeat(DEEP)}1\n`,
  brackets: `x = ${"[".repeat(DEEP)}${"]".repeat(DEEP)}\n`,
  dictionaries: `x = ${"{'a': ".repeat(DEEP)}1${"}".repeat(DEEP)}\n`,
  calls: `os.system(${"f(".repeat(DEEP)}request.args["c"]${")".repeat(DEEP)})\n`,
  "attribute chain": `x = request${".a".repeat(DEEP)}\nredirect(request${".args".repeat(DEEP)})\n`,
  subscripts: `x = request.args${'["a"]'.repeat(DEEP)}\n`,
  "binary operators": `os.system("ls " + ${"request.args['a'] + ".repeat(DEEP)}"x")\n`,
  "unary operators": `x = ${"not -".repeat(DEEP)}1\n`,
  lambdas: `f = ${"lambda: ".repeat(DEEP)}request.args\n`,
  conditionals: `x = ${"a if b else ".repeat(DEEP)}request.args["c"]\n`,
  decorators: `${"@app.route('/x')\n".repeat(DEEP)}def v():\n    return request.args["a"]\n`,
  "string concatenation": `cursor.execute(${"'a' ".repeat(DEEP)} + request.args["q"])\n`,
  "nested f-strings": `x = ${"f'{".repeat(200)}request.args["a"]${"}'".repeat(200)}\n`,
};

/** `depth` nested blocks, the innermost one holding a string (an open string delimiter in the parser's state). */
const nestedBlocks = (depth: number) =>
  Array.from({ length: depth }, (_, i) => `${" ".repeat(i)}if request.args:\n`).join("") + `${" ".repeat(depth)}os.system(request.args["x"])\n`;

describe("fuzz: extreme single inputs (one case each)", () => {
  for (const [name, body] of Object.entries(DEEP_CASES)) {
    it(`${name === "nested f-strings" ? "200" : "10,000"}-deep ${name}`, () => {
      const source = `from flask import Flask, request, redirect\nimport os\napp = Flask(__name__)\n${body}`;
      scanChecked("deep-nesting", "app.py", encoder.encode(source));
    }, 30_000);
  }

  it("1,900-deep indentation (as deep as fits in 2 MB) is skipped with the reason; 370 levels are scanned", () => {
    // Past ~383 levels tree-sitter-python's scanner overruns its 1 KiB state buffer and an assert aborts the whole
    // process (found by this suite: the worker died). The engine now refuses such a file before parsing it.
    const header = "from flask import request\nimport os\n";
    const deep = scanFiles([{ path: "app.py", content: header + nestedBlocks(1900) }], { rules: allRules, project: collectProjectFacts([]) });
    expect(deep.skipped).toEqual([{ file: "app.py", reason: expect.stringMatching(/^more than 380 indentation levels .+; not scanned$/) }]);
    expect(deep.filesScanned).toBe(0);
    scanChecked("deep-nesting", "app.py", encoder.encode(header + nestedBlocks(1900)));
    const ok = scanFiles([{ path: "app.py", content: header + nestedBlocks(370) }], { rules: allRules, project: collectProjectFacts([]) });
    expect(ok.skipped).toEqual([]);
    expect(ok.findings.map((f) => f.ruleId)).toContain("FLASK-INJECT-002");
    scanChecked("deep-nesting", "app.py", encoder.encode(header + nestedBlocks(370)));
  }, 30_000);

  it("a 5 MB single line: skipped as too large by default, within the budget when allowed in", () => {
    const unit = 'f(request.args["a"]), "s %s" % v, os.system(x), ';
    const line = `x = [${unit.repeat(Math.ceil((5 * 1024 * 1024) / unit.length))}]`;
    const bytes = encoder.encode(`import os\nfrom flask import request\n${line}\n`);
    expect(bytes.length).toBeGreaterThan(5 * 1024 * 1024);
    const decoded = decodeSource("app.py", bytes);
    expect("skipped" in decoded && decoded.skipped.reason).toMatch(/^too large: /);
    scanChecked("5MB-line", "app.py", bytes, { maxBytes: 8 * 1024 * 1024 });
    scanChecked("5MB-line", "Dockerfile", encoder.encode(`FROM python:3.12\nCMD ${line}\n`), { maxBytes: 8 * 1024 * 1024 });
  }, 60_000);
});
