// The fake GitHub holds the e2e suite's expectations, so it is tested on its own: it authenticates like GitHub (the
// App's JWT for a token, the token for everything else), refuses what GitHub refuses (422s), and injects exactly the
// faults a test asks for, in arrival order.
import { generateKeyPairSync, sign } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeGitHub, type PullRef } from "../../src/github/fake/fake-github.js";
import { SECONDARY_RATE_LIMIT_MESSAGE } from "../../src/github/fake/faults.js";
import { APP_ID, APP_KEYS, newFakeGitHub } from "./harness.js";
import { tinyPullRequest } from "./samples.js";

function appJwt(privateKey: string, iss: string = APP_ID): string {
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const unsigned = `${encode({ alg: "RS256", typ: "JWT" })}.${encode({ iat: now - 30, exp: now + 540, iss })}`;
  return `${unsigned}.${sign("RSA-SHA256", Buffer.from(unsigned), privateKey).toString("base64url")}`;
}

let github: FakeGitHub;
let pull: PullRef;
let other: PullRef;

beforeEach(async () => {
  github = newFakeGitHub();
  pull = github.addPullRequest({ owner: "acme", repo: "tools", installationId: 11, number: 1, ...tinyPullRequest(1) });
  other = github.addPullRequest({ owner: "globex", repo: "api", installationId: 22, number: 1, ...tinyPullRequest(2) });
  await github.start();
});
afterEach(() => github.stop());

const api = (path: string, init: RequestInit & { token?: string; json?: unknown } = {}) => {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (init.token) headers.authorization = `token ${init.token}`;
  return fetch(`${github.baseUrl}${path}`, { ...init, headers: { ...headers, ...(init.headers as Record<string, string>) }, ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}) });
};

async function tokenFor(installationId: number): Promise<string> {
  const response = await api(`/app/installations/${installationId}/access_tokens`, { method: "POST", headers: { authorization: `Bearer ${appJwt(APP_KEYS.privateKey)}` } });
  expect(response.status).toBe(201);
  return ((await response.json()) as { token: string }).token;
}

describe("authentication", () => {
  it("answers 401 without a token or with an unknown one", async () => {
    expect((await api("/repos/acme/tools/pulls/1")).status).toBe(401);
    expect(((await (await api("/repos/acme/tools/pulls/1")).json()) as { message: string }).message).toBe("Requires authentication");
    expect((await api("/repos/acme/tools/pulls/1", { token: "ghs_made_up" })).status).toBe(401);
    expect((await fetch(`http://${github.host}/api/graphql`, { method: "POST", body: JSON.stringify({ query: "{ viewer { login } }" }) })).status).toBe(401);
  });

  it("gives an installation token only for a JWT signed with the App's key and naming the App", async () => {
    const stranger = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    for (const jwt of [appJwt(stranger.privateKey), appJwt(APP_KEYS.privateKey, "999"), "not.a.jwt"]) {
      expect((await api("/app/installations/11/access_tokens", { method: "POST", headers: { authorization: `Bearer ${jwt}` } })).status).toBe(401);
    }
    const token = await tokenFor(11);
    expect((await api("/repos/acme/tools/pulls/1", { token })).status).toBe(200);
    // A repository of another installation does not exist for this token.
    expect((await api("/repos/globex/api/pulls/1", { token })).status).toBe(404);
    expect((await api("/repos/globex/api/pulls/1", { token: await tokenFor(22) })).status).toBe(200);
  });
});

