// A fake GitHub on 127.0.0.1 for `npm run demo` and the end-to-end suite (test/e2e): the REST and GraphQL routes the
// app uses, served GitHub Enterprise style under /api/v3 and /api/graphql (point GHE_HOST/GHE_PROTOCOL=http at it).
// Any number of repositories, each in an installation, each with pull requests whose files come from two snapshots
// (see pull-model.ts); the constructor's base/head make the one pull request the demo reviews.
//
// It behaves like GitHub where the app could get it wrong:
// - authentication: installation tokens come from POST /app/installations/{id}/access_tokens with the App's JWT
//   (verified RS256 against the App's public key when one is given); every other call needs such a token (401
//   without, 404 for a repository of another installation);
// - validation (422): review comments outside the diff of their commit, more than 50 annotations in one check-run
//   request, a check run on an unknown commit or completed without a conclusion, malformed annotations, unknown
//   reaction contents;
// - faults on request (faults.ts): 5xx on the first N writes, secondary rate limits, latency, held requests.
// It records every call and everything the app posted (check runs, reviews, comments, reactions, resolved threads),
// and tallies them per pull request so a test can assert "nothing lost, nothing doubled".
import { createHmac, createPublicKey, randomBytes, randomUUID, verify, type KeyObject } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { parseMarker } from "../../core/comment.js";
import { parseFilePatch } from "../../core/diff.js";
import { FaultPlan, type CallInfo, type FaultKind, type FaultReply, type InjectedFault } from "./faults.js";
import { blobResponse, buildPullModel, type GitHubTreeEntry, type PullModel, type Snapshot } from "./pull-model.js";

export type Permission = "admin" | "write" | "read" | "none";

export interface FakeGitHubOptions {
  owner?: string;
  repo?: string;
  pullNumber?: number;
  /** With `head`: the one pull request of the default repository (what the demo reviews). */
  base?: Snapshot;
  head?: Snapshot;
  headSha?: string;
  /** `.github/flask-audit.yml` on the default branch (absent when undefined). */
  config?: string;
  installationId?: number;
  /** Permission `GET .../collaborators/{user}/permission` answers for users without their own (default write). */
  permission?: Permission;
  /** The App's public key: token requests must then carry a JWT it verifies (RS256, `iss` = appId). */
  appPublicKey?: string | KeyObject;
  appId?: string | number;
}

export interface RepositoryOptions {
  owner: string;
  repo: string;
  installationId?: number;
  config?: string;
  permission?: Permission;
}

export interface PullRequestOptions {
  owner?: string;
  repo?: string;
  /** Used when the repository does not exist yet. */
  installationId?: number;
  number: number;
  base: Snapshot;
  head: Snapshot;
  headSha?: string;
  title?: string;
  draft?: boolean;
}

/** Names one pull request. */
export interface PullRef {
  owner: string;
  repo: string;
  number: number;
}

export interface FakeCheckRun {
  id: number;
  /** owner/name */
  repository: string;
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
  /** owner/name and number of the pull request (GitHub gives pull_request_url). */
  repository: string;
  pull_number: number;
}

export interface FakeReview {
  id: number;
  repository: string;
  pull_number: number;
  state: "COMMENTED" | "PENDING" | "APPROVED" | "CHANGES_REQUESTED";
  body?: string;
  commit_id: string;
  comments: FakeReviewComment[];
}

export interface FakeIssueComment {
  id: number;
  repository: string;
  issue_number: number;
  body: string;
}

export interface FakeReaction {
  repository: string;
  commentId: number;
  content: string;
}

export interface RecordedCall {
  method: string;
  /** As requested, with the /api/v3 prefix and the query. */
  path: string;
  status: number;
  /** The fault injected instead of the route's answer, if any. */
  fault?: FaultKind;
  /** Milliseconds since the fake started. */
  at: number;
}

/** What the app did to one pull request, for "nothing lost, nothing doubled". */
export interface PullTally {
  repository: string;
  pullNumber: number;
  /** Published reviews (pending probes not counted). */
  reviews: number;
  /** Our root review comments (replies not counted). */
  comments: number;
  /** Root comments beyond the first for the same finding fingerprint. */
  duplicateComments: number;
  /** Root comments without a flask-audit fingerprint marker. */
  unmarkedComments: number;
  checkRuns: number;
  completedCheckRuns: number;
  /** Check runs not completed (a scan that lost its promise leaves one). */
  inProgressCheckRuns: number;
  conclusions: string[];
}

interface RepositoryState {
  owner: string;
  name: string;
  fullName: string;
  id: number;
  installationId: number;
  config: string | undefined;
  defaultPermission: Permission;
  permissions: Map<string, Permission>;
  pulls: Map<number, PullState>;
  /** Every commit pushed to any pull request (and the base): check runs must name one. */
  commits: Set<string>;
  trees: Map<string, GitHubTreeEntry[]>;
  blobs: Map<string, Uint8Array>;
}

interface PullState {
  repository: RepositoryState;
  number: number;
  title: string;
  draft: boolean;
  base: Snapshot;
  headSha: string;
  model: PullModel;
  /** The pull request's diff at each commit it had as its head (review comments are checked against their commit). */
  models: Map<string, PullModel>;
  /** "path:line" where GitHub refuses review comments although the line is in the diff (it happens). */
  refusedLines: Set<string>;
}

