// Seeds and checks shared by the fuzz tests: the real sources we mutate, the hostile characters we insert, and the
// invariants every scan result must satisfy whatever the input.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { fileKindOf } from "../../src/core/decode.js";
import type { FileChange } from "../../src/core/diff.js";
import type { Finding, ScanResult, SourceFile } from "../../src/core/types.js";
import { RULES_DIR, readFixture } from "../rules/fixture.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path) : [path];
  });
}

/**
 * The rule fixtures (rules/FLASK-*.<variant>, each under its `fixture-path`, with its extra deployment files) and
 * the example applications: the real sources the fuzz tests mutate.
 */
export function seedCorpus(): { python: SourceFile[]; text: SourceFile[] } {
  const files: SourceFile[] = [];
  for (const name of readdirSync(RULES_DIR).filter((n) => !n.endsWith(".ts")).sort()) {
    const fixture = readFixture(name);
    files.push({ path: fixture.path, content: fixture.content }, ...fixture.extraFiles);
  }
  for (const abs of walk(join(ROOT, "examples")).sort()) files.push({ path: relative(ROOT, abs).replace(/\\/g, "/"), content: readFileSync(abs, "utf8") });
  const python = files.filter((f) => fileKindOf(f.path) === "python");
  const text = files.filter((f) => !["python", "other"].includes(fileKindOf(f.path)));
  return { python, text };
}

/** The unified diffs of test/fixtures/diffs. */
export function seedDiffs(): string[] {
  const dir = join(ROOT, "test/fixtures/diffs");
  return readdirSync(dir).filter((n) => /\.(diff|patch)$/.test(n)).map((n) => readFileSync(join(dir, n), "utf8"));
}

/**
 * Characters that break naive scanners: NUL, lone CR, CRLF, tabs, form feed, BOM, zero-width and bidi controls
 * (RTL override, isolates), combining marks, non-BMP code points (emoji, U+10FFFF), a lone surrogate (only reachable
 * from a JS string, never through decodeSource), line/paragraph separators, and Python punctuation.
 */
export const HOSTILE_CHARS = [
  "\0", "\r", "\r\n", "\n", "\t", "\f", "\v", "\ufeff", "\u200b", "\u200d", "\u202e", "\u2066", "\u2069", "\u0301", "\u0336",
  "😀", "\u{10ffff}", "\u{1d49c}", "\ud800", "\u2028", "\u2029", "\u00a0", "\\", "'", '"', '"""', "(", ")", "[", "]",
  "{", "}", ":", "#", "@", "%", "\\N{", "f'{", "{{", "}}", "<", ">", "\u0645\u0631\u062d\u0628\u0627",
];

/** Stats a suite prints in its closing line. */
export class FuzzStats {
  inputs = 0;
  byKind = new Map<string, number>();
  slowest = { ms: 0, what: "" };
  slowestFacts = { ms: 0, what: "" };
  skippedByBudget = 0;
  /** Contained rule crashes: rule id + first line of the message -> count. */
  ruleErrors = new Map<string, number>();
  /** The first input that made each rule crash (FUZZ_EXAMPLES=<dir> writes them out). */
  ruleErrorExamples = new Map<string, SourceFile>();

  count(kind: string): void {
    this.inputs++;
    this.byKind.set(kind, (this.byKind.get(kind) ?? 0) + 1);
  }
  /** The slowest scan of each kind of input. */
  slowestByKind = new Map<string, number>();
  time(ms: number, what: string, kind: string): void {
    if (ms > this.slowest.ms) this.slowest = { ms, what };
    if (ms > (this.slowestByKind.get(kind) ?? 0)) this.slowestByKind.set(kind, ms);
  }
  timeFacts(ms: number, what: string): void {
    if (ms > this.slowestFacts.ms) this.slowestFacts = { ms, what };
  }
  noteScan(file: SourceFile, result: ScanResult): void {
    this.skippedByBudget += result.skipped.filter((s) => s.reason.includes("per-file budget")).length;
    for (const error of result.ruleErrors) {
      const key = `${error.ruleId}: ${error.message.split("\n")[0]!.slice(0, 80)}`;
      this.ruleErrors.set(key, (this.ruleErrors.get(key) ?? 0) + 1);
      if (!this.ruleErrorExamples.has(key)) this.ruleErrorExamples.set(key, file);
    }
  }

