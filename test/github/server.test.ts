// `npm start`'s server over real HTTP on 127.0.0.1: health endpoint, signed webhooks answered at once with the scan
// running after, refusal to start unsafely, graceful stop. GitHub's API is nock (only loopback traffic is real).
import { createHmac } from "node:crypto";
import { EventEmitter } from "node:events";
import { availableParallelism } from "node:os";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { HEALTH_PATH, StartupError, checkEnvironment, readSettings, startServer, stopOnSignals, type RunningServer } from "../../src/server.js";
import { buildPullModel } from "../../src/github/fake/pull-model.js";
import { APP_ID, GitHubMock, HEAD_SHA, PRIVATE_KEY, REPO_PATH, TestOctokit, payload, sendWebhook } from "./helpers.js";
import { BASE, FACT_PATHS, HEAD } from "./sample.js";

const SECRET = "a-real-secret";
let running: RunningServer | undefined;

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
});
afterEach(async () => {
  await running?.stop(1_000);
  running = undefined;
  nock.cleanAll();
});
afterAll(() => nock.enableNetConnect());

const deliver = (server: RunningServer, name: string, body: unknown) => sendWebhook(server.url, SECRET, name, body);

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  APP_ID: String(APP_ID),
  PRIVATE_KEY,
  WEBHOOK_SECRET: SECRET,
  LOG_LEVEL: "fatal",
  ...extra,
});

describe("checkEnvironment", () => {
  it("refuses to run in production without a webhook secret, saying what to set", () => {
    expect(() => checkEnvironment(env({ NODE_ENV: "production", WEBHOOK_SECRET: "" }))).toThrow(StartupError);
    expect(() => checkEnvironment(env({ NODE_ENV: "production", WEBHOOK_SECRET: undefined }))).toThrow(/WEBHOOK_SECRET is not set/);
    expect(() => checkEnvironment(env({ NODE_ENV: "production", WEBHOOK_SECRET: "development" }))).toThrow(/WEBHOOK_SECRET/);
    expect(() => checkEnvironment(env({ NODE_ENV: "production" }))).not.toThrow();
  });

  it("names a missing APP_ID or private key", () => {
    expect(() => checkEnvironment(env({ APP_ID: "" }))).toThrow(/APP_ID is not set/);
    expect(() => checkEnvironment(env({ PRIVATE_KEY: "" }))).toThrow(/PRIVATE_KEY_PATH/);
    expect(() => checkEnvironment(env({ PRIVATE_KEY: "", PRIVATE_KEY_PATH: "/keys/app.pem" }))).not.toThrow();
  });

  it("startServer refuses too, before listening", async () => {
    await expect(startServer({ env: env({ NODE_ENV: "production", WEBHOOK_SECRET: "" }), port: 0, host: "127.0.0.1" })).rejects.toThrow(/WEBHOOK_SECRET/);
  });
});

