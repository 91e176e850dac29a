// The GitHub-facing texts: comment bodies, the marker, annotations, review body, check-run title and summary.
// Hand-built findings and rules (no engine): the renderers only read these shapes.
import { describe, expect, it } from "vitest";
import {
  COMMENT_LIMIT,
  SUMMARY_LIMIT,
  codeSpan,
  escapeMarkdown,
  parseMarker,
  renderAnnotation,
  renderCheckSummary,
  renderCheckTitle,
  renderComment,
  renderMarker,
  renderReviewBody,
  utf8Length,
  type CheckSummaryInput,
  type PlacedFinding,
} from "../../src/core/comment.js";
import { defineRule, type Rule } from "../../src/core/define-rule.js";
import type { Finding } from "../../src/core/types.js";

const rule: Rule = defineRule({
  id: "FLASK-INJECT-001",
  title: "SQL built from untrusted input (SQL injection)",
  severity: "high",
  confidence: "high",
  cwe: ["CWE-89"],
  spec: "FLASK-INJECT-001",
  docs: {
    impact: "An attacker can read or change any row the database user can reach.",
    fix: "Pass values as bound parameters: db.execute(\"SELECT * FROM user WHERE name = ?\", (name,)).",
    mitigation: "Run the app with a least-privilege database user.",
    falsePositives: "A value checked against an allowlist in another function is not followed.",
    bad: "",
    good: "",
  },
  on: ["call"],
  check() {},
});

function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    ruleId: "FLASK-INJECT-001",
    title: "SQL built from untrusted input (SQL injection)",
    severity: "high",
    confidence: "high",
    file: "flaskr/blog.py",
    span: { startLine: 41, startColumn: 24, endLine: 41, endColumn: 80 },
    message: "request.args.get(\"title\") reaches db.execute() through an f-string, so the request can rewrite the SQL statement.",
    evidence: "    posts = db.execute(f\"SELECT id FROM post WHERE title = '{title}'\").fetchall()",
    context: "search() [GET /blog/search]",
    fingerprint: "39816e0e6e66ea96a094",
    flow: [
      { line: 40, startColumn: 13, endColumn: 38, label: 'request.args.get("title")' },
      { line: 40, startColumn: 5, endColumn: 38, label: "assigned to title" },
      { line: 41, startColumn: 24, endColumn: 80, label: "reaches db.execute()" },
    ],
    fix: {
      safety: "safe",
      startLine: 41,
      endLine: 41,
      replacement: "    posts = db.execute(\"SELECT id FROM post WHERE title = ?\", (title,)).fetchall()",
      description: "pass the values as bound parameters (sqlite3 ? placeholders)",
    },
    ...overrides,
  };
}

