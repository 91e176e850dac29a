// The app end to end through probot.receive: real webhook payload shapes in, the exact GitHub API calls out (nock,
// no network). Each test lists the calls it expects; `expectAllDone` proves they all happened and nothing else did.
import nock from "nock";
import { parse as parseYaml } from "yaml";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";
import { parseMarker } from "../../src/core/comment.js";
import { parseConfig } from "../../src/core/config.js";
import { HELP_TEXT } from "../../src/github/commands.js";
import { InProcessScanQueue } from "../../src/github/queue.js";
import { InMemoryRescanLimiter } from "../../src/github/rescan-limit.js";
import { buildPullModel, type Snapshot } from "../../src/github/fake/pull-model.js";
import {
  CONFIG_PATH,
  GitHubMock,
  ORG_CONFIG_PATH,
  HEAD_SHA,
  OWNER,
  REPO,
  REPO_PATH,
  createTestApp,
  payload,
  reviewComment,
  type TestApp,
} from "./helpers.js";
import { BASE, FACT_PATHS, GREET_LINE, HEAD, PING_LINE, SEARCH_LINE, VIEWS_FIXED_PING } from "./sample.js";

let app: TestApp;
let github: GitHubMock;

beforeAll(() => {
  nock.disableNetConnect();
});

beforeEach(async () => {
  app = await createTestApp();
  github = new GitHubMock();
});

afterEach(() => {
  github.dispose();
  nock.cleanAll();
});

function expectAllDone(): void {
  expect(github.unmatched).toEqual([]);
  expect(github.scope.pendingMocks()).toEqual([]);
}

const CHECK_RUNS = `${REPO_PATH}/check-runs`;
const CHECK_RUN = `${REPO_PATH}/check-runs/4242`;
const reviewsOf = (n: number) => `${REPO_PATH}/pulls/${n}/reviews`;

/** Everything a complete scan of `head` asks GitHub for, up to (not including) the review and the completion. */
function mockScanUpTo(pullNumber: number, head: Snapshot, opts: { base?: Snapshot; fetched: string[]; config?: string; withoutPatch?: string[] }) {
  const model = buildPullModel(opts.base ?? BASE, head, { headSha: HEAD_SHA, withoutPatch: opts.withoutPatch ?? [] });
  github.token().checkRunCreate();
  if (opts.config !== undefined) github.config(opts.config);
  else github.noConfig();
  github.files(pullNumber, model).tree(HEAD_SHA, model).blobs(model, opts.fetched);
  return model;
}

