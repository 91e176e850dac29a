// What the GitHub App writes: inline review comment bodies (the spec's 2.3 finding format, a one-click suggestion
// when the planner allows one, a hidden fingerprint marker), the review's own short body, check-run annotations, and
// the check-run title and summary. Pure: strings in, strings out.
//
// Nothing here adds content from the scanned code beyond what the engine already put in a finding (evidence, labels
// and fixes are redacted there), so no body can echo a secret the engine hid. Text that comes from the pull request
// (messages quoting code, paths, suppression reasons) is escaped so it cannot open HTML, links or @-mentions.
//
// Sizes: GitHub rejects a comment body over 65,536 characters and a check-run summary over 65,535. We measure in
// UTF-8 bytes (never fewer than characters), cap each part, and truncate with a note as a last resort, never past
// the limit.
import type { Rule } from "./define-rule.js";
import type { ReviewConfig } from "./config.js";
import { fileKindOf } from "./decode.js";
import { fenced, longestBacktickRun, sortFindings } from "./render.js";
import type { CheckAnnotation, PlannedCheckRun } from "./review-types.js";
import type { Advisory, FileKind, Finding, RuleError, Severity, Skipped } from "./types.js";
import { SEVERITIES, severityRank } from "./types.js";

// ---------------------------------------------------------------------------------------------------------------
// Limits

/** GitHub's limit for a review comment body (characters). */
export const COMMENT_LIMIT = 65_536;
/** GitHub's limit for a check run's output.summary (characters). */
export const SUMMARY_LIMIT = 65_535;
/** Annotation title (characters) and message / raw_details (64 KB) limits. */
export const ANNOTATION_TITLE_LIMIT = 255;
export const ANNOTATION_TEXT_LIMIT = 64 * 1024;

/** What we aim for in a comment: well under the limit, so a reviewer's quote-reply still fits. */
const COMMENT_BUDGET = 60_000;
const MAX_EVIDENCE = 6_000;
const MAX_MESSAGE = 3_000;
const MAX_DOC = 3_000;
const MAX_SUGGESTION = 16_000;
const MAX_PROPOSED = 6_000;
const MAX_FLOW_STEPS = 20;
const MAX_LABEL = 300;

// ---------------------------------------------------------------------------------------------------------------
// Shared vocabulary

const SEVERITY_ICON: Record<Severity, string> = { critical: "🔴", high: "🟠", medium: "🟡", low: "🔵" };
const SEVERITY_LABEL: Record<Severity, string> = { critical: "Critical", high: "High", medium: "Medium", low: "Low" };

export function severityBadge(severity: Severity): string {
  return `${SEVERITY_ICON[severity]} ${SEVERITY_LABEL[severity]}`;
}

/** Most severe first, then reading order (file, line, column, rule). */
export function bySeverityThenLocation(findings: readonly Finding[]): Finding[] {
  const ordered = sortFindings(findings);
  const position = new Map(ordered.map((f, i) => [f, i]));
  return ordered.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || position.get(a)! - position.get(b)!);
}

/** UTF-8 length of a string, without allocating (a lone surrogate counts as the 3 bytes of U+FFFD). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** The longest prefix of `text` within `maxBytes` UTF-8 bytes, never splitting a surrogate pair. */
function prefixWithinBytes(text: string, maxBytes: number): string {
  if (maxBytes <= 0) return "";
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    const size = c < 0x80 ? 1 : c < 0x800 ? 2 : pair ? 4 : 3;
    if (bytes + size > maxBytes) break;
    bytes += size;
    i += pair ? 2 : 1;
  }
  return text.slice(0, i);
}

/** `text` cut to at most `max` UTF-16 units (no split surrogate pair), with what was cut. */
function clip(text: string, max: number): { text: string; cut: number } {
  if (text.length <= max) return { text, cut: 0 };
  let end = max;
  const c = text.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return { text: text.slice(0, end), cut: text.length - end };
}

function clipWithEllipsis(text: string, max: number): string {
  const clipped = clip(text, Math.max(1, max - 1));
  return clipped.cut > 0 ? `${clipped.text}…` : text;
}

