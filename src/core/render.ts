// ScanResult -> text (the spec's 2.3 finding format), JSON (a stable, versioned shape) and SARIF 2.1.0 (what GitHub
// code scanning accepts). Pure. Nothing here adds content from the scanned code beyond what the engine already put in
// a finding (evidence and labels are redacted there), so no renderer can echo a secret the engine hid.
import type { Log, ReportingDescriptor, Result, Run, ThreadFlowLocation, Notification } from "sarif";
import type { Rule } from "./define-rule.js";
import type { Advisory, Confidence, Finding, ScanResult, Severity } from "./types.js";
import { SEVERITIES, severityRank } from "./types.js";

// ---------------------------------------------------------------------------------------------------------------
// Shared helpers

/** Findings in reading order: file, then line, then column, then rule id (stable across runs). */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      compareStrings(a.file, b.file) ||
      a.span.startLine - b.span.startLine ||
      a.span.startColumn - b.span.startColumn ||
      compareStrings(a.ruleId, b.ruleId),
  );
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function rulesById(rules: readonly Rule[]): Map<string, Rule> {
  return new Map(rules.map((r) => [r.id, r]));
}

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

function lineRange(start: number, end: number): string {
  return end > start ? `${start}-${end}` : `${start}`;
}

function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n} ${n === 1 ? word : pluralWord}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Text

export interface TextOptions {
  /** ANSI colours (the CLI decides: a TTY, no NO_COLOR, no --no-color). */
  color: boolean;
}

const ANSI = {
  reset: "\u001b[0m",
  bold: "\u001b[1m",
  dim: "\u001b[2m",
  red: "\u001b[31m",
  yellow: "\u001b[33m",
  cyan: "\u001b[36m",
  magenta: "\u001b[35m",
} as const;

const SEVERITY_COLOR: Record<Severity, string> = {
  critical: ANSI.bold + ANSI.magenta,
  high: ANSI.bold + ANSI.red,
  medium: ANSI.yellow,
  low: ANSI.cyan,
};

/**
 * Make scanned-code text safe to print on a terminal: control characters (an ANSI escape in a string literal
 * would otherwise restyle or rewrite the reader's terminal) and bidirectional overrides ("Trojan Source") are shown
 * as visible escapes. Tabs and newlines stay.
 */
export function sanitizeForTerminal(text: string): string {
  return text.replace(
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (ch) => `\\u{${ch.codePointAt(0)!.toString(16)}}`,
  );
}

function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

/**
 * The spec's 2.3 finding format, one block per finding in file/line order, then a summary. Rule ID and severity
 * head each block; Impact, Fix, Mitigation and False-positive notes come from the rule's docs.
 */
export function renderText(result: ScanResult, rules: readonly Rule[], opts: TextOptions): string {
  const paint = (style: string, text: string): string => (opts.color ? `${style}${text}${ANSI.reset}` : text);
  const label = (name: string): string => paint(ANSI.bold, `${name}:`);
  const byId = rulesById(rules);
  const blocks: string[] = [];

  for (const finding of sortFindings(result.findings)) {
    if (finding.suppressed) continue; // listed in the summary with its reason
    const rule = byId.get(finding.ruleId);
    const lines: string[] = [];
    const clean = sanitizeForTerminal;
    const confidence = finding.confidence === "high" ? "" : ` (${finding.confidence} confidence)`;
    lines.push(
      `${paint(SEVERITY_COLOR[finding.severity], finding.severity.toUpperCase())} ${paint(ANSI.bold, finding.ruleId)} ` +
        `${clean(finding.title)}${confidence}`,
    );
    const where = finding.context ? clean(finding.context) : "module level";
    lines.push(
      `  ${label("Location")} ${clean(finding.file)}:${lineRange(finding.span.startLine, finding.span.endLine)} in ${where}`,
    );
    const evidence = splitLines(clean(finding.evidence));
    if (evidence.length === 1) lines.push(`  ${label("Evidence")} ${evidence[0]}`);
    else lines.push(`  ${label("Evidence")}`, ...evidence.map((l) => `      ${l}`));
    lines.push(`  ${label("Message")} ${clean(finding.message)}`);
    if (rule) lines.push(`  ${label("Impact")} ${rule.docs.impact}`);
    if (rule || finding.fix) lines.push(`  ${label("Fix")} ${rule?.docs.fix ?? ""}`.trimEnd());
    if (finding.fix) {
      const { fix } = finding;
      const how = fix.safety === "safe" ? "one-click safe" : "review before applying";
      lines.push(
        `    Suggested change (${how}), line${fix.endLine > fix.startLine ? "s" : ""} ` +
          `${lineRange(fix.startLine, fix.endLine)}: ${clean(fix.description)}`,
        ...splitLines(clean(fix.replacement)).map((l) => paint(ANSI.dim, `      ${l}`)),
      );
    }
    if (rule) {
      lines.push(`  ${label("Mitigation")} ${rule.docs.mitigation}`);
      lines.push(`  ${label("False-positive notes")} ${rule.docs.falsePositives}`);
    }
    if (finding.flow && finding.flow.length > 0) {
      lines.push(`  ${label("Data flow")}`);
      finding.flow.forEach((step, i) => lines.push(`    ${i + 1}. line ${step.line}: ${clean(step.label)}`));
    }
    if (finding.anchoredFrom) {
      lines.push(
        `  ${label("Note")} ${clean(finding.anchoredFrom.note)} (the finding itself is at line ${finding.anchoredFrom.line})`,
      );
    }
    blocks.push(lines.join("\n"));
  }

  blocks.push(renderSummary(result, paint));
  return `${blocks.join("\n\n")}\n`;
}