describe("renderComment", () => {
  const body = renderComment(finding(), rule, { suggestion: finding().fix!.replacement });

  it("starts with severity, rule id and title on one scannable line", () => {
    expect(body.split("\n")[0]).toBe("🟠 **High** · **FLASK-INJECT-001** · SQL built from untrusted input (SQL injection)");
  });

  it("follows the spec's 2.3 order and ends with the marker", () => {
    const order = [
      "**Location:** `flaskr/blog.py`, line 41 in `search() [GET /blog/search]`",
      "**Evidence:**",
      "```python\n    posts = db.execute(f\"SELECT id FROM post WHERE title = '{title}'\").fetchall()\n```",
      "reaches db.execute() through an f-string",
      "**Impact:** An attacker can read or change any row",
      "**Fix:** Pass values as bound parameters",
      "**Suggested change** (pass the values as bound parameters (sqlite3 ? placeholders), replaces line 41):",
      "```suggestion\n    posts = db.execute(\"SELECT id FROM post WHERE title = ?\", (title,)).fetchall()\n```",
      "**Data flow** (source to sink):",
      "1. line 40: request.args.get(\"title\")",
      "<details><summary>Mitigation and false-positive notes</summary>",
      "**Mitigation:** Run the app with a least-privilege database user.",
      "**False-positive notes:** A value checked against an allowlist",
      "`# flask-audit: ignore[FLASK-INJECT-001] <reason>` at the end of line 41 or on the line above",
    ];
    let from = 0;
    for (const piece of order) {
      const at = body.indexOf(piece, from);
      expect(at, piece).toBeGreaterThanOrEqual(from);
      from = at + piece.length;
    }
    expect(body.endsWith("<!-- flask-audit:v1 fingerprint=39816e0e6e66ea96a094 rule=FLASK-INJECT-001 -->")).toBe(true);
  });

  it("without a suggestion, shows a review fix as a proposed change in prose, never as a suggestion block", () => {
    const review = finding({ fix: { ...finding().fix!, safety: "review" } });
    const text = renderComment(review, rule, {});
    expect(text).not.toContain("```suggestion");
    expect(text).toContain("<details><summary>Proposed change for line 41 (review before applying)</summary>");
    expect(text).toContain("```python\n    posts = db.execute(\"SELECT id FROM post WHERE title = ?\", (title,)).fetchall()\n```");
    const noFix = renderComment(finding({ fix: undefined }), rule, { suggestion: null });
    expect(noFix).not.toContain("Proposed change");
    expect(noFix).toContain("**Fix:** Pass values as bound parameters");
  });

  it("fences a suggestion containing three backticks with four", () => {
    const code = '    HELP = """Use ```flask run``` to start"""';
    const text = renderComment(finding({ fix: { ...finding().fix!, replacement: code } }), rule, { suggestion: code });
    expect(text).toContain(`\`\`\`\`suggestion\n${code}\n\`\`\`\``);
    expect(text).not.toContain("\n```suggestion");
    const longer = "x = '````'";
    expect(renderComment(finding(), rule, { suggestion: longer })).toContain(`\`\`\`\`\`suggestion\n${longer}\n\`\`\`\`\``);
  });

  it("says where the sink is when the finding was re-anchored, and suppresses at the sink line", () => {
    const anchored = finding({
      span: { startLine: 40, startColumn: 13, endLine: 40, endColumn: 38 },
      anchoredFrom: { line: 41, note: "The untrusted value added here reaches the FLASK-INJECT-001 sink at line 41, which this change does not touch." },
      fix: { ...finding().fix!, safety: "review" },
    });
    const text = renderComment(anchored, rule, {});
    expect(text).toContain("line 40 in `search() [GET /blog/search]` (the sink is at line 41)");
    expect(text).toContain("> **Note:** The untrusted value added here reaches the FLASK-INJECT-001 sink at line 41");
    expect(text).toContain("at the end of line 41 or on the line above");
  });

  it("uses Jinja comment syntax to suppress in templates, and says when confidence is not high", () => {
    const template = finding({ file: "app/templates/profile.html", confidence: "medium", evidence: "<p>{{ bio|safe }}</p>", fix: undefined, flow: undefined });
    const text = renderComment(template, undefined, {});
    expect(text.split("\n")[0]).toContain("· medium confidence");
    expect(text).toContain("`{# flask-audit: ignore[FLASK-INJECT-001] <reason> #}`");
    expect(text).toContain("```jinja\n<p>{{ bio|safe }}</p>\n```");
  });

  it("neutralises HTML, links and @-mentions from the pull request, keeping code spans", () => {
    const hostile = finding({
      message: "`request.args['q']` reaches <img src=x onerror=alert(1)> [click](https://evil.example) cc @octocat",
      context: "search() [GET /s`x`]",
    });
    const text = renderComment(hostile, rule, {});
    expect(text).toContain("`request.args['q']` reaches \\<img src=x onerror=alert(1)\\> \\[click\\](https://evil.example) cc @\u200boctocat");
    expect(text).not.toMatch(/(^|[^\\])<img/);
    expect(text).toContain("``search() [GET /s`x`]``");
  });

  it("stays well under GitHub's limit whatever the finding holds, keeping the marker", () => {
    const huge = finding({
      evidence: "x = 1  # ".padEnd(200_000, "é"),
      message: "m".repeat(100_000),
      flow: Array.from({ length: 500 }, (_, i) => ({ line: i + 1, startColumn: 1, endColumn: 2, label: "l".repeat(5_000) })),
      fix: { ...finding().fix!, safety: "review", replacement: "y".repeat(100_000) },
    });
    const text = renderComment(huge, rule, {});
    expect(text.length).toBeLessThan(COMMENT_LIMIT);
    expect(utf8Length(text)).toBeLessThan(COMMENT_LIMIT);
    expect(text).toContain("_Evidence truncated:");
    expect(text).toContain("… 480 more steps");
    expect(parseMarker(text)).toEqual({ fingerprint: "39816e0e6e66ea96a094", ruleId: "FLASK-INJECT-001" });
    // A suggestion too long to show is not cut (a cut suggestion would be wrong code): it is left out.
    const long = renderComment(finding(), rule, { suggestion: "z".repeat(50_000) });
    expect(long).not.toContain("```suggestion");
    expect(long).toContain("The suggested change is too long to show here");
  });
});

