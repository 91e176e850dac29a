// One scan of one pull-request head: check run in progress -> config -> gather (scanning files as they arrive) ->
// scan the rest (worker threads, cached results) -> planReview -> (head still current?) -> one review -> resolve
// fixed threads -> complete the check run. The decisions are the planner's; this file only sequences I/O and keeps
// promises: the check run never stays in_progress (unless the caller takes it over for another attempt, see
// ScanDeps.willRetry), and no finding is lost when GitHub refuses an inline comment (it becomes an annotation).
// Every step is safe to repeat: a retried scan finds its earlier comments by their marker.
import { parseConfig, type ConfigResult } from "../core/config.js";
import type { Rule } from "../core/define-rule.js";
import { renderAnnotation } from "../core/comment.js";
import { planReview } from "../core/plan.js";
import { fenced } from "../core/render.js";
import type { CheckAnnotation, PlannedCheckRun, PlannedComment, ReviewPlan } from "../core/review-types.js";
import type { Finding, SourceFile } from "../core/types.js";
import { clampText, errorMessage, isForbidden, statusOf, type CheckRunResult, type GitHubGateway } from "./gateway.js";
import { DEFAULT_LIMITS, gatherReviewInput, type GatheredInput, type ScanLimits } from "./gather.js";
import type { BlobCache, ScanResultCache } from "./scan-cache.js";
import { EarlyScan, scanChangedFiles } from "./scan-files.js";
import type { FileScanner } from "./scan-pool.js";
import { redactSecrets, type Redact } from "./secrets.js";

export interface ScanJob {
  owner: string;
  repo: string;
  pullNumber: number;
  headSha: string;
  /** An automatic event on a draft: skipped unless `scan_drafts`. Explicit rescans and re-runs pass false. */
  draft: boolean;
  /** What asked for the scan, for the logs and the check run ("pull_request.synchronize", "/flask-audit rescan"). */
  trigger: string;
  deliveryId: string;
  /** The config file on the default branch, linked from an action_required check run. */
  configUrl?: string;
  /** The check run an earlier attempt created: completed by this one instead of creating another. */
  checkRunId?: number;
}

export type ScanOutcome =
  | { status: "reviewed"; conclusion: PlannedCheckRun["conclusion"]; comments: number; movedToAnnotations: number; resolved: number }
  | { status: "skipped-draft" }
  | { status: "invalid-config"; error: string }
  | { status: "superseded"; currentHead: string }
  | { status: "failed"; error: string };

export interface ScanLog {
  info: (obj: object, msg: string) => void;
  warn: (obj: object, msg: string) => void;
  error: (obj: object, msg: string) => void;
}

export interface ScanDeps {
  rules: Rule[];
  log: ScanLog;
  limits?: ScanLimits;
  /** Blob contents from earlier scans, by SHA (none: every blob is fetched). */
  blobCache?: BlobCache;
  /** Per-file scan results from earlier scans (none: every file is scanned). */
  resultCache?: ScanResultCache;
  /** Where files are scanned (default: the main thread). */
  scanner?: FileScanner;
  /** The check run now exists: the caller records its id, so that another attempt completes this one. */
  onCheckRun?: (checkRunId: number) => Promise<void>;
  /**
   * True when another attempt will take this error over (a transient GitHub failure with attempts left, or the
   * process stopping): the check run stays in progress and the error is rethrown. Default: never.
   */
  willRetry?: (error: unknown) => boolean;
  /** Removes the App's secrets from texts posted on GitHub (default: by shape). */
  redact?: Redact;
}

export function scanKey(job: Pick<ScanJob, "owner" | "repo" | "pullNumber" | "headSha">): string {
  return `${job.owner}/${job.repo}#${job.pullNumber}@${job.headSha}`;
}

