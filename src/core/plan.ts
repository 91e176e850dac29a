// planReview(input) -> ReviewPlan: select files -> facts -> scan -> keep findings on changed lines -> dedupe against
// our earlier comments -> place (inline comment, annotation, summary) -> render. Pure and deterministic: the GitHub
// layer gathers ReviewInput and applies the plan; everything decided here is testable with plain objects.
//
// Placement (what GitHub accepts, decided before we ask it):
// - A finding goes inline only when all its lines [span.startLine, span.endLine] are RIGHT-side lines of ONE hunk
//   of its file's patch. A file GitHub sent without a patch (binary or too large diff) is scanned whole, every line
//   counted as added, and its findings can only be annotations.
// - The ```suggestion block is offered only for a `safe` fix whose whole replaced range [fix.startLine, fix.endLine]
//   lies in one hunk and overlaps the finding: the comment then spans exactly the fix's lines (GitHub applies a
//   suggestion to the commented lines). Otherwise the comment sits on the finding's first line, with the fix in prose.
// - Suppressed findings are never inline (the summary counts them). A finding whose fingerprint one of our earlier
//   comments carries (resolved or not: a thread someone resolved is an answer, not an invitation to repost) is not
//   posted again and gets no annotation; it still counts for the conclusion.
// - At most `max_inline_comments` new comments, most severe first, then file/line order; the rest become check-run
//   annotations (at most MAX_ANNOTATIONS) with the reason in the summary.
//
// Conclusion:
// - `failure`: a finding on a changed line, not suppressed, not low-confidence, at or above `fail_on`
//   (`fail_on: none` never fails). Findings commented earlier still count: the check reflects the head, not the news.
// - `neutral`: nothing fails, but there is something to read: findings below the threshold or low-confidence,
//   project-level advisories, or an incomplete scan (syntax errors, rule errors, a file over the per-file time
//   budget, a file list GitHub truncated).
// - `success`: none of that (suppressed findings alone still pass: someone accepted them explicitly).
import { configuredSeverity, pathSelected, type ReviewConfig } from "./config.js";
import type { Rule } from "./define-rule.js";
import { parseFilePatch, type ChangedLines, type FileChange } from "./diff.js";
import { fingerprintOf, projectAdvisories, scanAnyFile, type FileScan, type ScanOptions } from "./engine.js";
import { filterToChanged } from "./filter.js";
import { collectProjectFacts } from "./project.js";
import { sortFindings } from "./render.js";
import {
  bySeverityThenLocation,
  escapeMarkdown,
  renderAnnotation,
  renderCheckSummary,
  renderCheckTitle,
  renderComment,
  renderReviewBody,
  type PlacedFinding,
  type Placement,
} from "./comment.js";
import type { CheckAnnotation, PlannedCheckRun, PlannedComment, PriorComment, PullFile, ReviewInput, ReviewPlan } from "./review-types.js";
import type { Advisory, Finding, RuleError, ScanResult, Skipped, SourceFile } from "./types.js";
import { severityRank } from "./types.js";

/** Annotations per check run: past this, findings are only listed in the summary (20 update calls of 50). */
export const MAX_ANNOTATIONS = 1000;

/** A pull-request file the planner scans. */
interface ScannedFile {
  path: string;
  previousPath?: string;
  content: string;
  /** The parsed patch, or null when GitHub sent none. */
  change: FileChange | null;
  /** New-side lines the pull request adds (every line when the file is scanned whole). */
  addedLines: Set<number>;
}

interface FileSelection {
  toScan: ScannedFile[];
  skipped: Skipped[];
  removed: Set<string>;
  scannedWhole: string[];
}

/** Where an inline comment goes, or why it cannot. */
type Anchor = { line: number; startLine?: number; suggestion: string | null } | { reason: string };

/** What planReview scans, and with what: the files it selects, the rules the config leaves on, the application facts. */
export interface ScanWork {
  files: SourceFile[];
  options: ScanOptions;
}

/**
 * The scanning planReview does, as data: a caller that scans elsewhere (other threads, a cache of earlier results)
 * scans `files` with `options` through scanAnyFile and hands the results to planReview, which then scans nothing.
 */
export function scanWorkOf(input: ReviewInput): ScanWork {
  return scanWorkFor(input, selectFiles(input));
}