interface Reply {
  status: number;
  body?: unknown;
  /** A raw text body instead of JSON. */
  text?: string;
  headers?: Record<string, string>;
}

type Auth = { kind: "none" } | { kind: "app" } | { kind: "installation"; installationId: number };

const BOT = { login: "flask-audit[bot]", type: "Bot" as const };
const API_PREFIX = "/api/v3";
const BASE_SHA = "9049f1265b7d61be4a8904a9a27120d2064dab3b";
const DEMO_HEAD_SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
const REACTIONS = new Set(["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"]);
const ANNOTATION_LEVELS = new Set(["notice", "warning", "failure"]);
const CONCLUSIONS = new Set(["action_required", "cancelled", "failure", "neutral", "success", "skipped", "stale", "timed_out"]);
const DOCS = "https://docs.github.com/rest";

const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => (headers ? { status, body, headers } : { status, body });
const notFound = (): Reply => json(404, { message: "Not Found", documentation_url: DOCS, status: "404" });
const unprocessable = (...errors: string[]): Reply => json(422, { message: "Unprocessable Entity", errors, documentation_url: DOCS, status: "422" });

export class FakeGitHub {
  /** The default repository and pull request (the constructor's). */
  readonly owner: string;
  readonly repo: string;
  readonly pullNumber: number;
  readonly installationId: number;
  readonly calls: RecordedCall[] = [];
  readonly checkRuns: FakeCheckRun[] = [];
  readonly reviews: FakeReview[] = [];
  readonly reviewComments: FakeReviewComment[] = [];
  readonly issueComments: FakeIssueComment[] = [];
  readonly reactions: FakeReaction[] = [];
  readonly resolvedThreads = new Set<string>();
  readonly faults = new FaultPlan();
  readonly injected: InjectedFault[] = [];
  readonly tokensIssued: { installationId: number; token: string }[] = [];
  #repositories = new Map<string, RepositoryState>();
  #tokens = new Map<string, number>();
  #appPublicKey: KeyObject | undefined;
  #appId: string | undefined;
  #server: Server | undefined;
  #started = Date.now();
  #nextId = 1000;
  #nextRepoId = 586151034;

  constructor(options: FakeGitHubOptions = {}) {
    this.owner = options.owner ?? "octo-org";
    this.repo = options.repo ?? "flask-shop";
    this.pullNumber = options.pullNumber ?? 7;
    this.installationId = options.installationId ?? 41020506;
    if (options.appPublicKey !== undefined) {
      this.#appPublicKey = typeof options.appPublicKey === "string" ? createPublicKey(options.appPublicKey) : options.appPublicKey;
    }
    if (options.appId !== undefined) this.#appId = String(options.appId);
    const repoOptions: RepositoryOptions = { owner: this.owner, repo: this.repo, installationId: this.installationId };
    if (options.config !== undefined) repoOptions.config = options.config;
    if (options.permission !== undefined) repoOptions.permission = options.permission;
    this.addRepository(repoOptions);
    if (options.base && options.head) {
      this.addPullRequest({ number: this.pullNumber, base: options.base, head: options.head, headSha: options.headSha ?? DEMO_HEAD_SHA });
    }
  }

  get htmlUrl(): string {
    return `https://github.com/${this.owner}/${this.repo}`;
  }