export async function scanPullRequest(gh: GitHubGateway, job: ScanJob, deps: ScanDeps): Promise<ScanOutcome> {
  const log = deps.log;
  const where = { key: scanKey(job), deliveryId: job.deliveryId, trigger: job.trigger };
  const ruleIds = deps.rules.map((r) => r.id);
  let checkRunId: number | undefined;
  try {
    // A draft is skipped quietly (no check run at all) unless the config asks for drafts: read it first. (A retry
    // that already has a check run passed this test on its first attempt.)
    let config: ConfigResult | undefined;
    if (job.draft && job.checkRunId === undefined) {
      config = await loadConfig(gh, ruleIds);
      if (config.ok && !config.config.scan_drafts) {
        log.info(where, "draft pull request: not scanned (scan_drafts is off)");
        return { status: "skipped-draft" };
      }
    }

    checkRunId = job.checkRunId;
    if (checkRunId === undefined) {
      checkRunId = await gh.createCheckRun({
        headSha: job.headSha,
        externalId: String(job.pullNumber),
        title: "Scanning the changed lines",
        summary: `flask-audit is reviewing the lines pull request #${job.pullNumber} changes at ${job.headSha.slice(0, 7)} (${job.trigger}).`,
      });
      await deps.onCheckRun?.(checkRunId);
    }

    config ??= await loadConfig(gh, ruleIds);
    if (!config.ok) {
      log.warn({ ...where, error: config.error }, "invalid .github/flask-audit.yml");
      await gh.completeCheckRun(checkRunId, invalidConfigCheckRun(config.error, job.configUrl));
      return { status: "invalid-config", error: config.error };
    }

    const gatherStart = performance.now();
    // With threads, files are scanned as their blobs arrive, when the repository's facts can be guessed (scan-files.ts).
    const early = EarlyScan.start(job, config.config, deps.rules, { scanner: deps.scanner, cache: deps.resultCache });
    let gathered: GatheredInput;
    try {
      const onContent = early && ((file: SourceFile, sha: string) => early.add(file, sha));
      gathered = await gatherReviewInput(gh, job, config.config, deps.rules, deps.limits ?? DEFAULT_LIMITS, deps.blobCache, onContent);
    } catch (error) {
      early?.cancel();
      throw error;
    }
    const { input, notes, blobShas } = gathered;
    const scanStart = performance.now();
    const files = await scanChangedFiles(input, blobShas, {
      ...(deps.scanner ? { scanner: deps.scanner } : {}),
      ...(deps.resultCache ? { cache: deps.resultCache } : {}),
      ...(early ? { early } : {}),
    });
    const planStart = performance.now();
    const plan = planReview(input, files.scanned);
    const postStart = performance.now();

    // Posting on a head that moved would comment on stale lines: a newer scan is (or will be) queued for it.
    const current = await gh.getPullRequest(job.pullNumber);
    if (current.headSha !== job.headSha) {
      log.info({ ...where, currentHead: current.headSha }, "head moved during the scan: dropped");
      await gh.completeCheckRun(checkRunId, supersededCheckRun(job.headSha, current.headSha));
      return { status: "superseded", currentHead: current.headSha };
    }

    const review = await postReview(gh, job, plan, log);
    const resolved = await resolveFixedThreads(gh, job, plan.resolved, log);
    await gh.completeCheckRun(checkRunId, finalCheckRun(plan, review.rejected, notes, deps.rules));
    const ms = (from: number, to: number) => Math.round(to - from);
    log.info(
      {
        ...where,
        conclusion: plan.checkRun.conclusion,
        comments: review.posted.length,
        moved: review.rejected.length,
        resolved,
        files: { scanned: files.fresh, whileFetching: files.early, fromCache: files.cached },
        // where the time went: reading GitHub (and scanning meanwhile), the rest of the scan, the planner, posting
        ms: { gather: ms(gatherStart, scanStart), scan: ms(scanStart, planStart), plan: ms(planStart, postStart), post: ms(postStart, performance.now()) },
      },
      "scan complete",
    );
    return {
      status: "reviewed",
      conclusion: plan.checkRun.conclusion,
      comments: review.posted.length,
      movedToAnnotations: review.rejected.length,
      resolved,
    };
  } catch (error) {
    if (deps.willRetry?.(error)) {
      log.warn({ ...where, checkRunId, err: error }, "scan stopped; it will be attempted again (the check run stays in progress)");
      throw error;
    }
    log.error({ ...where, err: error }, "scan failed");
    if (checkRunId !== undefined) {
      try {
        await gh.completeCheckRun(checkRunId, failedCheckRun(error, job, deps.redact ?? redactSecrets));
      } catch (completeError) {
        log.error({ ...where, err: completeError }, "could not complete the check run after a failure");
      }
    }
    return { status: "failed", error: (deps.redact ?? redactSecrets)(errorMessage(error)) };
  }
}

