// The working side of the app: runs the work items the webhook handlers recorded (src/github/app.ts), in whichever
// process the queue hands them to, possibly after a restart or on another instance. Everything it needs is in the
// item: it authenticates as the installation itself (`app.auth(installationId)`) and builds the gateway from the
// repository named there.
//
//   scan         -> scanPullRequest (src/github/scan.ts), retried on transient GitHub failures, the check run reused
//   command      -> help / unknown: answer. rescan: writers only, one per pull request per interval (else 😕, and
//                   once per interval a reply saying when), then 👀 and a scan whose end is told with 🚀 or 😕
//   check-suite  -> find the pull requests of a Re-run check suite from our check runs' external_id, scan each
import { Context, type Probot, type ProbotOctokit } from "probot";
import type { EmitterWebhookEvent } from "@octokit/webhooks";
import type { Logger } from "pino";
import type { Rule } from "../core/define-rule.js";
import { HELP_TEXT, hasWriteAccess } from "./commands.js";
import { errorMessage, isTransient, OctokitGateway, type CheckRunResult, type GitHubGateway } from "./gateway.js";
import type { ScanLimits } from "./gather.js";
import type { ScanQueue } from "./queue.js";
import type { RescanLimiter } from "./rescan-limit.js";
import { scanPullRequest } from "./scan.js";
import type { BlobCache, ScanResultCache } from "./scan-cache.js";
import type { FileScanner } from "./scan-pool.js";
import type { Redact } from "./secrets.js";
import {
  interruptible,
  isInterrupted,
  workKey,
  type Attempt,
  type CheckSuiteWork,
  type CommandWork,
  type Follower,
  type InstallationRepo,
  type ScanWork,
  type Settled,
  type Work,
  type WorkResult,
  type WorkRunner,
} from "./work.js";

export interface WorkRunnerOptions {
  rules: Rule[];
  limits: ScanLimits;
  /** Shared by every scan this runner does: a rescan of the same head fetches no blob again. */
  blobCache?: BlobCache;
  /** Shared likewise: a rescan of the same head scans no unchanged file again. */
  resultCache?: ScanResultCache;
  /** Where files are scanned (default: the main thread). */
  scanner?: FileScanner;
  rescanLimiter: RescanLimiter;
  redact: Redact;
}

const DONE: WorkResult = { status: "done" };

/** The outcomes a rescan acknowledges with 🚀 (the rest get 😕). */
function succeeded(result: Settled<WorkResult>): boolean {
  return result.ok && !["failed", "invalid-config", "interrupted"].includes(result.value.status);
}

