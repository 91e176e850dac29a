// planReview with plain objects: real rules, realistic Python sources, GitHub-style `patch` strings (hunks only,
// three lines of context, as pulls.listFiles returns them). No network, no GitHub layer.
import { readFileSync } from "node:fs";
import { structuredPatch } from "diff";
import { describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";
import { parseMarker, SUMMARY_LIMIT, utf8Length } from "../../src/core/comment.js";
import { configSchema, type ReviewConfig } from "../../src/core/config.js";
import { defineRule, type Rule } from "../../src/core/define-rule.js";
import { MAX_ANNOTATIONS, planReview } from "../../src/core/plan.js";
import type { PriorComment, PullFile, ReviewInput, ReviewPlan } from "../../src/core/review-types.js";

// ---------------------------------------------------------------------------------------------------------------
// Helpers

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/review/${name}`, import.meta.url), "utf8");

/** Real rules that are implemented (others may still be placeholders while the rule set is written). */
const RULE_IDS = new Set(["FLASK-CONFIG-001", "FLASK-INJECT-001", "FLASK-INJECT-002", "FLASK-SSTI-001"]);
const RULES: Rule[] = allRules.filter((rule) => RULE_IDS.has(rule.id));

const HEAD_SHA = "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432";

/** GitHub's per-file `patch`: the hunks of a 3-line-context unified diff, without file headers. */
function githubPatch(before: string, after: string): string {
  const { hunks } = structuredPatch("a", "b", before, after, "", "", { context: 3 });
  return hunks
    .map((h) => {
      const oldStart = h.oldLines === 0 ? h.oldStart - 1 : h.oldStart;
      const newStart = h.newLines === 0 ? h.newStart - 1 : h.newStart;
      return [`@@ -${oldStart},${h.oldLines} +${newStart},${h.newLines} @@`, ...h.lines].join("\n");
    })
    .join("\n");
}

function additionsOf(patch: string): number {
  return patch.split("\n").filter((l) => l.startsWith("+")).length;
}

function modifiedFile(path: string, before: string, after: string): PullFile {
  const patch = githubPatch(before, after);
  return { path, status: "modified", patch, additions: additionsOf(patch), content: after };
}

function addedFile(path: string, content: string): PullFile {
  return { ...modifiedFile(path, "", content), status: "added" };
}

function config(raw: Record<string, unknown> = {}): ReviewConfig {
  return configSchema.parse(raw);
}

function reviewInput(files: PullFile[], overrides: Partial<ReviewInput> = {}): ReviewInput {
  return {
    owner: "acme",
    repo: "blog",
    pullNumber: 42,
    headSha: HEAD_SHA,
    files,
    factFiles: [],
    priorComments: [],
    config: config(),
    rules: RULES,
    ...overrides,
  };
}

/** What the GitHub layer would find on the next run: our comments of `plan`, read back through their markers. */
function priorCommentsOf(plan: ReviewPlan, firstId = 1000): PriorComment[] {
  return plan.comments.map((comment, i) => {
    const marker = parseMarker(comment.body);
    if (!marker) throw new Error("a planned comment without a marker");
    return {
      commentId: firstId + i,
      threadId: `PRRT_${firstId + i}`,
      fingerprint: marker.fingerprint,
      ruleId: marker.ruleId,
      path: comment.path,
      isResolved: false,
      hasHumanReplies: false,
    };
  });
}

/** Line numbers of `needle` in `text` (1-based). */
function lineOf(text: string, needle: string): number {
  const index = text.split("\n").findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`not found: ${needle}`);
  return index + 1;
}

const BEFORE = fixture("blog_before.py");
const AFTER = fixture("blog_after.py");
const BLOG = "blog/views.py";

// ---------------------------------------------------------------------------------------------------------------

describe("planReview: placement", () => {
  const plan = planReview(reviewInput([modifiedFile(BLOG, BEFORE, AFTER)]));
  const byRuleLine = (ruleId: string, needle: string) => {
    const line = lineOf(AFTER, needle);
    const finding = plan.findings.find((f) => f.ruleId === ruleId && f.span.startLine <= line && f.span.endLine >= line);
    if (!finding) throw new Error(`no ${ruleId} finding at ${needle}`);
    return finding;
  };

  it("finds the four new problems on changed lines", () => {
    expect(plan.findings.map((f) => f.ruleId).sort()).toEqual(["FLASK-INJECT-001", "FLASK-INJECT-002", "FLASK-INJECT-002", "FLASK-SSTI-001"]);
    expect(plan.scan.filesScanned).toBe(1);
  });

  it("a safe one-line fix inside a hunk becomes a suggestion on exactly that line", () => {
    const ssti = byRuleLine("FLASK-SSTI-001", "render_template_string(f");
    expect(ssti.fix?.safety).toBe("safe");
    const comment = plan.comments.find((c) => c.fingerprint === ssti.fingerprint)!;
    expect(comment).toMatchObject({ path: BLOG, line: ssti.fix!.startLine });
    expect(comment.startLine).toBeUndefined();
    expect(comment.body).toContain(`\`\`\`suggestion\n${ssti.fix!.replacement}\n\`\`\``);
    expect(comment.body).toContain('render_template_string("<h1>Hello {{ name }}!</h1>", name=name)');
  });

  it("a safe multi-line fix inside one hunk: the comment spans exactly the fix's lines", () => {
    const shell = byRuleLine("FLASK-INJECT-002", "traceroute -m 10");
    const fix = shell.fix!;
    expect(fix.safety).toBe("safe");
    expect(fix.endLine).toBeGreaterThan(fix.startLine);
    const comment = plan.comments.find((c) => c.fingerprint === shell.fingerprint)!;
    expect(comment.startLine).toBe(fix.startLine);
    expect(comment.line).toBe(fix.endLine);
    expect(comment.body).toContain("```suggestion\n");
    expect(comment.body).toContain('["traceroute", "-m", "10", target]');
  });

  it("a safe fix reaching lines the diff does not show: inline on the finding's line, no suggestion", () => {
    const ping = byRuleLine("FLASK-INJECT-002", 'f"ping -c 1 {host}"');
    expect(ping.fix?.safety).toBe("safe");
    // The hunk ends three lines after the changed line (at `timeout=5,`); the call, and its fix, go on past it.
    expect(ping.fix!.endLine).toBeGreaterThan(lineOf(AFTER, "timeout=5,"));
    const comment = plan.comments.find((c) => c.fingerprint === ping.fingerprint)!;
    expect(comment.line).toBe(ping.span.startLine);
    expect(comment.startLine).toBeUndefined();
    expect(comment.body).not.toContain("```suggestion");
    expect(comment.body).toContain("Proposed change for lines");
    expect(comment.body).toContain("apply by hand");
  });

  it("a multi-line finding crossing a hunk edge goes to the annotations, with the reason in the summary", () => {
    const sql = byRuleLine("FLASK-INJECT-001", "WHERE p.created > '{since}'");
    // The string starts three lines above the hunk the change made (only its WHERE line changed).
    expect(sql.span.startLine).toBe(lineOf(AFTER, "WHERE p.created > '{since}'") - 4);
    expect(sql.span.endLine).toBeGreaterThan(sql.span.startLine);
    expect(plan.comments.some((c) => c.fingerprint === sql.fingerprint)).toBe(false);
    const annotation = plan.checkRun.annotations.find((a) => a.start_line === sql.span.startLine)!;
    expect(annotation).toMatchObject({ path: BLOG, end_line: sql.span.endLine, annotation_level: "failure" });
    expect(annotation.title).toContain("FLASK-INJECT-001");
    expect(annotation.message).toContain("not all inside one diff hunk");
    expect(plan.checkRun.summary).toContain(`${sql.span.startLine}-${sql.span.endLine}`);
    expect(plan.checkRun.summary).toContain("not all inside one diff hunk");
    expect(plan.checkRun.annotations).toHaveLength(1);
  });

  it("fails the check and titles it with the counts", () => {
    expect(plan.checkRun.conclusion).toBe("failure");
    expect(plan.checkRun.title).toBe("4 findings (3 critical, 1 high)");
    expect(plan.checkRun.summary).toContain("| 🔴 Critical | 3 |");
    expect(plan.checkRun.summary).toContain("| **FLASK-INJECT-002** |");
    expect(plan.reviewBody).toContain("3 comments");
    expect(plan.reviewBody).toContain("1 more finding");
    expect(plan.comments).toHaveLength(3);
  });

  it("every comment carries its fingerprint marker and the rule id first", () => {
    for (const comment of plan.comments) {
      expect(parseMarker(comment.body)?.fingerprint).toBe(comment.fingerprint);
      expect(comment.body.split("\n")[0]).toMatch(/^(🔴|🟠|🟡|🔵) \*\*(Critical|High|Medium|Low)\*\* · \*\*FLASK-[A-Z]+-\d{3}\*\* · /);
    }
  });

  it("is deterministic", () => {
    expect(planReview(reviewInput([modifiedFile(BLOG, BEFORE, AFTER)]))).toEqual(plan);
  });
});

