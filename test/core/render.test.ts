import type { Log, Result } from "sarif";
import { describe, expect, it } from "vitest";
import { defineRule, type Rule } from "../../src/core/define-rule.js";
import { fenced, renderJson, renderText, sanitizeForTerminal, toSarif } from "../../src/core/render.js";
import type { Finding, ScanResult, Severity } from "../../src/core/types.js";

// ---------------------------------------------------------------------------------------------------------------
// Hand-built rules and findings (no engine): the renderers only read these shapes.

function makeRule(id: string, severity: Severity, overrides: Partial<Parameters<typeof defineRule>[0]> = {}): Rule {
  return defineRule({
    id,
    title: `Title of ${id}`,
    severity,
    confidence: "high",
    cwe: ["CWE-78"],
    spec: id,
    docs: {
      impact: `Impact of ${id}.`,
      fix: `Fix of ${id}.`,
      mitigation: `Mitigation of ${id}.`,
      falsePositives: `False positives of ${id}.`,
      bad: "subprocess.run(cmd, shell=True)",
      good: "subprocess.run(['ping', '-c', '1', host])",
    },
    on: ["call"],
    check() {},
    ...overrides,
  });
}

const rules: Rule[] = [
  makeRule("FLASK-CONFIG-001", "high", { cwe: ["CWE-798", "CWE-321"], title: "Hard-coded SECRET_KEY" }),
  makeRule("FLASK-INJECT-002", "critical", { title: "OS command injection" }),
  makeRule("FLASK-SSTI-001", "medium", { confidence: "medium", title: "Template built from user input" }),
  makeRule("FLASK-XSS-001", "low", { confidence: "low", cwe: ["CWE-79"], title: "Possible XSS" }),
];

function makeFinding(overrides: Partial<Finding> & Pick<Finding, "ruleId" | "severity">): Finding {
  return {
    title: `Title of ${overrides.ruleId}`,
    confidence: "high",
    file: "app/views.py",
    span: { startLine: 10, startColumn: 5, endLine: 10, endColumn: 40 },
    message: "A message.",
    evidence: "do_something()",
    context: "search() [GET /search]",
    fingerprint: `fp-${overrides.ruleId}`,
    ...overrides,
  };
}

const commandInjection = makeFinding({
  ruleId: "FLASK-INJECT-002",
  title: "OS command injection",
  severity: "critical",
  file: "app/views.py",
  span: { startLine: 21, startColumn: 5, endLine: 22, endColumn: 30 },
  message: "request.form['host'] reaches subprocess.run with shell=True.",
  evidence: 'result = subprocess.run(f"ping -c 1 {host}",\n                        shell=True)',
  context: "ping() [POST /diagnostics/ping]",
  flow: [
    { line: 20, startColumn: 12, endColumn: 32, label: "request.form['host']" },
    { line: 20, startColumn: 5, endColumn: 9, label: "assigned to host" },
    { line: 21, startColumn: 29, endColumn: 48, label: "subprocess.run(...)" },
  ],
  fix: {
    safety: "review",
    startLine: 21,
    endLine: 22,
    replacement: 'result = subprocess.run(["ping", "-c", "1", "--", host])',
    description: "pass the command as a list, without a shell",
  },
  fingerprint: "3f2a9c",
});

const hardCodedKey = makeFinding({
  ruleId: "FLASK-CONFIG-001",
  title: "Hard-coded SECRET_KEY",
  severity: "high",
  file: "config.py",
  span: { startLine: 3, startColumn: 5, endLine: 3, endColumn: 51 },
  message: "SECRET_KEY is a string literal committed to the repository.",
  evidence: "SECRET_KEY = '********'",
  context: "ProductionConfig",
  fix: {
    safety: "safe",
    startLine: 3,
    endLine: 3,
    replacement: '    SECRET_KEY = os.environ["SECRET_KEY"]',
    description: "read the key from the environment",
  },
  fingerprint: "9b1c",
});

const ssti = makeFinding({
  ruleId: "FLASK-SSTI-001",
  title: "Template built from user input",
  severity: "medium",
  confidence: "medium",
  file: "app/views.py",
  span: { startLine: 5, startColumn: 12, endLine: 5, endColumn: 60 },
  evidence: "return render_template_string(tmpl)",
  anchoredFrom: { line: 9, note: "The untrusted value added here reaches the sink at line 9." },
  fingerprint: "77aa",
});