describe("pull_request events", () => {
  it("posts ONE review with an inline comment per finding (suggestion blocks included), the rest as annotations, and fails the check", async () => {
    mockScanUpTo(7, HEAD, { fetched: ["shop/views.py", ...FACT_PATHS], config: "max_inline_comments: 2\n" });
    github.reviewComments(7).pull(7, HEAD_SHA).review(7).checkRunUpdate();

    await app.deliver("pull_request", payload("pull_request.opened"));

    expectAllDone();
    const calls = github.calls();
    expect(calls.slice(0, 5)).toEqual([
      "POST /app/installations/41020506/access_tokens",
      `POST ${CHECK_RUNS}`,
      `GET ${CONFIG_PATH}`,
      `GET ${REPO_PATH}/pulls/7/files?per_page=100`,
      `GET ${REPO_PATH}/git/trees/${HEAD_SHA}?recursive=1`,
    ]);
    // our earlier comments are read while the blobs come
    expect(calls.slice(5, -3).sort()).toEqual([...calls.filter((c) => c.includes("/git/blobs/")), `GET ${REPO_PATH}/pulls/7/comments?per_page=100`].sort());
    expect(calls.slice(-3)).toEqual([`GET ${REPO_PATH}/pulls/7`, `POST ${reviewsOf(7)}`, `PATCH ${CHECK_RUN}`]);
    const [created] = github.bodies("POST", CHECK_RUNS);
    expect(created).toMatchObject({ name: "flask-audit", head_sha: HEAD_SHA, status: "in_progress", external_id: "7" });

    const reviews = github.bodies("POST", reviewsOf(7));
    expect(reviews).toHaveLength(1);
    const [review] = reviews;
    expect(review).toMatchObject({ event: "COMMENT", commit_id: HEAD_SHA });
    expect(review.comments.map((c: any) => [c.path, c.line, c.side, parseMarker(c.body)?.ruleId])).toEqual([
      ["shop/views.py", PING_LINE, "RIGHT", "FLASK-INJECT-002"],
      ["shop/views.py", GREET_LINE, "RIGHT", "FLASK-SSTI-001"],
    ]);
    expect(review.comments[0].body).toContain("```suggestion\n");

    const [completed] = github.bodies("PATCH", CHECK_RUN);
    expect(completed).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(completed.output.title).toBe("3 findings (2 critical, 1 high)");
    expect(completed.output.annotations).toEqual([
      expect.objectContaining({ path: "shop/views.py", start_line: SEARCH_LINE, annotation_level: "failure", title: expect.stringContaining("FLASK-INJECT-001") }),
    ]);
    expect(completed.output.summary).toContain("over the limit of 2 inline comments");
  });

  it("scans a fork's pull request through the base repository (blobs by SHA, external_id carries the number)", async () => {
    mockScanUpTo(12, HEAD, { fetched: ["shop/views.py", ...FACT_PATHS] });
    github.reviewComments(12).pull(12, HEAD_SHA, { head: { sha: HEAD_SHA, repo: { full_name: "octocat-fan/flask-shop" } } }).review(12).checkRunUpdate();

    await app.deliver("pull_request", payload("pull_request.opened.fork"));

    expectAllDone();
    expect(github.calls().filter((c) => c.includes("octocat-fan"))).toEqual([]); // nothing is read from the fork
    expect(github.bodies("POST", CHECK_RUNS)[0]).toMatchObject({ head_sha: HEAD_SHA, external_id: "12" });
    expect(github.bodies("POST", reviewsOf(12))[0].comments).toHaveLength(3);
    expect(github.bodies("PATCH", CHECK_RUN)[0].conclusion).toBe("failure");
  });

  it("passes a pull request without Python files: no tree, no blobs, no review", async () => {
    const head = { ...BASE, "README.md": "# shop\n\nNow with docs.\n", "docs/guide.md": "# Guide\n" };
    const model = buildPullModel(BASE, head);
    github.token().checkRunCreate().noConfig().files(7, model).reviewComments(7).pull(7, HEAD_SHA).checkRunUpdate();

    await app.deliver("pull_request", payload("pull_request.opened"));

    expectAllDone();
    expect(github.calls().some((c) => c.includes("/git/"))).toBe(false);
    const [completed] = github.bodies("PATCH", CHECK_RUN);
    expect(completed).toMatchObject({ status: "completed", conclusion: "success" });
    expect(completed.output.annotations).toBeUndefined();
  });

  it("reads a 200-file pull request in two pages and fetches its blobs with bounded concurrency", async () => {
    const head: Snapshot = { ...BASE };
    for (let i = 0; i < 200; i++) head[`shop/generated/mod_${String(i).padStart(3, "0")}.py`] = `VALUE = ${i}\n`;
    const model = buildPullModel(BASE, head);
    expect(model.files).toHaveLength(200);
    const inFlight = { current: 0, max: 0 };
    github
      .token()
      .checkRunCreate()
      .noConfig()
      .files(7, model)
      .tree(HEAD_SHA, model)
      .blobs(model, [...model.files.map((f) => f.filename), ...FACT_PATHS], inFlight)
      .reviewComments(7)
      .pull(7, HEAD_SHA)
      .checkRunUpdate();

    await app.deliver("pull_request", payload("pull_request.opened"));

    expectAllDone();
    expect(github.calls()).toContain(`GET /repositories/586151034/pulls/7/files?per_page=100&page=2`);
    expect(github.calls().filter((c) => c.includes("/git/blobs/"))).toHaveLength(203);
    expect(inFlight.max).toBeGreaterThan(1);
    expect(inFlight.max).toBeLessThanOrEqual(8);
    const [completed] = github.bodies("PATCH", CHECK_RUN);
    expect(completed.conclusion).toBe("success");
    expect(completed.output.title).toBe("No security findings in 200 changed files");
  });

  it("scans a file GitHub sends without a patch whole, and reports its findings as annotations", async () => {
    const head = { ...BASE, "shop/legacy.py": HEAD["shop/views.py"]! };
    mockScanUpTo(7, head, { fetched: ["shop/legacy.py", ...FACT_PATHS], withoutPatch: ["shop/legacy.py"] });
    github.reviewComments(7).pull(7, HEAD_SHA).checkRunUpdate();

    await app.deliver("pull_request", payload("pull_request.opened"));

    expectAllDone();
    expect(github.bodies("POST", reviewsOf(7))).toEqual([]);
    const [completed] = github.bodies("PATCH", CHECK_RUN);
    expect(completed.conclusion).toBe("failure");
    expect(completed.output.annotations.map((a: any) => [a.path, a.start_line])).toEqual([
      ["shop/legacy.py", PING_LINE],
      ["shop/legacy.py", GREET_LINE],
      ["shop/legacy.py", SEARCH_LINE],
    ]);
    expect(completed.output.summary).toContain("Scanned whole");
  });

  it("when GitHub refuses one inline comment (422), posts the others in one review and moves that one to the annotations", async () => {
    mockScanUpTo(7, HEAD, { fetched: ["shop/views.py", ...FACT_PATHS] });
    const refusesSearch = (body: any): [number, unknown] =>
      body.comments.some((c: any) => c.line === SEARCH_LINE)
        ? [422, { message: "Unprocessable Entity", errors: ["Line could not be resolved"], status: "422" }]
        : [200, { id: body.event ? 778 : 901, state: body.event ? "COMMENTED" : "PENDING" }];
    github
      .reviewComments(7)
      .pull(7, HEAD_SHA)
      .review(7, refusesSearch, 4)
      .on("DELETE", `${REPO_PATH}/pulls/7/reviews/901`, () => [200, { id: 901, state: "PENDING" }])
      .checkRunUpdate();

    await app.deliver("pull_request", payload("pull_request.opened"));

    expectAllDone();
    const attempts = github.bodies("POST", reviewsOf(7));
    // all three (refused) -> probe [ping, greet] (pending, deleted) -> probe [search] (refused) -> the one review
    expect(attempts.map((a) => [a.event ?? "PENDING", a.comments.map((c: any) => c.line)])).toEqual([
      ["COMMENT", [PING_LINE, GREET_LINE, SEARCH_LINE]],
      ["PENDING", [PING_LINE, GREET_LINE]],
      ["PENDING", [SEARCH_LINE]],
      ["COMMENT", [PING_LINE, GREET_LINE]],
    ]);
    const [completed] = github.bodies("PATCH", CHECK_RUN);
    expect(completed.conclusion).toBe("failure");
    expect(completed.output.annotations).toEqual([
      expect.objectContaining({ path: "shop/views.py", start_line: SEARCH_LINE, title: expect.stringContaining("FLASK-INJECT-001") }),
    ]);
    expect(completed.output.summary).toContain("Not posted inline (1)");
  });

  it("a redelivered event posts no second comment for the same findings", async () => {
    mockScanUpTo(7, HEAD, { fetched: ["shop/views.py", ...FACT_PATHS] });
    github.reviewComments(7).pull(7, HEAD_SHA).review(7).checkRunUpdate();
    const event = payload("pull_request.synchronize");
    await app.deliver("pull_request", event, "delivery-1");
    const [posted] = github.bodies("POST", reviewsOf(7));
    expect(posted.comments).toHaveLength(3);

    // The redelivery (GitHub's "Redeliver" gives it a new id) finds our comments by their marker.
    const earlier = posted.comments.map((c: any, i: number) => reviewComment({ id: 501 + i, path: c.path, line: c.line, body: c.body }));
    const model = buildPullModel(BASE, HEAD);
    github
      .checkRunCreate(4243)
      .noConfig()
      .files(7, model)
      .tree(HEAD_SHA, model)
      .blobs(model, ["shop/views.py", ...FACT_PATHS])
      .reviewComments(7, earlier)
      .reviewThreads(earlier.map((c: any, i: number) => ({ id: `PRRT_${i}`, isResolved: false, rootId: c.id })))
      .pull(7, HEAD_SHA)
      .checkRunUpdate(4243);

    await app.deliver("pull_request", event, "delivery-2");

    expectAllDone();
    expect(github.bodies("POST", reviewsOf(7))).toHaveLength(1);
    const [second] = github.bodies("PATCH", `${REPO_PATH}/check-runs/4243`);
    expect(second.conclusion).toBe("failure"); // the findings are still there: the check reflects the head
    expect(second.output.summary).toContain("commented in an earlier review");
  });

  it("collapses a duplicate delivery that arrives while the scan is queued", async () => {
    mockScanUpTo(7, HEAD, { fetched: ["shop/views.py", ...FACT_PATHS] });
    github.reviewComments(7).pull(7, HEAD_SHA).review(7).checkRunUpdate();
    const event = payload("pull_request.opened");

    await Promise.all([
      app.probot.receive({ id: "delivery-a", name: "pull_request", payload: event }),
      app.probot.receive({ id: "delivery-b", name: "pull_request", payload: event }),
    ]);
    await app.queue.onIdle();

    expectAllDone(); // exactly one check run, one review
  });

  it("skips a draft without a check run, unless the config asks for drafts", async () => {
    github.token().noConfig();
    await app.deliver("pull_request", payload("pull_request.opened.draft"));
    expectAllDone();
    expect(github.calls()).toEqual(["POST /app/installations/41020506/access_tokens", `GET ${CONFIG_PATH}`, expect.stringContaining("/.github/contents/")]);

    nock.cleanAll();
    github.dispose();
    github = new GitHubMock();
    github.config("scan_drafts: true\n").checkRunCreate();
    const model = buildPullModel(BASE, HEAD);
    github.files(7, model).tree(HEAD_SHA, model).blobs(model, ["shop/views.py", ...FACT_PATHS]).reviewComments(7).pull(7, HEAD_SHA).review(7).checkRunUpdate();
    await app.deliver("pull_request", payload("pull_request.opened.draft"));
    expectAllDone();
    expect(github.calls().filter((c) => c.includes(CONFIG_PATH))).toHaveLength(1); // read once, used for both decisions
  });

  it("scans a draft once it is marked ready for review", async () => {
    mockScanUpTo(7, HEAD, { fetched: ["shop/views.py", ...FACT_PATHS] });
    github.reviewComments(7).pull(7, HEAD_SHA).review(7).checkRunUpdate();
    await app.deliver("pull_request", payload("pull_request.ready_for_review"));
    expectAllDone();
    expect(github.bodies("POST", reviewsOf(7))).toHaveLength(1);
  });

  it("drops the scan when the head moved meanwhile: neutral check run, no review", async () => {
    mockScanUpTo(7, HEAD, { fetched: ["shop/views.py", ...FACT_PATHS] });
    const newer = "0000000000000000000000000000000000000abc";
    github.reviewComments(7).pull(7, newer).checkRunUpdate();

    await app.deliver("pull_request", payload("pull_request.synchronize"));

    expectAllDone();
    const [completed] = github.bodies("PATCH", CHECK_RUN);
    expect(completed).toMatchObject({ status: "completed", conclusion: "neutral" });
    expect(completed.output.title).toBe("Superseded by a newer push");
    expect(completed.output.summary).toContain("0000000");
  });

  it.each([
    { resolving: "allowed", replies: 0 },
    { resolving: "forbidden (contents: read)", replies: 1 },
  ])("resolves our thread when a push fixes its finding; resolving $resolving", async ({ replies }) => {
    mockScanUpTo(7, HEAD, { fetched: ["shop/views.py", ...FACT_PATHS] });
    github.reviewComments(7).pull(7, HEAD_SHA).review(7).checkRunUpdate();
    await app.deliver("pull_request", payload("pull_request.opened"));
    const [posted] = github.bodies("POST", reviewsOf(7));
    const earlier = posted.comments.map((c: any, i: number) => reviewComment({ id: 501 + i, path: c.path, line: c.line, body: c.body }));
    const threads = earlier.map((c: any, i: number) => ({ id: `PRRT_${i}`, isResolved: false, rootId: c.id }));

    // A push fixes the command injection (comment 501, thread PRRT_0); the two other findings stay.
    const fixed = { ...BASE, "shop/views.py": VIEWS_FIXED_PING };
    const model = buildPullModel(BASE, fixed);
    github
      .checkRunCreate(4243)
      .noConfig()
      .files(7, model)
      .tree(HEAD_SHA, model)
      .blobs(model, ["shop/views.py", ...FACT_PATHS])
      .reviewComments(7, earlier)
      .reviewThreads(threads)
      .pull(7, HEAD_SHA)
      .on("POST", "/graphql", (body) => [
        200,
        body.variables.threadId !== "PRRT_0"
          ? { errors: [{ message: "unexpected thread" }] }
          : replies === 0
            ? { data: { resolveReviewThread: { thread: { id: "PRRT_0", isResolved: true } } } }
            : { data: { resolveReviewThread: null }, errors: [{ type: "FORBIDDEN", path: ["resolveReviewThread"], message: "Resource not accessible by integration" }] },
      ])
      .checkRunUpdate(4243);
    if (replies > 0) github.on("POST", `${REPO_PATH}/pulls/7/comments/501/replies`, (body) => [201, { id: 601, body: body.body, in_reply_to_id: 501 }]);

    await app.deliver("pull_request", payload("pull_request.synchronize"));

    expectAllDone();
    const mutations = github.bodies("POST", "/graphql").filter((b) => String(b.query).includes("resolveReviewThread"));
    expect(mutations.map((m) => m.variables.threadId)).toEqual(["PRRT_0"]);
    const replyBodies = github.bodies("POST", `${REPO_PATH}/pulls/7/comments/501/replies`);
    expect(replyBodies).toHaveLength(replies);
    if (replies > 0) expect(replyBodies[0].body).toMatch(/^Fixed in 6dcb09b/);
    expect(github.bodies("POST", reviewsOf(7))).toHaveLength(1); // nothing new to say
    const [completed] = github.bodies("PATCH", `${REPO_PATH}/check-runs/4243`);
    expect(completed.output.summary).toContain("1 earlier comment resolved");
  });

  it("treats a thread we already answered with a reply as handled: no second reply", async () => {
    mockScanUpTo(7, HEAD, { fetched: ["shop/views.py", ...FACT_PATHS] });
    github.reviewComments(7).pull(7, HEAD_SHA).review(7).checkRunUpdate();
    await app.deliver("pull_request", payload("pull_request.opened"));
    const [posted] = github.bodies("POST", reviewsOf(7));
    const earlier = posted.comments.map((c: any, i: number) => reviewComment({ id: 501 + i, path: c.path, line: c.line, body: c.body }));
    const ourReply = reviewComment({ id: 601, path: "shop/views.py", line: PING_LINE, body: "Fixed in 6dcb09b.", inReplyTo: 501 });

    const model = buildPullModel(BASE, { ...BASE, "shop/views.py": VIEWS_FIXED_PING });
    github
      .checkRunCreate(4243)
      .noConfig()
      .files(7, model)
      .tree(HEAD_SHA, model)
      .blobs(model, ["shop/views.py", ...FACT_PATHS])
      .reviewComments(7, [...earlier, ourReply])
      .reviewThreads(earlier.map((c: any, i: number) => ({ id: `PRRT_${i}`, isResolved: false, rootId: c.id })))
      .pull(7, HEAD_SHA)
      .checkRunUpdate(4243);

    await app.deliver("pull_request", payload("pull_request.synchronize"));

    expectAllDone(); // no mutation, no reply
  });
});