describe("planReview: the inline comment cap", () => {
  it("keeps the most severe findings inline and annotates the rest, saying why", () => {
    const plan = planReview(reviewInput([modifiedFile(BLOG, BEFORE, AFTER)], { config: config({ max_inline_comments: 1 }) }));
    expect(plan.comments).toHaveLength(1);
    // The first critical in file/line order.
    expect(plan.comments[0]!.body).toContain("FLASK-SSTI-001");
    const capped = plan.checkRun.annotations.filter((a) => a.message.includes("over the limit of 1 inline comments"));
    expect(capped.map((a) => a.title.split(":")[0])).toEqual(["Critical · FLASK-INJECT-002", "Critical · FLASK-INJECT-002"]);
    expect(plan.checkRun.summary).toContain("over the limit of 1 inline comments per review (max\\_inline\\_comments)");
    expect(plan.reviewBody).toContain("3 more findings");
  });

  it("max_inline_comments: 0 sends every finding to the annotations", () => {
    const plan = planReview(reviewInput([modifiedFile(BLOG, BEFORE, AFTER)], { config: config({ max_inline_comments: 0 }) }));
    expect(plan.comments).toEqual([]);
    expect(plan.checkRun.annotations).toHaveLength(4);
    expect(plan.checkRun.conclusion).toBe("failure");
  });
});