const xss = makeFinding({
  ruleId: "FLASK-XSS-001",
  title: "Possible XSS",
  severity: "low",
  confidence: "low",
  file: "app/module level.py",
  span: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 10 },
  evidence: "Markup(x)",
  context: "",
  fingerprint: "0c0c",
});

const result: ScanResult = {
  // deliberately out of order: renderers sort by file, line
  findings: [commandInjection, hardCodedKey, xss, ssti],
  skipped: [
    { file: "static/logo.py", reason: "binary file (NUL byte at offset 3); not scanned" },
    { file: "legacy.py", reason: "not valid UTF-8 (first invalid byte on line 3); re-encode it as UTF-8 to scan it" },
  ],
  parseErrors: [{ file: "broken.py", line: 7 }],
  ruleErrors: [{ ruleId: "FLASK-SSTI-001", file: "app/views.py", line: 5, message: "TypeError: x is undefined" }],
  filesScanned: 12,
};

const empty: ScanResult = { findings: [], skipped: [], parseErrors: [], ruleErrors: [], filesScanned: 3 };

// ---------------------------------------------------------------------------------------------------------------

describe("renderText", () => {
  const text = renderText(result, rules, { color: false });

  it("has every field of the spec's 2.3 finding format", () => {
    const block = text.split("\n\n").find((b) => b.startsWith("CRITICAL FLASK-INJECT-002"))!;
    expect(block).toBeDefined();
    const lines = block.split("\n");
    expect(lines[0]).toBe("CRITICAL FLASK-INJECT-002 OS command injection");
    expect(lines[1]).toBe("  Location: app/views.py:21-22 in ping() [POST /diagnostics/ping]");
    for (const field of ["Evidence:", "Message:", "Impact:", "Fix:", "Mitigation:", "False-positive notes:"]) {
      expect(block).toContain(`  ${field}`);
    }
    expect(block).toContain("  Impact: Impact of FLASK-INJECT-002.");
    expect(block).toContain("  Fix: Fix of FLASK-INJECT-002.");
    expect(block).toContain("  Mitigation: Mitigation of FLASK-INJECT-002.");
    expect(block).toContain("  False-positive notes: False positives of FLASK-INJECT-002.");
    expect(block).toContain("  Message: request.form['host'] reaches subprocess.run with shell=True.");
  });

  it("indents multi-line evidence under its label", () => {
    expect(text).toContain(
      '  Evidence:\n      result = subprocess.run(f"ping -c 1 {host}",\n                              shell=True)',
    );
    expect(text).toContain("  Evidence: SECRET_KEY = '********'");
  });

  it("shows the fix replacement, marked safe or to review", () => {
    expect(text).toContain(
      "    Suggested change (review before applying), lines 21-22: pass the command as a list, without a shell\n" +
        '      result = subprocess.run(["ping", "-c", "1", "--", host])',
    );
    expect(text).toContain("    Suggested change (one-click safe), line 3: read the key from the environment");
  });

  it("lists the data flow steps and the anchoredFrom note", () => {
    expect(text).toContain(
      "  Data flow:\n    1. line 20: request.form['host']\n    2. line 20: assigned to host\n    3. line 21: subprocess.run(...)",
    );
    expect(text).toContain("  Note: The untrusted value added here reaches the sink at line 9. (the finding itself is at line 9)");
  });

  it("says module level when there is no context, and marks confidence below high", () => {
    expect(text).toContain("LOW FLASK-XSS-001 Possible XSS (low confidence)\n  Location: app/module level.py:1 in module level");
    expect(text).toContain("MEDIUM FLASK-SSTI-001 Template built from user input (medium confidence)");
  });

  it("sorts by file, then line", () => {
    const heads = text.split("\n").filter((l) => /^(LOW|MEDIUM|HIGH|CRITICAL) /.test(l));
    expect(heads.map((h) => h.split(" ")[1])).toEqual([
      "FLASK-XSS-001", // app/module level.py
      "FLASK-SSTI-001", // app/views.py:5
      "FLASK-INJECT-002", // app/views.py:21
      "FLASK-CONFIG-001", // config.py
    ]);
  });

  it("ends with a summary: counts by severity, files scanned, skipped with reasons, parse and rule errors", () => {
    expect(text).toContain(
      "4 findings (1 critical, 1 high, 1 medium, 1 low) in 12 files scanned; 2 files skipped, 1 parse error, 1 rule error.",
    );
    expect(text).toContain("Skipped:\n  legacy.py: not valid UTF-8");
    expect(text).toContain("  static/logo.py: binary file (NUL byte at offset 3); not scanned");
    expect(text).toMatch(/Parse errors .*\n {2}broken\.py:7/);
    expect(text).toMatch(/Rule errors .*\n {2}FLASK-SSTI-001 at app\/views\.py:5: TypeError: x is undefined/);
    expect(text.endsWith("\n")).toBe(true);
  });

  it("reports a clean scan in one line", () => {
    expect(renderText(empty, rules, { color: false })).toBe(
      "No findings in 3 files scanned; 0 files skipped, 0 parse errors, 0 rule errors.\n",
    );
  });

  it("uses ANSI colours only when asked", () => {
    expect(text).not.toContain("\u001b[");
    expect(renderText(result, rules, { color: true })).toContain("\u001b[");
  });

  it("neutralises terminal escapes and bidi overrides coming from scanned code", () => {
    const hostile = makeFinding({
      ruleId: "FLASK-XSS-001",
      severity: "low",
      evidence: "x = '\u001b]0;pwned\u0007' # \u202e",
    });
    const out = renderText({ ...empty, findings: [hostile] }, rules, { color: false });
    expect(out).not.toContain("\u001b");
    expect(out).not.toContain("\u202e");
    expect(out).toContain("\\u{1b}]0;pwned\\u{7}");
    expect(sanitizeForTerminal("tab\tand\nnewline")).toBe("tab\tand\nnewline");
  });

  it("still renders a finding whose rule is not in the list (without the docs lines)", () => {
    const orphan = makeFinding({ ruleId: "FLASK-OTHER-001", severity: "high" });
    const out = renderText({ ...empty, findings: [orphan] }, rules, { color: false });
    expect(out).toContain("HIGH FLASK-OTHER-001");
    expect(out).not.toContain("Impact:");
  });
});

