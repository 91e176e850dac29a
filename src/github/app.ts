// The Probot app, receiving side: each handler reads the payload (already verified by Probot's webhook middleware),
// records a work item (src/github/work.ts) in the queue and returns, so GitHub gets its answer in milliseconds. The
// work runs from the queue through the runner (src/github/worker.ts), here or on another instance.
//
//   pull_request opened / synchronize / reopened / ready_for_review  -> scan the head (drafts: see scan_drafts)
//   issue_comment.created "/flask-audit rescan"                       -> writers only, rate-limited per PR: 👀, scan, then 🚀 or 😕
//   issue_comment.created "/flask-audit help"                         -> reply with the commands
//   check_run.rerequested / check_suite.rerequested (Re-run buttons)  -> scan again
import type { ApplicationFunction, Logger, Probot } from "probot";
import { allRules } from "../../rules/index.js";
import type { Rule } from "../core/define-rule.js";
import { isBotUser, mayHaveWriteAccess, parseCommand } from "./commands.js";
import { CHECK_RUN_NAME } from "./gateway.js";
import { DEFAULT_LIMITS, type ScanLimits } from "./gather.js";
import { InProcessScanQueue, type ScanQueue } from "./queue.js";
import { InMemoryRescanLimiter, type RescanLimiter } from "./rescan-limit.js";
import type { BlobCache, ScanResultCache } from "./scan-cache.js";
import type { FileScanner } from "./scan-pool.js";
import { redactSecrets, type Redact } from "./secrets.js";
import { workKey, type Follower, type InstallationRepo, type Work } from "./work.js";
import { createWorkRunner } from "./worker.js";

export const PULL_REQUEST_EVENTS = [
  "pull_request.opened",
  "pull_request.synchronize",
  "pull_request.reopened",
  "pull_request.ready_for_review",
] as const;

export interface FlaskAuditAppOptions {
  /** Where work waits and runs (default: in-process); the server passes one to drain it on shutdown. */
  queue?: ScanQueue;
  rules?: Rule[];
  limits?: ScanLimits;
  /** Blob contents by SHA, shared by this app's scans (the server passes one; default: none, every blob fetched). */
  blobCache?: BlobCache;
  /** Per-file scan results, shared likewise (the server passes one; default: none, every file scanned). */
  resultCache?: ScanResultCache;
  /** Where files are scanned: the server passes its worker threads (default: the main thread). */
  scanner?: FileScanner;
  /** One rescan per pull request per interval (default: in memory, one a minute). */
  rescanLimiter?: RescanLimiter;
  /** Removes the App's secrets from texts posted on GitHub (default: by shape). */
  redact?: Redact;
}

interface RepositoryInfo {
  name: string;
  html_url: string;
  default_branch: string;
  owner: { login: string };
}

/**
 * The part of Probot's Context the handlers use. Structural on purpose: the full Context type is a union over every
 * webhook event, too heavy to pass around.
 */
interface HandlerContext {
  id: string;
  log: Logger;
  payload: { repository: RepositoryInfo; installation?: { id: number } | null };
}