/**
 * Text from the pull request (or a rule message quoting it) as inert Markdown on one line: no HTML, no links or
 * images, no emphasis, no table breaks, no @-mentions (a zero-width space after the @). Code spans (a run of
 * backticks closed by a run of the same length) are kept as they are: Markdown renders nothing inside them.
 */
export function escapeMarkdown(text: string): string {
  const flat = text.replace(/\r?\n/g, " ");
  // Backtick runs in one pass; a run opens a code span when a later run has the same length.
  const runs: { start: number; length: number }[] = [];
  for (const match of flat.matchAll(/`+/g)) runs.push({ start: match.index, length: match[0].length });
  const nextSameLength = new Map<number, number>();
  const lastOfLength = new Map<number, number>();
  for (let r = runs.length - 1; r >= 0; r--) {
    const len = runs[r]!.length;
    const later = lastOfLength.get(len);
    if (later !== undefined) nextSameLength.set(r, later);
    lastOfLength.set(len, r);
  }
  let out = "";
  let cursor = 0;
  let r = 0;
  while (r < runs.length) {
    const open = runs[r]!;
    out += escapeProse(flat.slice(cursor, open.start));
    const close = nextSameLength.get(r);
    if (close === undefined) {
      out += "\\`".repeat(open.length);
      cursor = open.start + open.length;
      r++;
      continue;
    }
    const end = runs[close]!.start + open.length;
    out += flat.slice(open.start, end);
    cursor = end;
    r = close + 1;
  }
  return out + escapeProse(flat.slice(cursor));
}

