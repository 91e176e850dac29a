// An in-memory GitHubGateway over a pull model: for testing gathering and the scan flow without HTTP.
import type { PriorComment } from "../../src/core/review-types.js";
import type {
  CheckRunResult,
  CheckRunStart,
  ConfigFile,
  GitHubGateway,
  ListedFile,
  NewReview,
  Permission,
  PullRequestInfo,
  Reaction,
  TreeBlob,
} from "../../src/github/gateway.js";
import type { PullModel } from "../../src/github/fake/pull-model.js";

export class FakeGateway implements GitHubGateway {
  readonly repo = { owner: "octo-org", repo: "flask-shop" };
  readonly log: string[] = [];
  readonly completed: CheckRunResult[] = [];
  readonly reviews: NewReview[] = [];
  headSha: string;
  config: ConfigFile = { ok: true, raw: null };
  priorComments: PriorComment[] = [];
  /** Make the next call of a method fail: name (or "getBlob <sha>") -> error. */
  failures = new Map<string, unknown>();
  treeTruncated = false;

  constructor(readonly model: PullModel, headSha = "6dcb09b5b57875f334f61aebed695e2e4193db5e") {
    this.headSha = headSha;
  }

  #call(name: string, detail = ""): void {
    this.log.push(detail ? `${name} ${detail}` : name);
    this.#fail(name);
  }

  #fail(key: string): void {
    const failure = this.failures.get(key);
    if (failure === undefined) return;
    this.failures.delete(key);
    throw failure;
  }

  async getPullRequest(pullNumber: number): Promise<PullRequestInfo> {
    this.#call("getPullRequest");
    return { number: pullNumber, headSha: this.headSha, draft: false, state: "open", headRepo: "octo-org/flask-shop" };
  }

  async listPullFiles(): Promise<{ files: ListedFile[]; truncated: boolean }> {
    this.#call("listPullFiles");
    const files = this.model.files.map((f): ListedFile => {
      const file: ListedFile = { path: f.filename, status: f.status, additions: f.additions };
      if (f.status !== "removed") file.blobSha = f.sha;
      if (f.patch !== undefined) file.patch = f.patch;
      if (f.previous_filename) file.previousPath = f.previous_filename;
      return file;
    });
    return { files, truncated: false };
  }

  async getTree(): Promise<{ blobs: TreeBlob[]; truncated: boolean }> {
    this.#call("getTree");
    const blobs = this.model.tree.filter((e) => e.type === "blob").map((e) => ({ path: e.path, sha: e.sha, size: e.size ?? 0 }));
    return { blobs, truncated: this.treeTruncated };
  }

  async getBlob(sha: string): Promise<Uint8Array> {
    this.#call("getBlob", sha);
    this.#fail(`getBlob ${sha}`);
    const bytes = this.model.blobs.get(sha);
    if (!bytes) throw Object.assign(new Error("Not Found"), { status: 404 });
    return bytes;
  }

  async readConfig(): Promise<ConfigFile> {
    this.#call("readConfig");
    return this.config;
  }

  async listPriorComments(): Promise<PriorComment[]> {
    this.#call("listPriorComments");
    return this.priorComments;
  }

  async createCheckRun(_start: CheckRunStart): Promise<number> {
    this.#call("createCheckRun");
    return 1;
  }

  async completeCheckRun(_id: number, result: CheckRunResult): Promise<void> {
    this.#call("completeCheckRun", result.conclusion);
    this.completed.push(result);
  }

  async createReview(_pullNumber: number, review: NewReview): Promise<number> {
    this.#call("createReview");
    this.reviews.push(review);
    return 1;
  }

  async deletePendingReview(): Promise<void> {
    this.#call("deletePendingReview");
  }

  async resolveThread(threadId: string): Promise<void> {
    this.#call("resolveThread", threadId);
  }

  async replyToReviewComment(_pullNumber: number, commentId: number): Promise<void> {
    this.#call("replyToReviewComment", String(commentId));
  }

  async getPermission(): Promise<Permission> {
    this.#call("getPermission");
    return "write";
  }

  async addReaction(_commentId: number, reaction: Reaction): Promise<void> {
    this.#call("addReaction", reaction);
  }

  async commentOnPullRequest(): Promise<void> {
    this.#call("commentOnPullRequest");
  }

  async pullNumbersOfCheckSuite(): Promise<number[]> {
    this.#call("pullNumbersOfCheckSuite");
    return [];
  }
}