describe("configuration", () => {
  it("an invalid .github/flask-audit.yml completes the check run as action_required with the exact validation error", async () => {
    const yaml = "fail_on: sometimes\nmax_inline_comments: 500\n";
    github.token().checkRunCreate().config(yaml).checkRunUpdate();

    await app.deliver("pull_request", payload("pull_request.opened"));

    expectAllDone();
    const expected = parseConfig(parseYaml(yaml), allRules.map((r) => r.id));
    expect(expected.ok).toBe(false);
    const [completed] = github.bodies("PATCH", CHECK_RUN);
    expect(completed).toMatchObject({ status: "completed", conclusion: "action_required", details_url: `https://github.com/${OWNER}/${REPO}/blob/main/.github/flask-audit.yml` });
    expect(completed.output.title).toBe("Invalid .github/flask-audit.yml");
    expect(completed.output.summary).toContain(!expected.ok ? expected.error : "unreachable");
  });

  it("a config that is not YAML says so, with the parser's position", async () => {
    github.token().checkRunCreate().config("fail_on: [high\n").checkRunUpdate();
    await app.deliver("pull_request", payload("pull_request.opened"));
    expectAllDone();
    const [completed] = github.bodies("PATCH", CHECK_RUN);
    expect(completed.conclusion).toBe("action_required");
    expect(completed.output.summary).toMatch(/invalid YAML.*line \d+/s);
  });
});