describe("GitHub's validation", () => {
  it("refuses a review comment outside the diff, and a refused line, with 422", async () => {
    const token = await tokenFor(11);
    const review = (line: number) =>
      api("/repos/acme/tools/pulls/1/reviews", { method: "POST", token, json: { commit_id: github.headShaOf(pull), event: "COMMENT", body: "b", comments: [{ path: "tools/views.py", line, side: "RIGHT", body: "c" }] } });
    expect((await review(1)).status).toBe(422); // an unchanged line far from the hunk
    expect((await review(16)).status).toBe(200); // the added `return` line
    github.refuseReviewComments(pull, "tools/views.py", 16);
    expect((await review(16)).status).toBe(422);
    expect(github.tally(pull)).toMatchObject({ reviews: 1, comments: 1 });
  });

  it("refuses more than 50 annotations in one check-run request, a check run on an unknown commit, a completion without conclusion", async () => {
    const token = await tokenFor(11);
    const annotation = { path: "tools/views.py", start_line: 16, end_line: 16, annotation_level: "failure", message: "m" };
    const output = (count: number) => ({ title: "t", summary: "s", annotations: Array(count).fill(annotation) });
    expect((await api("/repos/acme/tools/check-runs", { method: "POST", token, json: { name: "flask-audit", head_sha: "f".repeat(40) } })).status).toBe(422);
    const created = await api("/repos/acme/tools/check-runs", { method: "POST", token, json: { name: "flask-audit", head_sha: github.headShaOf(pull), external_id: "1", status: "in_progress" } });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: number };
    const patch = (json: unknown) => api(`/repos/acme/tools/check-runs/${id}`, { method: "PATCH", token, json });
    expect((await patch({ output: output(51) })).status).toBe(422);
    expect((await patch({ status: "completed" })).status).toBe(422);
    expect((await patch({ output: { ...output(1), annotations: [{ ...annotation, annotation_level: "error" }] } })).status).toBe(422);
    expect((await patch({ output: output(50) })).status).toBe(200);
    expect((await patch({ status: "completed", conclusion: "failure", output: output(10) })).status).toBe(200);
    expect(github.checkRunsOf(pull)[0]!.annotations).toHaveLength(60);
    expect(github.tally(pull)).toMatchObject({ checkRuns: 1, completedCheckRuns: 1, conclusions: ["failure"] });
  });
});

describe("faults", () => {
  it("fails the first N writes (not reads, not the token exchange), applied or not, and records each", async () => {
    github.faults.failWrites(1).failWrites(1, { applied: true, status: 503 });
    const token = await tokenFor(11);
    expect((await api("/repos/acme/tools/pulls/1", { token })).status).toBe(200);
    const comment = () => api("/repos/acme/tools/issues/1/comments", { method: "POST", token, json: { body: "hello" } });
    const first = await comment();
    expect(first.status).toBe(502);
    expect(first.headers.get("content-type")).toContain("text/html");
    expect((await comment()).status).toBe(503);
    expect((await comment()).status).toBe(201);
    // The 502 was not applied; the 503 was (its answer was lost), so the retry doubled the comment.
    expect(github.issueComments).toHaveLength(2);
    expect(github.injected.map((f) => [f.status, f.applied])).toEqual([
      [502, false],
      [503, true],
    ]);
    expect(github.survivedFaults()).toHaveLength(2);
    expect(github.faults.pending()).toBe(0);
  });

  it("answers a secondary rate limit as GitHub does: 403, retry-after, its message", async () => {
    github.faults.secondaryRateLimit({ retryAfter: 2 });
    const token = await tokenFor(22);
    const limited = await api("/repos/globex/api/issues/1/comments", { method: "POST", token, json: { body: "x" } });
    expect(limited.status).toBe(403);
    expect(limited.headers.get("retry-after")).toBe("2");
    expect(((await limited.json()) as { message: string }).message).toBe(SECONDARY_RATE_LIMIT_MESSAGE);
    expect(SECONDARY_RATE_LIMIT_MESSAGE).toMatch(/\bsecondary rate\b/i); // how Octokit's throttling plugin recognises it
    expect((await api("/repos/globex/api/issues/1/comments", { method: "POST", token, json: { body: "x" } })).status).toBe(201);
    expect(github.tally(other).comments).toBe(0);
  });

  it("holds a request until released", async () => {
    const token = await tokenFor(11);
    const hold = github.faults.hold((call) => call.path.endsWith("/pulls/1"));
    let answered = false;
    const request = api("/repos/acme/tools/pulls/1", { token }).then((r) => ((answered = true), r.status));
    await hold.arrived;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered).toBe(false);
    hold.release();
    expect(await request).toBe(200);
  });
});
