// A fake GitHub on 127.0.0.1 for `npm run demo` and end-to-end suites: just the REST and GraphQL routes the app
// uses, served GitHub Enterprise style under /api/v3 and /api/graphql (point GHE_HOST/GHE_PROTOCOL at it), with one
// repository and one pull request whose files come from two snapshots (see pull-model.ts). It keeps what the app
// posts (check runs, reviews, comments, reactions, resolved threads) for the caller to print or assert, and refuses
// review comments outside the diff with a 422 the way GitHub does.
import { createHmac, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { parseFilePatch } from "../../core/diff.js";
import { blobResponse, buildPullModel, type PullModel, type Snapshot } from "./pull-model.js";

export interface FakeGitHubOptions {
  owner?: string;
  repo?: string;
  pullNumber?: number;
  base: Snapshot;
  head: Snapshot;
  headSha?: string;
  /** `.github/flask-audit.yml` on the default branch (absent when undefined). */
  config?: string;
  installationId?: number;
  /** Permission `GET .../collaborators/{user}/permission` answers for everyone. */
  permission?: "admin" | "write" | "read" | "none";
}

export interface FakeCheckRun {
  id: number;
  name: string;
  head_sha: string;
  external_id?: string;
  status: string;
  conclusion?: string;
  details_url?: string;
  output: { title?: string; summary?: string; text?: string };
  annotations: Record<string, unknown>[];
}

export interface FakeReviewComment {
  id: number;
  path: string;
  line: number;
  start_line?: number;
  side: "RIGHT";
  body: string;
  in_reply_to_id?: number;
  user: { login: string; type: "Bot" | "User" };
  commit_id: string;
  pull_request_review_id: number;
}

export interface FakeReview {
  id: number;
  state: "COMMENTED" | "PENDING";
  body?: string;
  commit_id: string;
  comments: FakeReviewComment[];
}

export interface RecordedCall {
  method: string;
  path: string;
  status: number;
}

const BOT = { login: "flask-audit[bot]", type: "Bot" as const };
const API_PREFIX = "/api/v3";

export class FakeGitHub {
  readonly owner: string;
  readonly repo: string;
  readonly pullNumber: number;
  readonly installationId: number;
  readonly calls: RecordedCall[] = [];
  readonly checkRuns: FakeCheckRun[] = [];
  readonly reviews: FakeReview[] = [];
  readonly reviewComments: FakeReviewComment[] = [];
  readonly issueComments: { id: number; body: string }[] = [];
  readonly reactions: { commentId: number; content: string }[] = [];
  readonly resolvedThreads = new Set<string>();
  headSha: string;
  config: string | undefined;
  permission: string;
  #base: Snapshot;
  #model: PullModel;
  #server: Server | undefined;
  #nextId = 1000;

  constructor(options: FakeGitHubOptions) {
    this.owner = options.owner ?? "octo-org";
    this.repo = options.repo ?? "flask-shop";
    this.pullNumber = options.pullNumber ?? 7;
    this.installationId = options.installationId ?? 41020506;
    this.headSha = options.headSha ?? "6dcb09b5b57875f334f61aebed695e2e4193db5e";
    this.config = options.config;
    this.permission = options.permission ?? "write";
    this.#base = options.base;
    this.#model = buildPullModel(options.base, options.head, { headSha: this.headSha, repoUrl: this.htmlUrl });
  }

  get htmlUrl(): string {
    return `https://github.com/${this.owner}/${this.repo}`;
  }

  /** Where GHE_HOST (with GHE_PROTOCOL=http) should point: "127.0.0.1:PORT". */
  get host(): string {
    const address = this.#server?.address();
    if (!address || typeof address !== "object") throw new Error("the fake GitHub is not listening");
    return `127.0.0.1:${address.port}`;
  }

  get baseUrl(): string {
    return `http://${this.host}${API_PREFIX}`;
  }

  async start(): Promise<void> {
    this.#server = createServer((req, res) => {
      void this.#handle(req, res).catch((error: unknown) => send(res, 500, { message: String(error) }));
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, "127.0.0.1", resolve));
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** A new push: the pull request's head becomes `head`. */
  push(head: Snapshot, headSha: string): void {
    this.headSha = headSha;
    this.#model = buildPullModel(this.#base, head, { headSha, repoUrl: this.htmlUrl });
  }

  /** A webhook delivery as GitHub sends it: headers (signed with `secret`) and body. */
  webhook(event: "pull_request", action: "opened" | "synchronize", secret: string): { headers: Record<string, string>; body: string } {
    const body = JSON.stringify(this.pullRequestPayload(action));
    const signature = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
    return {
      headers: {
        "content-type": "application/json",
        "user-agent": "GitHub-Hookshot/fake",
        "x-github-event": event,
        "x-github-delivery": randomUUID(),
        "x-github-hook-id": "470301563",
        "x-github-hook-installation-target-type": "integration",
        "x-github-hook-installation-target-id": "1",
        "x-hub-signature-256": signature,
      },
      body,
    };
  }

  pullRequestPayload(action: "opened" | "synchronize"): Record<string, unknown> {
    const owner = { login: this.owner, id: 6811672, type: "Organization", html_url: `https://github.com/${this.owner}` };
    const author = { login: "mona", id: 583231, type: "User", html_url: "https://github.com/mona" };
    const repository = {
      id: 586151034,
      node_id: "R_kgDOI4ZqXc",
      name: this.repo,
      full_name: `${this.owner}/${this.repo}`,
      private: false,
      owner,
      html_url: this.htmlUrl,
      url: `${this.baseUrl}/repos/${this.owner}/${this.repo}`,
      fork: false,
      default_branch: "main",
      visibility: "public",
    };
    return {
      action,
      number: this.pullNumber,
      ...(action === "synchronize" ? { before: "0".repeat(40), after: this.headSha } : {}),
      pull_request: {
        url: `${repository.url}/pulls/${this.pullNumber}`,
        id: 2210345678,
        node_id: "PR_kwDOI4ZqXc6DvK3O",
        html_url: `${this.htmlUrl}/pull/${this.pullNumber}`,
        number: this.pullNumber,
        state: "open",
        locked: false,
        title: "Inventory: greeting page, product search and a ping diagnostic",
        user: author,
        body: "Adds /greet, /search and /diagnostics/ping.",
        draft: false,
        head: { label: `${this.owner}:feature/diagnostics`, ref: "feature/diagnostics", sha: this.headSha, user: owner, repo: repository },
        base: { label: `${this.owner}:main`, ref: "main", sha: "9049f1265b7d61be4a8904a9a27120d2064dab3b", user: owner, repo: repository },
        author_association: "MEMBER",
        merged: false,
        commits: 1,
        additions: this.#model.files.reduce((n, f) => n + f.additions, 0),
        deletions: this.#model.files.reduce((n, f) => n + f.deletions, 0),
        changed_files: this.#model.files.length,
      },
      repository,
      organization: { login: this.owner, id: 6811672 },
      sender: author,
      installation: { id: this.installationId, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDEwMjA1MDY=" },
    };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const method = req.method ?? "GET";
    const raw = await readBody(req);
    const body = raw ? (JSON.parse(raw) as Record<string, any>) : {};
    const record = (status: number) => this.calls.push({ method, path: url.pathname + url.search, status });
    const reply = (status: number, data: unknown, headers: Record<string, string> = {}) => {
      record(status);
      send(res, status, data, headers);
    };

    if (method === "POST" && url.pathname === "/api/graphql") return reply(200, this.#graphql(body));
    if (!url.pathname.startsWith(API_PREFIX)) return reply(404, { message: "Not Found" });
    const path = decodeURIComponent(url.pathname).slice(API_PREFIX.length);
    const repoPath = `/repos/${this.owner}/${this.repo}`;
    const pull = `${repoPath}/pulls/${this.pullNumber}`;
    let m: RegExpExecArray | null;

    if (method === "POST" && path === `/app/installations/${this.installationId}/access_tokens`) {
      return reply(201, { token: "ghs_fake", expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: {} });
    }
    if (method === "GET" && path === `${repoPath}/contents/.github/flask-audit.yml` && this.config !== undefined) {
      record(200);
      res.writeHead(200, { "content-type": "application/vnd.github.raw; charset=utf-8" }).end(this.config);
      return;
    }
    if (method === "POST" && path === `${repoPath}/check-runs`) {
      const run: FakeCheckRun = {
        id: this.#id(),
        name: body.name,
        head_sha: body.head_sha,
        external_id: body.external_id,
        status: body.status ?? "queued",
        output: { ...body.output },
        annotations: [...(body.output?.annotations ?? [])],
      };
      this.checkRuns.push(run);
      return reply(201, run);
    }
    if (method === "PATCH" && (m = new RegExp(`^${repoPath}/check-runs/(\\d+)$`).exec(path))) {
      const run = this.checkRuns.find((r) => r.id === Number(m![1]));
      if (!run) return reply(404, { message: "Not Found" });
      if (body.status) run.status = body.status;
      if (body.conclusion) {
        run.conclusion = body.conclusion;
        run.status = "completed";
      }
      if (body.details_url) run.details_url = body.details_url;
      if (body.output) {
        if ((body.output.annotations ?? []).length > 50) return reply(422, { message: "Only 50 annotations are allowed per request" });
        const { annotations, ...output } = body.output;
        run.output = { ...run.output, ...output };
        run.annotations.push(...(annotations ?? []));
      }
      return reply(200, run);
    }
    if (method === "GET" && path === `${pull}/files`) {
      const perPage = Number(url.searchParams.get("per_page") ?? 30);
      const page = Number(url.searchParams.get("page") ?? 1);
      const files = this.#model.files;
      const last = Math.max(1, Math.ceil(files.length / perPage));
      const headers: Record<string, string> = {};
      if (page < last) headers.link = `<${this.baseUrl}${pull}/files?per_page=${perPage}&page=${page + 1}>; rel="next", <${this.baseUrl}${pull}/files?per_page=${perPage}&page=${last}>; rel="last"`;
      return reply(200, files.slice((page - 1) * perPage, page * perPage), headers);
    }
    if (method === "GET" && path === `${repoPath}/git/trees/${this.headSha}`) {
      return reply(200, { sha: this.headSha, tree: this.#model.tree, truncated: false });
    }
    if (method === "GET" && (m = new RegExp(`^${repoPath}/git/blobs/([0-9a-f]{40})$`).exec(path))) {
      const bytes = this.#model.blobs.get(m[1]!);
      return bytes ? reply(200, blobResponse(m[1]!, bytes)) : reply(404, { message: "Not Found" });
    }
    if (method === "GET" && path === `${pull}/comments`) return reply(200, this.reviewComments);
    if (method === "GET" && path === pull) {
      return reply(200, { number: this.pullNumber, state: "open", draft: false, head: { sha: this.headSha, repo: { full_name: `${this.owner}/${this.repo}` } } });
    }
    if (method === "POST" && path === `${pull}/reviews`) return this.#createReview(body, reply);
    if (method === "DELETE" && (m = new RegExp(`^${pull}/reviews/(\\d+)$`).exec(path))) {
      const index = this.reviews.findIndex((r) => r.id === Number(m![1]) && r.state === "PENDING");
      if (index === -1) return reply(422, { message: "Can not delete a non-pending pull request review" });
      return reply(200, this.reviews.splice(index, 1)[0]);
    }
    if (method === "POST" && (m = new RegExp(`^${pull}/comments/(\\d+)/replies$`).exec(path))) {
      const parent = this.reviewComments.find((c) => c.id === Number(m![1]));
      if (!parent) return reply(404, { message: "Not Found" });
      const comment: FakeReviewComment = { ...parent, id: this.#id(), body: body.body, in_reply_to_id: parent.id, user: BOT };
      this.reviewComments.push(comment);
      return reply(201, comment);
    }
    if (method === "GET" && (m = new RegExp(`^${repoPath}/collaborators/([^/]+)/permission$`).exec(path))) {
      return reply(200, { permission: this.permission, user: { login: decodeURIComponent(m[1]!) } });
    }
    if (method === "POST" && (m = new RegExp(`^${repoPath}/issues/comments/(\\d+)/reactions$`).exec(path))) {
      this.reactions.push({ commentId: Number(m[1]), content: body.content });
      return reply(201, { id: this.#id(), content: body.content });
    }
    if (method === "POST" && path === `${repoPath}/issues/${this.pullNumber}/comments`) {
      const comment = { id: this.#id(), body: body.body };
      this.issueComments.push(comment);
      return reply(201, comment);
    }
    if (method === "GET" && (m = new RegExp(`^${repoPath}/check-suites/(\\d+)/check-runs$`).exec(path))) {
      const runs = this.checkRuns.filter((r) => r.name === (url.searchParams.get("check_name") ?? r.name));
      return reply(200, { total_count: runs.length, check_runs: runs.map((r) => ({ ...r, pull_requests: [] })) });
    }
    return reply(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
  }

  /** Like GitHub: every comment must sit on a RIGHT-side line of the diff, a range within one hunk. */
  #createReview(body: Record<string, any>, reply: (status: number, data: unknown) => void): void {
    const comments: { path: string; line: number; start_line?: number; body: string }[] = body.comments ?? [];
    for (const c of comments) {
      const file = this.#model.files.find((f) => f.filename === c.path);
      if (!file) return reply(422, { message: "Unprocessable Entity", errors: ["Path could not be resolved"] });
      const change = parseFilePatch(c.path, file.patch);
      const hunkOf = (line: number) => change.hunks.findIndex((h) => line >= h.newStart && line < h.newStart + h.newLines);
      const lines = c.start_line !== undefined ? [c.start_line, c.line] : [c.line];
      if (!lines.every((l) => change.commentableLines.has(l)) || new Set(lines.map(hunkOf)).size !== 1) {
        return reply(422, { message: "Unprocessable Entity", errors: ["Line could not be resolved"] });
      }
    }
    if (body.commit_id !== this.headSha) return reply(422, { message: "Unprocessable Entity", errors: ["commit_id is not part of the pull request"] });
    const pending = body.event === undefined;
    if (pending && this.reviews.some((r) => r.state === "PENDING")) {
      return reply(422, { message: "Unprocessable Entity", errors: ["User can only have one pending review per pull request"] });
    }
    const review: FakeReview = { id: this.#id(), state: pending ? "PENDING" : "COMMENTED", body: body.body, commit_id: body.commit_id, comments: [] };
    for (const c of comments) {
      const comment: FakeReviewComment = {
        id: this.#id(),
        path: c.path,
        line: c.line,
        ...(c.start_line !== undefined ? { start_line: c.start_line } : {}),
        side: "RIGHT",
        body: c.body,
        user: BOT,
        commit_id: body.commit_id,
        pull_request_review_id: review.id,
      };
      review.comments.push(comment);
      if (!pending) this.reviewComments.push(comment);
    }
    this.reviews.push(review);
    reply(200, { id: review.id, state: review.state, commit_id: review.commit_id });
  }

  #graphql(body: Record<string, any>): unknown {
    const query = String(body.query ?? "");
    if (query.includes("resolveReviewThread")) {
      const threadId = String(body.variables?.threadId);
      this.resolvedThreads.add(threadId);
      return { data: { resolveReviewThread: { thread: { id: threadId, isResolved: true } } } };
    }
    if (query.includes("reviewThreads")) {
      const roots = this.reviewComments.filter((c) => c.in_reply_to_id === undefined);
      const nodes = roots.map((c) => ({ id: `PRRT_${c.id}`, isResolved: this.resolvedThreads.has(`PRRT_${c.id}`), comments: { nodes: [{ databaseId: c.id }] } }));
      return { data: { repository: { pullRequest: { reviewThreads: { pageInfo: { hasNextPage: false, endCursor: null }, nodes } } } } };
    }
    return { errors: [{ message: "the fake GitHub does not implement this query" }] };
  }

  #id(): number {
    return this.#nextId++;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, data: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers }).end(JSON.stringify(data));
}