describe("errors", () => {
  it("an API 500 mid-scan still completes the check run, as a failure that says what to do", async () => {
    const model = buildPullModel(BASE, HEAD);
    github
      .token()
      .checkRunCreate()
      .noConfig()
      .files(7, model)
      .on("GET", `${REPO_PATH}/git/trees/${HEAD_SHA}?recursive=1`, () => [500, { message: "Server Error" }])
      .checkRunUpdate();

    await app.deliver("pull_request", payload("pull_request.opened"), "delivery-500");

    expectAllDone();
    const [completed] = github.bodies("PATCH", CHECK_RUN);
    expect(completed).toMatchObject({ status: "completed", conclusion: "failure", output: { title: "flask-audit could not finish the scan" } });
    expect(completed.output.summary).toContain("HTTP 500");
    expect(completed.output.summary).toContain("/flask-audit rescan");
    expect(completed.output.summary).toContain("delivery-500");
  });
});

describe("retries", () => {
  it("retries a scan after a transient 500 with backoff, completing the check run the first attempt created", async () => {
    app = await createTestApp({ retry: { attempts: 2, backoffMs: 1 } });
    const model = buildPullModel(BASE, HEAD);
    github
      .token()
      .checkRunCreate()
      .noConfig()
      .files(7, model)
      .on("GET", `${REPO_PATH}/git/trees/${HEAD_SHA}?recursive=1`, () => [502, { message: "Bad Gateway" }]);
    // The second attempt: everything again except the check run.
    github.noConfig().files(7, model).tree(HEAD_SHA, model).blobs(model, ["shop/views.py", ...FACT_PATHS]).reviewComments(7).pull(7, HEAD_SHA).review(7).checkRunUpdate();

    await app.deliver("pull_request", payload("pull_request.opened"));

    expectAllDone();
    expect(github.bodies("POST", CHECK_RUNS)).toHaveLength(1);
    expect(github.bodies("POST", reviewsOf(7))).toHaveLength(1);
    expect(github.bodies("PATCH", CHECK_RUN)).toEqual([expect.objectContaining({ status: "completed", conclusion: "failure" })]);
  });

  it("does not retry an answer (a 404 is not transient): the check run fails at once", async () => {
    app = await createTestApp({ retry: { attempts: 3, backoffMs: 1 } });
    const model = buildPullModel(BASE, HEAD);
    github
      .token()
      .checkRunCreate()
      .noConfig()
      .files(7, model)
      .on("GET", `${REPO_PATH}/git/trees/${HEAD_SHA}?recursive=1`, () => [404, { message: "Not Found" }])
      .checkRunUpdate();

    await app.deliver("pull_request", payload("pull_request.opened"));

    expectAllDone();
    expect(github.bodies("PATCH", CHECK_RUN)[0]).toMatchObject({ conclusion: "failure" });
  });
});