export function createWorkRunner(app: Probot, queue: ScanQueue, options: WorkRunnerOptions): WorkRunner {
  const logFor = (work: Work): Logger => app.log.child({ key: workKey(work), deliveryId: work.deliveryId });

  const gatewayFor = async (work: InstallationRepo, log: Logger): Promise<GitHubGateway> => {
    const octokit = await app.auth(work.installationId);
    return new OctokitGateway(octokit, { owner: work.owner, repo: work.repo }, { readConfig: configReader(octokit, work, log) });
  };

  const scanFrom = (work: InstallationRepo, fields: Pick<ScanWork, "pullNumber" | "headSha" | "trigger">): ScanWork => ({
    kind: "scan",
    installationId: work.installationId,
    owner: work.owner,
    repo: work.repo,
    deliveryId: work.deliveryId,
    ...(work.configUrl ? { configUrl: work.configUrl } : {}),
    draft: false,
    ...fields,
  });

  async function runScan(work: ScanWork, gh: GitHubGateway, raw: GitHubGateway, attempt: Attempt, log: Logger): Promise<WorkResult> {
    let checkRunId = work.checkRunId;
    try {
      return await scanPullRequest(gh, work, {
        rules: options.rules,
        limits: options.limits,
        ...(options.blobCache ? { blobCache: options.blobCache } : {}),
        ...(options.resultCache ? { resultCache: options.resultCache } : {}),
        ...(options.scanner ? { scanner: options.scanner } : {}),
        log,
        redact: options.redact,
        onCheckRun: async (id) => {
          checkRunId = id;
          await attempt.checkRunCreated(id);
        },
        willRetry: (error) => isInterrupted(error) || (!attempt.final && isTransient(error)),
      });
    } catch (error) {
      if (!isInterrupted(error) || attempt.canHandBack) throw error;
      // Nobody will take this scan over (in-process queue): hand it to the user instead, with a Re-run button.
      await completeInterrupted(raw, work, checkRunId, log);
      return { status: "interrupted" };
    }
  }

  async function runCommand(work: CommandWork, gh: GitHubGateway, log: Logger): Promise<WorkResult> {
    if (work.command !== "rescan") {
      const body = work.command === "unknown" ? `Unknown command \`${work.text.replace(/`/g, "")}\`.\n\n${HELP_TEXT}` : HELP_TEXT;
      await gh.commentOnPullRequest(work.pullNumber, body);
      return DONE;
    }
    const permission = await gh.getPermission(work.login);
    if (!hasWriteAccess(permission)) {
      log.info({ login: work.login, permission }, "rescan ignored: the author has no write access");
      return DONE;
    }
    const claim = await options.rescanLimiter.claim(`${work.owner}/${work.repo}#${work.pullNumber}`, String(work.commentId));
    if (!claim.granted) {
      log.info({ login: work.login, retryInMs: claim.retryInMs }, "rescan refused: this pull request was rescanned moments ago");
      await gh.addReaction(work.commentId, "confused");
      if (claim.explain) await gh.commentOnPullRequest(work.pullNumber, rateLimitedText(options.rescanLimiter.intervalMs, claim.retryInMs));
      return DONE;
    }
    await gh.addReaction(work.commentId, "eyes");
    const pr = await gh.getPullRequest(work.pullNumber);
    const scan = scanFrom(work, { pullNumber: pr.number, headSha: pr.headSha, trigger: `/flask-audit rescan by @${work.login}` });
    const result = await queue.enqueue(scan, { commentId: work.commentId });
    if (result === "closed") {
      // Only the in-process queue refuses, while stopping: nobody would run the scan.
      log.warn({ scan: workKey(scan) }, "rescan not run: flask-audit is stopping");
      await gh.addReaction(work.commentId, "confused");
      return { status: "interrupted" };
    }
    log.info({ scan: workKey(scan) }, result === "collapsed" ? "rescan joined the scan already queued for this head" : "rescan queued");
    return DONE;
  }

  async function runCheckSuite(work: CheckSuiteWork, gh: GitHubGateway, log: Logger): Promise<WorkResult> {
    const numbers = await gh.pullNumbersOfCheckSuite(work.checkSuiteId);
    for (const pullNumber of numbers) {
      await queue.enqueue(scanFrom(work, { pullNumber, headSha: work.headSha, trigger: "check_suite.rerequested" }));
    }
    log.info({ pullNumbers: numbers }, "check suite re-run: scans queued");
    return DONE;
  }

  return {
    async run(work, attempt) {
      const log = logFor(work);
      let raw: GitHubGateway | undefined;
      try {
        raw = await gatewayFor(work, log);
        const gh = interruptible(raw, attempt.signal);
        switch (work.kind) {
          case "scan":
            return await runScan(work, gh, raw, attempt, log);
          case "command":
            return await runCommand(work, gh, log);
          case "check-suite":
            return await runCheckSuite(work, gh, log);
        }
      } catch (error) {
        // Thrown on to the queue only to ask for another attempt, or to hand the item back.
        if (isInterrupted(error) || (!attempt.final && isTransient(error))) throw error;
        // The last word (a scan got here only when it could not even start: no installation token).
        log.error({ err: error, attempt: attempt.number }, `${work.kind === "command" ? `/flask-audit ${work.command}` : work.kind} failed`);
        if (raw && work.kind === "command" && work.command === "rescan") await raw.addReaction(work.commentId, "confused").catch(() => {});
        return { status: "failed", error: options.redact(errorMessage(error)) };
      }
    },

    async settled(work: Work, result: Settled<WorkResult>, followers: Follower[]) {
      const log = logFor(work);
      const gh = await gatewayFor(work, log);
      const reaction = succeeded(result) ? "rocket" : "confused";
      for (const follower of followers) {
        try {
          await gh.addReaction(follower.commentId, reaction);
        } catch (err) {
          log.warn({ err, commentId: follower.commentId }, "could not react to the rescan comment");
        }
      }
    },

    async closeOrphan(work, reason) {
      const log = logFor(work);
      const gh = await gatewayFor(work, log);
      await gh.completeCheckRun(work.checkRunId, reason === "superseded" ? supersededRunCheckRun() : gaveUpCheckRun(work));
    },
  };
}

