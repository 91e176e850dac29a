// The Probot app: webhook routing only. Each handler reads the payload, builds the gateway, enqueues the work and
// returns, so GitHub gets its answer in milliseconds; the scan (src/github/scan.ts) runs from the queue.
//
//   pull_request opened / synchronize / reopened / ready_for_review  -> scan the head (drafts: see scan_drafts)
//   issue_comment.created "/flask-audit rescan"                       -> writers only: 👀, scan, then 🚀 or 😕
//   issue_comment.created "/flask-audit help"                         -> reply with the commands
//   check_run.rerequested / check_suite.rerequested (Re-run buttons)  -> scan again
import type { ApplicationFunction, Logger, Probot, ProbotOctokit } from "probot";
import { allRules } from "../../rules/index.js";
import type { Rule } from "../core/define-rule.js";
import { HELP_TEXT, hasWriteAccess, isBotUser, mayHaveWriteAccess, parseCommand } from "./commands.js";
import { CHECK_RUN_NAME, OctokitGateway, type GitHubGateway } from "./gateway.js";
import { DEFAULT_LIMITS, type ScanLimits } from "./gather.js";
import { InProcessScanQueue, type ScanQueue, type Settled } from "./queue.js";
import { scanKey, scanPullRequest, type ScanJob, type ScanOutcome } from "./scan.js";

export const PULL_REQUEST_EVENTS = [
  "pull_request.opened",
  "pull_request.synchronize",
  "pull_request.reopened",
  "pull_request.ready_for_review",
] as const;

export interface FlaskAuditAppOptions {
  /** Where scans wait and run; tests pass one to await `onIdle()`, the server one to drain on shutdown. */
  queue?: ScanQueue;
  rules?: Rule[];
  limits?: ScanLimits;
}

interface RepositoryInfo {
  id: number;
  name: string;
  html_url: string;
  default_branch: string;
  owner: { login: string };
}

/**
 * The part of Probot's Context the helpers use. Structural on purpose: the full Context type is a union over every
 * webhook event, too heavy to pass around.
 */
interface HandlerContext {
  id: string;
  log: Logger;
  octokit: ProbotOctokit;
  config(fileName: string): Promise<unknown>;
  payload: { repository: RepositoryInfo };
}

/** What a handler passes on from its event. */
interface EventInfo {
  deliveryId: string;
  log: Logger;
  repository: RepositoryInfo;
}

/** The scan outcomes a rescan acknowledges with 🚀 (the rest get 😕). */
function succeeded(result: Settled<ScanOutcome>): boolean {
  return result.ok && result.value.status !== "failed" && result.value.status !== "invalid-config";
}

