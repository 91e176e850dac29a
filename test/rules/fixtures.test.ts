// One table-driven test: every rule over its annotated fixtures. Reported lines must equal the `expect:` lines
// exactly; `ok:` and unannotated lines stay silent; `todo:` gaps must stay silent (promote them once they fire);
// applying the safe fixes must reproduce <ID>.fixed.py; docs.bad must fire and docs.good must not.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";
import { projectAdvisories, scanAnyFile } from "../../src/core/engine.js";
import { collectProjectFacts, emptyProjectFacts } from "../../src/core/project.js";
import type { Rule } from "../../src/core/define-rule.js";
import type { SourceFile } from "../../src/core/types.js";
import { RULES_DIR, applyFixes, factsFor, fixturesOf, goldenOf, mainFixtureOf, readFixture } from "./fixture.js";

// No per-file time budget: these tests are about what a rule finds; on a loaded machine a big fixture could run
// past the 2 s budget and come back partly unscanned (the budget has its own tests in test/core).
const scan = (file: SourceFile, rule: Rule, project = emptyProjectFacts()) =>
  scanAnyFile(file, { rules: [rule], project, fileBudgetMs: Infinity }) ?? { findings: [], ruleErrors: [], parseErrorLine: 0 };

interface Score { positives: number; lookAlikes: number; tp: number; fp: number; fn: number }
const scores = new Map<string, Score>();

afterAll(() => {
  const rows = [...scores].map(([id, s]) => {
    const precision = s.tp + s.fp === 0 ? 1 : s.tp / (s.tp + s.fp);
    const recall = s.tp + s.fn === 0 ? 1 : s.tp / (s.tp + s.fn);
    return `${id.padEnd(18)} positives ${String(s.positives).padStart(3)}  look-alikes ${String(s.lookAlikes).padStart(3)}  precision ${precision.toFixed(2)}  recall ${recall.toFixed(2)}`;
  });
  if (rows.length > 0) console.log(`fixture scores\n${rows.join("\n")}`);
});

describe.each(allRules.map((rule) => [rule.id, rule] as const))("%s", (id, rule) => {
  const fixtures = fixturesOf(id);

  it("has an annotated fixture", () => {
    expect(fixtures.length, `rules/${id}.py (or another rules/${id}.* fixture) is missing`).toBeGreaterThan(0);
  });

  it.each(fixtures)("reports exactly the expected lines of %s", (fileName) => {
    const fixture = readFixture(fileName);
    const result = scan({ path: fixture.path, content: fixture.content }, rule, factsFor(fixture));
    expect(result.ruleErrors).toEqual([]);
    const reported = [...new Set(result.findings.filter((f) => f.ruleId === id).map((f) => f.span.startLine))].sort((a, b) => a - b);
    const expected = [...(fixture.expected.get(id) ?? [])].sort((a, b) => a - b);
    const score = scores.get(id) ?? { positives: 0, lookAlikes: 0, tp: 0, fp: 0, fn: 0 };
    score.positives += expected.length;
    score.lookAlikes += fixture.ok.get(id)?.size ?? 0;
    score.tp += reported.filter((l) => expected.includes(l)).length;
    score.fp += reported.filter((l) => !expected.includes(l)).length;
    score.fn += expected.filter((l) => !reported.includes(l)).length;
    scores.set(id, score);
    if (rule.advise) {
      const advised = projectAdvisories({ rules: [rule], project: factsFor(fixture) }).map((a) => a.ruleId);
      expect(advised, `advisory of ${fileName} (annotate with # expect-advisory: ${id} when it should fire)`).toEqual(
        fixture.advisories.has(id) ? [id] : [],
      );
    }
    const todoFiring = reported.filter((l) => fixture.todo.get(id)?.has(l));
    expect(todoFiring, `todo lines now fire: promote them to expect`).toEqual([]);
    expect(reported).toEqual(expected);
  });

  it("safe fixes reproduce the golden .fixed file", () => {
    const main = mainFixtureOf(id);
    if (!main) return; // "has an annotated fixture" fails for this rule
    const fixture = readFixture(main);
    const first = scan({ path: fixture.path, content: fixture.content }, rule, factsFor(fixture));
    const safe = first.findings.filter((f) => f.fix?.safety === "safe").map((f) => f.fix!);
    const golden = goldenOf(main);
    const goldenPath = join(RULES_DIR, golden);
    if (safe.length === 0) {
      expect(existsSync(goldenPath), `${golden} exists but the rule offers no safe fix`).toBe(false);
      return;
    }
    expect(existsSync(goldenPath), `rules/${golden} is missing`).toBe(true);
    const fixed = applyFixes(fixture.content, safe);
    expect(fixed).toBe(readFileSync(goldenPath, "utf8"));
    // and the fixed file no longer fires where the fixes applied
    const rescan = scan({ path: fixture.path, content: fixed }, rule, factsFor(fixture));
    const fixedLines = new Set(safe.map((f) => f.startLine));
    const stillFiring = rescan.findings.filter((f) => f.fix?.safety === "safe" && fixedLines.has(f.span.startLine));
    expect(stillFiring).toEqual([]);
  });

  it("docs.bad fires and docs.good does not", () => {
    const path = rule.docs.examplePath ?? "example.py";
    // the snippet is its own little application: facts (cookie login, TRUSTED_HOSTS...) come from it
    const scanDoc = (content: string) =>
      scan({ path, content }, rule, collectProjectFacts([{ path, content }])).findings.filter((f) => f.ruleId === id);
    expect(scanDoc(rule.docs.bad).length, "docs.bad should fire").toBeGreaterThan(0);
    expect(scanDoc(rule.docs.good), "docs.good should not fire").toEqual([]);
  });
});
