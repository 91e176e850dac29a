// The app and the server on the Redis queue (REDIS_URL, a unique prefix per test): the worker runs scans from the job
// payload alone (authenticating as the installation), duplicate events are one job, a rescan's 🚀 goes through
// Redis, Probot's throttling keeps its state in Redis (shared rate limiting), and a stop hands a running scan back
// to the next instance, which completes the same check run. GitHub's API is nock.
import type { Redis } from "ioredis";
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildPullModel } from "../../src/github/fake/pull-model.js";
import { RedisScanQueue } from "../../src/github/redis-queue.js";
import { RedisRescanLimiter } from "../../src/github/rescan-limit.js";
import { HEALTH_PATH, startServer, type RunningServer } from "../../src/server.js";
import {
  APP_ID,
  CONFIG_PATH,
  GitHubMock,
  HEAD_SHA,
  INSTALLATION_ID,
  OWNER,
  PRIVATE_KEY,
  REPO,
  REPO_PATH,
  TestOctokit,
  createTestApp,
  payload,
  sendWebhook,
  type TestApp,
} from "./helpers.js";
import { deletePrefix, REDIS_URL, redisClient, redisUp, uniquePrefix, warnIfRedisDown } from "./redis.js";
import { BASE, FACT_PATHS, HEAD } from "./sample.js";

warnIfRedisDown("the app and server on Redis");

const SECRET = "a-real-secret";
const CHECK_RUNS = `${REPO_PATH}/check-runs`;
const REVIEWS = `${REPO_PATH}/pulls/7/reviews`;