  /** Writes the first input behind each rule error to `dir` (one file per error, named after the rule). */
  writeExamples(dir: string): void {
    mkdirSync(dir, { recursive: true });
    [...this.ruleErrorExamples].forEach(([key, file], i) => {
      const name = `${key.split(":")[0]}-${i}-${file.path.replace(/[^\w.-]+/g, "_")}`;
      writeFileSync(join(dir, name), file.content);
      writeFileSync(join(dir, `${name}.txt`), `${key}\npath: ${file.path}\n`);
    });
  }
}

/** Throws with a precise message when a scan result is not well-formed for the file that produced it. */
export function assertWellFormed(file: SourceFile, result: ScanResult, ruleIds: ReadonlySet<string>): void {
  const lines = file.content.split("\n");
  const fail = (finding: Finding | null, why: string): never => {
    throw new Error(`${file.path}: ${why}${finding ? ` in ${finding.ruleId} at ${JSON.stringify(finding.span)}` : ""}`);
  };
  for (const finding of result.findings) {
    const { span } = finding;
    if (finding.file !== file.path) fail(finding, `finding for another file ${finding.file}`);
    if (!ruleIds.has(finding.ruleId)) fail(finding, "unknown rule id");
    if (typeof finding.fingerprint !== "string" || finding.fingerprint.length === 0) fail(finding, "empty fingerprint");
    if (!finding.message || typeof finding.evidence !== "string") fail(finding, "empty message or evidence");
    for (const n of [span.startLine, span.endLine, span.startColumn, span.endColumn]) if (!Number.isInteger(n)) fail(finding, "non-integer position");
    if (span.startLine < 1 || span.endLine < span.startLine || span.endLine > lines.length) fail(finding, `lines outside the file (${lines.length} lines)`);
    if (span.startColumn < 1 || span.endColumn < 1) fail(finding, "column below 1");
    if (span.startColumn > lines[span.startLine - 1]!.length + 1) fail(finding, "start column past the end of its line");
    if (span.endColumn > lines[span.endLine - 1]!.length + 1) fail(finding, "end column past the end of its line");
    if (finding.fix) {
      const { startLine, endLine } = finding.fix;
      if (startLine < 1 || endLine < startLine || endLine > lines.length) fail(finding, `fix lines ${startLine}-${endLine} outside the file`);
    }
    for (const step of finding.flow ?? []) {
      if (step.line < 1 || step.line > lines.length || step.startColumn < 1 || step.endColumn < 1) fail(finding, `flow step outside the file: ${JSON.stringify(step)}`);
    }
  }
  for (const error of result.ruleErrors) if (!ruleIds.has(error.ruleId) || error.file !== file.path) throw new Error(`${file.path}: malformed rule error ${JSON.stringify(error)}`);
  for (const p of result.parseErrors) if (p.line < 1 || p.line > lines.length) throw new Error(`${file.path}: parse error line ${p.line} outside the file`);
}

/** Throws when a parsed diff is not well-formed. */
export function assertWellFormedChange(change: FileChange): void {
  const fail = (why: string): never => {
    throw new Error(`${JSON.stringify(change.path).slice(0, 80)}: ${why}`);
  };
  if (typeof change.path !== "string") fail("path is not a string");
  if (!["added", "modified", "renamed", "removed"].includes(change.status)) fail(`status ${change.status}`);
  for (const line of change.addedLines) if (!Number.isInteger(line) || line < 1) fail(`added line ${line}`);
  for (const line of change.commentableLines) if (!Number.isInteger(line) || line < 1) fail(`commentable line ${line}`);
  for (const line of change.addedLines) if (!change.commentableLines.has(line)) fail(`added line ${line} is not commentable`);
  for (const hunk of change.hunks) {
    for (const n of [hunk.oldStart, hunk.oldLines, hunk.newStart, hunk.newLines]) if (!Number.isInteger(n) || n < 0) fail(`hunk ${JSON.stringify(hunk)}`);
  }
  if (change.binary && change.hunks.length > 0) fail("a binary change with hunks");
  if (change.status === "removed" && change.addedLines.size > 0) fail("a removed file with added lines");
}