function escapeProse(text: string): string {
  return text
    .replace(/[\\*_[\]<>|~!#]/g, (c) => `\\${c}`)
    .replace(/&/g, "&amp;")
    .replace(/@(?=[A-Za-z0-9_-])/g, "@\u200b");
}

/** A GFM table cell: a pipe splits cells even inside a code span unless escaped. */
function cell(text: string): string {
  return text.replace(/(?<!\\)\|/g, "\\|");
}

/** An inline code span that the text cannot close, on one line. */
export function codeSpan(text: string): string {
  const flat = text.replace(/\r?\n/g, " ");
  const longestRun = longestBacktickRun(flat);
  const ticks = "`".repeat(longestRun + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") || flat === "" ? " " : "";
  return `${ticks}${pad}${flat}${pad}${ticks}`;
}

function lines(start: number, end: number): string {
  return end > start ? `lines ${start}–${end}` : `line ${start}`;
}

function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n} ${n === 1 ? word : pluralWord}`;
}

const FENCE_LANGUAGE: Partial<Record<FileKind, string>> = {
  python: "python",
  template: "jinja",
  dockerfile: "dockerfile",
  shell: "sh",
  compose: "yaml",
  env: "sh",
  systemd: "ini",
};

function languageOf(path: string): string {
  return FENCE_LANGUAGE[fileKindOf(path)] ?? "text";
}

/** The inline suppression comment for a file: Jinja comment syntax in templates, `#` everywhere else. */
export function suppressionComment(path: string, ruleId: string): string {
  const body = `flask-audit: ignore[${ruleId}] <reason>`;
  return fileKindOf(path) === "template" ? `{# ${body} #}` : `# ${body}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Marker

const MARKER_PREFIX = "flask-audit:v1";
// Linear: fixed literals, bounded character classes, no nested quantifiers.
const MARKER = /<!-- flask-audit:v1 fingerprint=([0-9a-f]{1,64}(?::\d{1,6})?) rule=(FLASK-[A-Z]{1,20}-\d{3}) -->/g;

/** The hidden marker that identifies our comment and its finding on later runs. */
export function renderMarker(fingerprint: string, ruleId: string): string {
  return `<!-- ${MARKER_PREFIX} fingerprint=${fingerprint} rule=${ruleId} -->`;
}

/** The fingerprint and rule of our marker in a comment body (the last one, which is ours), or null. */
export function parseMarker(body: string): { fingerprint: string; ruleId: string } | null {
  if (!body.includes(MARKER_PREFIX)) return null;
  let found: { fingerprint: string; ruleId: string } | null = null;
  for (const match of body.matchAll(MARKER)) found = { fingerprint: match[1]!, ruleId: match[2]! };
  return found;
}

// ---------------------------------------------------------------------------------------------------------------
// Inline comment

export interface CommentOptions {
  /**
   * The replacement text of a one-click ```suggestion block. The caller decides when one is allowed (a safe fix
   * whose whole range lies in one hunk) and anchors the comment on exactly the fix's lines.
   */
  suggestion?: string | null;
}

interface Part {
  text: string;
  /** Dropped first (highest number) when a body would still be too long after every part was capped. */
  dropOrder?: number;
}

/**
 * A review comment body in the spec's 2.3 order: headline (severity, rule id, title), Location, Evidence, the
 * message, Impact, Fix (with the suggestion block), data flow, Mitigation and False-positive notes (collapsed), how
 * to suppress it, and the hidden marker last.
 */
export function renderComment(finding: Finding, rule: Rule | undefined, opts: CommentOptions = {}): string {
  const parts: Part[] = [];
  const confidence = finding.confidence === "high" ? "" : ` · ${finding.confidence} confidence`;
  parts.push({
    text: `${SEVERITY_ICON[finding.severity]} **${SEVERITY_LABEL[finding.severity]}** · **${finding.ruleId}** · ${escapeMarkdown(clipWithEllipsis(finding.title, 300))}${confidence}`,
  });

  const where = finding.context ? ` in ${codeSpan(clipWithEllipsis(finding.context, 300))}` : " (module level)";
  const sink = finding.anchoredFrom ? ` (the sink is at line ${finding.anchoredFrom.line})` : "";
  parts.push({ text: `**Location:** ${codeSpan(finding.file)}, ${lines(finding.span.startLine, finding.span.endLine)}${where}${sink}` });

  const evidence = clip(finding.evidence, MAX_EVIDENCE);
  const evidenceNote = evidence.cut > 0 ? `\n\n_Evidence truncated: ${evidence.cut} more characters not shown._` : "";
  parts.push({ text: `**Evidence:**\n\n${fenced(evidence.text, languageOf(finding.file))}${evidenceNote}` });

  parts.push({ text: escapeMarkdown(clipWithEllipsis(finding.message, MAX_MESSAGE)) });

  if (finding.anchoredFrom) {
    parts.push({ text: `> **Note:** ${escapeMarkdown(clipWithEllipsis(finding.anchoredFrom.note, 1_000))}` });
  }
  if (rule?.docs.impact) parts.push({ text: `**Impact:** ${escapeMarkdown(clipWithEllipsis(rule.docs.impact, MAX_DOC))}` });
  parts.push(...fixParts(finding, rule, opts.suggestion ?? null));

  const flow = flowPart(finding);
  if (flow) parts.push({ text: flow, dropOrder: 2 });

  const notes: string[] = [];
  if (rule?.docs.mitigation) notes.push(`**Mitigation:** ${escapeMarkdown(clipWithEllipsis(rule.docs.mitigation, MAX_DOC))}`);
  if (rule?.docs.falsePositives) {
    notes.push(`**False-positive notes:** ${escapeMarkdown(clipWithEllipsis(rule.docs.falsePositives, MAX_DOC))}`);
  }
  if (notes.length > 0) {
    parts.push({ text: `<details><summary>Mitigation and false-positive notes</summary>\n\n${notes.join("\n\n")}\n\n</details>`, dropOrder: 3 });
  }

  const suppressLine = finding.anchoredFrom?.line ?? finding.span.startLine;
  parts.push({
    text:
      `<sub>Not a problem here? Add ${codeSpan(suppressionComment(finding.file, finding.ruleId))} at the end of ` +
      `line ${suppressLine} or on the line above; the finding then stops failing the check.</sub>`,
  });

  return fitComment(parts, renderMarker(finding.fingerprint, finding.ruleId));
}

function fixParts(finding: Finding, rule: Rule | undefined, suggestion: string | null): Part[] {
  const parts: Part[] = [];
  const fix = finding.fix;
  const docsFix = rule?.docs.fix ? escapeMarkdown(clipWithEllipsis(rule.docs.fix, MAX_DOC)) : "";
  const how = fix ? escapeMarkdown(clipWithEllipsis(fix.description, 500)) : "";
  if (docsFix || fix) parts.push({ text: `**Fix:** ${docsFix || how}`.trimEnd() });
  if (suggestion !== null && suggestion.length <= MAX_SUGGESTION) {
    const range = fix ? `, replaces ${lines(fix.startLine, fix.endLine)}` : "";
    parts.push({ text: `**Suggested change** (${how || "one-click fix"}${range}):\n\n${fenced(suggestion, "suggestion")}` });
    return parts;
  }
  if (suggestion !== null) {
    parts.push({ text: "_The suggested change is too long to show here; apply the fix described above._" });
    return parts;
  }
  if (!fix) return parts;
  const why =
    fix.safety === "safe"
      ? "apply by hand: it replaces lines the diff does not show, so GitHub cannot offer it as a one-click suggestion"
      : "review before applying";
  const code = clip(fix.replacement, MAX_PROPOSED);
  const cutNote = code.cut > 0 ? `\n\n_Truncated: ${code.cut} more characters not shown._` : "";
  parts.push({
    text:
      `<details><summary>Proposed change for ${lines(fix.startLine, fix.endLine)} (${why})</summary>\n\n` +
      `${how}\n\n${fenced(code.text, languageOf(finding.file))}${cutNote}\n\n</details>`,
    dropOrder: 1,
  });
  return parts;
}

function flowPart(finding: Finding): string | null {
  const flow = finding.flow;
  if (!flow || flow.length === 0) return null;
  const shown = flow.slice(0, MAX_FLOW_STEPS);
  const steps = shown.map((step, i) => `${i + 1}. line ${step.line}: ${escapeMarkdown(clipWithEllipsis(step.label, MAX_LABEL))}`);
  if (flow.length > shown.length) steps.push(`… ${flow.length - shown.length} more steps`);
  const list = steps.join("\n");
  if (flow.length <= 4) return `**Data flow** (source to sink):\n\n${list}`;
  return `<details><summary>Data flow (${flow.length} steps, source to sink)</summary>\n\n${list}\n\n</details>`;
}

/** Join the parts; if still too long (it should not be: every part is capped), drop optional ones, then cut. */
function fitComment(parts: Part[], marker: string): string {
  const budget = COMMENT_BUDGET - utf8Length(marker) - 2;
  const join = (ps: Part[]): string => ps.map((p) => p.text).join("\n\n");
  let kept = parts;
  let body = join(kept);
  const droppable = [...new Set(parts.map((p) => p.dropOrder).filter((d): d is number => d !== undefined))].sort((a, b) => b - a);
  for (const order of droppable) {
    if (utf8Length(body) <= budget) break;
    kept = kept.filter((p) => p.dropOrder !== order);
    body = join(kept);
  }
  if (utf8Length(body) > budget) {
    const note = "\n\n_Comment truncated to fit GitHub's size limit; the check run has this finding too._";
    body = prefixWithinBytes(body, budget - utf8Length(note)) + note;
  }
  return `${body}\n\n${marker}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Check-run annotations

const ANNOTATION_LEVEL: Record<Severity, CheckAnnotation["annotation_level"]> = {
  critical: "failure",
  high: "failure",
  medium: "warning",
  low: "notice",
};

/** A check-run annotation for a finding that has no inline comment in this review; `reason` says why. */
export function renderAnnotation(finding: Finding, rule: Rule | undefined, reason: string): CheckAnnotation {
  const title = clipWithEllipsis(`${SEVERITY_LABEL[finding.severity]} · ${finding.ruleId}: ${finding.title}`, ANNOTATION_TITLE_LIMIT);
  const where = finding.context ? ` (in ${finding.context})` : "";
  const text = [
    `${finding.message}${where}`,
    finding.anchoredFrom ? `Note: ${finding.anchoredFrom.note}` : "",
    `Evidence:\n${clip(finding.evidence, MAX_EVIDENCE).text}`,
    rule?.docs.fix ? `Fix: ${rule.docs.fix}` : finding.fix ? `Fix: ${finding.fix.description}` : "",
    `Not an inline comment: ${reason}.`,
    `To suppress: ${suppressionComment(finding.file, finding.ruleId)} on the line or the line above.`,
  ].filter(Boolean);
  const annotation: CheckAnnotation = {
    path: finding.file,
    start_line: finding.span.startLine,
    end_line: Math.max(finding.span.endLine, finding.span.startLine),
    annotation_level: ANNOTATION_LEVEL[finding.severity],
    title,
    message: withinBytes(text.join("\n\n"), ANNOTATION_TEXT_LIMIT - 1_024),
  };
  if (finding.fix) {
    const fix = finding.fix;
    const safety = fix.safety === "safe" ? "safe" : "review before applying";
    annotation.raw_details = withinBytes(
      `Proposed change for ${lines(fix.startLine, fix.endLine)} (${safety}): ${fix.description}\n\n${fix.replacement}`,
      ANNOTATION_TEXT_LIMIT - 1_024,
    );
  }
  return annotation;
}

function withinBytes(text: string, maxBytes: number): string {
  if (utf8Length(text) <= maxBytes) return text;
  const note = "\n… (truncated)";
  return prefixWithinBytes(text, maxBytes - utf8Length(note)) + note;
}

// ---------------------------------------------------------------------------------------------------------------
// Review body, check-run title and summary

/** Where a finding on a changed line ended up, for the summary. */
export type Placement =
  | { kind: "inline"; suggestion: boolean }
  /** An earlier review already commented on this fingerprint (thread resolved or not): not posted again. */
  | { kind: "earlier"; threadResolved: boolean }
  | { kind: "annotation"; reason: string }
  /** Not inline, and past the annotation cap too: only this summary lists it. */
  | { kind: "summary-only"; reason: string }
  | { kind: "suppressed" };

export interface PlacedFinding {
  finding: Finding;
  placement: Placement;
  /** Counts towards a failing conclusion (not suppressed, not low confidence, at or above fail_on). */
  gating: boolean;
}

export interface ReviewBodyInput {
  /** Findings commented inline in this review. */
  inline: readonly Finding[];
  /** New findings of this run that went to the check run instead (past the cap, outside the diff). */
  elsewhere: number;
  /** The check run's name, as shown in the pull request's checks. */
  checkName?: string;
}

/** The review's own body: short, the counts, and where the rest is. */
export function renderReviewBody(input: ReviewBodyInput): string {
  const check = `**${input.checkName ?? "flask-audit"}** check run`;
  const counts = severityCounts(input.inline);
  const head =
    input.inline.length > 0
      ? `**flask-audit** left ${plural(input.inline.length, "comment")} on lines this pull request changes (${counts}).`
      : "**flask-audit** has no new inline comments for this push.";
  const rest =
    input.elsewhere > 0
      ? ` ${plural(input.elsewhere, "more finding")} could not be commented inline and ${input.elsewhere === 1 ? "is" : "are"} in the check run's annotations.`
      : "";
  return `${head}${rest} The ${check} has the full summary and decides whether this pull request passes.`;
}

function severityCounts(findings: readonly Finding[]): string {
  const counts = countSeverities(findings);
  return [...SEVERITIES]
    .reverse()
    .filter((s) => counts[s] > 0)
    .map((s) => `${counts[s]} ${s}`)
    .join(", ");
}

function countSeverities(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

export interface CheckTitleInput {
  placed: readonly PlacedFinding[];
  advisories: readonly Advisory[];
  filesScanned: number;
}

/** "3 findings (1 critical, 2 high)", "No security findings in 12 changed files", ... */
export function renderCheckTitle(input: CheckTitleInput): string {
  const active = input.placed.filter((p) => p.placement.kind !== "suppressed").map((p) => p.finding);
  const suppressed = input.placed.length - active.length;
  const suppressedNote = suppressed > 0 ? ` (${suppressed} suppressed)` : "";
  if (active.length > 0) return `${plural(active.length, "finding")} (${severityCounts(active)})${suppressedNote}`;
  if (input.advisories.length > 0) {
    return `No findings on changed lines; ${plural(input.advisories.length, "project advisory", "project advisories")}${suppressedNote}`;
  }
  if (input.filesScanned === 0) return `No changed files to scan${suppressedNote}`;
  return `No security findings in ${plural(input.filesScanned, "changed file")}${suppressedNote}`;
}

export interface CheckSummaryInput {
  headSha: string;
  conclusion: PlannedCheckRun["conclusion"];
  config: Pick<ReviewConfig, "fail_on">;
  /** Every finding on a changed line, with where it went. */
  placed: readonly PlacedFinding[];
  advisories: readonly Advisory[];
  filesScanned: number;
  /** Files GitHub sent without a patch (binary or too large diff): scanned whole, every line counted as added. */
  scannedWhole: readonly string[];
  /** Files not scanned, with the reason. */
  skipped: readonly Skipped[];
  parseErrors: readonly { file: string; line: number }[];
  ruleErrors: readonly RuleError[];
  /** Earlier threads this run resolves (their finding is gone). */
  resolved: number;
  /** `pulls.listFiles` stopped at 3000 files. */
  truncatedFileList: boolean;
}

const MAX_TABLE_ROWS = 200;
const MAX_LIST_ITEMS = 50;

/** The check run's summary Markdown, within 65,535 characters (truncated with a note, never past it). */
export function renderCheckSummary(input: CheckSummaryInput): string {
  const sections: string[] = [];
  const active = input.placed.filter((p) => p.placement.kind !== "suppressed");
  const suppressed = input.placed.filter((p) => p.placement.kind === "suppressed");
  const gating = input.placed.filter((p) => p.gating).length;
  const sha = input.headSha.slice(0, 7);

  sections.push(`## flask-audit: ${renderCheckTitle({ placed: input.placed, advisories: input.advisories, filesScanned: input.filesScanned })}`);
  sections.push(gateSentence(input, gating, active.length));

  if (input.truncatedFileList) {
    sections.push(
      "> ⚠️ **Incomplete:** GitHub lists at most 3000 files of a pull request and this one has more, so files past " +
        "the first 3000 were not scanned. Split the pull request, or run the `flask-audit` CLI on the branch.",
    );
  }

  if (active.length > 0) {
    const counts = countSeverities(active.map((p) => p.finding));
    const severityRows = [...SEVERITIES].reverse().map((s) => `| ${severityBadge(s)} | ${counts[s]} |`);
    sections.push(["| Severity | Findings |", "|---|---:|", ...severityRows].join("\n"));
    sections.push(byRuleTable(active.map((p) => p.finding)));
    sections.push(findingsTable(active));
  }

  if (input.advisories.length > 0) {
    const items = [...input.advisories]
      .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0))
      .map((a) => `- ${severityBadge(a.severity)} · **${a.ruleId}** · ${escapeMarkdown(a.title)}: ${escapeMarkdown(clipWithEllipsis(a.message, 1_000))}`);
    sections.push(
      `### Project-level advisories (not visible in app code; verify at the edge)\n\n` +
        `Protections absent from the application code that a proxy, CDN or WAF may provide. They never fail the check.\n\n` +
        items.join("\n"),
    );
  }

  if (suppressed.length > 0) {
    const items = bySeverityThenLocation(suppressed.map((p) => p.finding)).map((f) => {
      const reason = f.suppressed?.reason ? `: ${escapeMarkdown(clipWithEllipsis(f.suppressed.reason, 300))}` : " (no reason given)";
      return `- **${f.ruleId}** at ${codeSpan(`${f.file}:${f.span.startLine}`)}${reason}`;
    });
    sections.push(`### Suppressed (${suppressed.length})\n\nCovered by a \`flask-audit: ignore[...]\` comment: shown here, never inline, never failing.\n\n${capList(items)}`);
  }

  if (input.scannedWhole.length > 0) {
    const items = [...input.scannedWhole].sort().map((p) => `- ${codeSpan(p)}`);
    sections.push(
      `### Scanned whole (${input.scannedWhole.length})\n\nGitHub sent no diff for these files (binary or too large to display), so every ` +
        `line was treated as changed and their findings are annotations, not inline comments.\n\n${capList(items)}`,
    );
  }

  if (input.skipped.length > 0) sections.push(skippedSection(input.skipped));

  if (input.parseErrors.length > 0) {
    const items = [...input.parseErrors].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)).map((p) => `- ${codeSpan(`${p.file}:${p.line}`)}`);
    sections.push(`### Syntax errors (${input.parseErrors.length})\n\nRules ran on the parts that parsed; check these files for syntax errors.\n\n${capList(items)}`);
  }
  if (input.ruleErrors.length > 0) {
    const items = input.ruleErrors.map((e) => `- **${e.ruleId}** on ${codeSpan(`${e.file}:${e.line}`)}: ${escapeMarkdown(clipWithEllipsis(e.message, 300))}`);
    sections.push(`### Rule errors (${input.ruleErrors.length})\n\nA rule failed on these files, so their results may be incomplete; please report this.\n\n${capList(items)}`);
  }

  if (input.resolved > 0) {
    sections.push(`${plural(input.resolved, "earlier comment")} resolved: the finding is gone (or suppressed) at ${sha}.`);
  }

  sections.push(
    `<sub>flask-audit at ${sha} · fails on: ${input.config.fail_on} · suppress a finding with ` +
      "`# flask-audit: ignore[RULE-ID] reason` on its line or the line above · configure in `.github/flask-audit.yml`</sub>",
  );
  return fitSummary(sections);
}

