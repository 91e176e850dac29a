// planReview and the per-file time budget: a file the engine stopped part-way is listed as not scanned, makes the
// scan incomplete (a neutral check, never a clean pass), and leaves earlier threads on it alone.
import { describe, expect, it } from "vitest";
import { configSchema } from "../../src/core/config.js";
import { defineRule } from "../../src/core/define-rule.js";
import { DEFAULT_FILE_BUDGET_MS } from "../../src/core/engine.js";
import { planReview } from "../../src/core/plan.js";
import type { PullFile, ReviewInput } from "../../src/core/review-types.js";

const docs = { impact: "i", fix: "f", mitigation: "m", falsePositives: "fp", bad: "", good: "" };

/** Finds nothing, but its first call outlasts the default per-file budget. */
const slowFirstCall = () => {
  let first = true;
  return defineRule({
    id: "FLASK-TEST-010", title: "slow", severity: "high", confidence: "high", cwe: [], spec: "x", docs, on: ["call"],
    check() {
      if (!first) return;
      first = false;
      const end = performance.now() + DEFAULT_FILE_BUDGET_MS + 50;
      while (performance.now() < end);
    },
  });
};

function added(path: string, content: string): PullFile {
  const lines = content.split("\n").slice(0, -1);
  return { path, status: "added", patch: [`@@ -0,0 +1,${lines.length} @@`, ...lines.map((l) => `+${l}`)].join("\n"), additions: lines.length, content };
}

function input(overrides: Partial<ReviewInput>): ReviewInput {
  return {
    owner: "acme", repo: "blog", pullNumber: 7, headSha: "0123456789abcdef0123456789abcdef01234567",
    files: [], factFiles: [], priorComments: [], config: configSchema.parse({}), rules: [], ...overrides,
  };
}

describe("planReview with a file over the per-file budget", () => {
  it("lists it as not scanned, concludes neutral, and resolves none of its earlier threads", () => {
    const plan = planReview(input({
      files: [added("slow.py", "a()\nb()\nc()\n")],
      rules: [slowFirstCall()],
      priorComments: [{ commentId: 1, threadId: "T1", fingerprint: "f00d", ruleId: "FLASK-TEST-010", path: "slow.py", isResolved: false, hasHumanReplies: false }],
    }));
    expect(plan.checkRun.conclusion).toBe("neutral");
    expect(plan.checkRun.summary).toContain("scan exceeded the 2 s per-file budget at rule FLASK-TEST-010 (line 1); the file is partly unscanned");
    expect(plan.resolved).toEqual([]);
  }, 10_000);
});