describe("renderJson", () => {
  const report = JSON.parse(renderJson(result, rules));

  it("has the documented top-level shape", () => {
    expect(Object.keys(report)).toEqual(["version", "findings", "skipped", "parseErrors", "ruleErrors", "advisories", "summary"]);
    expect(report.version).toBe(1);
    expect(report.summary).toEqual({
      filesScanned: 12,
      findings: 4,
      suppressed: 0,
      bySeverity: { critical: 1, high: 1, medium: 1, low: 1 },
      skipped: 2,
      parseErrors: 1,
      ruleErrors: 1,
    });
    expect(report.skipped.map((s: { file: string }) => s.file)).toEqual(["legacy.py", "static/logo.py"]);
  });

  it("gives each finding its 2.3 guidance, CWE ids and docs link, sorted by file and line", () => {
    expect(report.findings.map((f: Finding) => f.ruleId)).toEqual([
      "FLASK-XSS-001",
      "FLASK-SSTI-001",
      "FLASK-INJECT-002",
      "FLASK-CONFIG-001",
    ]);
    const key = report.findings[3];
    expect(key).toMatchObject({
      ruleId: "FLASK-CONFIG-001",
      severity: "high",
      file: "config.py",
      span: { startLine: 3, startColumn: 5, endLine: 3, endColumn: 51 },
      evidence: "SECRET_KEY = '********'",
      fingerprint: "9b1c",
      cwe: ["CWE-798", "CWE-321"],
      docsUrl: "docs/rules.md#flask-config-001",
      guidance: {
        impact: "Impact of FLASK-CONFIG-001.",
        fix: "Fix of FLASK-CONFIG-001.",
        mitigation: "Mitigation of FLASK-CONFIG-001.",
        falsePositives: "False positives of FLASK-CONFIG-001.",
      },
      fix: { safety: "safe", startLine: 3, endLine: 3 },
    });
    expect(report.findings[2].flow).toHaveLength(3);
    expect(report.findings[1].anchoredFrom).toEqual(ssti.anchoredFrom);
  });

  it("is byte-for-byte stable whatever order the findings come in", () => {
    const reversed = { ...result, findings: [...result.findings].reverse() };
    expect(renderJson(reversed, rules)).toBe(renderJson(result, rules));
  });
});

