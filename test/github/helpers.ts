// Test support for the GitHub layer: a Probot instance running the real app with a generated key, webhook payloads
// from test/fixtures/webhooks, and a recorder of the GitHub API calls (nock; no real network).
import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import nock from "nock";
import { Probot, ProbotOctokit } from "probot";
import { createFlaskAuditApp } from "../../src/github/app.js";
import { blobResponse, type PullModel } from "../../src/github/fake/pull-model.js";
import type { ScanLimits } from "../../src/github/gather.js";
import { InProcessScanQueue, type RetryPolicy, type ScanQueue } from "../../src/github/queue.js";
import type { RescanLimiter } from "../../src/github/rescan-limit.js";

export const API = "https://api.github.com";
export const APP_ID = 123456;
export const INSTALLATION_ID = 41020506;
export const OWNER = "octo-org";
export const REPO = "flask-shop";
export const REPO_ID = 586151034;
export const HEAD_SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
export const REPO_PATH = `/repos/${OWNER}/${REPO}`;
export const CONFIG_PATH = `${REPO_PATH}/contents/.github%2Fflask-audit.yml`;
export const ORG_CONFIG_PATH = `/repos/${OWNER}/.github/contents/.github%2Fflask-audit.yml`;

/** GitHub generates PKCS#1 keys; so do we, at test time. */
export const PRIVATE_KEY = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
}).privateKey;

type OctokitOptions = NonNullable<ConstructorParameters<typeof ProbotOctokit>[0]>;

/**
 * No retries and no throttling (its 1 s spacing of writes would only slow the tests). A function, not an object:
 * Probot passes its own `throttle` options per instance, which would replace an object default.
 */
export const TestOctokit = ProbotOctokit.defaults((options: OctokitOptions) => ({
  ...options,
  retry: { enabled: false },
  throttle: { ...options.throttle, enabled: false },
})) as typeof ProbotOctokit;

export function payload<T = any>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/webhooks/${name}.json`, import.meta.url), "utf8")) as T;
}

export interface TestApp<Q extends ScanQueue = InProcessScanQueue> {
  probot: Probot;
  queue: Q;
  /** Deliver a webhook through probot.receive (as the webhook middleware does after verifying it), then wait for the queue. */
  deliver(name: string, body: unknown, id?: string): Promise<void>;
}

export interface TestAppOptions<Q extends ScanQueue> {
  limits?: ScanLimits;
  /** Default: one attempt, so that each test lists exactly the calls of one attempt. */
  retry?: RetryPolicy;
  rescanLimiter?: RescanLimiter;
  /** Default: an in-process queue with `retry`. */
  queue?: Q;
}

export function createTestProbot(): Probot {
  return new Probot({
    appId: APP_ID,
    privateKey: PRIVATE_KEY,
    secret: "test-secret",
    Octokit: TestOctokit,
    logLevel: (process.env.TEST_LOG_LEVEL as "info" | undefined) ?? "fatal",
  });
}

export async function createTestApp<Q extends ScanQueue = InProcessScanQueue>(options: TestAppOptions<Q> = {}): Promise<TestApp<Q>> {
  const queue = options.queue ?? (new InProcessScanQueue({ retry: options.retry ?? { attempts: 1, backoffMs: 1 } }) as ScanQueue as Q);
  const probot = createTestProbot();
  await probot.load(
    createFlaskAuditApp({
      queue,
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.rescanLimiter ? { rescanLimiter: options.rescanLimiter } : {}),
    }),
  );
  return {
    probot,
    queue,
    async deliver(name, body, id = randomUUID()) {
      await probot.receive({ id, name, payload: body } as Parameters<Probot["receive"]>[0]);
      await queue.onIdle();
    },
  };
}

/** POST a webhook to a running server over HTTP, signed with `secret` as GitHub signs it (X-Hub-Signature-256). */
export async function sendWebhook(baseUrl: string, secret: string, name: string, body: unknown, id: string = randomUUID()): Promise<Response> {
  const text = JSON.stringify(body);
  return fetch(`${baseUrl}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": name,
      "x-github-delivery": id,
      "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(text).digest("hex")}`,
    },
    body: text,
  });
}