  /** Head of the default pull request. */
  get headSha(): string {
    return this.#pull({ owner: this.owner, repo: this.repo, number: this.pullNumber }).headSha;
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
    this.#started = Date.now();
    this.#server = createServer((req, res) => {
      void this.#handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) send(res, { status: 500, body: { message: String(error) } });
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, "127.0.0.1", resolve));
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.faults.releaseAll();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // -------------------------------------------------------------------------------------------------------------
  // Setting the scene

  addRepository(options: RepositoryOptions): void {
    const fullName = `${options.owner}/${options.repo}`;
    if (this.#repositories.has(fullName)) throw new Error(`the fake GitHub already has ${fullName}`);
    this.#repositories.set(fullName, {
      owner: options.owner,
      name: options.repo,
      fullName,
      id: this.#nextRepoId++,
      installationId: options.installationId ?? this.installationId,
      config: options.config,
      defaultPermission: options.permission ?? "write",
      permissions: new Map(),
      pulls: new Map(),
      commits: new Set([BASE_SHA]),
      trees: new Map(),
      blobs: new Map(),
    });
  }

  /** A pull request (its repository is created, in `installationId`, when it does not exist yet). */
  addPullRequest(options: PullRequestOptions): PullRef {
    const owner = options.owner ?? this.owner;
    const repo = options.repo ?? this.repo;
    if (!this.#repositories.has(`${owner}/${repo}`)) {
      this.addRepository({ owner, repo, ...(options.installationId !== undefined ? { installationId: options.installationId } : {}) });
    }
    const repository = this.#repositories.get(`${owner}/${repo}`)!;
    if (repository.pulls.has(options.number)) throw new Error(`the fake GitHub already has ${owner}/${repo}#${options.number}`);
    const headSha = options.headSha ?? randomBytes(20).toString("hex");
    const model = buildPullModel(options.base, options.head, { headSha, repoUrl: `https://github.com/${owner}/${repo}` });
    const pull: PullState = {
      repository,
      number: options.number,
      title: options.title ?? `Pull request #${options.number}`,
      draft: options.draft ?? false,
      base: options.base,
      headSha,
      model,
      models: new Map([[headSha, model]]),
      refusedLines: new Set(),
    };
    repository.pulls.set(options.number, pull);
    this.#remember(repository, headSha, model);
    return { owner, repo, number: options.number };
  }

  /** A new push: the pull request's head becomes `head` at `headSha` (default: the demo's pull request). */
  push(head: Snapshot, headSha: string, ref: PullRef = this.defaultPull): void {
    const pull = this.#pull(ref);
    const model = buildPullModel(pull.base, head, { headSha, repoUrl: `https://github.com/${ref.owner}/${ref.repo}` });
    pull.headSha = headSha;
    pull.model = model;
    pull.models.set(headSha, model);
    this.#remember(pull.repository, headSha, model);
  }

  /** What `GET .../collaborators/{login}/permission` answers for this user. */
  setPermission(login: string, permission: Permission, ref: Pick<PullRef, "owner" | "repo"> = this.defaultPull): void {
    this.#repository(ref).permissions.set(login, permission);
  }

  /** From now on GitHub refuses (422) any review comment on this line, as it sometimes does for lines in the diff. */
  refuseReviewComments(ref: PullRef, path: string, line: number): void {
    this.#pull(ref).refusedLines.add(`${path}:${line}`);
  }

  get defaultPull(): PullRef {
    return { owner: this.owner, repo: this.repo, number: this.pullNumber };
  }

  headShaOf(ref: PullRef): string {
    return this.#pull(ref).headSha;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Webhooks, as GitHub sends them

  /** A signed `pull_request` delivery for the default pull request (the demo's). */
  webhook(event: "pull_request", action: "opened" | "synchronize", secret: string): { headers: Record<string, string>; body: string } {
    return signDelivery(event, this.pullRequestPayload(action), secret);
  }

  pullRequestPayload(action: "opened" | "synchronize" | "reopened", ref: PullRef = this.defaultPull): Record<string, unknown> {
    const pull = this.#pull(ref);
    const repository = this.#repositoryPayload(pull.repository);
    const owner = repository.owner;
    const author = { login: "mona", id: 583231, type: "User", html_url: "https://github.com/mona" };
    return {
      action,
      number: pull.number,
      ...(action === "synchronize" ? { before: "0".repeat(40), after: pull.headSha } : {}),
      pull_request: {
        url: `${repository.url}/pulls/${pull.number}`,
        id: 2210345678 + pull.number,
        node_id: `PR_kwDOI4ZqXc6DvK${pull.number}`,
        html_url: `${repository.html_url}/pull/${pull.number}`,
        number: pull.number,
        state: "open",
        locked: false,
        title: pull.title,
        user: author,
        body: "",
        draft: pull.draft,
        head: { label: `${owner.login}:feature/${pull.number}`, ref: `feature/${pull.number}`, sha: pull.headSha, user: owner, repo: repository },
        base: { label: `${owner.login}:main`, ref: "main", sha: BASE_SHA, user: owner, repo: repository },
        author_association: "MEMBER",
        merged: false,
        commits: 1,
        additions: pull.model.files.reduce((n, f) => n + f.additions, 0),
        deletions: pull.model.files.reduce((n, f) => n + f.deletions, 0),
        changed_files: pull.model.files.length,
      },
      repository,
      organization: { login: owner.login, id: 6811672 },
      sender: author,
      installation: { id: pull.repository.installationId, node_id: `MDIzOkludGVncmF0aW9u${pull.repository.installationId}` },
    };
  }

  /** An `issue_comment.created` payload: someone commented `body` on the pull request. */
  issueCommentPayload(
    ref: PullRef,
    comment: { id?: number; body: string; login: string; authorAssociation: string; userType?: "User" | "Bot" },
  ): Record<string, unknown> {
    const pull = this.#pull(ref);
    const repository = this.#repositoryPayload(pull.repository);
    const user = { login: comment.login, id: 4412, type: comment.userType ?? "User", html_url: `https://github.com/${comment.login}` };
    const id = comment.id ?? this.#id();
    return {
      action: "created",
      issue: {
        url: `${repository.url}/issues/${pull.number}`,
        html_url: `${repository.html_url}/pull/${pull.number}`,
        id: 1_900_000_000 + pull.number,
        number: pull.number,
        title: pull.title,
        user: { login: "mona", id: 583231, type: "User" },
        state: "open",
        locked: false,
        draft: pull.draft,
        author_association: "MEMBER",
        pull_request: { url: `${repository.url}/pulls/${pull.number}`, html_url: `${repository.html_url}/pull/${pull.number}` },
        body: "",
      },
      comment: {
        url: `${repository.url}/issues/comments/${id}`,
        html_url: `${repository.html_url}/pull/${pull.number}#issuecomment-${id}`,
        id,
        user,
        author_association: comment.authorAssociation,
        body: comment.body,
        created_at: new Date().toISOString(),
      },
      repository,
      organization: { login: pull.repository.owner, id: 6811672 },
      sender: user,
      installation: { id: pull.repository.installationId, node_id: `MDIzOkludGVncmF0aW9u${pull.repository.installationId}` },
    };
  }

  // -------------------------------------------------------------------------------------------------------------
  // What happened

  checkRunsOf(ref: PullRef): FakeCheckRun[] {
    const repository = `${ref.owner}/${ref.repo}`;
    return this.checkRuns.filter((r) => r.repository === repository && r.external_id === String(ref.number));
  }

  reviewsOf(ref: PullRef): FakeReview[] {
    const repository = `${ref.owner}/${ref.repo}`;
    return this.reviews.filter((r) => r.repository === repository && r.pull_number === ref.number && r.state !== "PENDING");
  }

  /** Our root review comments on the pull request (published ones; replies excluded). */
  commentsOf(ref: PullRef): FakeReviewComment[] {
    const repository = `${ref.owner}/${ref.repo}`;
    return this.reviewComments.filter((c) => c.repository === repository && c.pull_number === ref.number && c.in_reply_to_id === undefined);
  }

  reactionsOn(commentId: number): string[] {
    return this.reactions.filter((r) => r.commentId === commentId).map((r) => r.content);
  }

  tally(ref: PullRef): PullTally {
    const comments = this.commentsOf(ref);
    const perFingerprint = new Map<string, number>();
    let unmarked = 0;
    for (const c of comments) {
      const marker = parseMarker(c.body);
      if (!marker) unmarked++;
      else perFingerprint.set(marker.fingerprint, (perFingerprint.get(marker.fingerprint) ?? 0) + 1);
    }
    const runs = this.checkRunsOf(ref);
    return {
      repository: `${ref.owner}/${ref.repo}`,
      pullNumber: ref.number,
      reviews: this.reviewsOf(ref).length,
      comments: comments.length,
      duplicateComments: [...perFingerprint.values()].reduce((n, count) => n + count - 1, 0),
      unmarkedComments: unmarked,
      checkRuns: runs.length,
      completedCheckRuns: runs.filter((r) => r.status === "completed").length,
      inProgressCheckRuns: runs.filter((r) => r.status !== "completed").length,
      conclusions: runs.flatMap((r) => (r.conclusion ? [r.conclusion] : [])),
    };
  }

  /** Every pull request the fake holds. */
  pulls(): PullRef[] {
    return [...this.#repositories.values()].flatMap((r) => [...r.pulls.keys()].map((number) => ({ owner: r.owner, repo: r.name, number })));
  }

  /** Comments posted twice for the same finding, over every pull request. */
  duplicatesPosted(): number {
    return this.pulls().reduce((n, ref) => n + this.tally(ref).duplicateComments, 0);
  }

  /** Injected faults after which the same call (method and path) later succeeded: the app retried it. */
  survivedFaults(): InjectedFault[] {
    return this.injected.filter((fault) =>
      this.calls.some((call, index) => index > fault.callIndex && call.method === fault.method && call.path === fault.path && call.status < 400),
    );
  }

  /** Calls that answered 404 on a route the fake does not implement (config files aside, which may be absent). */
  unknownRoutes(): RecordedCall[] {
    return this.calls.filter((c) => c.status === 404 && !c.path.includes("/contents/") && !c.fault);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Serving

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const method = req.method ?? "GET";
    const raw = await readBody(req);
    let body: Record<string, any> = {};
    let malformed = false;
    try {
      body = raw ? (JSON.parse(raw) as Record<string, any>) : {};
    } catch {
      malformed = true;
    }
    const isGraphql = url.pathname === "/api/graphql";
    const apiPath = isGraphql ? "/graphql" : url.pathname.startsWith(API_PREFIX) ? decodeURIComponent(url.pathname).slice(API_PREFIX.length) : url.pathname;
    const isTokenExchange = /^\/app\/installations\/\d+\/access_tokens$/.test(apiPath);
    const call: CallInfo = {
      method,
      path: apiPath + url.search,
      write: isGraphql ? /^\s*mutation\b/.test(String(body.query ?? "")) : !isTokenExchange && method !== "GET" && method !== "HEAD",
    };

    const delay = this.faults.delayFor(call);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    const held = this.faults.holdFor(call);
    if (held) await held;

    const finish = (reply: Reply, fault?: FaultReply): void => {
      const recorded: RecordedCall = { method, path: url.pathname + url.search, status: reply.status, at: Date.now() - this.#started };
      if (fault) {
        recorded.fault = fault.kind;
        this.injected.push({ kind: fault.kind, status: fault.status, method, path: recorded.path, callIndex: this.calls.length, applied: fault.applied });
      }
      this.calls.push(recorded);
      if (!res.destroyed) send(res, reply);
    };

    if (malformed) return finish(json(400, { message: "Problems parsing JSON", documentation_url: DOCS }));
    const auth = this.#authenticate(req);
    if (auth.kind === "none") {
      const header = req.headers.authorization;
      return finish(json(401, { message: header ? "Bad credentials" : "Requires authentication", documentation_url: DOCS, status: "401" }));
    }
    // Faults hit authenticated calls only (an unauthenticated one is refused first), and never the token exchange.
    const fault = isTokenExchange ? undefined : this.faults.decide(call);
    if (fault && !fault.applied) return finish(faultReply(fault), fault);
    const reply = isGraphql ? this.#graphql(body, auth) : this.#rest(method, apiPath, url.searchParams, body, auth);
    if (fault) return finish(faultReply(fault), fault);
    finish(reply);
  }

  #authenticate(req: IncomingMessage): Auth {
    const [scheme, credential] = (req.headers.authorization ?? "").split(/\s+/, 2);
    if (!scheme || !credential) return { kind: "none" };
    const installationId = this.#tokens.get(credential);
    if ((scheme.toLowerCase() === "token" || scheme.toLowerCase() === "bearer") && installationId !== undefined) {
      return { kind: "installation", installationId };
    }
    if (scheme.toLowerCase() === "bearer" && this.#verifyAppJwt(credential)) return { kind: "app" };
    return { kind: "none" };
  }

  /** An App JWT: RS256 over header.payload, `iss` the App id, not expired. Structure only without a public key. */
  #verifyAppJwt(token: string): boolean {
    const [header, payload, signature] = token.split(".");
    if (!header || !payload || !signature) return false;
    let claims: { iss?: unknown; exp?: unknown; iat?: unknown };
    try {
      const head = JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as { alg?: string };
      if (head.alg !== "RS256") return false;
      claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as typeof claims;
    } catch {
      return false;
    }
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp !== "number" || claims.exp < now || typeof claims.iat !== "number" || claims.iat > now + 60) return false;
    if (this.#appId !== undefined && String(claims.iss) !== this.#appId) return false;
    if (!this.#appPublicKey) return claims.iss !== undefined;
    return verify("RSA-SHA256", Buffer.from(`${header}.${payload}`), this.#appPublicKey, Buffer.from(signature, "base64url"));
  }

  #rest(method: string, path: string, query: URLSearchParams, body: Record<string, any>, auth: Auth): Reply {
    let m: RegExpExecArray | null;
    if (method === "POST" && (m = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path))) {
      if (auth.kind !== "app") return json(401, { message: "A JSON web token could not be decoded", documentation_url: DOCS, status: "401" });
      const installationId = Number(m[1]);
      if (![...this.#repositories.values()].some((r) => r.installationId === installationId)) return notFound();
      const token = `ghs_${randomBytes(18).toString("hex")}`;
      this.#tokens.set(token, installationId);
      this.tokensIssued.push({ installationId, token });
      return json(201, { token, expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: {}, repository_selection: "all" });
    }
    if (auth.kind !== "installation") return json(403, { message: "Resource not accessible by integration", documentation_url: DOCS, status: "403" });
    if (!(m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path))) return notFound();
    const repository = this.#repositories.get(`${m[1]}/${m[2]}`);
    // GitHub does not tell an installation that a repository outside it exists.
    if (!repository || repository.installationId !== auth.installationId) return notFound();
    return this.#repoRoute(repository, method, m[3] ?? "", query, body);
  }

  #repoRoute(repository: RepositoryState, method: string, rest: string, query: URLSearchParams, body: Record<string, any>): Reply {
    let m: RegExpExecArray | null;
    if (method === "GET" && rest === "/contents/.github/flask-audit.yml") {
      if (repository.config === undefined) return notFound();
      return { status: 200, text: repository.config, headers: { "content-type": "application/vnd.github.raw; charset=utf-8" } };
    }
    if (method === "POST" && rest === "/check-runs") return this.#createCheckRun(repository, body);
    if (method === "PATCH" && (m = /^\/check-runs\/(\d+)$/.exec(rest))) return this.#updateCheckRun(repository, Number(m[1]), body);
    if (method === "GET" && (m = /^\/check-runs\/(\d+)$/.exec(rest))) {
      const run = this.checkRuns.find((r) => r.id === Number(m![1]) && r.repository === repository.fullName);
      return run ? json(200, checkRunJson(run)) : notFound();
    }
    if (method === "GET" && (m = /^\/commits\/([0-9a-f]{40})\/check-runs$/.exec(rest))) {
      const name = query.get("check_name");
      const runs = this.checkRuns.filter((r) => r.repository === repository.fullName && r.head_sha === m![1] && (name === null || r.name === name));
      return json(200, { total_count: runs.length, check_runs: runs.map(checkRunJson) });
    }
    if (method === "GET" && (m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const comments = this.issueComments.filter((c) => c.repository === repository.fullName && c.issue_number === Number(m![1]));
      return this.#page(query, comments, `${API_PREFIX}/repos/${repository.fullName}/issues/${m[1]}/comments`);
    }
    if (method === "GET" && (m = /^\/check-suites\/(\d+)\/check-runs$/.exec(rest))) {
      const name = query.get("check_name");
      const runs = this.checkRuns.filter((r) => r.repository === repository.fullName && (name === null || r.name === name));
      return json(200, { total_count: runs.length, check_runs: runs.map(checkRunJson) });
    }
    if (method === "GET" && (m = /^\/git\/trees\/([0-9a-f]{40})$/.exec(rest))) {
      const tree = repository.trees.get(m[1]!);
      return tree ? json(200, { sha: m[1], tree, truncated: false }) : notFound();
    }
    if (method === "GET" && (m = /^\/git\/blobs\/([0-9a-f]{40})$/.exec(rest))) {
      const bytes = repository.blobs.get(m[1]!);
      return bytes ? json(200, blobResponse(m[1]!, bytes)) : notFound();
    }
    if (method === "GET" && (m = /^\/collaborators\/([^/]+)\/permission$/.exec(rest))) {
      const login = m[1]!;
      return json(200, { permission: repository.permissions.get(login) ?? repository.defaultPermission, user: { login } });
    }
    if (method === "POST" && (m = /^\/issues\/comments\/(\d+)\/reactions$/.exec(rest))) {
      if (!REACTIONS.has(body.content)) return unprocessable(`content is not one of ${[...REACTIONS].join(", ")}`);
      const commentId = Number(m[1]);
      // GitHub keeps one reaction per user and content: a repeat answers 200 with the existing one.
      const existing = this.reactions.find((r) => r.repository === repository.fullName && r.commentId === commentId && r.content === body.content);
      if (existing) return json(200, { content: existing.content });
      this.reactions.push({ repository: repository.fullName, commentId, content: body.content });
      return json(201, { id: this.#id(), content: body.content });
    }
    if (method === "POST" && (m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      if (!repository.pulls.has(Number(m[1]))) return notFound();
      if (typeof body.body !== "string" || body.body === "") return unprocessable("body is missing");
      const comment: FakeIssueComment = { id: this.#id(), repository: repository.fullName, issue_number: Number(m[1]), body: body.body };
      this.issueComments.push(comment);
      return json(201, comment);
    }
    if (!(m = /^\/pulls\/(\d+)(\/.*)?$/.exec(rest))) return notFound();
    const pull = repository.pulls.get(Number(m[1]));
    if (!pull) return notFound();
    const sub = m[2] ?? "";
    if (method === "GET" && sub === "") {
      const repo = { full_name: repository.fullName };
      return json(200, { number: pull.number, state: "open", draft: pull.draft, head: { sha: pull.headSha, ref: `feature/${pull.number}`, repo }, base: { sha: BASE_SHA, ref: "main", repo } });
    }
    if (method === "GET" && sub === "/files") return this.#page(query, pull.model.files, `${API_PREFIX}/repos/${repository.fullName}/pulls/${pull.number}/files`);
    if (method === "GET" && sub === "/comments") {
      const comments = this.reviewComments.filter((c) => c.repository === repository.fullName && c.pull_number === pull.number);
      return this.#page(query, comments, `${API_PREFIX}/repos/${repository.fullName}/pulls/${pull.number}/comments`);
    }
    if (method === "POST" && sub === "/reviews") return this.#createReview(pull, body);
    if (method === "GET" && sub === "/reviews") {
      const reviews = this.reviews.filter((r) => r.repository === repository.fullName && r.pull_number === pull.number);
      return this.#page(query, reviews.map(({ comments: _, ...review }) => review), `${API_PREFIX}/repos/${repository.fullName}/pulls/${pull.number}/reviews`);
    }
    if (method === "DELETE" && (m = /^\/reviews\/(\d+)$/.exec(sub))) {
      const index = this.reviews.findIndex((r) => r.id === Number(m![1]) && r.state === "PENDING");
      if (index === -1) return unprocessable("Can not delete a non-pending pull request review");
      return json(200, this.reviews.splice(index, 1)[0]);
    }
    if (method === "POST" && (m = /^\/comments\/(\d+)\/replies$/.exec(sub))) {
      const parent = this.reviewComments.find((c) => c.id === Number(m![1]) && c.repository === repository.fullName && c.pull_number === pull.number);
      if (!parent) return notFound();
      const comment: FakeReviewComment = { ...parent, id: this.#id(), body: body.body, in_reply_to_id: parent.id, user: BOT };
      this.reviewComments.push(comment);
      return json(201, comment);
    }
    return notFound();
  }

  /** GitHub's pagination: per_page (max 100) and page, with a Link header to the next and last pages. */
  #page(query: URLSearchParams, items: readonly unknown[], path: string): Reply {
    const perPage = Math.min(100, Number(query.get("per_page") ?? 30) || 30);
    const page = Math.max(1, Number(query.get("page") ?? 1) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const headers: Record<string, string> = {};
    if (page < last) {
      const at = (n: number) => `http://${this.host}${path}?per_page=${perPage}&page=${n}`;
      headers.link = `<${at(page + 1)}>; rel="next", <${at(last)}>; rel="last"`;
    }
    return json(200, items.slice((page - 1) * perPage, page * perPage), headers);
  }

  #createCheckRun(repository: RepositoryState, body: Record<string, any>): Reply {
    if (typeof body.name !== "string" || body.name === "") return unprocessable("name is missing");
    if (!repository.commits.has(body.head_sha)) return unprocessable(`No commit found for SHA: ${String(body.head_sha)}`);
    const invalid = checkRunOutputError(body);
    if (invalid) return invalid;
    const run: FakeCheckRun = {
      id: this.#id(),
      repository: repository.fullName,
      name: body.name,
      head_sha: body.head_sha,
      external_id: body.external_id,
      status: body.conclusion ? "completed" : (body.status ?? "queued"),
      output: {},
      annotations: [],
    };
    if (body.conclusion) run.conclusion = body.conclusion;
    applyOutput(run, body.output);
    this.checkRuns.push(run);
    return json(201, run);
  }

  #updateCheckRun(repository: RepositoryState, id: number, body: Record<string, any>): Reply {
    const run = this.checkRuns.find((r) => r.id === id && r.repository === repository.fullName);
    if (!run) return notFound();
    const invalid = checkRunOutputError(body);
    if (invalid) return invalid;
    if (body.status) run.status = body.status;
    if (body.conclusion) {
      run.conclusion = body.conclusion;
      run.status = "completed";
    }
    if (body.details_url) run.details_url = body.details_url;
    applyOutput(run, body.output);
    return json(200, run);
  }

  /** Like GitHub: every comment must sit on a RIGHT-side line of the diff at its commit, a range within one hunk. */
  #createReview(pull: PullState, body: Record<string, any>): Reply {
    const model = pull.models.get(body.commit_id ?? pull.headSha);
    if (!model) return unprocessable("commit_id is not part of the pull request");
    const event: unknown = body.event;
    if (event !== undefined && event !== "COMMENT" && event !== "APPROVE" && event !== "REQUEST_CHANGES") return unprocessable(`event ${String(event)} is not valid`);
    const comments: { path: string; line: number; start_line?: number; body: string }[] = body.comments ?? [];
    if (event === "COMMENT" && !body.body && comments.length === 0) return unprocessable("Review body is required");
    for (const c of comments) {
      const file = model.files.find((f) => f.filename === c.path);
      if (!file || file.patch === undefined) return unprocessable("Path could not be resolved");
      const change = parseFilePatch(c.path, file.patch);
      const hunkOf = (line: number) => change.hunks.findIndex((h) => line >= h.newStart && line < h.newStart + h.newLines);
      const lines = c.start_line !== undefined ? [c.start_line, c.line] : [c.line];
      if (!lines.every((l) => change.commentableLines.has(l)) || new Set(lines.map(hunkOf)).size !== 1) return unprocessable("Line could not be resolved");
      if (lines.some((l) => pull.refusedLines.has(`${c.path}:${l}`))) return unprocessable("Line could not be resolved");
    }
    const repository = pull.repository.fullName;
    const pending = event === undefined;
    if (pending && this.reviews.some((r) => r.repository === repository && r.pull_number === pull.number && r.state === "PENDING")) {
      return unprocessable("User can only have one pending review per pull request");
    }
    const state = pending ? "PENDING" : event === "APPROVE" ? "APPROVED" : event === "REQUEST_CHANGES" ? "CHANGES_REQUESTED" : "COMMENTED";
    const review: FakeReview = { id: this.#id(), repository, pull_number: pull.number, state, body: body.body, commit_id: body.commit_id ?? pull.headSha, comments: [] };
    for (const c of comments) {
      const comment: FakeReviewComment = {
        id: this.#id(),
        path: c.path,
        line: c.line,
        ...(c.start_line !== undefined ? { start_line: c.start_line } : {}),
        side: "RIGHT",
        body: c.body,
        user: BOT,
        commit_id: review.commit_id,
        pull_request_review_id: review.id,
        repository,
        pull_number: pull.number,
      };
      review.comments.push(comment);
      if (!pending) this.reviewComments.push(comment);
    }
    this.reviews.push(review);
    return json(200, { id: review.id, state: review.state, commit_id: review.commit_id });
  }

  #graphql(body: Record<string, any>, auth: Auth): Reply {
    if (auth.kind !== "installation") return json(200, { errors: [{ type: "FORBIDDEN", message: "Resource not accessible by integration" }] });
    const query = String(body.query ?? "");
    const variables = (body.variables ?? {}) as Record<string, unknown>;
    if (query.includes("resolveReviewThread")) {
      const threadId = String(variables.threadId);
      const rootId = Number(threadId.replace(/^PRRT_/, ""));
      const root = this.reviewComments.find((c) => c.id === rootId && c.in_reply_to_id === undefined);
      if (!root || this.#repositories.get(root.repository)?.installationId !== auth.installationId) {
        return json(200, { data: { resolveReviewThread: null }, errors: [{ type: "NOT_FOUND", message: `Could not resolve to a node with the global id of '${threadId}'` }] });
      }
      this.resolvedThreads.add(threadId);
      return json(200, { data: { resolveReviewThread: { thread: { id: threadId, isResolved: true } } } });
    }
    if (query.includes("reviewThreads")) {
      const repository = this.#repositories.get(`${String(variables.owner)}/${String(variables.repo)}`);
      if (!repository || repository.installationId !== auth.installationId) {
        return json(200, { data: { repository: null }, errors: [{ type: "NOT_FOUND", message: "Could not resolve to a Repository" }] });
      }
      const roots = this.reviewComments.filter((c) => c.repository === repository.fullName && c.pull_number === Number(variables.number) && c.in_reply_to_id === undefined);
      const nodes = roots.map((c) => ({ id: `PRRT_${c.id}`, isResolved: this.resolvedThreads.has(`PRRT_${c.id}`), comments: { nodes: [{ databaseId: c.id }] } }));
      return json(200, { data: { repository: { pullRequest: { reviewThreads: { pageInfo: { hasNextPage: false, endCursor: null }, nodes } } } } });
    }
    return json(200, { errors: [{ message: "the fake GitHub does not implement this query" }] });
  }

  #repositoryPayload(repository: RepositoryState) {
    const owner = { login: repository.owner, id: 6811672, type: "Organization", html_url: `https://github.com/${repository.owner}` };
    const htmlUrl = `https://github.com/${repository.fullName}`;
    return {
      id: repository.id,
      node_id: `R_kgDO${repository.id}`,
      name: repository.name,
      full_name: repository.fullName,
      private: false,
      owner,
      html_url: htmlUrl,
      url: `${this.#server ? this.baseUrl : "https://api.github.com"}/repos/${repository.fullName}`,
      fork: false,
      default_branch: "main",
      visibility: "public",
    };
  }

  #remember(repository: RepositoryState, headSha: string, model: PullModel): void {
    repository.commits.add(headSha);
    repository.trees.set(headSha, model.tree);
    for (const [sha, bytes] of model.blobs) repository.blobs.set(sha, bytes);
  }

  #repository(ref: Pick<PullRef, "owner" | "repo">): RepositoryState {
    const repository = this.#repositories.get(`${ref.owner}/${ref.repo}`);
    if (!repository) throw new Error(`the fake GitHub has no repository ${ref.owner}/${ref.repo}`);
    return repository;
  }

  #pull(ref: PullRef): PullState {
    const pull = this.#repository(ref).pulls.get(ref.number);
    if (!pull) throw new Error(`the fake GitHub has no pull request ${ref.owner}/${ref.repo}#${ref.number}`);
    return pull;
  }

  #id(): number {
    return this.#nextId++;
  }
}