function gateSentence(input: CheckSummaryInput, gating: number, active: number): string {
  const failOn = input.config.fail_on;
  const rule = failOn === "none" ? "`fail_on: none`: this check never fails" : `the check fails on findings at or above **${failOn}** (\`fail_on: ${failOn}\`)`;
  if (input.conclusion === "failure") {
    return `❌ **Failing:** ${plural(gating, "finding")} at or above **${failOn}**. Low-confidence and suppressed findings never fail the check.`;
  }
  if (active > 0) return `⚪ **Not failing:** ${rule}; nothing here reaches it, but ${plural(active, "finding")} ${active === 1 ? "is" : "are"} worth a look.`;
  if (input.advisories.length > 0) return `⚪ **Not failing:** no findings on the changed lines; only project-level advisories below.`;
  if (input.conclusion === "neutral") return "⚪ **Not failing:** no findings, but the scan was incomplete (see below).";
  return "✅ **Passing:** no findings on the lines this pull request changes.";
}

function byRuleTable(findings: readonly Finding[]): string {
  const byRule = new Map<string, { title: string; count: number; worst: Severity }>();
  for (const f of findings) {
    const entry = byRule.get(f.ruleId) ?? { title: f.title, count: 0, worst: f.severity };
    entry.count++;
    if (severityRank(f.severity) > severityRank(entry.worst)) entry.worst = f.severity;
    byRule.set(f.ruleId, entry);
  }
  const rows = [...byRule.entries()]
    .sort(([a, x], [b, y]) => severityRank(y.worst) - severityRank(x.worst) || y.count - x.count || (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, e]) => `| **${id}** | ${cell(escapeMarkdown(clipWithEllipsis(e.title, 200)))} | ${severityBadge(e.worst)} | ${e.count} |`);
  return ["| Rule | Title | Highest | Findings |", "|---|---|---|---:|", ...rows].join("\n");
}