function renderSummary(result: ScanResult, paint: (style: string, text: string) => string): string {
  const active = result.findings.filter((f) => !f.suppressed);
  const suppressed = result.findings.filter((f) => f.suppressed);
  const counts = countBySeverity(active);
  const total = active.length;
  const bySeverity = [...SEVERITIES]
    .reverse()
    .map((s) => `${counts[s]} ${s}`)
    .join(", ");
  const head =
    total === 0
      ? `No findings in ${plural(result.filesScanned, "file")} scanned`
      : `${plural(total, "finding")} (${bySeverity}) in ${plural(result.filesScanned, "file")} scanned`;
  const tail = [
    plural(result.skipped.length, "file skipped", "files skipped"),
    plural(result.parseErrors.length, "parse error"),
    plural(result.ruleErrors.length, "rule error"),
  ].join(", ");
  const lines = [paint(ANSI.bold, `${head}; ${tail}.`)];

  if (suppressed.length > 0) {
    lines.push(`Suppressed inline (${suppressed.length}):`);
    for (const f of sortFindings(suppressed)) {
      const why = f.suppressed!.reason ? `: ${sanitizeForTerminal(f.suppressed!.reason)}` : " (no reason given)";
      lines.push(`  ${f.ruleId} at ${sanitizeForTerminal(f.file)}:${f.span.startLine}${why}`);
    }
  }
  const advisories = result.advisories ?? [];
  if (advisories.length > 0) {
    lines.push("Project-level advisories (not visible in app code; verify at the edge):");
    for (const a of advisories) lines.push(`  ${a.severity.toUpperCase()} ${a.ruleId} ${a.title}: ${sanitizeForTerminal(a.message)}`);
  }

  if (result.skipped.length > 0) {
    lines.push("Skipped:");
    for (const s of sortedBy(result.skipped, (s) => s.file)) lines.push(`  ${sanitizeForTerminal(s.file)}: ${s.reason}`);
  }
  if (result.parseErrors.length > 0) {
    lines.push("Parse errors (rules ran on the parts that parsed; check these files for syntax errors):");
    for (const p of sortedBy(result.parseErrors, (p) => p.file)) lines.push(`  ${sanitizeForTerminal(p.file)}:${p.line}`);
  }
  if (result.ruleErrors.length > 0) {
    lines.push("Rule errors (a rule failed on these files, so their results may be incomplete; please report this):");
    for (const e of result.ruleErrors) {
      lines.push(`  ${e.ruleId} at ${sanitizeForTerminal(e.file)}:${e.line}: ${sanitizeForTerminal(e.message)}`);
    }
  }
  return lines.join("\n");
}

function sortedBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => compareStrings(key(a), key(b)));
}

// ---------------------------------------------------------------------------------------------------------------
// JSON

/** The version of the JSON report's shape; bump on any incompatible change. */
export const JSON_REPORT_VERSION = 1;