async function loadConfig(gh: GitHubGateway, ruleIds: readonly string[]): Promise<ConfigResult> {
  const file = await gh.readConfig();
  if (!file.ok) return { ok: false, error: file.error };
  return parseConfig(file.raw, ruleIds);
}

// ---------------------------------------------------------------------------------------------------------------
// The review

interface PostedReview {
  posted: PlannedComment[];
  /** Comments GitHub refused (422): they become annotations. */
  rejected: PlannedComment[];
}

/**
 * ONE review with every planned comment. When GitHub refuses the batch (422: a line it does not consider part of
 * the diff), find the comments it refuses by bisecting with pending reviews (invisible, deleted right away), then
 * post the rest as the one review.
 */
async function postReview(gh: GitHubGateway, job: ScanJob, plan: ReviewPlan, log: ScanLog): Promise<PostedReview> {
  const all = plan.comments;
  if (all.length === 0) return { posted: [], rejected: [] };
  const review = (comments: PlannedComment[], pending = false) =>
    gh.createReview(job.pullNumber, { commitId: job.headSha, body: plan.reviewBody, comments, pending });
  try {
    await review(all);
    return { posted: all, rejected: [] };
  } catch (error) {
    if (statusOf(error) !== 422) throw error;
    log.warn({ key: scanKey(job), deliveryId: job.deliveryId, err: error }, "GitHub refused the review (422): finding the comments it rejects");
  }

  const probe = async (comments: PlannedComment[]): Promise<boolean> => {
    let reviewId: number;
    try {
      reviewId = await review(comments, true);
    } catch (error) {
      if (statusOf(error) === 422) return false;
      throw error;
    }
    await gh.deletePendingReview(job.pullNumber, reviewId);
    return true;
  };
  // `comments` is known to be refused as a whole.
  const refusedIn = async (comments: PlannedComment[]): Promise<PlannedComment[]> => {
    if (comments.length === 1) return comments;
    const middle = Math.ceil(comments.length / 2);
    const halves = [comments.slice(0, middle), comments.slice(middle)];
    const refused: PlannedComment[] = [];
    for (const half of halves) if (!(await probe(half))) refused.push(...(await refusedIn(half)));
    return refused;
  };

  const rejected = await refusedIn(all);
  const accepted = all.filter((c) => !rejected.includes(c));
  if (accepted.length === 0) return { posted: [], rejected };
  try {
    await review(accepted);
    return { posted: accepted, rejected };
  } catch (error) {
    if (statusOf(error) !== 422) throw error;
    return { posted: [], rejected: all };
  }
}

/** Resolve the threads whose finding is gone; reply "fixed in ..." where we may not resolve. Best effort. */
async function resolveFixedThreads(gh: GitHubGateway, job: ScanJob, resolved: ReviewPlan["resolved"], log: ScanLog): Promise<number> {
  let done = 0;
  for (const item of resolved) {
    try {
      if (item.threadId !== undefined) {
        try {
          await gh.resolveThread(item.threadId);
          done++;
          continue;
        } catch (error) {
          // resolveReviewThread needs contents: write, which this app does not ask for: answer in the thread instead.
          if (!isForbidden(error)) throw error;
        }
      }
      await gh.replyToReviewComment(job.pullNumber, item.commentId, item.replyBody);
      done++;
    } catch (error) {
      log.warn({ key: scanKey(job), deliveryId: job.deliveryId, commentId: item.commentId, err: error }, "could not resolve an earlier thread");
    }
  }
  return done;
}

// ---------------------------------------------------------------------------------------------------------------
// Check-run outputs

const REFUSED = "GitHub refused an inline review comment on this line";