function placementText(placement: Placement): string {
  switch (placement.kind) {
    case "inline":
      return placement.suggestion ? "inline comment, with a one-click suggestion" : "inline comment";
    case "earlier":
      return placement.threadResolved ? "commented in an earlier review (thread resolved)" : "commented in an earlier review";
    case "annotation":
      return `annotation: ${escapeMarkdown(placement.reason)}`;
    case "summary-only":
      return `listed here only: ${escapeMarkdown(placement.reason)}`;
    case "suppressed":
      return "suppressed";
  }
}

/** Within a severity, what is visible nowhere else comes first: the table is its only place. */
const VISIBILITY_ORDER: Record<Placement["kind"], number> = { "summary-only": 0, annotation: 1, earlier: 2, inline: 3, suppressed: 4 };

function findingsTable(placed: readonly PlacedFinding[]): string {
  const placementOf = new Map(placed.map((p) => [p.finding, p.placement]));
  const position = new Map(bySeverityThenLocation(placed.map((p) => p.finding)).map((f, i) => [f, i]));
  const ordered = [...position.keys()].sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      VISIBILITY_ORDER[placementOf.get(a)!.kind] - VISIBILITY_ORDER[placementOf.get(b)!.kind] ||
      position.get(a)! - position.get(b)!,
  );
  const shown = ordered.slice(0, MAX_TABLE_ROWS);
  const rows = shown.map((f) => {
    const where = codeSpan(`${f.file}:${f.span.endLine > f.span.startLine ? `${f.span.startLine}-${f.span.endLine}` : f.span.startLine}`);
    const confidence = f.confidence === "high" ? "" : ` (${f.confidence} confidence)`;
    return `| ${severityBadge(f.severity)}${confidence} | **${f.ruleId}** | ${cell(where)} | ${cell(placementText(placementOf.get(f)!))} |`;
  });
  const more = ordered.length > shown.length ? `\n\n… and ${ordered.length - shown.length} more findings, most of them in the annotations.` : "";
  return `### Findings on changed lines\n\n| Severity | Rule | Location | Posted as |\n|---|---|---|---|\n${rows.join("\n")}${more}`;
}