/**
 * `.github/flask-audit.yml` read exactly as a webhook handler's `context.config()` does (the organisation's `.github`
 * repository as fallback, `_extends`, deep merge), through Probot's own Context: the worker has no webhook event,
 * only the repository it names, which is all `config()` reads from the payload.
 */
function configReader(octokit: ProbotOctokit, work: InstallationRepo, log: Logger): () => Promise<unknown> {
  const event = { id: work.deliveryId, name: "pull_request", payload: { repository: { owner: { login: work.owner }, name: work.repo } } };
  const context = new Context(event as unknown as EmitterWebhookEvent<"pull_request">, octokit, log);
  return () => context.config("flask-audit.yml");
}

async function completeInterrupted(gh: GitHubGateway, work: ScanWork, checkRunId: number | undefined, log: Logger): Promise<void> {
  try {
    if (checkRunId === undefined) {
      // A draft may not be scanned at all (scan_drafts): no check run for it.
      if (work.draft) return;
      checkRunId = await gh.createCheckRun({
        headSha: work.headSha,
        externalId: String(work.pullNumber),
        title: "Interrupted by a restart",
        summary: "flask-audit stopped before scanning this commit.",
      });
    }
    await gh.completeCheckRun(checkRunId, interruptedCheckRun(work));
    log.warn({ checkRunId }, "stopping: scan interrupted, its check run completed as cancelled (Re-run starts it again)");
  } catch (err) {
    log.error({ err, checkRunId }, "stopping: could not complete the check run of an interrupted scan");
  }
}

function interruptedCheckRun(work: ScanWork): CheckRunResult {
  return {
    conclusion: "cancelled",
    title: "Interrupted by a restart",
    summary:
      `flask-audit was stopping (a restart or a deployment) before it finished scanning ${work.headSha.slice(0, 7)}, so this commit was not fully reviewed.\n\n` +
      "Press **Re-run** on this check, or comment `/flask-audit rescan` on the pull request, to scan it again.",
    annotations: [],
  };
}

function supersededRunCheckRun(): CheckRunResult {
  return {
    conclusion: "neutral",
    title: "Replaced by a newer run",
    summary: "This run was interrupted, and a newer flask-audit run of the same commit replaced it: see the latest flask-audit check run.",
    annotations: [],
  };
}

function gaveUpCheckRun(work: ScanWork): CheckRunResult {
  return {
    conclusion: "failure",
    title: "flask-audit could not finish the scan",
    summary:
      `The scan of ${work.headSha.slice(0, 7)} was interrupted more than once (the worker running it stopped or crashed), so this commit was not reviewed.\n\n` +
      "Press **Re-run** on this check, or comment `/flask-audit rescan` on the pull request. If it keeps happening, the pull request may be " +
      `too large for the worker's memory: the app's logs have the details under delivery \`${work.deliveryId}\`.`,
    annotations: [],
  };
}

function rateLimitedText(intervalMs: number, retryInMs: number): string {
  const interval = Math.round(intervalMs / 1000);
  const wait = Math.max(1, Math.ceil(retryInMs / 1000));
  return (
    `This pull request was rescanned less than ${interval} s ago, and flask-audit runs at most one rescan per pull request every ${interval} s, ` +
    `so this \`/flask-audit rescan\` (and any other in the next ${wait} s, marked 😕) was not run. ` +
    `Comment it again in ${wait} s, or press **Re-run** on the flask-audit check.`
  );
}