describe("planReview: later runs", () => {
  const first = planReview(reviewInput([modifiedFile(BLOG, BEFORE, AFTER)]));
  const prior = priorCommentsOf(first);

  it("a redelivery of the same push posts nothing new and annotates nothing twice", () => {
    const again = planReview(reviewInput([modifiedFile(BLOG, BEFORE, AFTER)], { priorComments: prior }));
    expect(again.comments).toEqual([]);
    expect(again.resolved).toEqual([]);
    // The annotation of the finding that never had a comment stays; nothing commented earlier is annotated.
    expect(again.checkRun.annotations).toEqual(first.checkRun.annotations);
    expect(again.checkRun.conclusion).toBe("failure");
    expect(again.checkRun.summary).toContain("commented in an earlier review");
  });

  it("a re-push that shifts every line keeps the fingerprints and posts nothing new", () => {
    const shifted = AFTER.replace(
      'POSTS_TABLE = "post"\n',
      'POSTS_TABLE = "post"\nUSERS_TABLE = "user"\n\n\ndef row_to_dict(row):\n    return {key: row[key] for key in row.keys()}\n',
    );
    const plan = planReview(reviewInput([modifiedFile(BLOG, BEFORE, shifted)], { priorComments: prior }));
    expect(plan.findings.map((f) => f.fingerprint).sort()).toEqual(first.findings.map((f) => f.fingerprint).sort());
    expect(plan.findings[0]!.span.startLine).toBe(first.findings[0]!.span.startLine + 5);
    expect(plan.comments).toEqual([]);
    expect(plan.resolved).toEqual([]);
    expect(plan.checkRun.conclusion).toBe("failure");
  });

  it("resolves a thread whose finding is gone, and leaves threads with human replies alone", () => {
    const fixed = AFTER.replace(
      'return render_template_string(f"<h1>Hello {name}!</h1>")',
      'return render_template_string("<h1>Hello {{ name }}!</h1>", name=name)',
    ).replace('f"traceroute -m 10 {target}",\n        shell=True,', '["traceroute", "-m", "10", target],');
    const sstiFp = first.findings.find((f) => f.ruleId === "FLASK-SSTI-001")!.fingerprint;
    const traceFp = first.findings.find((f) => f.ruleId === "FLASK-INJECT-002" && f.evidence.includes("traceroute"))!.fingerprint;
    const priorComments = prior.map((p) => (p.fingerprint === traceFp ? { ...p, hasHumanReplies: true } : p));
    const plan = planReview(reviewInput([modifiedFile(BLOG, BEFORE, fixed)], { priorComments }));
    const sstiPrior = priorComments.find((p) => p.fingerprint === sstiFp)!;
    expect(plan.resolved).toEqual([
      { commentId: sstiPrior.commentId, threadId: sstiPrior.threadId, fingerprint: sstiFp, replyBody: "Fixed in 9f8e7d6." },
    ]);
    expect(plan.comments).toEqual([]);
    expect(plan.checkRun.summary).toContain("1 earlier comment resolved");
  });

  it("does not resolve a thread already resolved, nor one on a file it could not scan", () => {
    const priorComments = prior.map((p, i) => (i === 0 ? { ...p, isResolved: true } : p));
    const files: PullFile[] = [{ path: BLOG, status: "modified", patch: githubPatch(BEFORE, AFTER), skippedReason: "too large: 3 MiB" }];
    const plan = planReview(reviewInput(files, { priorComments }));
    expect(plan.resolved).toEqual([]);
    expect(plan.checkRun.summary).toContain("too large: 3 MiB");
  });

  it("does not declare fixed what a rule now turned off no longer reports", () => {
    const plan = planReview(
      reviewInput([modifiedFile(BLOG, BEFORE, AFTER)], { priorComments: prior, config: config({ rules: { "FLASK-SSTI-001": "off" } }) }),
    );
    expect(plan.resolved).toEqual([]);
  });

  it("a previously commented finding that is now suppressed gets its thread resolved with the reason", () => {
    const suppressed = AFTER.replace(
      'return render_template_string(f"<h1>Hello {name}!</h1>")',
      'return render_template_string(f"<h1>Hello {name}!</h1>")  # flask-audit: ignore[FLASK-SSTI-001] internal admin tool',
    );
    const plan = planReview(reviewInput([modifiedFile(BLOG, BEFORE, suppressed)], { priorComments: prior }));
    const sstiFp = first.findings.find((f) => f.ruleId === "FLASK-SSTI-001")!.fingerprint;
    expect(plan.resolved).toHaveLength(1);
    expect(plan.resolved[0]).toMatchObject({ fingerprint: sstiFp });
    expect(plan.resolved[0]!.replyBody).toBe("Suppressed in 9f8e7d6 with a `flask-audit: ignore` comment: internal admin tool");
    expect(plan.comments).toEqual([]);
  });

  it("a renamed file keeps its threads: no repost under the new path, nothing resolved", () => {
    const renamed: PullFile = { ...modifiedFile("blog/routes.py", BEFORE, AFTER), status: "renamed", previousPath: BLOG };
    const plan = planReview(reviewInput([renamed], { priorComments: prior }));
    expect(plan.findings).toHaveLength(4);
    expect(plan.comments).toEqual([]);
    expect(plan.resolved).toEqual([]);
  });
});