describe("the server", () => {
  it("answers GET /healthz with 200 JSON, and unknown paths with 404", async () => {
    running = await startServer({ env: env({ NODE_ENV: "production" }), port: 0, host: "127.0.0.1", Octokit: TestOctokit });
    const health = await fetch(`${running.url}${HEALTH_PATH}`);
    expect(health.status).toBe(200);
    expect(health.headers.get("content-type")).toBe("application/json");
    expect(await health.json()).toEqual({
      status: "ok",
      queue: { kind: "in-process", queued: 0, running: 0 },
      blobCache: { hits: 0, misses: 0, evictions: 0, entries: 0, bytes: 0 },
      scanCache: { hits: 0, misses: 0, evictions: 0, entries: 0, bytes: 0 },
    });
    expect((await fetch(`${running.url}/nope`)).status).toBe(404);
  });

  it("rejects an unsigned webhook and accepts a signed one at once; the scan runs after the response", async () => {
    running = await startServer({ env: env(), port: 0, host: "127.0.0.1", Octokit: TestOctokit });
    const body = JSON.stringify(payload("pull_request.opened"));
    const headers = { "content-type": "application/json", "x-github-event": "pull_request", "x-github-delivery": "d-1" };

    const unsigned = await fetch(`${running.url}/api/github/webhooks`, { method: "POST", headers: { ...headers, "x-hub-signature-256": `sha256=${createHmac("sha256", "wrong").update(body).digest("hex")}` }, body });
    expect(unsigned.status).toBe(400); // @octokit/webhooks: "signature does not match event payload and secret"
    expect(await running.queue.stats()).toEqual({ queued: 0, running: 0 });

    const model = buildPullModel(BASE, HEAD);
    const github = new GitHubMock();
    const gate: { release?: () => void } = {};
    const released = new Promise<void>((resolve) => (gate.release = resolve));
    github.token();
    // The check run is created only once the test lets it: the webhook must have been answered before that.
    github.scope.post(`${REPO_PATH}/check-runs`).reply(async () => {
      await released;
      return [201, { id: 4242 }];
    });
    github.noConfig().files(7, model).tree(HEAD_SHA, model).blobs(model, ["shop/views.py", ...FACT_PATHS]).reviewComments(7).pull(7, HEAD_SHA).review(7).checkRunUpdate();

    const signature = `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
    const response = await fetch(`${running.url}/api/github/webhooks`, { method: "POST", headers: { ...headers, "x-hub-signature-256": signature }, body });
    expect(response.status).toBe(200);
    expect((await running.queue.stats()).running).toBe(1);

    gate.release!();
    await running.queue.onIdle();
    expect(github.unmatched).toEqual([]);
    expect(github.scope.pendingMocks()).toEqual([]);
    expect(github.bodies("PATCH", `${REPO_PATH}/check-runs/4242`)[0].conclusion).toBe("failure");
    github.dispose();
  });

  it("stop() closes the listener at once and still finishes the accepted scans", async () => {
    running = await startServer({ env: env(), port: 0, host: "127.0.0.1", Octokit: TestOctokit });
    const github = new GitHubMock();
    const gate: { release?: () => void } = {};
    const released = new Promise<void>((resolve) => (gate.release = resolve));
    github.token();
    github.scope.post(`${REPO_PATH}/check-runs`).reply(async () => {
      await released;
      return [201, { id: 4242 }];
    });
    const model = buildPullModel(BASE, HEAD);
    github.noConfig().files(7, model).tree(HEAD_SHA, model).blobs(model, ["shop/views.py", ...FACT_PATHS]).reviewComments(7).pull(7, HEAD_SHA).review(7).checkRunUpdate();
    expect((await deliver(running, "pull_request", payload("pull_request.opened"))).status).toBe(200);

    const url = running.url;
    const stopping = running.stop(5_000);
    running = undefined;
    await expect(fetch(`${url}${HEALTH_PATH}`)).rejects.toThrow(); // no new connections
    gate.release!();
    await stopping;
    expect(github.unmatched).toEqual([]);
    expect(github.scope.pendingMocks()).toEqual([]); // the scan ran to its end
    github.dispose();
  });

  it("refuses a setting it cannot use, saying which and why", async () => {
    expect(() => readSettings({ FLASK_AUDIT_SCAN_ATTEMPTS: "0" })).toThrow(/FLASK_AUDIT_SCAN_ATTEMPTS must be a whole number of at least 1, got "0"/);
    expect(() => readSettings({ REDIS_URL: "http://user:pw@redis" })).toThrow(/REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL, got "http:\/\/\*\*\*@redis"/);
    expect(readSettings({})).toMatchObject({ concurrency: 4, retry: { attempts: 3, backoffMs: 5_000 }, rescanIntervalMs: 60_000 });
    expect(readSettings({}).redis).toBeUndefined();
    // scan threads: one per core by default; 0 scans on the main thread
    expect(readSettings({}).scanThreads).toBe(availableParallelism());
    expect(readSettings({ FLASK_AUDIT_SCAN_THREADS: "0" }).scanThreads).toBe(0);
    expect(() => readSettings({ FLASK_AUDIT_SCAN_THREADS: "-1" })).toThrow(/FLASK_AUDIT_SCAN_THREADS must be a whole number of at least 0/);
    expect(readSettings({ REDIS_URL: "redis://127.0.0.1:6379", FLASK_AUDIT_RESCAN_INTERVAL_SECONDS: "30" })).toMatchObject({
      rescanIntervalMs: 30_000,
      redis: { url: "redis://127.0.0.1:6379", prefix: "flask-audit", lockDurationMs: 60_000, stalledIntervalMs: 30_000 },
    });
    await expect(startServer({ env: env({ REDIS_URL: "redis://127.0.0.1:1" }), port: 0, host: "127.0.0.1" })).rejects.toThrow(StartupError);
  });
});

describe("SIGTERM", () => {
  it("stops taking webhooks, drains, flushes the logs and exits 0", async () => {
    running = await startServer({ env: env(), port: 0, host: "127.0.0.1", Octokit: TestOctokit });
    const target = new EventEmitter();
    const exited = new Promise<number>((resolve) => stopOnSignals(running!, { on: (signal, listener) => target.on(signal, listener), exit: resolve }, 2_000));
    const drain = vi.spyOn(running.queue, "drain");
    const url = running.url;
    running = undefined;
    target.emit("SIGTERM");
    target.emit("SIGTERM"); // a second signal does not start a second stop
    expect(await exited).toBe(0);
    expect(drain).toHaveBeenCalledTimes(1);
    expect(drain).toHaveBeenCalledWith(1_600, 400);
    await expect(fetch(`${url}${HEALTH_PATH}`)).rejects.toThrow();
  });
});
