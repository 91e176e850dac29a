// The production Octokit retries secondary rate limits (Probot's default only logs them) a few times, then gives up.
import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { Probot } from "probot";
import { FlaskAuditOctokit, RATE_LIMIT_RETRIES } from "../../src/github/octokit.js";
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
