// Catastrophic backtracking (issue 5): no regular expression over untrusted text may take super-linear time. The
// patterns are not exported, so the functions that run them are driven with adversarial input: long runs (100k
// characters) of exactly what each pattern's quantifiers accept, placed where the pattern reads them (see
// hostile-cases.ts). Every rule call and every engine call is timed on its own; a linear pattern needs a few
// milliseconds for 100k characters, a quadratic one seconds.
//
// The patterns were found with an offline audit: every regex literal and `new RegExp` in src/core and rules/ (651
// literals, 486 distinct) through the `recheck` ReDoS checker, then each flagged one reproduced (or not) in context.
// All of them are fixed (a second pass over rules/ found the ones that only backtrack before a carriage return, which
// a line split at "\n" may still hold, and loops that re-read a template per slot or copied a list per element).
// KNOWN_SUPERLINEAR is where a pattern that cannot be fixed at once would be listed, with its repro: its cases then run
// at a size where quadratic is still fast, and the summary line names it.
import { afterAll, describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";
import type { Rule } from "../../src/core/define-rule.js";
import { codeSpan, escapeMarkdown } from "../../src/core/comment.js";
import { decodeSource, fileKindOf, isTestPath } from "../../src/core/decode.js";
import { parseFilePatch, parseUnifiedDiff } from "../../src/core/diff.js";
import { scanAnyFile } from "../../src/core/engine.js";
import { collectProjectFacts, readLaunchCommand } from "../../src/core/project.js";
import { fenced, sanitizeForTerminal } from "../../src/core/render.js";
import { HOSTILE_CASES } from "./hostile-cases.js";

/** Characters of adversarial text per case: 100k is seconds for a quadratic pattern, milliseconds for a linear one. */
const N = 100_000;
/** Per call: a rule's check on one node or file, or one engine function. */
const LIMIT_MS = 200;
/** Per file, the engine's own work besides the rule calls (parse, tree copy, suppressions, fingerprints). */
const ENGINE_LIMIT_MS = 1500;

/**
 * Rule patterns that are super-linear on the case's input, each with the hostile case that shows it and its time at
 * 200k characters (budget off). Their cases run those rules at SMALL_N only. None left: the last ones were fixed
 * (INJECT-001 isValuePosition's /\s+$/, INJECT-002 /^-[A-Za-z]*c[A-Za-z]*$/, PATH-001 VALIDATOR_NAME, HOST-001
 * LINK_FUNCTION, SSTI-001 /^_+|_+$/g, XSS-001 /%(?![s%(])|%\([^)]*\)(?!s)/ and /,?\s*$/, PROXY-001 ASSIGNMENT_LINE,
 * SUPPLY-001 /\[[^\]]*$/: 5 to 54 s each at 200k characters, now milliseconds).
 */
const KNOWN_SUPERLINEAR: { rule: string; case: string; pattern: string; at200k: string }[] = [];
const SMALL_N = 2_000;

const slowest = { ms: 0, what: "" };
let calls = 0;
const note = (ms: number, what: string) => {
  calls++;
  if (ms > slowest.ms) Object.assign(slowest, { ms, what });
};

afterAll(() => {
  console.log(
    `regex summary: ${HOSTILE_CASES.length} hostile cases of ${N.toLocaleString("en")} characters through ${allRules.length} rules, project facts and ` +
      `the diff, decode and render helpers: ${calls} timed calls, slowest ${slowest.ms.toFixed(1)} ms (${slowest.what}); ` +
      `known super-linear rule patterns (run at ${SMALL_N.toLocaleString("en")} characters, reported): ${KNOWN_SUPERLINEAR.map((k) => `${k.rule} ${k.pattern}`).join("; ") || "none"}`,
  );
});

/** The rules with every check timed per call. */
function timedRules(rules: Rule[], onCall: (rule: Rule, ms: number) => void): Rule[] {
  return rules.map((rule) => {
    const timed: Rule = { ...rule };
    if (rule.check) {
      timed.check = (node, ctx) => {
        const start = performance.now();
        try {
          rule.check!(node, ctx);
        } finally {
          onCall(rule, performance.now() - start);
        }
      };
    }
    if (rule.checkText) {
      timed.checkText = (ctx) => {
        const start = performance.now();
        try {
          rule.checkText!(ctx);
        } finally {
          onCall(rule, performance.now() - start);
        }
      };
    }
    return timed;
  });
}

function timed<T>(what: string, fn: () => T): T {
  const start = performance.now();
  const value = fn();
  const ms = performance.now() - start;
  note(ms, what);
  expect(ms, `${what} took ${ms.toFixed(0)} ms`).toBeLessThan(LIMIT_MS);
  return value;
}

describe("regular expressions over untrusted text stay linear on adversarial input", () => {
  for (const hostile of HOSTILE_CASES) {
    it(`${hostile.name} [${hostile.targets}]`, () => {
      const known = new Set(KNOWN_SUPERLINEAR.filter((k) => k.case === hostile.name).map((k) => k.rule));
      for (const [size, rules] of [[N, allRules.filter((r) => !known.has(r.id))], [SMALL_N, allRules.filter((r) => known.has(r.id))]] as const) {
        if (rules.length === 0) continue;
        const files = hostile.files(size);
        const project = timed(`collectProjectFacts: ${hostile.name}`, () => collectProjectFacts(files));
        for (const file of files) {
          let ruleMs = 0;
          const slowCalls: string[] = [];
          const wrapped = timedRules(rules, (rule, ms) => {
            ruleMs += ms;
            note(ms, `${rule.id} on ${hostile.name}`);
            if (ms >= LIMIT_MS) slowCalls.push(`${rule.id} ${ms.toFixed(0)} ms`);
          });
          const start = performance.now();
          const scan = scanAnyFile(file, { rules: wrapped, project, fileBudgetMs: Infinity });
          const engineMs = performance.now() - start - ruleMs;
          note(engineMs, `engine on ${hostile.name} (${file.path})`);
          expect(slowCalls, `rule calls over ${LIMIT_MS} ms on ${file.path}`).toEqual([]);
          expect(engineMs, `the engine's own work on ${file.path}`).toBeLessThan(ENGINE_LIMIT_MS);
          for (const error of scan?.ruleErrors ?? []) expect(known.has(error.ruleId), `${error.ruleId} threw: ${error.message}`).toBe(true);
        }
      }
    }, 60_000);
  }

  it("known super-linear rule patterns still name a rule and a case that exist", () => {
    const ruleIds = new Set(allRules.map((r) => r.id));
    const cases = new Set(HOSTILE_CASES.map((c) => c.name));
    for (const k of KNOWN_SUPERLINEAR) {
      expect(ruleIds.has(k.rule), k.rule).toBe(true);
      expect(cases.has(k.case), k.case).toBe(true);
    }
  });
});

describe("diff, decode, path and render helpers on adversarial input", () => {
  const lines = (line: string, count: number) => Array.from({ length: count }, () => line).join("\n");
  const DIFFS: Record<string, string> = {
    "hunk header of digits": `diff --git a/x.py b/x.py\n@@ -${"1".repeat(N)} +1 @@\n+x\n@@ -1,${"1".repeat(N)} +1,${" ".repeat(N)}\n+y\n`,
    "diff --git line of a/ prefixes": `diff --git ${"a/".repeat(N / 2)} b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n+x\n`,
    "quoted paths of escapes": `diff --git "a/${"\\303\\251".repeat(N / 8)}" "b/${"\\\\".repeat(N / 2)}"\n--- "a/${"\\".repeat(N)}\n+++ "b/${"\\t".repeat(N / 2)}"\n`,
    "--- / +++ lines of blanks": `--- ${" ".repeat(N)}\n+++ ${"\t".repeat(N)}x\n@@ -1 +1 @@\n-a\n+b\n`,
    "many files": lines("diff --git a/x b/x\nrename from a b c\nrename to d e f\n@@ -1 +1 @@\n+x", 2_000),
    "one hunk of 20k lines with wrong counts": `diff --git a/x.py b/x.py\n@@ -1,3 +1,3 @@\n${lines("+added line", 20_000)}\n${lines(" context", 20_000)}\n`,
    "mail signature then garbage": `${lines("+x", 1_000)}\n-- \n${lines("2.43.0 ".repeat(10), 5_000)}\n`,
    "binary markers": lines("diff --git a/b.png b/b.png\nBinary files a/b.png and b/b.png differ\nGIT binary patch\nliteral 0", 2_000),
  };
  for (const [name, text] of Object.entries(DIFFS)) {
    it(`parseUnifiedDiff / parseFilePatch: ${name}`, () => {
      timed(`parseUnifiedDiff: ${name}`, () => parseUnifiedDiff(text));
      timed(`parseFilePatch: ${name}`, () => parseFilePatch("x.py", text));
    });
  }

  it("paths: kinds, test paths, deployment commands", () => {
    for (const path of [`${"templates/".repeat(400)}x.html`, `${"a.".repeat(2_000)}service`, `${"docker-compose".repeat(300)}.yml`, `requirements${"-".repeat(4_000)}.txt`, `.env.${"example.".repeat(500)}x`]) {
      timed(`fileKindOf ${path.slice(0, 20)}...`, () => fileKindOf(path));
      timed(`isTestPath ${path.slice(0, 20)}...`, () => isTestPath(`tests/${path}`));
    }
    for (const line of [`gunicorn ${"-w ".repeat(N / 3)}app:app`, `python ${"-".repeat(N)}`, `CMD ["${"python".repeat(N / 6)}", "app.py"]`, `web: ${"flask ".repeat(N / 6)}run`]) {
      timed(`readLaunchCommand ${line.slice(0, 20)}...`, () => readLaunchCommand(line));
    }
  });

  it("decodeSource: a coding declaration of blanks, bytes that are not UTF-8 on a long line", () => {
    const encoder = new TextEncoder();
    timed("decodeSource coding line", () => decodeSource("a.py", encoder.encode(`# ${" ".repeat(N)}coding: latin-1\nx = 1\n`)));
    const bad = encoder.encode(`${"x".repeat(N)}\n# -*- coding${" \t".repeat(200)}: latin-1 -*-\n`);
    timed("decodeSource not UTF-8", () => decodeSource("a.py", Uint8Array.from([...bad, 0xff])));
  });

  it("render: Markdown escaping, code spans and fences over long runs of backticks and markup", () => {
    // codeSpan and fenced spread every backtick run into Math.max(...): past ~120k runs that threw RangeError
    // (found by this suite), so a finding on such a line broke the whole review comment / report.
    for (const text of ["` ".repeat(N / 2), "`".repeat(N), "\\*_[]<>|~!#&@a".repeat(N / 14), "``a".repeat(N / 3)]) {
      timed("escapeMarkdown", () => escapeMarkdown(text));
      timed("codeSpan", () => codeSpan(text));
      timed("fenced", () => fenced(text, "python"));
      timed("sanitizeForTerminal", () => sanitizeForTerminal(text));
    }
    const manyRuns = "` ".repeat(150_000);
    timed("codeSpan over 150k backtick runs", () => codeSpan(manyRuns));
    timed("fenced over 150k backtick runs", () => fenced(manyRuns, "python"));
  });
});