function skippedSection(skipped: readonly Skipped[]): string {
  const byReason = new Map<string, string[]>();
  for (const s of skipped) byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), s.file]);
  const groups = [...byReason.entries()]
    .sort(([a, x], [b, y]) => y.length - x.length || (a < b ? -1 : a > b ? 1 : 0))
    .map(([reason, files]) => {
      const sorted = [...files].sort();
      const shown = sorted.slice(0, MAX_LIST_ITEMS).map(codeSpan).join(", ");
      const more = sorted.length > MAX_LIST_ITEMS ? ` and ${sorted.length - MAX_LIST_ITEMS} more` : "";
      return `- ${escapeMarkdown(clipWithEllipsis(reason, 300))} (${sorted.length}): ${shown}${more}`;
    });
  return `### Not scanned (${skipped.length})\n\n${groups.slice(0, MAX_LIST_ITEMS).join("\n")}${groups.length > MAX_LIST_ITEMS ? `\n- … and ${groups.length - MAX_LIST_ITEMS} more reasons` : ""}`;
}

function capList(items: readonly string[]): string {
  const shown = items.slice(0, MAX_LIST_ITEMS);
  return shown.join("\n") + (items.length > shown.length ? `\n- … and ${items.length - shown.length} more` : "");
}

/**
 * Join the sections; past the limit, keep whole sections while they fit, cut the first that does not at a line
 * boundary (the summary has no fences or HTML blocks a cut could leave open), and say so.
 */
function fitSummary(sections: string[]): string {
  const whole = sections.join("\n\n");
  if (utf8Length(whole) <= SUMMARY_LIMIT) return whole;
  const note = (hidden: number): string =>
    `\n\n_Summary truncated to fit GitHub's 65,535-character limit: ${plural(hidden, "line")} not shown. ` +
    "Run the `flask-audit` CLI on the branch for the full report._";
  const budget = SUMMARY_LIMIT - utf8Length(note(Number.MAX_SAFE_INTEGER));
  const allLines = whole.split("\n");
  let used = 0;
  let kept = 0;
  for (const line of allLines) {
    const size = utf8Length(line) + (kept > 0 ? 1 : 0);
    if (used + size > budget) break;
    used += size;
    kept++;
  }
  let text = allLines.slice(0, kept).join("\n");
  if (kept === 0) text = prefixWithinBytes(whole, budget); // a single enormous first line
  return text + note(allLines.length - kept);
}