describe("planReview: suppressed findings", () => {
  const code = [
    "from flask import Flask, request, render_template_string",
    "",
    "app = Flask(__name__)",
    "",
    "",
    '@app.route("/admin/preview", methods=["POST"])',
    "def preview():",
    "    # flask-audit: ignore[FLASK-SSTI-001] only admins reach this, behind SSO",
    '    return render_template_string(request.form["template"])',
    "",
  ].join("\n");

  it("are never inline, never annotated, never failing, and counted in the summary", () => {
    const plan = planReview(reviewInput([addedFile("admin/views.py", code)]));
    expect(plan.findings).toHaveLength(1);
    expect(plan.findings[0]!.suppressed?.reason).toBe("only admins reach this, behind SSO");
    expect(plan.comments).toEqual([]);
    expect(plan.checkRun.annotations).toEqual([]);
    expect(plan.checkRun.conclusion).toBe("success");
    expect(plan.checkRun.title).toBe("No security findings in 1 changed file (1 suppressed)");
    expect(plan.checkRun.summary).toContain("### Suppressed (1)");
    expect(plan.checkRun.summary).toContain("only admins reach this, behind SSO");
  });
});

describe("planReview: which files are scanned", () => {
  const sstiApp = [
    "from flask import Flask, request, render_template_string",
    "",
    "app = Flask(__name__)",
    "",
    "",
    '@app.route("/hello")',
    "def hello():",
    '    name = request.args.get("name", "")',
    '    return render_template_string(f"<h1>Hello {name}!</h1>")',
    "",
  ].join("\n");

  it("a file GitHub sent without a patch is scanned whole, its findings annotated, and it is noted", () => {
    const bigDiff: PullFile = { path: "app/legacy.py", status: "modified", content: sstiApp };
    const plan = planReview(reviewInput([bigDiff]));
    expect(plan.findings).toHaveLength(1);
    expect(plan.comments).toEqual([]);
    expect(plan.checkRun.annotations).toHaveLength(1);
    expect(plan.checkRun.annotations[0]!.message).toContain("GitHub sent no diff for this file");
    expect(plan.checkRun.summary).toContain("### Scanned whole (1)");
    expect(plan.checkRun.summary).toContain("`app/legacy.py`");
    expect(plan.checkRun.conclusion).toBe("failure");
  });

  it("no patch and zero additions (a mode change): scanned, but nothing counts as changed", () => {
    const modeChange: PullFile = { path: "app/legacy.py", status: "modified", additions: 0, content: sstiApp };
    const plan = planReview(reviewInput([modeChange]));
    expect(plan.scan.findings).toHaveLength(1);
    expect(plan.findings).toEqual([]);
    expect(plan.checkRun.summary).not.toContain("Scanned whole");
    expect(plan.checkRun.conclusion).toBe("success");
  });

  it("removed files are ignored, and our threads on them are resolved", () => {
    const removed: PullFile = { path: "app/old_views.py", status: "removed", patch: "@@ -1,2 +0,0 @@\n-import os\n-print(os.getcwd())" };
    const prior: PriorComment = { commentId: 7, fingerprint: "0123456789abcdef0123", ruleId: "FLASK-SSTI-001", path: "app/old_views.py", isResolved: false, hasHumanReplies: false };
    const plan = planReview(reviewInput([removed], { priorComments: [prior] }));
    expect(plan.scan.filesScanned).toBe(0);
    expect(plan.scan.skipped).toEqual([]);
    expect(plan.resolved).toEqual([{ commentId: 7, fingerprint: prior.fingerprint, replyBody: "Fixed in 9f8e7d6 (the file was removed)." }]);
    expect(plan.checkRun.title).toBe("No changed files to scan");
  });

  it("paths.exclude skips files, and the summary says so", () => {
    const plan = planReview(
      reviewInput([addedFile("tests/test_views.py", sstiApp), addedFile("app/views.py", sstiApp)], {
        config: config({ paths: { exclude: ["tests/**"] } }),
      }),
    );
    expect(plan.findings.map((f) => f.file)).toEqual(["app/views.py"]);
    expect(plan.scan.skipped).toEqual([{ file: "tests/test_views.py", reason: "excluded by `paths` in .github/flask-audit.yml" }]);
    expect(plan.checkRun.summary).toContain("`tests/test_views.py`");
  });

  it("lists renamed-only, unreadable and unread kinds of files, never dropping them silently", () => {
    const plan = planReview(
      reviewInput(
        [
          { path: "app/moved.py", previousPath: "app/old.py", status: "renamed", additions: 0 },
          { path: "static/logo.png", status: "added", skippedReason: "binary file (NUL byte at offset 4); not scanned" },
          { path: "README.md", status: "modified", patch: "@@ -1 +1 @@\n-# Blog\n+# Flask blog", content: "# Flask blog\n" },
        ],
        { truncatedFileList: true },
      ),
    );
    expect(plan.scan.skipped).toEqual([
      { file: "app/moved.py", reason: "renamed without content changes" },
      { file: "static/logo.png", reason: "binary file (NUL byte at offset 4); not scanned" },
      { file: "README.md", reason: "no flask-audit rule reads this kind of file" },
    ]);
    const summary = plan.checkRun.summary;
    expect(summary).toContain("### Not scanned (3)");
    expect(summary).toContain("`static/logo.png`");
    expect(summary).toContain("GitHub lists at most 3000 files");
    // Nothing found, but the file list was cut: not a clean pass.
    expect(plan.checkRun.conclusion).toBe("neutral");
  });
});