/** The plan's check run, plus the comments GitHub refused (as annotations) and the gathering notes. */
function finalCheckRun(plan: ReviewPlan, rejected: PlannedComment[], notes: string[], rules: readonly Rule[]): CheckRunResult {
  const byFingerprint = new Map<string, Finding>(plan.findings.map((f) => [f.fingerprint, f]));
  const moved = rejected.map((comment) => {
    const finding = byFingerprint.get(comment.fingerprint);
    return finding ? renderAnnotation(finding, rules.find((r) => r.id === finding.ruleId), REFUSED) : annotationForRefused(comment);
  });
  const sections: string[] = [];
  if (moved.length > 0) {
    const items = rejected.slice(0, 50).map((c) => {
      const f = byFingerprint.get(c.fingerprint);
      return `- \`${c.path}:${c.line}\`${f ? ` **${f.ruleId}** ${f.title}` : ""}`;
    });
    sections.push(
      `### Not posted inline (${moved.length})\n\nGitHub refused ${moved.length === 1 ? "this inline comment" : "these inline comments"} ` +
        `(its line is not part of the diff GitHub shows), so ${moved.length === 1 ? "it is an annotation" : "they are annotations"} on this check run instead.\n\n` +
        items.join("\n"),
    );
  }
  if (notes.length > 0) sections.push(`### Scan notes\n\n${notes.map((n) => `- ${n}`).join("\n")}`);
  // The extra sections go first so that clamping a very long summary never cuts them.
  const summary = sections.length > 0 ? `${sections.join("\n\n")}\n\n${plan.checkRun.summary}` : plan.checkRun.summary;
  return { ...plan.checkRun, summary: clampText(summary), annotations: [...moved, ...plan.checkRun.annotations] };
}

/** A refused comment whose finding the plan does not list (not expected): its own text as the annotation. */
function annotationForRefused(comment: PlannedComment): CheckAnnotation {
  return {
    path: comment.path,
    start_line: comment.startLine ?? comment.line,
    end_line: comment.line,
    annotation_level: "warning",
    title: "flask-audit finding",
    message: clampText(`${comment.body.replace(/<!--[\s\S]*?-->/g, "").trim()}\n\nNot an inline comment: ${REFUSED}.`, 20_000),
  };
}

function invalidConfigCheckRun(error: string, configUrl: string | undefined): CheckRunResult {
  const result: CheckRunResult = {
    conclusion: "action_required",
    title: "Invalid .github/flask-audit.yml",
    summary:
      "The repository's `.github/flask-audit.yml` (read from the default branch, so a pull request cannot weaken its own scan) " +
      "is not valid, so this pull request was not scanned:\n\n" +
      fenced(error, "text") +
      "\n\nFix the file on the default branch, then press **Re-run** on this check or comment `/flask-audit rescan` on the pull request.",
    annotations: [],
  };
  if (configUrl) result.detailsUrl = configUrl;
  return result;
}

function supersededCheckRun(scannedSha: string, currentHead: string): CheckRunResult {
  return {
    conclusion: "neutral",
    title: "Superseded by a newer push",
    summary:
      `The pull request's head moved to ${currentHead.slice(0, 7)} while ${scannedSha.slice(0, 7)} was being scanned, so nothing was posted ` +
      `for ${scannedSha.slice(0, 7)}. The newer commit gets its own scan and check run.`,
    annotations: [],
  };
}

function failedCheckRun(error: unknown, job: ScanJob, redact: Redact): CheckRunResult {
  const status = statusOf(error);
  // The summary is public to everyone who can read the pull request: never an installation token or key in it.
  const what = redact(status !== undefined ? `GitHub answered HTTP ${status}: ${errorMessage(error)}` : errorMessage(error));
  return {
    conclusion: "failure",
    title: "flask-audit could not finish the scan",
    summary:
      "The scan stopped with an error, so this commit was not fully reviewed:\n\n" +
      fenced(what.slice(0, 2_000), "text") +
      "\n\nPress **Re-run** on this check, or comment `/flask-audit rescan` on the pull request. " +
      `If it keeps failing, the app's logs have the details under delivery \`${job.deliveryId}\`.`,
    annotations: [],
  };
}
