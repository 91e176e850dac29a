// The shared vocabulary of the core. Pure types: no I/O, no Probot, no process state.
//
// Positions: lines are 1-based; columns are 1-based and count UTF-16 code units (what a JS string index
// counts, and what tree-sitter's Node binding reports for a string input). endColumn is exclusive.

export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CONFIDENCES = ["low", "medium", "high"] as const;
/** How sure a match is real (separate from severity, which is the impact if it is). */
export type Confidence = (typeof CONFIDENCES)[number];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export interface Span {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

/**
 * A replacement for whole lines [startLine, endLine] of the file. `replacement` is the new text of those lines
 * (without a trailing newline), already indented like the original. Only `safe` fixes become one-click
 * suggestions; `review` fixes are shown as advice.
 */
export interface Fix {
  safety: "safe" | "review";
  startLine: number;
  endLine: number;
  replacement: string;
  /** One line saying what the fix does, e.g. "pass the value as a bound parameter". */
  description: string;
}

/** One step of a data flow, from the untrusted source to the sink. */
export interface FlowStep {
  line: number;
  startColumn: number;
  endColumn: number;
  /** Short, already-redacted description: "request.args['q']", "assigned to name". */
  label: string;
}

export interface Finding {
  ruleId: string;
  title: string;
  severity: Severity;
  confidence: Confidence;
  /** Path relative to the scan root, with forward slashes. */
  file: string;
  span: Span;
  message: string;
  /** The code of the reported lines, secrets redacted. */
  evidence: string;
  /** The enclosing function / route, e.g. "search() [GET /search]"; empty at module level. */
  context: string;
  fix?: Fix;
  /** Source-to-sink steps of a taint finding (ordered, first is the source). */
  flow?: FlowStep[];
  /** Set by filterToChanged when the finding was moved to an added line of its flow. */
  anchoredFrom?: { line: number; note: string };
  /** Stable identity: rule + path + normalised code of the evidence; independent of the line number. */
  fingerprint: string;
  /** Set when an inline `flask-audit: ignore[RULE] reason` comment covers the finding: kept, shown, never failing. */
  suppressed?: { reason: string; line: number };
}

/**
 * A project-level advisory: something absent from the application code (no CSP anywhere, no TRUSTED_HOSTS) that
 * may be handled at the edge. Reported once per scan in the summary; never inline, never failing a check.
 */
export interface Advisory {
  ruleId: string;
  title: string;
  severity: Severity;
  message: string;
}

/** A file handed to the engine. Content is already decoded text. */
export interface SourceFile {
  path: string;
  content: string;
}

export type FileKind =
  | "python" | "template" | "dockerfile" | "procfile" | "shell" | "compose" | "requirements" | "env" | "systemd" | "other";

/** A file the engine did not (fully) scan, and why; never silently dropped. */
export interface Skipped {
  file: string;
  reason: string;
}

/** A rule that threw: contained by the engine, reported, never fatal. */
export interface RuleError {
  ruleId: string;
  file: string;
  line: number;
  message: string;
}

export interface ScanResult {
  findings: Finding[];
  skipped: Skipped[];
  /** Files parsed with syntax errors: rules ran on the parts that parsed. */
  parseErrors: { file: string; line: number }[];
  ruleErrors: RuleError[];
  filesScanned: number;
  /** Project-level advisories (absent protections), once per scan. */
  advisories?: Advisory[];
}