describe("planReview: configuration and conclusion", () => {
  const files = () => [modifiedFile(BLOG, BEFORE, AFTER)];

  it("drops rules turned off and applies configured severities everywhere", () => {
    const plan = planReview(
      reviewInput(files(), { config: config({ rules: { "FLASK-INJECT-002": "off", "FLASK-SSTI-001": "medium", "FLASK-INJECT-001": "low" } }) }),
    );
    expect(plan.findings.map((f) => `${f.ruleId}:${f.severity}`).sort()).toEqual(["FLASK-INJECT-001:low", "FLASK-SSTI-001:medium"]);
    expect(plan.scan.findings.some((f) => f.ruleId === "FLASK-INJECT-002")).toBe(false);
    const ssti = plan.comments.find((c) => c.body.includes("FLASK-SSTI-001"))!;
    expect(ssti.body.split("\n")[0]).toMatch(/^🟡 \*\*Medium\*\* · \*\*FLASK-SSTI-001\*\*/);
    expect(plan.checkRun.annotations[0]).toMatchObject({ annotation_level: "notice" });
    // Nothing at or above the default fail_on (high) is left: the check does not fail.
    expect(plan.checkRun.conclusion).toBe("neutral");
    expect(plan.checkRun.title).toBe("2 findings (1 medium, 1 low)");
  });

  it("fail_on: none never fails, even on critical findings", () => {
    const plan = planReview(reviewInput(files(), { config: config({ fail_on: "none" }) }));
    expect(plan.findings.some((f) => f.severity === "critical")).toBe(true);
    expect(plan.checkRun.conclusion).toBe("neutral");
    expect(plan.checkRun.summary).toContain("`fail_on: none`");
  });

  it("fail_on: critical fails on the criticals only", () => {
    const plan = planReview(reviewInput(files(), { config: config({ fail_on: "critical", rules: { "FLASK-INJECT-002": "high" } }) }));
    expect(plan.checkRun.conclusion).toBe("failure");
    expect(plan.checkRun.summary).toContain("1 finding at or above **critical**");
  });

  const noCsp = defineRule({
    id: "FLASK-HEADERS-001",
    title: "No Content-Security-Policy",
    severity: "medium",
    confidence: "medium",
    cwe: ["CWE-693"],
    spec: "FLASK-HEADERS-001",
    docs: { impact: "i", fix: "f", mitigation: "m", falsePositives: "fp", bad: "", good: "" },
    advise: (project) => (project.flaskApp && !project.securityHeaders ? "No Content-Security-Policy is set anywhere in the app." : null),
  });
  const app = 'from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.get("/health")\ndef health():\n    return "ok"\n';

  it("only advisories: neutral, with the spec's wording, never inline", () => {
    const plan = planReview(reviewInput([addedFile("app/__init__.py", app)], { rules: [...RULES, noCsp] }));
    expect(plan.findings).toEqual([]);
    expect(plan.comments).toEqual([]);
    expect(plan.checkRun.conclusion).toBe("neutral");
    expect(plan.checkRun.title).toBe("No findings on changed lines; 1 project advisory");
    expect(plan.checkRun.summary).toContain("Project-level advisories (not visible in app code; verify at the edge)");
    expect(plan.checkRun.summary).toContain("No Content-Security-Policy is set anywhere in the app.");
  });

  it("facts come from the fact files and the head contents, the head winning for the same path", () => {
    const talisman = 'from flask import Flask\nfrom flask_talisman import Talisman\n\napp = Flask(__name__)\nTalisman(app)\n';
    const factFiles = [{ path: "app/__init__.py", content: app }];
    const withHead = planReview(reviewInput([addedFile("app/__init__.py", talisman)], { rules: [...RULES, noCsp], factFiles }));
    expect(withHead.scan.advisories).toEqual([]);
    const onlyFacts = planReview(reviewInput([addedFile("app/health.py", "def health():\n    return 'ok'\n")], { rules: [...RULES, noCsp], factFiles }));
    expect(onlyFacts.scan.advisories?.map((a) => a.ruleId)).toEqual(["FLASK-HEADERS-001"]);
  });

  it("a clean change succeeds", () => {
    const plan = planReview(reviewInput([addedFile("app/health.py", app)]));
    expect(plan.checkRun).toMatchObject({ conclusion: "success", title: "No security findings in 1 changed file", annotations: [] });
    expect(plan.comments).toEqual([]);
  });
});