describe("parseMarker", () => {
  it("reads back what renderMarker writes, including a duplicate-index suffix", () => {
    expect(parseMarker(`text\n\n${renderMarker("abcdef0123456789abcd", "FLASK-SSTI-001")}`)).toEqual({
      fingerprint: "abcdef0123456789abcd",
      ruleId: "FLASK-SSTI-001",
    });
    expect(parseMarker(renderMarker("abcdef0123456789abcd:2", "FLASK-XSS-001"))?.fingerprint).toBe("abcdef0123456789abcd:2");
  });

  it("returns null without a well-formed marker", () => {
    expect(parseMarker("Looks fine to me!")).toBeNull();
    expect(parseMarker("<!-- flask-audit:v1 fingerprint=zz rule=FLASK-SSTI-001 -->")).toBeNull();
    expect(parseMarker("<!-- flask-audit:v1 fingerprint=abc rule=ssti -->")).toBeNull();
    expect(parseMarker("<!-- flask-audit:v2 fingerprint=abc rule=FLASK-SSTI-001 -->")).toBeNull();
  });

  it("takes the last marker (ours, at the end) and survives hostile input", () => {
    const quoted = `> ${renderMarker("aaaa", "FLASK-SSTI-001")}\n\nreply\n\n${renderMarker("bbbb", "FLASK-XSS-001")}`;
    expect(parseMarker(quoted)).toEqual({ fingerprint: "bbbb", ruleId: "FLASK-XSS-001" });
    const hostile = "<!-- flask-audit:v1 fingerprint=".repeat(20_000) + "a".repeat(100_000);
    expect(parseMarker(hostile)).toBeNull();
  });
});

describe("escapeMarkdown and codeSpan", () => {
  it("escapes prose and leaves balanced code spans alone; an unbalanced backtick is escaped", () => {
    expect(escapeMarkdown("a *b* `c*d` e")).toBe("a \\*b\\* `c*d` e");
    expect(escapeMarkdown("it's `open")).toBe("it's \\`open");
    expect(escapeMarkdown("x & y\nz")).toBe("x &amp; y z");
  });

  it("makes a code span the text cannot close", () => {
    expect(codeSpan("a`b")).toBe("``a`b``");
    expect(codeSpan("`x`")).toBe("`` `x` ``");
  });
});

describe("renderAnnotation", () => {
  it("maps severity to the annotation level and keeps GitHub's limits", () => {
    const levels = (["critical", "high", "medium", "low"] as const).map(
      (severity) => renderAnnotation(finding({ severity }), rule, "over the limit").annotation_level,
    );
    expect(levels).toEqual(["failure", "failure", "warning", "notice"]);
    const big = renderAnnotation(finding({ title: "T".repeat(1_000), message: "é".repeat(100_000) }), rule, "outside the diff");
    expect(big.title.length).toBeLessThanOrEqual(255);
    expect(utf8Length(big.message)).toBeLessThanOrEqual(64 * 1024);
    const plain = renderAnnotation(finding(), rule, "line 41 is outside the diff GitHub shows");
    expect(plain).toMatchObject({ path: "flaskr/blog.py", start_line: 41, end_line: 41, title: "High · FLASK-INJECT-001: SQL built from untrusted input (SQL injection)" });
    expect(plain.message).toContain("Not an inline comment: line 41 is outside the diff GitHub shows.");
    expect(plain.raw_details).toContain("Proposed change for line 41 (safe)");
  });
});

describe("renderReviewBody", () => {
  it("is short: the counts and a pointer to the check run", () => {
    const body = renderReviewBody({ inline: [finding(), finding({ severity: "critical" })], elsewhere: 2 });
    expect(body).toBe(
      "**flask-audit** left 2 comments on lines this pull request changes (1 critical, 1 high). 2 more findings could not be " +
        "commented inline and are in the check run's annotations. The **flask-audit** check run has the full summary and decides " +
        "whether this pull request passes.",
    );
  });
});