export interface RecordedRequest {
  method: string;
  path: string;
  body: any;
}

type Reply = [number, unknown?, Record<string, string>?];

/**
 * The GitHub API as nock interceptors that record every request. `unmatched` collects requests no interceptor
 * expected (nock answers them with a network error, which the app must survive).
 */
export class GitHubMock {
  readonly requests: RecordedRequest[] = [];
  readonly unmatched: string[] = [];
  readonly scope = nock(API);
  readonly #onNoMatch = (req: { method?: string; path?: string; host?: string; hostname?: string; options?: { method?: string; path?: string; host?: string } }) => {
    const host = req.hostname ?? req.host ?? req.options?.host ?? "";
    if (/^(127\.0\.0\.1|localhost)(:\d+)?$/.test(host)) return; // the test's own loopback server, not GitHub
    this.unmatched.push(`${req.method ?? req.options?.method} ${req.path ?? req.options?.path}`);
  };

  constructor() {
    nock.emitter.on("no match", this.#onNoMatch);
  }

  dispose(): void {
    nock.emitter.removeListener("no match", this.#onNoMatch);
  }

  on(method: "GET" | "POST" | "PATCH" | "DELETE", path: string | RegExp, reply: (body: any, path: string) => Reply, times = 1): this {
    const interceptor = this.scope.intercept(path, method).times(times);
    const requests = this.requests;
    interceptor.reply(function (uri, body) {
      const parsed = typeof body === "string" && body.length > 0 ? safeJson(body) : body;
      requests.push({ method, path: uri, body: parsed });
      const [status, data, headers] = reply(parsed, uri);
      return [status, data as nock.Body, headers ?? {}];
    });
    return this;
  }

  /** "METHOD /path" of each request, in order (query strings kept). */
  calls(): string[] {
    return this.requests.map((r) => `${r.method} ${r.path}`);
  }

  bodies(method: string, path: string | RegExp): any[] {
    return this.requests.filter((r) => r.method === method && (typeof path === "string" ? r.path === path : path.test(r.path))).map((r) => r.body);
  }

  // --- the usual routes ------------------------------------------------------------------------------------------

  token(): this {
    return this.on("POST", `/app/installations/${INSTALLATION_ID}/access_tokens`, () => [
      201,
      { token: "ghs_test_installation_token", expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: {}, repository_selection: "all" },
    ]);
  }

  checkRunCreate(id = 4242): this {
    return this.on("POST", `${REPO_PATH}/check-runs`, (body) => [201, { id, head_sha: body.head_sha, name: body.name, status: body.status }]);
  }

  checkRunUpdate(id = 4242, times = 1): this {
    return this.on("PATCH", `${REPO_PATH}/check-runs/${id}`, (body) => [200, { id, ...body }], times);
  }

  /** No repository config and no organisation-wide one (.github repo): defaults. */
  noConfig(): this {
    return this.on("GET", CONFIG_PATH, () => [404, { message: "Not Found" }]).on("GET", ORG_CONFIG_PATH, () => [404, { message: "Not Found" }]);
  }

  config(yaml: string): this {
    return this.on("GET", CONFIG_PATH, () => [200, yaml, { "content-type": "application/vnd.github.raw; charset=utf-8" }]);
  }

  /** The file list, paginated like GitHub (Link header, /repositories/{id}/... URLs for the next pages). */
  files(pullNumber: number, model: PullModel, perPage = 100): this {
    const pages = Math.max(1, Math.ceil(model.files.length / perPage));
    for (let page = 1; page <= pages; page++) {
      const path = page === 1 ? `${REPO_PATH}/pulls/${pullNumber}/files?per_page=100` : `/repositories/${REPO_ID}/pulls/${pullNumber}/files?per_page=100&page=${page}`;
      const link = (p: number) => `<${API}/repositories/${REPO_ID}/pulls/${pullNumber}/files?per_page=100&page=${p}>`;
      const headers: Record<string, string> = {};
      if (page < pages) headers.link = `${link(page + 1)}; rel="next", ${link(pages)}; rel="last"`;
      this.on("GET", path, () => [200, model.files.slice((page - 1) * perPage, page * perPage), headers]);
    }
    return this;
  }

  tree(sha: string, model: PullModel, truncated = false): this {
    return this.on("GET", `${REPO_PATH}/git/trees/${sha}?recursive=1`, () => [200, { sha, url: `${API}${REPO_PATH}/git/trees/${sha}`, tree: model.tree, truncated }]);
  }

  /** The head blobs of exactly these paths, once each (so `scope.isDone()` proves which files were fetched). */
  blobs(model: PullModel, paths: string[], inFlight?: { current: number; max: number }): this {
    const requests = this.requests;
    for (const path of paths) {
      const entry = model.tree.find((e) => e.path === path && e.type === "blob");
      if (!entry) throw new Error(`no blob for ${path} in the model`);
      const bytes = model.blobs.get(entry.sha)!;
      this.scope.get(`${REPO_PATH}/git/blobs/${entry.sha}`).reply(function (uri, _body, callback) {
        requests.push({ method: "GET", path: uri, body: undefined });
        if (inFlight) inFlight.max = Math.max(inFlight.max, ++inFlight.current);
        setTimeout(() => {
          if (inFlight) inFlight.current--;
          callback(null, [200, blobResponse(entry.sha, bytes)]);
        }, inFlight ? 2 : 0);
      });
    }
    return this;
  }

  reviewComments(pullNumber: number, comments: unknown[] = []): this {
    return this.on("GET", `${REPO_PATH}/pulls/${pullNumber}/comments?per_page=100`, () => [200, comments]);
  }

  reviewThreads(threads: { id: string; isResolved: boolean; rootId: number }[]): this {
    return this.on("POST", "/graphql", (body) => {
      if (!String(body.query).includes("reviewThreads")) return [400, { message: "unexpected GraphQL query" }];
      return [
        200,
        {
          data: {
            repository: {
              pullRequest: {
                reviewThreads: {
                  pageInfo: { hasNextPage: false, endCursor: null },
                  nodes: threads.map((t) => ({ id: t.id, isResolved: t.isResolved, comments: { nodes: [{ databaseId: t.rootId }] } })),
                },
              },
            },
          },
        },
      ];
    });
  }

  pull(pullNumber: number, headSha: string, extra: Record<string, unknown> = {}): this {
    return this.on("GET", `${REPO_PATH}/pulls/${pullNumber}`, () => [
      200,
      { number: pullNumber, state: "open", draft: false, head: { sha: headSha, repo: { full_name: `${OWNER}/${REPO}` } }, ...extra },
    ]);
  }

  review(pullNumber: number, reply: (body: any) => Reply = () => [200, { id: 777, state: "COMMENTED" }], times = 1): this {
    return this.on("POST", `${REPO_PATH}/pulls/${pullNumber}/reviews`, reply, times);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A review comment as `GET /pulls/{n}/comments` lists it. */
export function reviewComment(fields: { id: number; path: string; line: number; body: string; bot?: boolean; inReplyTo?: number; login?: string }) {
  const bot = fields.bot ?? true;
  return {
    id: fields.id,
    node_id: `PRRC_${fields.id}`,
    pull_request_review_id: 900 + fields.id,
    path: fields.path,
    line: fields.line,
    side: "RIGHT",
    commit_id: HEAD_SHA,
    original_commit_id: HEAD_SHA,
    body: fields.body,
    user: bot
      ? { login: fields.login ?? "flask-audit[bot]", id: 987654, type: "Bot" }
      : { login: fields.login ?? "mona", id: 583231, type: "User" },
    ...(fields.inReplyTo ? { in_reply_to_id: fields.inReplyTo } : {}),
    created_at: "2026-11-27T08:41:00Z",
    updated_at: "2026-11-27T08:41:00Z",
    html_url: `https://github.com/${OWNER}/${REPO}/pull/7#discussion_r${fields.id}`,
    author_association: bot ? "NONE" : "MEMBER",
  };
}