describe("planReview: limits", () => {
  // A cheap rule through the real engine, so thousands of findings cost milliseconds: every print() call.
  const noisy = defineRule({
    id: "FLASK-NOISE-001",
    title: "Debug print left in a request handler",
    severity: "medium",
    confidence: "high",
    cwe: ["CWE-215"],
    spec: "FLASK-NOISE-001",
    docs: { impact: "Leaks data to logs.", fix: "Use app.logger.", mitigation: "Scrub logs.", falsePositives: "CLI scripts.", bad: "", good: "" },
    on: ["call"],
    check(node, ctx) {
      if (node.childForFieldName("function")?.text === "print") ctx.report({ node, message: "print() in a request handler." });
    },
  });

  it("a huge number of findings: 25 comments, capped annotations, a summary within 65,535 characters", () => {
    const handlers = Array.from({ length: 1_500 }, (_, i) => `    print("event ${i}", request.args.get("q${i}"))`);
    const code = `from flask import Flask, request\n\napp = Flask(__name__)\n\n\n@app.post("/events")\ndef events():\n${handlers.join("\n")}\n    return "ok"\n`;
    const noise: PullFile[] = Array.from({ length: 2_000 }, (_, i) => ({
      path: `static/vendor/some-very-long-directory-name-${i}/${"nested/".repeat(8)}bundle-${i}.min.js`,
      status: "added",
      skippedReason: `not a scanned kind of file (reason variant ${i % 400})`,
    }));
    const plan = planReview(reviewInput([addedFile("app/events.py", code), ...noise], { rules: [noisy], truncatedFileList: true }));
    expect(plan.findings).toHaveLength(1_500);
    expect(plan.comments).toHaveLength(25);
    expect(plan.checkRun.annotations).toHaveLength(MAX_ANNOTATIONS);
    expect(plan.checkRun.annotations.every((a) => a.annotation_level === "warning")).toBe(true);
    const summary = plan.checkRun.summary;
    expect(summary.length).toBeLessThanOrEqual(SUMMARY_LIMIT);
    expect(utf8Length(summary)).toBeLessThanOrEqual(SUMMARY_LIMIT);
    expect(summary).toContain("GitHub lists at most 3000 files");
    expect(summary).toContain("| 🟡 Medium | 1500 |");
    expect(summary).toMatch(/and 1300 more findings/);
    expect(summary).toContain("Summary truncated to fit GitHub's 65,535-character limit");
    expect(plan.checkRun.title).toBe("1500 findings (1500 medium)");
    expect(plan.reviewBody).toContain("1475 more findings");
    for (const comment of plan.comments) expect(comment.body.length).toBeLessThan(65_536);
    for (const annotation of plan.checkRun.annotations) {
      expect(annotation.title.length).toBeLessThanOrEqual(255);
      expect(utf8Length(annotation.message)).toBeLessThanOrEqual(64 * 1024);
    }
  });

  it("past the annotation limit, findings are still listed in the summary with the reason", () => {
    const handlers = Array.from({ length: 1_030 }, (_, i) => `    print(${i})`);
    const code = `def handler():\n${handlers.join("\n")}\n`;
    const plan = planReview(reviewInput([addedFile("app/handler.py", code)], { rules: [noisy], config: config({ max_inline_comments: 0 }) }));
    expect(plan.checkRun.annotations).toHaveLength(MAX_ANNOTATIONS);
    expect(plan.checkRun.summary).toContain("past the 1000-annotation limit");
  });
});