describe("renderCheckTitle and renderCheckSummary", () => {
  const placed: PlacedFinding[] = [
    { finding: finding({ severity: "critical", ruleId: "FLASK-SSTI-001", title: "Template source built from untrusted input" }), placement: { kind: "inline", suggestion: true }, gating: true },
    { finding: finding({ span: { startLine: 50, startColumn: 1, endLine: 56, endColumn: 4 } }), placement: { kind: "annotation", reason: "lines 50–56 are not all inside one diff hunk" }, gating: true },
    { finding: finding({ severity: "low", confidence: "low" }), placement: { kind: "earlier", threadResolved: false }, gating: false },
    { finding: finding({ suppressed: { reason: "bound by the ORM <really>", line: 60 } }), placement: { kind: "suppressed" }, gating: false },
  ];
  const base: CheckSummaryInput = {
    headSha: "0123456789abcdef",
    conclusion: "failure",
    config: { fail_on: "high" },
    placed,
    advisories: [{ ruleId: "FLASK-HEADERS-001", title: "No Content-Security-Policy", severity: "medium", message: "No CSP header is set anywhere in the app." }],
    filesScanned: 3,
    scannedWhole: ["app/generated_models.py"],
    skipped: [
      { file: "static/app.min.js", reason: "not a scanned kind of file" },
      { file: "static/vendor.min.js", reason: "not a scanned kind of file" },
      { file: "app/huge.py", reason: "too large: 3 MiB (3145728 bytes) is over the 2 MiB limit; not scanned" },
    ],
    parseErrors: [{ file: "app/broken.py", line: 12 }],
    ruleErrors: [],
    resolved: 1,
    truncatedFileList: false,
  };

  it("titles by counts, suppressed findings aside", () => {
    expect(renderCheckTitle(base)).toBe("3 findings (1 critical, 1 high, 1 low) (1 suppressed)");
    expect(renderCheckTitle({ placed: [], advisories: [], filesScanned: 12 })).toBe("No security findings in 12 changed files");
    expect(renderCheckTitle({ placed: [], advisories: base.advisories, filesScanned: 12 })).toBe("No findings on changed lines; 1 project advisory");
  });

  it("covers counts by severity and rule, placements, advisories, skipped files, whole scans and suppressions", () => {
    const summary = renderCheckSummary(base);
    for (const piece of [
      "❌ **Failing:** 2 findings at or above **high**",
      "| 🔴 Critical | 1 |",
      "| 🔵 Low | 1 |",
      "| **FLASK-INJECT-001** | SQL built from untrusted input (SQL injection) | 🟠 High | 2 |",
      "| 🟠 High | **FLASK-INJECT-001** | `flaskr/blog.py:50-56` | annotation: lines 50–56 are not all inside one diff hunk |",
      "| 🔵 Low (low confidence) | **FLASK-INJECT-001** | `flaskr/blog.py:41` | commented in an earlier review |",
      "### Project-level advisories (not visible in app code; verify at the edge)",
      "No CSP header is set anywhere in the app.",
      "### Suppressed (1)",
      "bound by the ORM \\<really\\>",
      "### Scanned whole (1)",
      "`app/generated_models.py`",
      "### Not scanned (3)",
      "- not a scanned kind of file (2): `static/app.min.js`, `static/vendor.min.js`",
      "### Syntax errors (1)",
      "1 earlier comment resolved",
      "flask-audit at 0123456",
    ]) {
      expect(summary, piece).toContain(piece);
    }
    expect(summary).not.toContain("Summary truncated");
  });

  it("never exceeds 65,535 characters, however much there is to say", () => {
    const many: PlacedFinding[] = Array.from({ length: 20_000 }, (_, i) => ({
      finding: finding({ file: `pkg/${"deep/".repeat(30)}module_${i}.py`, fingerprint: `fp${i}`, span: { startLine: i + 1, startColumn: 1, endLine: i + 1, endColumn: 2 } }),
      placement: { kind: "annotation", reason: "over the limit of 25 inline comments per review (max_inline_comments)" },
      gating: true,
    }));
    const skipped = Array.from({ length: 5_000 }, (_, i) => ({ file: `vendor/${"x".repeat(200)}/${i}.js`, reason: `reason ${i % 300} ${"é".repeat(100)}` }));
    const summary = renderCheckSummary({ ...base, placed: many, skipped, scannedWhole: skipped.map((s) => s.file), truncatedFileList: true });
    expect(utf8Length(summary)).toBeLessThanOrEqual(SUMMARY_LIMIT);
    expect(summary.length).toBeLessThanOrEqual(SUMMARY_LIMIT);
    expect(summary).toContain("GitHub lists at most 3000 files");
    expect(summary).toMatch(/_Summary truncated to fit GitHub's 65,535-character limit: \d+ lines not shown\./);
  });

  it("explains a passing, a neutral and a fail_on: none run", () => {
    expect(renderCheckSummary({ ...base, conclusion: "success", placed: [], advisories: [], scannedWhole: [], skipped: [], parseErrors: [], resolved: 0 })).toContain(
      "✅ **Passing:** no findings on the lines this pull request changes.",
    );
    expect(renderCheckSummary({ ...base, conclusion: "neutral", placed: [], scannedWhole: [], skipped: [], parseErrors: [] })).toContain(
      "only project-level advisories below",
    );
    const none = renderCheckSummary({ ...base, conclusion: "neutral", config: { fail_on: "none" }, placed: placed.map((p) => ({ ...p, gating: false })) });
    expect(none).toContain("`fail_on: none`: this check never fails");
  });
});