/**
 * `flask-audit --format json`. Stable: keys are only ever added; removing or changing one bumps `version`.
 * Findings are sorted by file, line, column, rule id.
 */
export interface JsonReport {
  version: typeof JSON_REPORT_VERSION;
  findings: JsonFinding[];
  skipped: ScanResult["skipped"];
  parseErrors: ScanResult["parseErrors"];
  ruleErrors: ScanResult["ruleErrors"];
  advisories: Advisory[];
  summary: {
    filesScanned: number;
    findings: number;
    /** Findings covered by an inline `flask-audit: ignore[...]` comment (included in `findings`). */
    suppressed: number;
    bySeverity: Record<Severity, number>;
    skipped: number;
    parseErrors: number;
    ruleErrors: number;
  };
}

/** A Finding (see types.ts) plus the rule's CWE ids, docs link and the 2.3 guidance (impact, fix, ...). */
export interface JsonFinding extends Finding {
  cwe: string[];
  docsUrl: string | null;
  guidance: { impact: string; fix: string; mitigation: string; falsePositives: string } | null;
}

export function toJsonReport(result: ScanResult, rules: readonly Rule[]): JsonReport {
  const byId = rulesById(rules);
  const findings = sortFindings(result.findings).map((f): JsonFinding => {
    const rule = byId.get(f.ruleId);
    // Explicit key order so the output is stable whatever order the engine built the object in.
    return {
      ruleId: f.ruleId,
      title: f.title,
      severity: f.severity,
      confidence: f.confidence,
      file: f.file,
      span: { startLine: f.span.startLine, startColumn: f.span.startColumn, endLine: f.span.endLine, endColumn: f.span.endColumn },
      context: f.context,
      message: f.message,
      evidence: f.evidence,
      ...(f.fix ? { fix: f.fix } : {}),
      ...(f.flow ? { flow: f.flow } : {}),
      ...(f.anchoredFrom ? { anchoredFrom: f.anchoredFrom } : {}),
      ...(f.suppressed ? { suppressed: f.suppressed } : {}),
      fingerprint: f.fingerprint,
      cwe: rule?.cwe ?? [],
      docsUrl: rule?.docsUrl ?? null,
      guidance: rule
        ? {
            impact: rule.docs.impact,
            fix: rule.docs.fix,
            mitigation: rule.docs.mitigation,
            falsePositives: rule.docs.falsePositives,
          }
        : null,
    };
  });
  return {
    version: JSON_REPORT_VERSION,
    findings,
    skipped: sortedBy(result.skipped, (s) => s.file),
    parseErrors: sortedBy(result.parseErrors, (p) => p.file),
    ruleErrors: result.ruleErrors,
    advisories: result.advisories ?? [],
    summary: {
      filesScanned: result.filesScanned,
      findings: findings.length,
      suppressed: findings.filter((f) => f.suppressed).length,
      bySeverity: countBySeverity(result.findings.filter((f) => !f.suppressed)),
      skipped: result.skipped.length,
      parseErrors: result.parseErrors.length,
      ruleErrors: result.ruleErrors.length,
    },
  };
}