describe("stopping (in-process queue)", () => {
  it("past the grace period, a running scan stops at its next GitHub call and a waiting one never starts: both check runs end cancelled, with Re-run", async () => {
    app = await createTestApp({ queue: new InProcessScanQueue({ concurrency: 1, retry: { attempts: 1, backoffMs: 1 } }) });
    const gate: { release?: () => void; reached?: () => void } = {};
    const released = new Promise<void>((resolve) => (gate.release = resolve));
    const reached = new Promise<void>((resolve) => (gate.reached = resolve));
    github.token().checkRunCreate(4242);
    // The running scan is inside this call when the grace period ends; the call finishes, the next one is refused.
    github.scope.get(CONFIG_PATH).reply(async () => {
      gate.reached!();
      await released;
      return [404, { message: "Not Found" }];
    });
    github.on("GET", ORG_CONFIG_PATH, () => [404, { message: "Not Found" }]).checkRunUpdate(4242);
    // The waiting one (PR #8) only gets a check run that says what happened.
    github.checkRunCreate(4243).checkRunUpdate(4243);
    const other = payload("pull_request.opened");
    other.number = 8;
    other.pull_request.number = 8;

    await app.probot.receive({ id: "d-7", name: "pull_request", payload: payload("pull_request.opened") });
    await app.probot.receive({ id: "d-8", name: "pull_request", payload: other });
    await reached;
    const drained = app.queue.drain(10, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 50)); // past the grace period: both interrupted
    gate.release!();
    expect(await drained).toBe(true);

    expectAllDone();
    expect(github.calls().filter((c) => c.includes("/pulls/") || c.includes("/git/"))).toEqual([]); // nothing after the interruption
    for (const id of [4242, 4243]) {
      expect(github.bodies("PATCH", `${REPO_PATH}/check-runs/${id}`)).toEqual([
        expect.objectContaining({ status: "completed", conclusion: "cancelled", output: expect.objectContaining({ title: "Interrupted by a restart" }) }),
      ]);
    }
    expect(github.bodies("POST", CHECK_RUNS).map((b) => b.head_sha)).toEqual([HEAD_SHA, HEAD_SHA]);
  });
});