/** A webhook delivery as GitHub sends it: the JSON body, signed with `secret` in X-Hub-Signature-256. */
export function signDelivery(event: string, payload: unknown, secret: string, deliveryId: string = randomUUID()): { headers: Record<string, string>; body: string } {
  const body = JSON.stringify(payload);
  return {
    headers: {
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/fake",
      "x-github-event": event,
      "x-github-delivery": deliveryId,
      "x-github-hook-id": "470301563",
      "x-github-hook-installation-target-type": "integration",
      "x-github-hook-installation-target-id": "1",
      "x-hub-signature-256": signature(body, secret),
    },
    body,
  };
}

export function signature(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** GitHub's checks on a check-run request's output and conclusion (422 when broken). */
function checkRunOutputError(body: Record<string, any>): Reply | undefined {
  if (body.status === "completed" && !body.conclusion) return unprocessable("Conclusion must be set when status is completed");
  if (body.conclusion !== undefined && !CONCLUSIONS.has(body.conclusion)) return unprocessable(`conclusion ${String(body.conclusion)} is not valid`);
  const output = body.output as Record<string, any> | undefined;
  if (output === undefined) return undefined;
  if (typeof output.title !== "string" || typeof output.summary !== "string") return unprocessable("output.title and output.summary are required");
  if (output.summary.length > 65_535 || (typeof output.text === "string" && output.text.length > 65_535)) return unprocessable("output.summary and output.text are limited to 65535 characters");
  const annotations: Record<string, any>[] = output.annotations ?? [];
  if (annotations.length > 50) return json(422, { message: "Only 50 annotations are allowed per request", documentation_url: DOCS, status: "422" });
  for (const a of annotations) {
    if (typeof a.path !== "string" || !Number.isInteger(a.start_line) || !Number.isInteger(a.end_line) || typeof a.message !== "string" || !ANNOTATION_LEVELS.has(a.annotation_level)) {
      return unprocessable("annotations need path, start_line, end_line, annotation_level (notice, warning or failure) and message");
    }
  }
  return undefined;
}

/** GitHub replaces the output's texts and appends each request's annotations. */
function applyOutput(run: FakeCheckRun, output: Record<string, any> | undefined): void {
  if (!output) return;
  const { annotations, ...texts } = output;
  run.output = { ...run.output, ...texts };
  run.annotations.push(...((annotations as Record<string, unknown>[] | undefined) ?? []));
}

function faultReply(fault: FaultReply): Reply {
  return fault.text !== undefined ? { status: fault.status, text: fault.text, headers: fault.headers } : { status: fault.status, body: fault.body, headers: fault.headers };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, reply: Reply): void {
  if (reply.text !== undefined) {
    res.writeHead(reply.status, { "content-type": "text/plain; charset=utf-8", ...reply.headers }).end(reply.text);
    return;
  }
  res.writeHead(reply.status, { "content-type": "application/json; charset=utf-8", ...reply.headers }).end(JSON.stringify(reply.body));
}

/** A check run as GitHub's REST API shows it: the output counts its annotations (they are listed elsewhere). */
function checkRunJson(run: FakeCheckRun): Record<string, unknown> {
  const { annotations, ...rest } = run;
  return { ...rest, output: { ...run.output, annotations_count: annotations.length }, pull_requests: [] };
}