describe("planReview: secrets", () => {
  const KEY = "prod-4f9c2a7e-signing-key-do-not-share";
  const TOKEN = "sk_live_51HxQ2eLkd93jdkslq0aa";
  const code = [
    "import os",
    "",
    "from flask import Flask, request, render_template_string",
    "",
    "app = Flask(__name__)",
    `app.config["SECRET_KEY"] = "${KEY}"`,
    "",
    "",
    '@app.route("/receipt")',
    "def receipt():",
    '    name = request.args.get("name", "")',
    `    return render_template_string(f"<p>Thanks {name}</p>", api_key="${TOKEN}")`,
    "",
  ].join("\n");

  it("never appear in comments, annotations, the summary, the review body or replies", () => {
    const plan = planReview(reviewInput([addedFile("app/billing.py", code)]));
    const ids = plan.findings.map((f) => f.ruleId).sort();
    expect(ids).toEqual(["FLASK-CONFIG-001", "FLASK-SSTI-001"]);
    // The evidence lines hold the secret-looking assignments, redacted by the engine.
    expect(plan.findings.find((f) => f.ruleId === "FLASK-CONFIG-001")!.evidence).toContain("'********'");
    expect(plan.findings.find((f) => f.ruleId === "FLASK-SSTI-001")!.evidence).toContain("api_key='********'");
    const everything = JSON.stringify(plan);
    expect(everything).not.toContain(KEY);
    expect(everything).not.toContain(TOKEN);
    expect(plan.comments.length + plan.checkRun.annotations.length).toBe(2);
  });
});
