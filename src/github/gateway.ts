// The GitHub gateway: every GitHub call the app makes, behind one interface, and its Octokit implementation.
// Nothing else in the app talks to GitHub, so the scan flow is testable with a fake gateway and the pure planner
// with plain objects. The implementation keeps GitHub's limits here (pagination, the 3000-file cap, 50 annotations
// per request, 65,535-character texts) so the callers don't have to.
import type { ProbotOctokit } from "probot";
import { parseMarker } from "../core/comment.js";
import { isBotUser } from "./commands.js";
import { NO_AUTOMATIC_RETRY, tokenMarker, writeOnce, writeToken, type WriteOnceOptions } from "./write-once.js";
import type { CheckAnnotation, PlannedCheckRun, PriorComment, PullFile } from "../core/review-types.js";

/** The check run's name: what branch protection requires. */
export const CHECK_RUN_NAME = "flask-audit";
/** GitHub lists at most 3000 files of a pull request. */
export const MAX_PULL_FILES = 3000;
/** GitHub's limit on annotations per check-run request. */
export const ANNOTATIONS_PER_REQUEST = 50;
/** GitHub's limit on a check run's output.summary and output.text. */
export const CHECK_TEXT_LIMIT = 65_535;

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface PullRequestInfo {
  number: number;
  headSha: string;
  draft: boolean;
  state: "open" | "closed";
  /** `owner/name` of the head repository (a fork for fork PRs); null when the fork was deleted. */
  headRepo: string | null;
}

/** A file as `pulls.listFiles` reports it. */
export interface ListedFile {
  path: string;
  status: PullFile["status"];
  previousPath?: string;
  patch?: string;
  additions: number;
  /** Blob SHA of the head version (what `git.getBlob` takes; works for fork heads too). */
  blobSha?: string;
}

export interface TreeBlob {
  path: string;
  sha: string;
  size: number;
}

export interface ReviewCommentInput {
  path: string;
  line: number;
  startLine?: number;
  body: string;
}

export interface NewReview {
  commitId: string;
  body: string;
  comments: ReviewCommentInput[];
  /** A pending (draft) review nobody sees: used to probe which comments GitHub refuses, then deleted. */
  pending?: boolean;
}

export interface CheckRunStart {
  headSha: string;
  /** The pull request number: fork PRs have an empty `pull_requests` list in check payloads. */
  externalId: string;
  title: string;
  summary: string;
}

export interface CheckRunResult extends Omit<PlannedCheckRun, "conclusion"> {
  /** The planner's conclusions, plus `cancelled` for a scan a restart interrupted (GitHub offers Re-run on it). */
  conclusion: PlannedCheckRun["conclusion"] | "cancelled";
  /** Where "Details" leads (e.g. the config file to fix for action_required). */
  detailsUrl?: string;
}

/** The repository configuration file: its parsed YAML (null when absent), or why it could not be read. */
export type ConfigFile = { ok: true; raw: unknown } | { ok: false; error: string };

export type Permission = "admin" | "write" | "read" | "none";
export type Reaction = "eyes" | "rocket" | "confused";

export interface GitHubGateway {
  readonly repo: RepoRef;
  getPullRequest(pullNumber: number): Promise<PullRequestInfo>;
  /** Paginated 100 per page, at most `maxFiles` (GitHub's cap is 3000); `truncated` when the cap was reached. */
  listPullFiles(pullNumber: number, maxFiles?: number): Promise<{ files: ListedFile[]; truncated: boolean }>;
  /** The head tree in one recursive call: blobs only (no submodules, no symlinks). */
  getTree(sha: string): Promise<{ blobs: TreeBlob[]; truncated: boolean }>;
  getBlob(sha: string): Promise<Uint8Array>;
  /** `.github/flask-audit.yml` from the default branch (so a pull request cannot weaken its own scan). */
  readConfig(): Promise<ConfigFile>;
  /** Our earlier review comments (found by their hidden marker), with their thread id and state. */
  listPriorComments(pullNumber: number): Promise<PriorComment[]>;
  createCheckRun(start: CheckRunStart): Promise<number>;
  /** Completes the check run; annotations go in batches of 50 (earlier batches by update), texts are clamped. */
  completeCheckRun(checkRunId: number, result: CheckRunResult): Promise<void>;
  /** One review: event COMMENT, or pending when probing. Returns the review id. */
  createReview(pullNumber: number, review: NewReview): Promise<number>;
  deletePendingReview(pullNumber: number, reviewId: number): Promise<void>;
  resolveThread(threadId: string): Promise<void>;
  replyToReviewComment(pullNumber: number, commentId: number, body: string): Promise<void>;
  getPermission(username: string): Promise<Permission>;
  addReaction(commentId: number, reaction: Reaction): Promise<void>;
  commentOnPullRequest(pullNumber: number, body: string): Promise<void>;
  /** Pull request numbers of our check runs in a check suite (from their external_id). */
  pullNumbersOfCheckSuite(checkSuiteId: number): Promise<number[]>;
}