export function createFlaskAuditApp(options: FlaskAuditAppOptions = {}): ApplicationFunction {
  return async (app: Probot) => {
    const queue =
      options.queue ??
      new InProcessScanQueue({ onError: (err, key) => app.log.error({ err, key }, "queued work failed outside its own error handling") });
    const runner = createWorkRunner(app, queue, {
      rules: options.rules ?? allRules,
      limits: options.limits ?? DEFAULT_LIMITS,
      ...(options.blobCache ? { blobCache: options.blobCache } : {}),
      ...(options.resultCache ? { resultCache: options.resultCache } : {}),
      ...(options.scanner ? { scanner: options.scanner } : {}),
      rescanLimiter: options.rescanLimiter ?? new InMemoryRescanLimiter(),
      redact: options.redact ?? redactSecrets,
    });

    /** What every work item carries from its event; undefined without an installation (not an App delivery). */
    const origin = (context: HandlerContext): InstallationRepo | undefined => {
      const installationId = context.payload.installation?.id;
      if (!installationId) {
        context.log.warn({ deliveryId: context.id }, "event without an installation: ignored (is this delivery from the GitHub App?)");
        return undefined;
      }
      const { owner, name, html_url, default_branch } = context.payload.repository;
      return {
        installationId,
        owner: owner.login,
        repo: name,
        deliveryId: context.id,
        configUrl: `${html_url}/blob/${encodeURIComponent(default_branch)}/.github/flask-audit.yml`,
      };
    };

    const record = async (context: HandlerContext, work: Work, follower?: Follower): Promise<void> => {
      const result = await queue.enqueue(work, follower);
      if (result === "closed") {
        // Shutting down: fail the delivery so it shows as failed in the app's settings and can be redelivered.
        throw new Error(`flask-audit is shutting down and did not accept ${workKey(work)}; redeliver this webhook`);
      }
      context.log.info({ key: workKey(work), kind: work.kind, deliveryId: context.id }, result === "collapsed" ? "already queued or running: joined it" : "queued");
    };

    app.on([...PULL_REQUEST_EVENTS], async (context) => {
      const pr = context.payload.pull_request;
      const from = origin(context);
      if (pr.state !== "open" || !from) return;
      await record(context, {
        kind: "scan",
        ...from,
        pullNumber: pr.number,
        headSha: pr.head.sha,
        draft: pr.draft === true,
        trigger: `pull_request.${context.payload.action}`,
      });
    });

    app.on("issue_comment.created", async (context) => {
      const { comment, issue } = context.payload;
      if (!issue.pull_request) return;
      if (isBotUser(comment.user)) return; // never answer a bot: no loops
      const command = parseCommand(comment.body);
      const from = origin(context);
      if (!command || !from) return;
      const login = comment.user?.login ?? "";
      // The cheap filter here, the real permission check (an API call) in the worker.
      if (command.name === "rescan" && !mayHaveWriteAccess(comment.author_association)) {
        context.log.info({ login, association: comment.author_association }, "rescan ignored: the author has no write access");
        return;
      }
      await record(context, {
        kind: "command",
        ...from,
        command: command.name,
        text: command.name === "unknown" ? command.text : "",
        pullNumber: issue.number,
        commentId: comment.id,
        login,
      });
    });

    app.on("check_run.rerequested", async (context) => {
      const run = context.payload.check_run;
      const from = origin(context);
      if (run.name !== CHECK_RUN_NAME || !from) return;
      const repoId = context.payload.repository.id;
      // Fork PRs come with an empty pull_requests list: our external_id carries the number.
      const pullNumber = Number(run.external_id) || run.pull_requests.find((pr) => pr.base.repo.id === repoId)?.number;
      if (!pullNumber) {
        context.log.warn({ checkRunId: run.id }, "re-run requested for a check run without a pull request: ignored");
        return;
      }
      await record(context, { kind: "scan", ...from, pullNumber, headSha: run.head_sha, draft: false, trigger: "check_run.rerequested" });
    });

    app.on("check_suite.rerequested", async (context) => {
      const suite = context.payload.check_suite;
      const from = origin(context);
      if (!from) return;
      const repoId = context.payload.repository.id;
      const listed = suite.pull_requests.filter((pr) => pr.base.repo.id === repoId).map((pr) => pr.number);
      if (listed.length === 0) {
        // A fork PR's suite lists no pull request: the worker finds it from our check runs' external_id.
        await record(context, { kind: "check-suite", ...from, checkSuiteId: suite.id, headSha: suite.head_sha });
        return;
      }
      for (const pullNumber of listed) {
        await record(context, { kind: "scan", ...from, pullNumber, headSha: suite.head_sha, draft: false, trigger: "check_suite.rerequested" });
      }
    });

    await queue.start(runner);
  };
}

export default createFlaskAuditApp();