export function renderJson(result: ScanResult, rules: readonly Rule[]): string {
  return `${JSON.stringify(toJsonReport(result, rules), null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------------------------
// SARIF

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
export const FINGERPRINT_KEY = "flaskAudit/v1";
const SRCROOT = "%SRCROOT%";

/** GitHub ranks code-scanning alerts by this number (>= 9.0 critical, >= 7.0 high, >= 4.0 medium, else low). */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: "9.0", high: "7.5", medium: "5.0", low: "3.0" };

export function sarifLevel(severity: Severity): Result.level {
  return severityRank(severity) >= severityRank("high") ? "error" : severity === "medium" ? "warning" : "note";
}

const PRECISION: Record<Confidence, string> = { high: "high", medium: "medium", low: "low" };

export interface SarifOptions {
  /** The tool's home page (tool.driver.informationUri); omitted when unknown. */
  informationUri?: string;
  /** Absolute base a rule's relative docsUrl is resolved against for helpUri; helpUri is omitted without it. */
  helpBaseUri?: string;
  /** A file:// URI (ending in "/") of the directory finding paths are relative to. */
  srcRoot?: string;
}

/**
 * SARIF 2.1.0 for GitHub code scanning (upload-sarif): one run, one reportingDescriptor per rule, results with
 * `partialFingerprints` so alerts keep their identity when lines move, codeFlows for taint findings, fixes for
 * fixes, and skipped files / rule errors as tool execution notifications.
 */
export function toSarif(result: ScanResult, rules: readonly Rule[], toolVersion: string, opts: SarifOptions = {}): Log {
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const run: Run = {
    tool: {
      driver: {
        name: "flask-audit",
        version: toolVersion,
        ...(/^\d+\.\d+\.\d+/.test(toolVersion) ? { semanticVersion: toolVersion } : {}),
        ...(opts.informationUri ? { informationUri: opts.informationUri } : {}),
        rules: rules.map((r) => reportingDescriptor(r, opts)),
      },
    },
    originalUriBaseIds: {
      [SRCROOT]: opts.srcRoot
        ? { uri: opts.srcRoot }
        : { description: { text: "The directory flask-audit was run from; result paths are relative to it." } },
    },
    columnKind: "utf16CodeUnits",
    results: sortFindings(result.findings).map((f) => sarifResult(f, ruleIndex.get(f.ruleId))),
    invocations: [
      {
        executionSuccessful: true,
        toolExecutionNotifications: executionNotifications(result, ruleIndex),
      },
    ],
  };
  return { $schema: SARIF_SCHEMA, version: "2.1.0", runs: [run] };
}

function reportingDescriptor(rule: Rule, opts: SarifOptions): ReportingDescriptor {
  const descriptor: ReportingDescriptor = {
    id: rule.id,
    name: pascalCase(rule.title),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.docs.impact },
    defaultConfiguration: { level: sarifLevel(rule.severity) },
    help: { text: helpText(rule), markdown: helpMarkdown(rule) },
    properties: {
      tags: ["security", ...rule.cwe.map((c) => `external/cwe/${c.toLowerCase()}`)],
      "security-severity": SECURITY_SEVERITY[rule.severity],
      precision: PRECISION[rule.confidence],
    },
  };
  if (opts.helpBaseUri) descriptor.helpUri = new URL(rule.docsUrl, opts.helpBaseUri).href;
  return descriptor;
}

function pascalCase(title: string): string {
  return title
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("");
}

function helpText(rule: Rule): string {
  return [
    `${rule.id}: ${rule.title} (severity ${rule.severity}${rule.cwe.length ? `, ${rule.cwe.join(", ")}` : ""})`,
    `Impact: ${rule.docs.impact}`,
    `Fix: ${rule.docs.fix}`,
    `Mitigation: ${rule.docs.mitigation}`,
    `False-positive notes: ${rule.docs.falsePositives}`,
    `Insecure:\n${rule.docs.bad}`,
    `Secure:\n${rule.docs.good}`,
  ].join("\n\n");
}

function helpMarkdown(rule: Rule): string {
  const lang = fenceLanguage(rule);
  return [
    `**${rule.id}: ${rule.title}**`,
    `Severity: ${rule.severity}${rule.cwe.length ? ` · ${rule.cwe.join(", ")}` : ""} · confidence: ${rule.confidence}`,
    `**Impact.** ${rule.docs.impact}`,
    `**Fix.** ${rule.docs.fix}`,
    `**Mitigation.** ${rule.docs.mitigation}`,
    `**False-positive notes.** ${rule.docs.falsePositives}`,
    `Insecure:\n\n${fenced(rule.docs.bad, lang)}`,
    `Secure:\n\n${fenced(rule.docs.good, lang)}`,
  ].join("\n\n");
}

function fenceLanguage(rule: Rule): string {
  const kind = rule.kinds?.[0] ?? "python";
  const languages: Record<string, string> = {
    python: "python",
    template: "jinja",
    dockerfile: "dockerfile",
    shell: "sh",
    compose: "yaml",
    requirements: "text",
    procfile: "text",
  };
  return languages[kind] ?? "text";
}

/** The longest run of backticks in the text (a loop: Math.max(...runs) overflows the stack past ~120k runs). */
export function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const run of text.matchAll(/`+/g)) longest = Math.max(longest, run[0].length);
  return longest;
}

/** A code fence longer than any backtick run inside the code, so the code cannot close it. */
export function fenced(code: string, lang: string): string {
  const longestRun = longestBacktickRun(code);
  const fence = "`".repeat(Math.max(3, longestRun + 1));
  return `${fence}${lang}\n${code}\n${fence}`;
}