describe.skipIf(!redisUp)(`the app on the Redis queue (Redis at ${REDIS_URL})`, () => {
  let redis: Redis;
  let prefix: string;
  let github: GitHubMock;
  const closers: (() => Promise<void>)[] = [];

  beforeAll(() => {
    redis = redisClient();
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
  });
  afterAll(() => {
    redis.disconnect();
    nock.enableNetConnect();
  });
  beforeEach(() => {
    prefix = uniquePrefix();
    github = new GitHubMock();
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    github.dispose();
    nock.cleanAll();
    await deletePrefix(redis, prefix);
  });

  const redisApp = async (): Promise<TestApp<RedisScanQueue>> => {
    const queue = await RedisScanQueue.connect({ url: REDIS_URL, prefix, retry: { attempts: 1, backoffMs: 1 }, recoveryIntervalMs: 0 });
    closers.push(() => queue.close());
    return createTestApp({ queue, rescanLimiter: new RedisRescanLimiter(queue.client, prefix, 60_000) });
  };

  /** Every call of one complete scan of PR 7 at HEAD_SHA, check run creation included unless `checkRun: false`. */
  const mockScan = (options: { checkRun?: boolean } = {}) => {
    const model = buildPullModel(BASE, HEAD);
    if (options.checkRun !== false) github.checkRunCreate();
    github.noConfig().files(7, model).tree(HEAD_SHA, model).blobs(model, ["shop/views.py", ...FACT_PATHS]).reviewComments(7).pull(7, HEAD_SHA).review(7).checkRunUpdate();
  };

  it("runs a scan from the job alone, and a burst of duplicate events for one head is one job: one check run, one review", async () => {
    const app = await redisApp();
    github.token();
    mockScan();
    const opened = payload("pull_request.opened");
    const synchronize = payload("pull_request.synchronize"); // the same head
    await Promise.all([
      app.probot.receive({ id: "d-1", name: "pull_request", payload: opened }),
      app.probot.receive({ id: "d-2", name: "pull_request", payload: opened }),
      app.probot.receive({ id: "d-3", name: "pull_request", payload: synchronize }),
    ]);
    await app.queue.onIdle();

    expect(github.unmatched).toEqual([]);
    expect(github.scope.pendingMocks()).toEqual([]);
    expect(github.bodies("POST", CHECK_RUNS)).toHaveLength(1);
    expect(github.bodies("POST", REVIEWS)).toHaveLength(1);
    expect(github.calls()[0]).toBe(`POST /app/installations/${INSTALLATION_ID}/access_tokens`); // the worker authenticated itself
  });

  it("a writer's rescan: 👀, the scan, then 🚀 told through Redis when the job finishes", async () => {
    const app = await redisApp();
    const REACTIONS = `${REPO_PATH}/issues/comments/1876543210/reactions`;
    github
      .token()
      .on("GET", `${REPO_PATH}/collaborators/hubot-human/permission`, () => [200, { permission: "write" }])
      .on("POST", REACTIONS, (body) => [201, { id: 1, content: body.content }], 2)
      .pull(7, HEAD_SHA);
    mockScan();
    await app.deliver("issue_comment", payload("issue_comment.created"));

    expect(github.scope.pendingMocks()).toEqual([]);
    expect(github.bodies("POST", REACTIONS).map((b) => b.content)).toEqual(["eyes", "rocket"]);
    expect(await redis.exists(`${prefix}:rescan:${OWNER}/${REPO}#7`)).toBe(1); // the rate limit holds across instances
  });

  it("the server: health names the Redis queue, and Probot's throttling keeps its state in Redis (rate limits shared by instances)", async () => {
    const server = await startServer({
      env: { APP_ID: String(APP_ID), PRIVATE_KEY, WEBHOOK_SECRET: SECRET, LOG_LEVEL: "fatal", REDIS_URL, FLASK_AUDIT_REDIS_PREFIX: prefix },
      port: 0,
      host: "127.0.0.1",
    });
    closers.push(() => server.stop(1_000));
    expect(await (await fetch(`${server.url}${HEALTH_PATH}`)).json()).toEqual({
      status: "ok",
      queue: { kind: "redis", queued: 0, running: 0 },
      blobCache: { hits: 0, misses: 0, evictions: 0, entries: 0, bytes: 0 },
      scanCache: { hits: 0, misses: 0, evictions: 0, entries: 0, bytes: 0 },
    });

    github.token().on("GET", `${REPO_PATH}/pulls/7`, () => [200, { number: 7 }]);
    const octokit = await server.probot.auth(INSTALLATION_ID);
    await octokit.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: 7 });
    // @octokit/plugin-throttling's Bottleneck limiters, clustered on Probot's REDIS_URL connection.
    expect(await redis.keys("b_octokit-*")).not.toEqual([]);
  });

  it("SIGTERM on a scan that outlasts the grace period: handed back, the next instance completes the same check run, posting once", async () => {
    const start = () =>
      startServer({
        env: {
          APP_ID: String(APP_ID),
          PRIVATE_KEY,
          WEBHOOK_SECRET: SECRET,
          LOG_LEVEL: "fatal",
          REDIS_URL,
          FLASK_AUDIT_REDIS_PREFIX: prefix,
          FLASK_AUDIT_SCAN_ATTEMPTS: "1",
          FLASK_AUDIT_RECOVERY_INTERVAL_MS: "0",
        },
        port: 0,
        host: "127.0.0.1",
        Octokit: TestOctokit,
      });
    const first: RunningServer = await start();
    closers.push(() => first.stop(1_000));
    const gate: { release?: () => void; reached?: () => void } = {};
    const released = new Promise<void>((resolve) => (gate.release = resolve));
    const reached = new Promise<void>((resolve) => (gate.reached = resolve));
    github.token().checkRunCreate();
    github.scope.get(CONFIG_PATH).reply(async () => {
      gate.reached!();
      await released;
      return [404, { message: "Not Found" }];
    });
    github.on("GET", `/repos/${OWNER}/.github/contents/.github%2Fflask-audit.yml`, () => [404, { message: "Not Found" }]);

    expect((await sendWebhook(first.url, SECRET, "pull_request", payload("pull_request.opened"))).status).toBe(200);
    await reached; // the scan is inside a GitHub call
    const stopping = first.stop(1_000); // 800 ms to finish, then 200 ms to hand back
    await new Promise((resolve) => setTimeout(resolve, 850));
    gate.release!(); // the call lands; the next one is refused and the job goes back to the queue
    await stopping;
    expect(github.bodies("PATCH", `${CHECK_RUNS}/4242`)).toEqual([]); // left in progress for the next worker, not cancelled

    github.token(); // a new process, a new installation token
    mockScan({ checkRun: false });
    const second = await start();
    closers.push(() => second.stop(1_000));
    await second.queue.onIdle();

    expect(github.unmatched).toEqual([]);
    expect(github.scope.pendingMocks()).toEqual([]);
    expect(github.bodies("POST", CHECK_RUNS)).toHaveLength(1);
    expect(github.bodies("POST", REVIEWS)).toHaveLength(1);
    expect(github.bodies("PATCH", `${CHECK_RUNS}/4242`)).toEqual([expect.objectContaining({ status: "completed", conclusion: "failure" })]);
    expect(await redis.hgetall(`${prefix}:inflight`)).toEqual({});
  });
});