/** The rules the config leaves on, in their order: what every file is scanned with. */
export function activeRules(config: ReviewConfig, rules: readonly Rule[]): Rule[] {
  return rules.filter((rule) => configuredSeverity(config, rule.id, rule.severity) !== null);
}

function scanWorkFor(input: ReviewInput, selection: FileSelection): ScanWork {
  const rules = activeRules(input.config, input.rules);
  const project = collectProjectFacts(factSources(input, selection.removed));
  return { files: selection.toScan.map((f) => ({ path: f.path, content: f.content })), options: { rules, project } };
}

/** Results of scanAnyFile for the files of `work`, by path (made with `work.options`). */
export interface ScannedWork {
  work: ScanWork;
  results: ReadonlyMap<string, FileScan | null>;
}

/** `prescanned`: the results of scanWorkOf(input)'s work, scanned by the caller; a file without a result is scanned here. */
export function planReview(input: ReviewInput, prescanned?: ScannedWork): ReviewPlan {
  const { config } = input;
  const ruleById = new Map(input.rules.map((rule) => [rule.id, rule]));
  const selection = selectFiles(input);
  const { rules, project } = (prescanned?.work ?? scanWorkFor(input, selection)).options;

  // --- scan -------------------------------------------------------------------------------------------------------
  const allFindings: Finding[] = [];
  const parseErrors: ScanResult["parseErrors"] = [];
  const ruleErrors: RuleError[] = [];
  const skipped = [...selection.skipped];
  const scanned: ScannedFile[] = [];
  const incomplete = new Set<string>();
  for (const file of selection.toScan) {
    const scan: FileScan | null = prescanned?.results.has(file.path)
      ? (prescanned.results.get(file.path) ?? null)
      : scanAnyFile({ path: file.path, content: file.content }, { rules, project });
    if (!scan) {
      skipped.push({ file: file.path, reason: "no flask-audit rule reads this kind of file" });
      continue;
    }
    // not (fully) scanned (past the per-file time budget, or a source the parser cannot take): listed as skipped;
    // a file stopped part-way still counts the findings it had
    if (scan.skipped) skipped.push(scan.skipped);
    if (scan.skipped && !scan.partial) {
      incomplete.add(file.path);
      continue;
    }
    scanned.push(file);
    for (const finding of scan.findings) {
      const configured = withConfiguredSeverity(finding, config);
      if (configured) allFindings.push(configured);
    }
    for (const error of scan.ruleErrors) ruleErrors.push(error); // not push(...): see scanFiles
    if (scan.parseErrorLine > 0) parseErrors.push({ file: file.path, line: scan.parseErrorLine });
    if (scan.parseErrorLine > 0 || scan.ruleErrors.length > 0 || scan.skipped) incomplete.add(file.path);
  }
  const advisories = projectAdvisories({ rules, project }).flatMap((a): Advisory[] => {
    const severity = configuredSeverity(config, a.ruleId, a.severity);
    return severity ? [{ ...a, severity }] : [];
  });
  const scannedPaths = new Set(scanned.map((f) => f.path));
  const scannedWhole = selection.scannedWhole.filter((path) => scannedPaths.has(path));

  const changedLines: ChangedLines = new Map(scanned.map((f) => [f.path, f.addedLines]));
  const findings = sortFindings(filterToChanged(allFindings, changedLines));
  const fileByPath = new Map(scanned.map((f) => [f.path, f]));

  // --- dedupe against our earlier comments, then place -------------------------------------------------------------
  const priorByFingerprint = new Map<string, PriorComment[]>();
  for (const prior of input.priorComments) {
    priorByFingerprint.set(prior.fingerprint, [...(priorByFingerprint.get(prior.fingerprint) ?? []), prior]);
  }
  const placement = new Map<Finding, Placement>();
  const inlineCandidates: { finding: Finding; anchor: Extract<Anchor, { line: number }> }[] = [];
  const notInline: { finding: Finding; reason: string }[] = [];
  for (const finding of findings) {
    if (finding.suppressed) {
      placement.set(finding, { kind: "suppressed" });
      continue;
    }
    const file = fileByPath.get(finding.file);
    const earlier = aliasesOf(finding, file?.previousPath).flatMap((fp) => priorByFingerprint.get(fp) ?? []);
    if (earlier.length > 0) {
      placement.set(finding, { kind: "earlier", threadResolved: earlier.every((p) => p.isResolved) });
      continue;
    }
    const anchor = anchorOf(finding, file?.change ?? null);
    if ("reason" in anchor) notInline.push({ finding, reason: anchor.reason });
    else inlineCandidates.push({ finding, anchor });
  }

  const cap = config.max_inline_comments;
  const bySeverity = bySeverityThenLocation(inlineCandidates.map((c) => c.finding));
  const chosen = new Set(bySeverity.slice(0, cap));
  const comments: PlannedComment[] = [];
  for (const { finding, anchor } of inlineCandidates) {
    if (!chosen.has(finding)) {
      notInline.push({ finding, reason: `over the limit of ${cap} inline comments per review (max_inline_comments)` });
      continue;
    }
    const comment: PlannedComment = {
      path: finding.file,
      line: anchor.line,
      body: renderComment(finding, ruleById.get(finding.ruleId), { suggestion: anchor.suggestion }),
      fingerprint: finding.fingerprint,
    };
    if (anchor.startLine !== undefined) comment.startLine = anchor.startLine;
    comments.push(comment);
    placement.set(finding, { kind: "inline", suggestion: anchor.suggestion !== null });
  }

  const reasonOf = new Map(notInline.map((n) => [n.finding, n.reason]));
  const annotations: CheckAnnotation[] = [];
  for (const finding of bySeverityThenLocation(notInline.map((n) => n.finding))) {
    const reason = reasonOf.get(finding)!;
    if (annotations.length >= MAX_ANNOTATIONS) {
      placement.set(finding, { kind: "summary-only", reason: `${reason}; past the ${MAX_ANNOTATIONS}-annotation limit` });
      continue;
    }
    annotations.push(renderAnnotation(finding, ruleById.get(finding.ruleId), reason));
    placement.set(finding, { kind: "annotation", reason });
  }

  // --- earlier threads whose finding is gone ------------------------------------------------------------------------
  const resolved = resolvedThreads(input, {
    allFindings,
    scanned,
    incomplete,
    removed: selection.removed,
    activeRuleIds: new Set(rules.map((r) => r.id)),
  });

  // --- check run --------------------------------------------------------------------------------------------------
  const placed: PlacedFinding[] = findings.map((finding) => ({
    finding,
    placement: placement.get(finding)!,
    gating: isGating(finding, config),
  }));
  const active = placed.filter((p) => p.placement.kind !== "suppressed");
  const incompleteScan = incomplete.size > 0 || input.truncatedFileList === true;
  const conclusion: PlannedCheckRun["conclusion"] = placed.some((p) => p.gating)
    ? "failure"
    : active.length > 0 || advisories.length > 0 || incompleteScan
      ? "neutral"
      : "success";
  const summary = renderCheckSummary({
    headSha: input.headSha,
    conclusion,
    config,
    placed,
    advisories,
    filesScanned: scanned.length,
    scannedWhole,
    skipped,
    parseErrors,
    ruleErrors,
    resolved: resolved.length,
    truncatedFileList: input.truncatedFileList === true,
  });

  const inlineFindings = placed.filter((p) => p.placement.kind === "inline").map((p) => p.finding);
  const elsewhere = placed.filter((p) => p.placement.kind === "annotation" || p.placement.kind === "summary-only").length;
  return {
    comments: sortComments(comments),
    reviewBody: renderReviewBody({ inline: inlineFindings, elsewhere }),
    resolved,
    checkRun: {
      conclusion,
      title: renderCheckTitle({ placed, advisories, filesScanned: scanned.length }),
      summary,
      annotations,
    },
    findings,
    scan: {
      findings: sortFindings(allFindings),
      skipped,
      parseErrors,
      ruleErrors,
      filesScanned: scanned.length,
      advisories,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Files

function diffStatus(status: PullFile["status"]): FileChange["status"] {
  if (status === "added" || status === "renamed" || status === "removed") return status;
  return "modified";
}

/** A rename (or copy) GitHub reports without any content change. */
function renameOnly(file: PullFile): boolean {
  if (file.status !== "renamed") return false;
  if (file.patch === undefined) return (file.additions ?? 0) === 0;
  return file.patch.trim() === "";
}

/** Which files to scan and what counts as changed in each; the rest is skipped with a reason, never silently. */
function selectFiles(input: ReviewInput): FileSelection {
  const selection: FileSelection = { toScan: [], skipped: [], removed: new Set(), scannedWhole: [] };
  for (const file of input.files) {
    if (file.status === "removed") {
      selection.removed.add(file.path);
      continue;
    }
    if (file.status === "unchanged") {
      selection.skipped.push({ file: file.path, reason: "unchanged in this pull request" });
      continue;
    }
    if (renameOnly(file)) {
      selection.skipped.push({ file: file.path, reason: "renamed without content changes" });
      continue;
    }
    if (!pathSelected(input.config, file.path)) {
      selection.skipped.push({ file: file.path, reason: "excluded by `paths` in .github/flask-audit.yml" });
      continue;
    }
    if (file.content === undefined) {
      selection.skipped.push({ file: file.path, reason: file.skippedReason ?? "content not available at the head commit" });
      continue;
    }
    const scanned: ScannedFile = { path: file.path, content: file.content, change: null, addedLines: new Set() };
    if (file.previousPath !== undefined && file.previousPath !== file.path) scanned.previousPath = file.previousPath;
    if (file.patch !== undefined) {
      scanned.change = parseFilePatch(file.path, file.patch, diffStatus(file.status));
      scanned.addedLines = scanned.change.addedLines;
    } else if (file.additions !== 0) {
      // No patch: binary or too large a diff. GitHub does not say which lines changed, so all of them count.
      const lineCount = file.content.split("\n").length;
      for (let line = 1; line <= lineCount; line++) scanned.addedLines.add(line);
      selection.scannedWhole.push(file.path);
    }
    selection.toScan.push(scanned);
  }
  return selection;
}

/** Repository facts come from the fact files and every pull-request file we have at the head (which wins). */
function factSources(input: ReviewInput, removed: Set<string>) {
  const sources = new Map<string, string>();
  for (const file of input.factFiles) if (!removed.has(file.path)) sources.set(file.path, file.content);
  for (const file of input.files) {
    if (file.status !== "removed" && file.content !== undefined) sources.set(file.path, file.content);
  }
  return [...sources].map(([path, content]) => ({ path, content }));
}

// ---------------------------------------------------------------------------------------------------------------
// Findings

function withConfiguredSeverity(finding: Finding, config: ReviewConfig): Finding | null {
  const severity = configuredSeverity(config, finding.ruleId, finding.severity);
  if (severity === null) return null;
  return severity === finding.severity ? finding : { ...finding, severity };
}

function isGating(finding: Finding, config: ReviewConfig): boolean {
  if (finding.suppressed || finding.confidence === "low" || config.fail_on === "none") return false;
  return severityRank(finding.severity) >= severityRank(config.fail_on);
}

const SUPPRESSION_COMMENT = /[ \t]*(?:\{#|#)[ \t]*flask-audit:[ \t]*ignore\[[^\]\n]{0,200}\][^\n]*/g;

/**
 * The fingerprints a finding may carry in our earlier comments: its own; the one under the file's previous path (a
 * renamed file); and, for a suppressed finding, the one its code had before the `flask-audit: ignore` comment was
 * appended to the line (the marker is part of the evidence).
 */
function aliasesOf(finding: Finding, previousPath: string | undefined): string[] {
  const suffix = /:\d+$/.exec(finding.fingerprint)?.[0] ?? "";
  const evidences = [finding.evidence];
  if (finding.suppressed) {
    const bare = finding.evidence.replace(SUPPRESSION_COMMENT, "");
    if (bare !== finding.evidence) evidences.push(bare);
  }
  const aliases = new Set([finding.fingerprint]);
  for (const evidence of evidences) {
    aliases.add(fingerprintOf(finding.ruleId, finding.file, evidence) + suffix);
    if (previousPath) aliases.add(fingerprintOf(finding.ruleId, previousPath, evidence) + suffix);
  }
  return [...aliases];
}

function anchorOf(finding: Finding, change: FileChange | null): Anchor {
  if (!change) return { reason: "GitHub sent no diff for this file (binary or too large to display)" };
  const start = finding.span.startLine;
  const end = Math.max(finding.span.endLine, start);
  if (!withinOneHunk(change, start, end)) {
    return {
      reason:
        start === end
          ? `line ${start} is outside the diff GitHub shows`
          : `lines ${start}–${end} are not all inside one diff hunk, and GitHub accepts inline comments only on lines one hunk shows`,
    };
  }
  const fix = finding.fix;
  if (
    fix?.safety === "safe" &&
    fix.endLine >= fix.startLine &&
    fix.startLine <= end &&
    fix.endLine >= start &&
    withinOneHunk(change, fix.startLine, fix.endLine)
  ) {
    return fix.endLine > fix.startLine
      ? { startLine: fix.startLine, line: fix.endLine, suggestion: fix.replacement }
      : { line: fix.startLine, suggestion: fix.replacement };
  }
  return { line: start, suggestion: null };
}

/** Are lines [start, end] all RIGHT-side lines ('+' or context) of a single hunk? */
function withinOneHunk(change: FileChange, start: number, end: number): boolean {
  const hunk = change.hunks.find((h) => h.newLines > 0 && start >= h.newStart && start < h.newStart + h.newLines);
  if (!hunk || end >= hunk.newStart + hunk.newLines) return false;
  for (let line = start; line <= end; line++) if (!change.commentableLines.has(line)) return false;
  return true;
}

function sortComments(comments: PlannedComment[]): PlannedComment[] {
  return [...comments].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) || a.line - b.line || (a.fingerprint < b.fingerprint ? -1 : 1));
}

// ---------------------------------------------------------------------------------------------------------------
// Resolution

interface ResolutionState {
  allFindings: Finding[];
  scanned: ScannedFile[];
  /** Files with a syntax error, a rule error or over the time budget: a missing finding there may just be unseen. */
  incomplete: Set<string>;
  removed: Set<string>;
  activeRuleIds: Set<string>;
}

/**
 * Our earlier threads (unresolved, no human replies) whose finding is gone at the head: resolve them with a short
 * reply. A thread is only declared fixed where we know: its file was removed, scanned completely without the
 * finding, or is no longer part of the pull request (and the file list is complete). Files we skipped, excluded
 * or could not parse, and rules now turned off, leave their threads alone. A finding now covered by a
 * `flask-audit: ignore` comment gets its thread resolved with a reply that says so.
 */
function resolvedThreads(input: ReviewInput, state: ResolutionState): ReviewPlan["resolved"] {
  const short = input.headSha.slice(0, 7);
  const present = new Map<string, Finding>();
  const previousPathOf = new Map(state.scanned.map((f) => [f.path, f.previousPath]));
  for (const finding of state.allFindings) {
    for (const alias of aliasesOf(finding, previousPathOf.get(finding.file))) if (!present.has(alias)) present.set(alias, finding);
  }
  const complete = new Set<string>();
  for (const file of state.scanned) {
    if (state.incomplete.has(file.path)) continue;
    complete.add(file.path);
    if (file.previousPath) complete.add(file.previousPath);
  }
  const listed = new Set(input.files.flatMap((f) => (f.previousPath ? [f.path, f.previousPath] : [f.path])));

  const resolved: ReviewPlan["resolved"] = [];
  for (const prior of input.priorComments) {
    if (prior.isResolved || prior.hasHumanReplies) continue;
    if (prior.ruleId !== undefined && !state.activeRuleIds.has(prior.ruleId)) continue;
    const finding = present.get(prior.fingerprint);
    let replyBody: string | null = null;
    if (finding) {
      if (finding.suppressed) {
        const reason = finding.suppressed.reason ? `: ${escapeMarkdown(finding.suppressed.reason.slice(0, 300))}` : ".";
        replyBody = `Suppressed in ${short} with a \`flask-audit: ignore\` comment${reason}`;
      }
    } else if (state.removed.has(prior.path)) {
      replyBody = `Fixed in ${short} (the file was removed).`;
    } else if (complete.has(prior.path)) {
      replyBody = `Fixed in ${short}.`;
    } else if (!listed.has(prior.path) && input.truncatedFileList !== true) {
      replyBody = `Fixed in ${short} (the file is no longer changed by this pull request).`;
    }
    if (replyBody === null) continue;
    const entry: ReviewPlan["resolved"][number] = { commentId: prior.commentId, fingerprint: prior.fingerprint, replyBody };
    if (prior.threadId !== undefined) entry.threadId = prior.threadId;
    resolved.push(entry);
  }
  return resolved.sort((a, b) => a.commentId - b.commentId);
}