/** A relative path as a URI reference: each segment percent-encoded, slashes kept. */
function fileUri(file: string): string {
  return file.replace(/\\/g, "/").split("/").map(encodeURIComponent).join("/");
}

function artifactLocation(file: string): { uri: string; uriBaseId: string } {
  return { uri: fileUri(file), uriBaseId: SRCROOT };
}

function sarifResult(f: Finding, index: number | undefined): Result {
  const result: Result = {
    ruleId: f.ruleId,
    ...(index !== undefined ? { ruleIndex: index } : {}),
    level: sarifLevel(f.severity),
    message: { text: f.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: artifactLocation(f.file),
          region: {
            startLine: f.span.startLine,
            startColumn: f.span.startColumn,
            endLine: f.span.endLine,
            endColumn: f.span.endColumn,
            snippet: { text: f.evidence },
          },
        },
        ...(f.context ? { logicalLocations: [{ name: f.context, kind: "function" }] } : {}),
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
    properties: { severity: f.severity, confidence: f.confidence },
  };
  if (f.suppressed) {
    result.suppressions = [{ kind: "inSource", ...(f.suppressed.reason ? { justification: f.suppressed.reason } : {}) }];
  }
  if (f.flow && f.flow.length > 0) {
    const locations: ThreadFlowLocation[] = f.flow.map((step) => ({
      location: {
        physicalLocation: {
          artifactLocation: artifactLocation(f.file),
          region: { startLine: step.line, startColumn: step.startColumn, endColumn: step.endColumn },
        },
        message: { text: step.label },
      },
    }));
    result.codeFlows = [{ threadFlows: [{ locations }] }];
  }
  if (f.fix) {
    result.fixes = [
      {
        description: { text: f.fix.safety === "safe" ? f.fix.description : `${f.fix.description} (review before applying)` },
        artifactChanges: [
          {
            artifactLocation: artifactLocation(f.file),
            // A region with lines and no columns covers the whole lines (without their line break), which is
            // exactly what Fix.replacement replaces.
            replacements: [
              {
                deletedRegion: { startLine: f.fix.startLine, endLine: f.fix.endLine },
                insertedContent: { text: f.fix.replacement },
              },
            ],
          },
        ],
      },
    ];
  }
  if (f.anchoredFrom) result.properties = { ...result.properties, anchoredFrom: f.anchoredFrom };
  return result;
}

function executionNotifications(result: ScanResult, ruleIndex: Map<string, number>): Notification[] {
  const notes: Notification[] = [];
  for (const a of result.advisories ?? []) {
    const index = ruleIndex.get(a.ruleId);
    notes.push({
      level: "note",
      message: { text: `${a.ruleId} ${a.title}: ${a.message} (project-level advisory: not visible in app code; verify at the edge)` },
      descriptor: { id: "project-advisory" },
      ...(index !== undefined ? { associatedRule: { id: a.ruleId, index } } : {}),
    });
  }
  for (const s of sortedBy(result.skipped, (s) => s.file)) {
    notes.push({
      level: "warning",
      message: { text: `Skipped ${s.file}: ${s.reason}` },
      locations: [{ physicalLocation: { artifactLocation: artifactLocation(s.file) } }],
      descriptor: { id: "skipped-file" },
    });
  }
  for (const p of sortedBy(result.parseErrors, (p) => p.file)) {
    notes.push({
      level: "note",
      message: { text: `Syntax error near line ${p.line} of ${p.file}: rules ran on the parts that parsed.` },
      locations: [{ physicalLocation: { artifactLocation: artifactLocation(p.file), region: { startLine: Math.max(1, p.line) } } }],
      descriptor: { id: "parse-error" },
    });
  }
  for (const e of result.ruleErrors) {
    const index = ruleIndex.get(e.ruleId);
    notes.push({
      level: "error",
      message: { text: `Rule ${e.ruleId} failed on ${e.file}:${e.line}: ${e.message}` },
      locations: [{ physicalLocation: { artifactLocation: artifactLocation(e.file), region: { startLine: Math.max(1, e.line) } } }],
      descriptor: { id: "rule-error" },
      associatedRule: { id: e.ruleId, ...(index !== undefined ? { index } : {}) },
    });
  }
  return notes;
}