describe("/flask-audit commands", () => {
  const comment = (fields: { body?: string; association?: string; bot?: boolean } = {}) => {
    const event = payload("issue_comment.created");
    if (fields.body !== undefined) event.comment.body = fields.body;
    if (fields.association) event.comment.author_association = fields.association;
    if (fields.bot) event.comment.user = { ...event.comment.user, login: "other-app[bot]", type: "Bot" };
    return event;
  };
  const PERMISSION = `${REPO_PATH}/collaborators/hubot-human/permission`;
  const REACTIONS = `${REPO_PATH}/issues/comments/1876543210/reactions`;

  it("ignores a rescan from someone whose association cannot have write access, without any API call", async () => {
    await app.deliver("issue_comment", comment({ association: "CONTRIBUTOR" }));
    expectAllDone();
    expect(github.requests).toEqual([]);
  });

  it("ignores a rescan from a collaborator with read access (after asking GitHub)", async () => {
    github.token().on("GET", PERMISSION, () => [200, { permission: "read", role_name: "triage", user: { login: "hubot-human" } }]);
    await app.deliver("issue_comment", comment());
    expectAllDone();
    expect(github.calls()).toEqual(["POST /app/installations/41020506/access_tokens", `GET ${PERMISSION}`]);
  });

  it("runs a writer's rescan once (a duplicate delivery joins it): eyes, the scan, then rocket", async () => {
    github
      .token()
      .on("GET", PERMISSION, () => [200, { permission: "write", role_name: "write", user: { login: "hubot-human" } }])
      .on("POST", REACTIONS, (body) => [201, { id: 1, content: body.content }], 2)
      .pull(7, HEAD_SHA);
    const model = buildPullModel(BASE, HEAD);
    github
      .checkRunCreate()
      .noConfig()
      .files(7, model)
      .tree(HEAD_SHA, model)
      .blobs(model, ["shop/views.py", ...FACT_PATHS])
      .reviewComments(7)
      .pull(7, HEAD_SHA)
      .review(7)
      .checkRunUpdate();

    const event = comment();
    await Promise.all([
      app.probot.receive({ id: "rescan-1", name: "issue_comment", payload: event }),
      app.probot.receive({ id: "rescan-2", name: "issue_comment", payload: event }),
    ]);
    await app.queue.onIdle();

    expectAllDone();
    expect(github.bodies("POST", REACTIONS).map((b) => b.content)).toEqual(["eyes", "rocket"]);
    expect(github.bodies("POST", CHECK_RUNS)).toHaveLength(1);
    const calls = github.calls();
    expect(calls.indexOf(`POST ${REACTIONS}`)).toBeLessThan(calls.indexOf(`POST ${CHECK_RUNS}`));
    expect(calls.at(-1)).toBe(`POST ${REACTIONS}`);
  });

  it("reacts confused when the rescan fails", async () => {
    github
      .token()
      .on("GET", PERMISSION, () => [200, { permission: "admin" }])
      .on("POST", REACTIONS, (body) => [201, { id: 1, content: body.content }], 2)
      .pull(7, HEAD_SHA)
      .checkRunCreate()
      .on("GET", CONFIG_PATH, () => [502, { message: "Bad Gateway" }])
      .checkRunUpdate();

    await app.deliver("issue_comment", comment());

    expectAllDone();
    expect(github.bodies("POST", REACTIONS).map((b) => b.content)).toEqual(["eyes", "confused"]);
    expect(github.bodies("PATCH", CHECK_RUN)[0].conclusion).toBe("failure");
  });

  it("runs at most one rescan per pull request per interval: later commands get 😕 and one reply saying when", async () => {
    app = await createTestApp({ rescanLimiter: new InMemoryRescanLimiter(60_000) });
    const model = buildPullModel(BASE, HEAD);
    github
      .token()
      .on("GET", PERMISSION, () => [200, { permission: "write" }], 4)
      .on("POST", REACTIONS, (body) => [201, { id: 1, content: body.content }], 2)
      .pull(7, HEAD_SHA)
      .checkRunCreate()
      .noConfig()
      .files(7, model)
      .tree(HEAD_SHA, model)
      .blobs(model, ["shop/views.py", ...FACT_PATHS])
      .reviewComments(7)
      .pull(7, HEAD_SHA)
      .review(7)
      .checkRunUpdate();
    const storm = [1876543211, 1876543212, 1876543213].map((id) => `${REPO_PATH}/issues/comments/${id}/reactions`);
    for (const path of storm) github.on("POST", path, (body) => [201, { id: 2, content: body.content }]);
    github.on("POST", `${REPO_PATH}/issues/7/comments`, (body) => [201, { id: 3, body: body.body }]);

    await app.deliver("issue_comment", comment());
    for (const [i, id] of [1876543211, 1876543212, 1876543213].entries()) {
      const event = comment();
      event.comment.id = id;
      await app.deliver("issue_comment", event, `storm-${i}`);
    }

    expectAllDone();
    expect(github.bodies("POST", CHECK_RUNS)).toHaveLength(1); // one scan
    expect(github.bodies("POST", REACTIONS).map((b) => b.content)).toEqual(["eyes", "rocket"]);
    expect(storm.map((path) => github.bodies("POST", path)[0].content)).toEqual(["confused", "confused", "confused"]);
    const replies = github.bodies("POST", `${REPO_PATH}/issues/7/comments`);
    expect(replies).toHaveLength(1); // once per interval, not once per command
    expect(replies[0].body).toMatch(/at most one rescan per pull request every 60 s/);
  });

  it("answers /flask-audit help with the commands, and never answers a bot", async () => {
    github.token().on("POST", `${REPO_PATH}/issues/7/comments`, (body) => [201, { id: 2, body: body.body }]);
    await app.deliver("issue_comment", comment({ body: "/flask-audit help", association: "NONE" }));
    await app.deliver("issue_comment", comment({ body: "/flask-audit help", bot: true }));
    expectAllDone();
    // The help text, then the hidden token that lets a lost answer be looked up instead of posted twice.
    const bodies = github.bodies("POST", `${REPO_PATH}/issues/7/comments`);
    expect(bodies).toHaveLength(1);
    expect(bodies[0].body.startsWith(`${HELP_TEXT}\n\n`)).toBe(true);
    expect(bodies[0].body.slice(HELP_TEXT.length + 2)).toMatch(/^<!-- flask-audit:write=[\w-]+ -->$/);
  });

  it("does nothing for ordinary comments", async () => {
    await app.deliver("issue_comment", comment({ body: "LGTM, but please run /flask-audit rescan later" }));
    expect(github.requests).toEqual([]);
  });
});