export function createFlaskAuditApp(options: FlaskAuditAppOptions = {}): ApplicationFunction {
  const rules = options.rules ?? allRules;
  const limits = options.limits ?? DEFAULT_LIMITS;

  return (app: Probot) => {
    const queue =
      options.queue ??
      new InProcessScanQueue({ onError: (err, key) => app.log.error({ err, key }, "queued task failed outside its own error handling") });

    const gatewayFor = (context: HandlerContext): GitHubGateway => {
      const { owner, name } = context.payload.repository;
      return new OctokitGateway(context.octokit, { owner: owner.login, repo: name }, { readConfig: () => context.config("flask-audit.yml") });
    };
    const eventInfo = (context: HandlerContext): EventInfo => ({
      deliveryId: context.id,
      log: context.log,
      repository: context.payload.repository,
    });

    const enqueueScan = (
      event: EventInfo,
      gh: GitHubGateway,
      fields: Pick<ScanJob, "pullNumber" | "headSha" | "draft" | "trigger">,
      onSettled?: (result: Settled<ScanOutcome>) => Promise<void>,
    ): void => {
      const { html_url, default_branch } = event.repository;
      const job: ScanJob = {
        ...gh.repo,
        ...fields,
        deliveryId: event.deliveryId,
        configUrl: `${html_url}/blob/${encodeURIComponent(default_branch)}/.github/flask-audit.yml`,
      };
      const key = scanKey(job);
      const result = queue.enqueue(key, () => scanPullRequest(gh, job, { rules, limits, log: event.log }), onSettled);
      if (result === "closed") {
        // Shutting down: fail the delivery so it shows as failed in the app's settings and can be redelivered.
        throw new Error(`flask-audit is shutting down and did not accept the scan of ${key}; redeliver this webhook`);
      }
      event.log.info({ key, trigger: job.trigger, deliveryId: event.deliveryId }, result === "collapsed" ? "scan already queued or running: joined it" : "scan queued");
    };

    app.on([...PULL_REQUEST_EVENTS], async (context) => {
      const pr = context.payload.pull_request;
      if (pr.state !== "open") return;
      enqueueScan(eventInfo(context), gatewayFor(context), {
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
      if (!command) return;
      const gh = gatewayFor(context);
      const key = `${gh.repo.owner}/${gh.repo.repo}#${issue.number}/comment-${comment.id}`;
      const login = comment.user?.login ?? "";

      if (command.name !== "rescan") {
        const body = command.name === "unknown" ? `Unknown command \`${command.text.replace(/`/g, "")}\`.\n\n${HELP_TEXT}` : HELP_TEXT;
        queue.enqueue(key, () => gh.commentOnPullRequest(issue.number, body));
        return;
      }
      if (!mayHaveWriteAccess(comment.author_association)) {
        context.log.info({ login, association: comment.author_association }, "rescan ignored: the author has no write access");
        return;
      }
      queue.enqueue(key, async () => {
        const permission = await gh.getPermission(login);
        if (!hasWriteAccess(permission)) {
          context.log.info({ login, permission }, "rescan ignored: the author has no write access");
          return;
        }
        await gh.addReaction(comment.id, "eyes");
        try {
          const pr = await gh.getPullRequest(issue.number);
          enqueueScan(eventInfo(context), gh, { pullNumber: pr.number, headSha: pr.headSha, draft: false, trigger: `/flask-audit rescan by @${login}` }, (result) =>
            gh.addReaction(comment.id, succeeded(result) ? "rocket" : "confused"),
          );
        } catch (error) {
          await gh.addReaction(comment.id, "confused");
          throw error;
        }
      });
    });

    app.on("check_run.rerequested", async (context) => {
      const run = context.payload.check_run;
      if (run.name !== CHECK_RUN_NAME) return;
      const repoId = context.payload.repository.id;
      // Fork PRs come with an empty pull_requests list: our external_id carries the number.
      const pullNumber = Number(run.external_id) || run.pull_requests.find((pr) => pr.base.repo.id === repoId)?.number;
      if (!pullNumber) {
        context.log.warn({ checkRunId: run.id }, "re-run requested for a check run without a pull request: ignored");
        return;
      }
      enqueueScan(eventInfo(context), gatewayFor(context), { pullNumber, headSha: run.head_sha, draft: false, trigger: "check_run.rerequested" });
    });

    app.on("check_suite.rerequested", async (context) => {
      const suite = context.payload.check_suite;
      const gh = gatewayFor(context);
      const repoId = context.payload.repository.id;
      const listed = suite.pull_requests.filter((pr) => pr.base.repo.id === repoId).map((pr) => pr.number);
      const scanAll = (numbers: number[]) => {
        for (const pullNumber of numbers) enqueueScan(eventInfo(context), gh, { pullNumber, headSha: suite.head_sha, draft: false, trigger: "check_suite.rerequested" });
      };
      if (listed.length > 0) return scanAll(listed);
      // A fork PR's suite lists no pull request: find it from our check runs' external_id.
      queue.enqueue(`${gh.repo.owner}/${gh.repo.repo}/check-suite-${suite.id}`, async () => scanAll(await gh.pullNumbersOfCheckSuite(suite.id)));
    });
  };
}

export default createFlaskAuditApp();