describe("toSarif", () => {
  const log: Log = JSON.parse(JSON.stringify(toSarif(result, rules, "1.2.3", { srcRoot: "file:///repo/" })));
  const run = log.runs[0]!;
  const results = run.results!;
  const byRule = (id: string): Result => results.find((r) => r.ruleId === id)!;

  it("is one SARIF 2.1.0 run of the flask-audit driver", () => {
    expect(log.$schema).toBe("https://json.schemastore.org/sarif-2.1.0.json");
    expect(log.version).toBe("2.1.0");
    expect(log.runs).toHaveLength(1);
    expect(run.tool.driver.name).toBe("flask-audit");
    expect(run.tool.driver.version).toBe("1.2.3");
    expect(run.originalUriBaseIds).toEqual({ "%SRCROOT%": { uri: "file:///repo/" } });
  });

  it("has one reportingDescriptor per rule, with GitHub's tags, security-severity and precision", () => {
    const descriptors = run.tool.driver.rules!;
    expect(descriptors.map((d) => d.id)).toEqual(rules.map((r) => r.id));
    const key = descriptors[0]!;
    expect(key).toMatchObject({
      id: "FLASK-CONFIG-001",
      name: "HardCodedSECRETKEY",
      shortDescription: { text: "Hard-coded SECRET_KEY" },
      fullDescription: { text: "Impact of FLASK-CONFIG-001." },
      properties: {
        tags: ["security", "external/cwe/cwe-798", "external/cwe/cwe-321"],
        "security-severity": "7.5",
        precision: "high",
      },
    });
    expect(key.help?.text).toContain("Mitigation of FLASK-CONFIG-001.");
    expect(key.help?.markdown).toContain("```python\nsubprocess.run(cmd, shell=True)\n```");
    expect(descriptors.map((d) => d.properties?.["security-severity"])).toEqual(["7.5", "9.0", "5.0", "3.0"]);
    expect(descriptors.map((d) => d.properties?.precision)).toEqual(["high", "high", "medium", "low"]);
    for (const d of descriptors) expect(d.helpUri).toBeUndefined(); // no absolute base given
  });

  it("resolves helpUri and informationUri when the tool's home is known", () => {
    const withHome = toSarif(result, rules, "1.2.3", {
      informationUri: "https://example.org/flask-audit",
      helpBaseUri: "https://example.org/flask-audit/blob/HEAD/",
    });
    const driver = withHome.runs[0]!.tool.driver;
    expect(driver.informationUri).toBe("https://example.org/flask-audit");
    expect(driver.rules![1]!.helpUri).toBe("https://example.org/flask-audit/blob/HEAD/docs/rules.md#flask-inject-002");
  });

  it("maps each result to its rule, level and location", () => {
    expect(results.map((r) => r.ruleId)).toEqual(["FLASK-XSS-001", "FLASK-SSTI-001", "FLASK-INJECT-002", "FLASK-CONFIG-001"]);
    for (const r of results) {
      expect(run.tool.driver.rules![r.ruleIndex!]!.id).toBe(r.ruleId);
      expect(r.message.text?.length).toBeGreaterThan(0);
    }
    expect(byRule("FLASK-INJECT-002").level).toBe("error");
    expect(byRule("FLASK-CONFIG-001").level).toBe("error");
    expect(byRule("FLASK-SSTI-001").level).toBe("warning");
    expect(byRule("FLASK-XSS-001").level).toBe("note");

    expect(byRule("FLASK-INJECT-002").locations![0]!.physicalLocation).toEqual({
      artifactLocation: { uri: "app/views.py", uriBaseId: "%SRCROOT%" },
      region: {
        startLine: 21,
        startColumn: 5,
        endLine: 22,
        endColumn: 30,
        snippet: { text: commandInjection.evidence },
      },
    });
    // a path with a space is a valid relative URI reference
    expect(byRule("FLASK-XSS-001").locations![0]!.physicalLocation!.artifactLocation!.uri).toBe("app/module%20level.py");
  });

  it("carries the fingerprint as partialFingerprints", () => {
    for (const r of results) expect(Object.keys(r.partialFingerprints!)).toEqual(["flaskAudit/v1"]);
    expect(byRule("FLASK-INJECT-002").partialFingerprints).toEqual({ "flaskAudit/v1": "3f2a9c" });
  });

  it("has codeFlows for a data flow", () => {
    const flow = byRule("FLASK-INJECT-002").codeFlows![0]!.threadFlows[0]!.locations;
    expect(flow).toHaveLength(3);
    expect(flow[0]).toEqual({
      location: {
        physicalLocation: {
          artifactLocation: { uri: "app/views.py", uriBaseId: "%SRCROOT%" },
          region: { startLine: 20, startColumn: 12, endColumn: 32 },
        },
        message: { text: "request.form['host']" },
      },
    });
    expect(byRule("FLASK-CONFIG-001").codeFlows).toBeUndefined();
  });

  it("has fixes replacing whole lines", () => {
    const fix = byRule("FLASK-CONFIG-001").fixes![0]!;
    expect(fix.description?.text).toBe("read the key from the environment");
    expect(fix.artifactChanges).toEqual([
      {
        artifactLocation: { uri: "config.py", uriBaseId: "%SRCROOT%" },
        replacements: [
          { deletedRegion: { startLine: 3, endLine: 3 }, insertedContent: { text: '    SECRET_KEY = os.environ["SECRET_KEY"]' } },
        ],
      },
    ]);
    expect(byRule("FLASK-INJECT-002").fixes![0]!.description?.text).toMatch(/review before applying/);
    expect(byRule("FLASK-XSS-001").fixes).toBeUndefined();
  });

  it("reports skipped files, parse errors and rule errors as tool execution notifications", () => {
    const invocation = run.invocations![0]!;
    expect(invocation.executionSuccessful).toBe(true);
    const notes = invocation.toolExecutionNotifications!;
    expect(notes.map((n) => n.level)).toEqual(["warning", "warning", "note", "error"]);
    expect(notes[0]!.message.text).toContain("legacy.py");
    expect(notes[0]!.locations![0]!.physicalLocation!.artifactLocation).toEqual({ uri: "legacy.py", uriBaseId: "%SRCROOT%" });
    expect(notes[3]!.associatedRule).toEqual({ id: "FLASK-SSTI-001", index: 2 });
  });

  it("is valid with no findings", () => {
    const clean = toSarif(empty, rules, "0.1.0");
    expect(clean.runs[0]!.results).toEqual([]);
    expect(clean.runs[0]!.invocations![0]!.toolExecutionNotifications).toEqual([]);
    expect(clean.runs[0]!.originalUriBaseIds!["%SRCROOT%"]!.description?.text).toBeTruthy();
  });
});