describe("Re-run buttons", () => {
  function mockFullScan(pullNumber: number) {
    mockScanUpTo(pullNumber, HEAD, { fetched: ["shop/views.py", ...FACT_PATHS] });
    github.reviewComments(pullNumber).pull(pullNumber, HEAD_SHA).review(pullNumber).checkRunUpdate();
  }

  it("check_run.rerequested of a fork PR (no pull_requests in the payload) scans the PR named by external_id", async () => {
    mockFullScan(12);
    await app.deliver("check_run", payload("check_run.rerequested"));
    expectAllDone();
    expect(github.bodies("POST", CHECK_RUNS)[0]).toMatchObject({ head_sha: HEAD_SHA, external_id: "12" });
  });

  it("check_suite.rerequested without pull_requests finds the PR from our check runs", async () => {
    github.token().on("GET", `${REPO_PATH}/check-suites/31337001/check-runs?check_name=flask-audit&per_page=100`, () => [
      200,
      { total_count: 1, check_runs: [{ id: 4242424242, name: "flask-audit", external_id: "12", pull_requests: [] }] },
    ]);
    const model = buildPullModel(BASE, HEAD);
    github
      .checkRunCreate()
      .noConfig()
      .files(12, model)
      .tree(HEAD_SHA, model)
      .blobs(model, ["shop/views.py", ...FACT_PATHS])
      .reviewComments(12)
      .pull(12, HEAD_SHA)
      .review(12)
      .checkRunUpdate();
    await app.deliver("check_suite", payload("check_suite.rerequested"));
    expectAllDone();
    expect(github.bodies("POST", reviewsOf(12))).toHaveLength(1);
  });
});