/** The HTTP status of an Octokit error, if any. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error === "object" && error !== null && "status" in error && typeof error.status === "number") return error.status;
  return undefined;
}

/** A GraphQL "Resource not accessible by integration" (e.g. resolveReviewThread without contents: write). */
export function isForbidden(error: unknown): boolean {
  if (statusOf(error) === 403) return true;
  if (typeof error !== "object" || error === null || !("errors" in error) || !Array.isArray(error.errors)) return false;
  return error.errors.some((e: unknown) => typeof e === "object" && e !== null && "type" in e && e.type === "FORBIDDEN");
}

/**
 * Worth another attempt later: GitHub or the network failed (5xx; Octokit reports a failed fetch as 500), or a rate
 * limit outlasted Octokit's own retries (429, or 403 "rate limit"). A 4xx is an answer, not a hiccup.
 */
export function isTransient(error: unknown): boolean {
  const status = statusOf(error);
  if (status === undefined) return false;
  return status >= 500 || status === 429 || (status === 403 && /rate limit/i.test(errorMessage(error)));
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A moment safely before a write about to be made (clock skew allowed): `since` for finding it again. */
function recentlyBefore(): string {
  return new Date(Date.now() - 5 * 60_000).toISOString();
}

/** Cut a text to GitHub's limit, saying so at the end. */
export function clampText(text: string, limit: number = CHECK_TEXT_LIMIT): string {
  if (text.length <= limit) return text;
  const note = "\n\n… (truncated to GitHub's limit)";
  return text.slice(0, limit - note.length) + note;
}

const REVIEW_THREADS_QUERY = `
  query($owner: String!, $repo: String!, $number: Int!, $cursor: String) {
    repository(owner: $owner, name: $repo) {
      pullRequest(number: $number) {
        reviewThreads(first: 100, after: $cursor) {
          pageInfo { hasNextPage endCursor }
          nodes { id isResolved comments(first: 1) { nodes { databaseId } } }
        }
      }
    }
  }`;

interface ReviewThreadsPage {
  repository: {
    pullRequest: {
      reviewThreads: {
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        nodes: { id: string; isResolved: boolean; comments: { nodes: { databaseId: number | null }[] } }[];
      } | null;
    } | null;
  } | null;
}

const RESOLVE_THREAD_MUTATION = `
  mutation($threadId: ID!) {
    resolveReviewThread(input: { threadId: $threadId }) { thread { id isResolved } }
  }`;

/** Review threads of a pull request read at most this many pages of 100. */
const MAX_THREAD_PAGES = 30;

export interface OctokitGatewayOptions {
  /** Reads the parsed config file: in the app, `() => context.config("flask-audit.yml")`. */
  readConfig: () => Promise<unknown>;
  /** How writes that must happen once are retried after a 5xx (tests shorten the waits). */
  writeRetry?: WriteOnceOptions;
}

export class OctokitGateway implements GitHubGateway {
  readonly repo: RepoRef;
  readonly #octokit: ProbotOctokit;
  readonly #readConfig: () => Promise<unknown>;
  readonly #writeRetry: WriteOnceOptions;

  constructor(octokit: ProbotOctokit, repo: RepoRef, options: OctokitGatewayOptions) {
    this.#octokit = octokit;
    this.repo = { owner: repo.owner, repo: repo.repo };
    this.#readConfig = options.readConfig;
    this.#writeRetry = options.writeRetry ?? {};
  }

  /** A non-idempotent write: no blind retry; see write-once.ts. */
  #once<T>(write: () => Promise<T>, applied: () => Promise<T | undefined>): Promise<T> {
    return writeOnce(write, applied, this.#writeRetry);
  }

  /** #once for a write whose answer we do not need: `applied` only says whether it landed. */
  async #onceDone(write: () => Promise<unknown>, applied: () => Promise<boolean>): Promise<void> {
    await this.#once(
      async () => (await write(), true),
      async () => ((await applied()) ? true : undefined),
    );
  }

  async getPullRequest(pullNumber: number): Promise<PullRequestInfo> {
    const { data } = await this.#octokit.rest.pulls.get({ ...this.repo, pull_number: pullNumber });
    return {
      number: data.number,
      headSha: data.head.sha,
      draft: data.draft === true,
      state: data.state === "closed" ? "closed" : "open",
      headRepo: data.head.repo?.full_name ?? null,
    };
  }

  async listPullFiles(pullNumber: number, maxFiles: number = MAX_PULL_FILES): Promise<{ files: ListedFile[]; truncated: boolean }> {
    const files: ListedFile[] = [];
    let truncated = false;
    // Never the `.diff` media type: it fails past 300 files. The JSON list carries each file's own patch.
    await this.#octokit.paginate(this.#octokit.rest.pulls.listFiles, { ...this.repo, pull_number: pullNumber, per_page: 100 }, (response, done) => {
      for (const file of response.data) {
        if (files.length >= maxFiles) break;
        const listed: ListedFile = { path: file.filename, status: file.status, additions: file.additions };
        if (file.sha && file.status !== "removed") listed.blobSha = file.sha;
        if (file.previous_filename) listed.previousPath = file.previous_filename;
        if (file.patch !== undefined && file.patch !== null) listed.patch = file.patch;
        files.push(listed);
      }
      if (files.length >= maxFiles) {
        truncated = true;
        done();
      }
      return [];
    });
    return { files, truncated };
  }

  async getTree(sha: string): Promise<{ blobs: TreeBlob[]; truncated: boolean }> {
    const { data } = await this.#octokit.rest.git.getTree({ ...this.repo, tree_sha: sha, recursive: "1" });
    const blobs: TreeBlob[] = [];
    for (const entry of data.tree) {
      // 120000 is a symlink (its "content" is the target path); 160000 submodules are type "commit".
      if (entry.type !== "blob" || entry.mode === "120000" || !entry.path || !entry.sha) continue;
      blobs.push({ path: entry.path, sha: entry.sha, size: entry.size ?? 0 });
    }
    return { blobs, truncated: data.truncated };
  }

  async getBlob(sha: string): Promise<Uint8Array> {
    const { data } = await this.#octokit.rest.git.getBlob({ ...this.repo, file_sha: sha });
    return data.encoding === "base64" ? Buffer.from(data.content, "base64") : Buffer.from(data.content, "utf8");
  }

  async readConfig(): Promise<ConfigFile> {
    try {
      return { ok: true, raw: await this.#readConfig() };
    } catch (error) {
      // An API error (500, network) is not the config's fault: let the scan fail and say so.
      if (statusOf(error) !== undefined) throw error;
      return { ok: false, error: describeConfigError(error) };
    }
  }

  async listPriorComments(pullNumber: number): Promise<PriorComment[]> {
    const comments = await this.#octokit.paginate(this.#octokit.rest.pulls.listReviewComments, { ...this.repo, pull_number: pullNumber, per_page: 100 });
    const roots = comments.flatMap((comment) => {
      if (comment.in_reply_to_id || !isBotUser(comment.user)) return [];
      const marker = parseMarker(comment.body);
      return marker ? [{ comment, marker }] : [];
    });
    if (roots.length === 0) return [];

    const rootById = new Map(roots.map((r) => [r.comment.id, r.comment]));
    const replies = new Map<number, { human: boolean; ours: boolean }>();
    for (const comment of comments) {
      const root = comment.in_reply_to_id ? rootById.get(comment.in_reply_to_id) : undefined;
      if (!root) continue;
      const state = replies.get(root.id) ?? { human: false, ours: false };
      if (!isBotUser(comment.user)) state.human = true;
      else if (comment.user?.login === root.user?.login) state.ours = true;
      replies.set(root.id, state);
    }
    const threads = await this.#reviewThreads(pullNumber);

    return roots.map(({ comment, marker }) => {
      const thread = threads.get(comment.id);
      const reply = replies.get(comment.id);
      const prior: PriorComment = {
        commentId: comment.id,
        fingerprint: marker.fingerprint,
        ruleId: marker.ruleId,
        path: comment.path,
        // Our own "fixed in ..." reply already answered the thread (when we may not resolve it): don't repeat it.
        isResolved: (thread?.isResolved ?? false) || (reply?.ours ?? false),
        hasHumanReplies: reply?.human ?? false,
      };
      if (thread) prior.threadId = thread.id;
      return prior;
    });
  }

  /** Root comment database id -> its review thread. */
  async #reviewThreads(pullNumber: number): Promise<Map<number, { id: string; isResolved: boolean }>> {
    const threads = new Map<number, { id: string; isResolved: boolean }>();
    let cursor: string | null = null;
    for (let page = 0; page < MAX_THREAD_PAGES; page++) {
      const data: ReviewThreadsPage = await this.#octokit.graphql<ReviewThreadsPage>(REVIEW_THREADS_QUERY, {
        owner: this.repo.owner,
        repo: this.repo.repo,
        number: pullNumber,
        cursor,
      });
      const connection = data.repository?.pullRequest?.reviewThreads;
      if (!connection) break;
      for (const node of connection.nodes) {
        const rootId = node.comments.nodes[0]?.databaseId;
        if (typeof rootId === "number") threads.set(rootId, { id: node.id, isResolved: node.isResolved });
      }
      if (!connection.pageInfo.hasNextPage) break;
      cursor = connection.pageInfo.endCursor;
    }
    return threads;
  }

  async createCheckRun(start: CheckRunStart): Promise<number> {
    const marker = tokenMarker(writeToken());
    const summary = `${clampText(start.summary, CHECK_TEXT_LIMIT - marker.length - 2)}\n\n${marker}`;
    return this.#once(
      async () => {
        const { data } = await this.#octokit.rest.checks.create({
          ...this.repo,
          name: CHECK_RUN_NAME,
          head_sha: start.headSha,
          status: "in_progress",
          external_id: start.externalId,
          started_at: new Date().toISOString(),
          output: { title: start.title, summary },
          request: NO_AUTOMATIC_RETRY,
        });
        return data.id;
      },
      async () => {
        const { data } = await this.#octokit.rest.checks.listForRef({ ...this.repo, ref: start.headSha, check_name: CHECK_RUN_NAME, filter: "all", per_page: 100 });
        return data.check_runs.find((run) => run.output.summary?.includes(marker))?.id;
      },
    );
  }

  async completeCheckRun(checkRunId: number, result: CheckRunResult): Promise<void> {
    const title = clampText(result.title, 255);
    const summary = clampText(result.summary);
    const batches: CheckAnnotation[][] = [];
    for (let i = 0; i < result.annotations.length; i += ANNOTATIONS_PER_REQUEST) {
      batches.push(result.annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
    }
    // GitHub appends the annotations of each update (a blind retry would show them twice): an update whose answer
    // was lost counts as applied when the run holds the annotations sent so far. The last batch travels with the
    // conclusion.
    let sent = 0;
    const update = async (params: Record<string, unknown>, count: number, completes: boolean): Promise<void> => {
      sent += count;
      const expected = sent;
      await this.#onceDone(
        () => this.#octokit.rest.checks.update({ ...this.repo, check_run_id: checkRunId, ...params, request: NO_AUTOMATIC_RETRY }),
        async () => {
          const { data } = await this.#octokit.rest.checks.get({ ...this.repo, check_run_id: checkRunId });
          return data.output.annotations_count >= expected && (!completes || data.status === "completed");
        },
      );
    };
    for (const batch of batches.slice(0, -1)) await update({ output: { title, summary, annotations: batch } }, batch.length, false);
    const output: { title: string; summary: string; text?: string; annotations?: CheckAnnotation[] } = { title, summary };
    if (result.text) output.text = clampText(result.text);
    const last = batches.at(-1);
    if (last) output.annotations = last;
    await update(
      {
        status: "completed",
        conclusion: result.conclusion,
        completed_at: new Date().toISOString(),
        ...(result.detailsUrl ? { details_url: result.detailsUrl } : {}),
        output,
      },
      last?.length ?? 0,
      true,
    );
  }

  async createReview(pullNumber: number, review: NewReview): Promise<number> {
    const comments = review.comments.map((c) => ({
      path: c.path,
      line: c.line,
      side: "RIGHT" as const,
      ...(c.startLine !== undefined && c.startLine < c.line ? { start_line: c.startLine, start_side: "RIGHT" as const } : {}),
      body: c.body,
    }));
    // The token travels in the body, pending probes included (GitHub lists a pending review to its author).
    const marker = tokenMarker(writeToken());
    return this.#once(
      async () => {
        const { data } = await this.#octokit.rest.pulls.createReview({
          ...this.repo,
          pull_number: pullNumber,
          commit_id: review.commitId,
          // Never REQUEST_CHANGES: the check run is the gate. No event at all leaves the review pending.
          ...(review.pending ? { body: marker } : { event: "COMMENT" as const, body: `${review.body}\n\n${marker}` }),
          comments,
          request: NO_AUTOMATIC_RETRY,
        });
        return data.id;
      },
      async () => (await this.#listReviews(pullNumber)).find((r) => r.body?.includes(marker))?.id,
    );
  }

  async #listReviews(pullNumber: number): Promise<{ id: number; state: string; body?: string | null }[]> {
    return this.#octokit.paginate(this.#octokit.rest.pulls.listReviews, { ...this.repo, pull_number: pullNumber, per_page: 100 });
  }

  async deletePendingReview(pullNumber: number, reviewId: number): Promise<void> {
    // A repeat of a delete that landed answers 404: gone is what was asked for.
    await this.#onceDone(
      () => this.#octokit.rest.pulls.deletePendingReview({ ...this.repo, pull_number: pullNumber, review_id: reviewId, request: NO_AUTOMATIC_RETRY }),
      async () => !(await this.#listReviews(pullNumber)).some((r) => r.id === reviewId && r.state === "PENDING"),
    );
  }

  async resolveThread(threadId: string): Promise<void> {
    await this.#octokit.graphql(RESOLVE_THREAD_MUTATION, { threadId });
  }

  async replyToReviewComment(pullNumber: number, commentId: number, body: string): Promise<void> {
    const marker = tokenMarker(writeToken());
    const since = recentlyBefore();
    await this.#onceDone(
      () =>
        this.#octokit.rest.pulls.createReplyForReviewComment({
          ...this.repo,
          pull_number: pullNumber,
          comment_id: commentId,
          body: `${body}\n\n${marker}`,
          request: NO_AUTOMATIC_RETRY,
        }),
      async () => {
        const comments = await this.#octokit.paginate(this.#octokit.rest.pulls.listReviewComments, { ...this.repo, pull_number: pullNumber, since, per_page: 100 });
        return comments.some((c) => c.body.includes(marker));
      },
    );
  }

  async getPermission(username: string): Promise<Permission> {
    try {
      const { data } = await this.#octokit.rest.repos.getCollaboratorPermissionLevel({ ...this.repo, username });
      const permission = data.permission;
      return permission === "admin" || permission === "write" || permission === "read" ? permission : "none";
    } catch (error) {
      if (statusOf(error) === 404) return "none";
      throw error;
    }
  }

  async addReaction(commentId: number, reaction: Reaction): Promise<void> {
    await this.#octokit.rest.reactions.createForIssueComment({ ...this.repo, comment_id: commentId, content: reaction });
  }

  async commentOnPullRequest(pullNumber: number, body: string): Promise<void> {
    const marker = tokenMarker(writeToken());
    const since = recentlyBefore();
    await this.#onceDone(
      () => this.#octokit.rest.issues.createComment({ ...this.repo, issue_number: pullNumber, body: `${body}\n\n${marker}`, request: NO_AUTOMATIC_RETRY }),
      async () => {
        const comments = await this.#octokit.paginate(this.#octokit.rest.issues.listComments, { ...this.repo, issue_number: pullNumber, since, per_page: 100 });
        return comments.some((c) => c.body?.includes(marker));
      },
    );
  }

  async pullNumbersOfCheckSuite(checkSuiteId: number): Promise<number[]> {
    const { data } = await this.#octokit.rest.checks.listForSuite({ ...this.repo, check_suite_id: checkSuiteId, check_name: CHECK_RUN_NAME, per_page: 100 });
    const numbers = new Set<number>();
    for (const run of data.check_runs) {
      const fromExternal = Number(run.external_id);
      if (Number.isInteger(fromExternal) && fromExternal > 0) numbers.add(fromExternal);
      for (const pr of run.pull_requests ?? []) numbers.add(pr.number);
    }
    return [...numbers].sort((a, b) => a - b);
  }
}

/** "(invalid YAML)" plus the parser's own line/column message, without the plugin's prefix. */
function describeConfigError(error: unknown): string {
  const message = errorMessage(error).replace(/^\[@probot\/octokit-plugin-config\]\s*/, "");
  const cause = error instanceof Error && error.cause !== undefined ? errorMessage(error.cause) : "";
  return cause ? `${message}: ${cause}` : message;
}