describe("secrets", () => {
  it("no renderer adds secret-looking text to an already-redacted finding", () => {
    const outputs = [
      renderText(result, rules, { color: false }),
      renderJson(result, rules),
      JSON.stringify(toSarif(result, rules, "1.0.0")),
    ];
    for (const out of outputs) {
      expect(out).toContain("********");
      // a quoted string of 16+ key-like characters would be a leaked secret literal
      expect(out).not.toMatch(/SECRET_KEY\s*=\s*['"][A-Za-z0-9+/=_-]{16,}['"]/);
    }
  });
});

describe("fenced", () => {
  it("uses a fence longer than any backtick run in the code", () => {
    expect(fenced("a ``` b", "python")).toBe("````python\na ``` b\n````");
    expect(fenced("x", "sh")).toBe("```sh\nx\n```");
  });
});

describe("suppressions and project-level advisories", () => {
  const suppressed = makeFinding({ ruleId: "FLASK-SSTI-001", severity: "critical", suppressed: { reason: "admin-only template editor", line: 7 } });
  const withExtras: ScanResult = {
    findings: [suppressed],
    skipped: [], parseErrors: [], ruleErrors: [], filesScanned: 1,
    advisories: [{ ruleId: "FLASK-XSS-001", title: "t", severity: "medium", message: "no Content-Security-Policy anywhere" }],
  };

  it("keeps suppressed findings in SARIF as inSource suppressions, advisories as notifications", () => {
    const log = toSarif(withExtras, rules, "1.0.0");
    expect(log.runs[0]!.results![0]!.suppressions).toEqual([{ kind: "inSource", justification: "admin-only template editor" }]);
    const notes = log.runs[0]!.invocations![0]!.toolExecutionNotifications ?? [];
    expect(notes.some((n) => n.message.text.includes("no Content-Security-Policy anywhere") && /verify at the edge/.test(n.message.text))).toBe(true);
  });

  it("lists suppressed findings and advisories in the text summary, not as finding blocks", () => {
    const text = renderText(withExtras, rules, { color: false });
    expect(text).not.toMatch(/Location:/);
    expect(text).toMatch(/Suppressed inline \(1\):\n {2}FLASK-SSTI-001 at .*: admin-only template editor/);
    expect(text).toMatch(/Project-level advisories \(not visible in app code; verify at the edge\):\n {2}MEDIUM FLASK-XSS-001/);
  });

  it("counts suppressed findings in JSON without counting them by severity", () => {
    const json = JSON.parse(renderJson(withExtras, rules));
    expect(json.summary.suppressed).toBe(1);
    expect(json.summary.bySeverity.critical).toBe(0);
    expect(json.advisories).toHaveLength(1);
  });
});
