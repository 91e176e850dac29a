// The production Octokit retries secondary rate limits (Probot's default only logs them) a few times, then gives up,
// and paces writes per installation as a bucket: a scan's few writes at once, then one a second.
import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { Probot } from "probot";
import { FlaskAuditOctokit, RATE_LIMIT_RETRIES, WRITE_BURST, WRITE_REFILL_MS } from "../../src/github/octokit.js";
import { APP_ID, INSTALLATION_ID, PRIVATE_KEY } from "./helpers.js";

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

const secondary = [403, { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." }, { "retry-after": "1" }] as const;

function client() {
  const warnings: string[] = [];
  const log = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
  // retryAfterBaseValue: 1 ms per "second" of retry-after, so the test does not wait.
  const octokit = new FlaskAuditOctokit({ auth: { token: "ghs_test" }, log, retry: { enabled: false }, throttle: { retryAfterBaseValue: 1 } as never });
  return { octokit, warnings };
}

describe("FlaskAuditOctokit", () => {
  it("retries a secondary rate limit and succeeds", async () => {
    const scope = nock("https://api.github.com")
      .get("/repos/octo-org/flask-shop/pulls/7")
      .times(2)
      .reply(...secondary)
      .get("/repos/octo-org/flask-shop/pulls/7")
      .reply(200, { number: 7 });
    const { octokit, warnings } = client();
    const { data } = await octokit.rest.pulls.get({ owner: "octo-org", repo: "flask-shop", pull_number: 7 });
    expect(data.number).toBe(7);
    expect(scope.isDone()).toBe(true);
    expect(warnings.filter((w) => w.includes("secondary rate limit"))).toHaveLength(2);
  });

  it(`gives up after ${RATE_LIMIT_RETRIES} retries`, async () => {
    const scope = nock("https://api.github.com")
      .get("/repos/octo-org/flask-shop/pulls/7")
      .times(RATE_LIMIT_RETRIES + 1)
      .reply(...secondary);
    const { octokit, warnings } = client();
    await expect(octokit.rest.pulls.get({ owner: "octo-org", repo: "flask-shop", pull_number: 7 })).rejects.toMatchObject({ status: 403 });
    expect(scope.isDone()).toBe(true);
    expect(warnings.at(-1)).toContain("giving up");
  });
});

describe("as Probot builds it", () => {
  it("keeps retrying secondary rate limits where Probot's own throttle options would only log them", async () => {
    const scope = nock("https://api.github.com")
      .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
      .reply(201, { token: "ghs_test", expires_at: new Date(Date.now() + 3_600_000).toISOString() })
      .get("/repos/octo-org/flask-shop/pulls/7")
      .reply(...secondary)
      .get("/repos/octo-org/flask-shop/pulls/7")
      .reply(200, { number: 7 });
    const probot = new Probot({ appId: APP_ID, privateKey: PRIVATE_KEY, Octokit: FlaskAuditOctokit, logLevel: "fatal" });
    const octokit = await probot.auth(INSTALLATION_ID);
    const { data } = await octokit.rest.pulls.get({ owner: "octo-org", repo: "flask-shop", pull_number: 7 });
    expect(data.number).toBe(7);
    expect(scope.isDone()).toBe(true);
  });
});

describe("write pacing", () => {
  it(`lets ${WRITE_BURST} writes of an installation through at once, then one per ${WRITE_REFILL_MS} ms`, async () => {
    const writes = WRITE_BURST + 2;
    const scope = nock("https://api.github.com").patch("/repos/octo-org/flask-shop/check-runs/1").times(writes).reply(200, { id: 1 });
    const log = { debug() {}, info() {}, warn() {}, error() {} };
    // A throttle id of its own: a full bucket, whatever other tests wrote.
    const octokit = new FlaskAuditOctokit({ auth: { token: "ghs_test" }, log, retry: { enabled: false }, throttle: { id: `pacing-${Date.now()}` } as never });
    const update = () => octokit.rest.checks.update({ owner: "octo-org", repo: "flask-shop", check_run_id: 1, status: "in_progress" });
    const started = Date.now();
    const done: number[] = [];
    await Promise.all(Array.from({ length: writes }, () => update().then(() => done.push(Date.now() - started))));
    expect(scope.isDone()).toBe(true);
    done.sort((a, b) => a - b);
    // Octokit's own pacing (1 s between any two writes) needs 1 s per write after the first: a burst does not wait.
    expect(done[WRITE_BURST - 1]!).toBeLessThan((WRITE_BURST - 1) * 1_000 - 500);
    // Past the burst, each write waits for the bucket to refill (a lower bound: a slow machine only adds to it).
    expect(done.at(-1)!).toBeGreaterThanOrEqual(2 * WRITE_REFILL_MS - 300);
  }, 15_000);
});
