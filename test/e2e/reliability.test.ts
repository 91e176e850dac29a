// The reliability suite of issue 5 over real HTTP: the built server (`node dist/src/server.js`, the `npm start`
// entry) as a child process, the GitHub API served by the fake GitHub on 127.0.0.1 (auth, GitHub's 422s, faults on
// request, every call recorded), webhooks signed and sent over HTTP. Each test gets a fresh fake and server; both are
// stopped after it, pass or fail. The last line printed gives the figures for the issue's closing note.
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, afterEach, describe, expect, it, onTestFailed } from "vitest";
import { FakeGitHub, signDelivery, signature, type PullRef, type RecordedCall } from "../../src/github/fake/fake-github.js";
import type { CallInfo } from "../../src/github/fake/faults.js";
import {
  E2E_REDIS_DATABASE,
  WEBHOOK_SECRET,
  deleteRedisKeys,
  deliver,
  describeState,
  killAll,
  newFakeGitHub,
  redisCommands,
  runningChildren,
  sent,
  settle,
  sleep,
  startApp,
  waitFor,
  type AppProcess,
} from "./harness.js";
import { DEMO_COMMAND_INJECTION, DEMO_FINDINGS, DEMO_PR, TINY_FINDINGS, manyFindingsPullRequest, tinyPullRequest } from "./samples.js";

/** What the closing summary reports, over every test of the suite. */
const figures = {
  duplicates: 0,
  faults: new Map<string, { injected: number; survived: number }>(),
  pullRequests: 0,
  crashTest: "not run",
  burstSeconds: 0,
};

/** Seconds the 50-pull-request burst should take at most (a warning past it; the test itself only guards hangs). */
const BURST_BUDGET_S = 45;
const BURST_DEADLINE_MS = 210_000;

function countFault(kind: string, injected: number, survived: number): void {
  const entry = figures.faults.get(kind) ?? { injected: 0, survived: 0 };
  entry.injected += injected;
  entry.survived += survived;
  figures.faults.set(kind, entry);
}

let fake: FakeGitHub | undefined;
let app: AppProcess | undefined;

/** A fresh fake GitHub, listening; `setup` adds its repositories and pull requests. On failure, show what happened. */
async function scene(setup: (github: FakeGitHub) => void): Promise<FakeGitHub> {
  const github = newFakeGitHub();
  setup(github);
  await github.start();
  fake = github;
  onTestFailed(() => {
    console.error(`state at failure:\n${describeState(app, github, github.pulls())}`);
  });
  return github;
}

afterEach(async () => {
  await killAll();
  app = undefined;
  if (fake) {
    figures.duplicates += fake.duplicatesPosted();
    figures.pullRequests += fake.pulls().filter((ref) => fake!.tally(ref).checkRuns > 0).length;
    // A fault applied before its error (the answer lost) is survived when the write is not repeated: the test
    // that injects those counts them itself, after checking that each effect exists exactly once.
    const retried = fake.injected.filter((f) => !f.applied);
    for (const kind of new Set(retried.map((f) => f.kind))) {
      const survived = fake.survivedFaults().filter((f) => f.kind === kind && !f.applied).length;
      countFault(kind, retried.filter((f) => f.kind === kind).length, survived);
    }
    await fake.stop();
    fake = undefined;
  }
  expect(runningChildren()).toBe(0);
});

afterAll(() => {
  const faults = [...figures.faults.entries()];
  const injected = faults.reduce((n, [, f]) => n + f.injected, 0);
  const survived = faults.reduce((n, [, f]) => n + f.survived, 0);
  const detail = faults.map(([kind, f]) => `${f.injected} ${kind}`).join(", ");
  console.log(
    `flask-audit e2e summary: ${sent.deliveries} webhook deliveries sent, ${figures.duplicates} duplicate comments posted, ` +
      `${injected} faults injected (${detail || "none"}), ${survived} survived; ${figures.pullRequests} pull requests scanned; ` +
      `50-pull-request burst reviewed in ${figures.burstSeconds ? `${figures.burstSeconds} s` : "(not run)"}; ` +
      `SIGKILL with Redis: ${figures.crashTest}`,
  );
});

/** Every pull request ends with exactly the expected comments, each finding once, and no check run in progress. */
function expectReviewedOnce(github: FakeGitHub, ref: PullRef, findings: number, checkRuns = 1): void {
  const tally = github.tally(ref);
  const where = `${tally.repository}#${tally.pullNumber}`;
  expect(tally.inProgressCheckRuns, `${where}: check runs left in progress`).toBe(0);
  expect(tally.checkRuns, `${where}: check runs`).toBe(checkRuns);
  expect(new Set(tally.conclusions), `${where}: conclusions`).toEqual(new Set(["failure"]));
  expect(tally.reviews, `${where}: published reviews`).toBe(1);
  expect(tally.comments, `${where}: inline comments`).toBe(findings);
  expect(tally.duplicateComments, `${where}: duplicate comments`).toBe(0);
  expect(tally.unmarkedComments, `${where}: comments without a fingerprint`).toBe(0);
}

/**
 * No call hit a route the fake lacks, and no error answer was left unexplained: config files may be absent (404),
 * injected faults are expected, and so is what `allowed` names.
 */
function expectOnlyKnownRoutes(github: FakeGitHub, allowed: (call: RecordedCall) => boolean = () => false): void {
  expect(github.unknownRoutes()).toEqual([]);
  const unexpected = github.calls.filter((c) => c.status >= 400 && !c.fault && !(c.status === 404 && c.path.includes("/contents/")) && !allowed(c));
  expect(unexpected).toEqual([]);
}

describe("the built server over HTTP against the fake GitHub", () => {
  it("rejects a missing or bad signature (4xx) and scans nothing", async () => {
    const github = await scene((g) => {
      g.addPullRequest({ owner: "acme", repo: "tools", installationId: 7001, number: 1, ...tinyPullRequest(1) });
      g.addPullRequest({ owner: "acme", repo: "tools", number: 2, ...tinyPullRequest(2) });
    });
    const forged: PullRef = { owner: "acme", repo: "tools", number: 1 };
    const genuine: PullRef = { owner: "acme", repo: "tools", number: 2 };
    app = await startApp(github);

    const valid = signDelivery("pull_request", github.pullRequestPayload("opened", forged), WEBHOOK_SECRET);
    const { "x-hub-signature-256": _signature, ...unsigned } = valid.headers;
    const tampered = valid.body.replace('"number":1', '"number":2');
    const attempts = {
      "no signature": { headers: unsigned, body: valid.body },
      "signed with another secret": { headers: { ...unsigned, "x-hub-signature-256": signature(valid.body, "not-the-secret") }, body: valid.body },
      "body changed after signing": { headers: valid.headers, body: tampered },
      "malformed signature": { headers: { ...unsigned, "x-hub-signature-256": "sha256=zz" }, body: valid.body },
      "legacy SHA-1 signature only": { headers: { ...unsigned, "x-hub-signature": `sha1=${"0".repeat(40)}` }, body: valid.body },
    };
    for (const [what, delivery] of Object.entries(attempts)) {
      const { status } = await deliver(app, delivery);
      expect(status, what).toBeGreaterThanOrEqual(400);
      expect(status, what).toBeLessThan(500);
    }

    await sleep(300);
    expect(github.calls, "GitHub calls after refused deliveries").toEqual([]);

    // A genuine delivery for another pull request, as a barrier: once it is scanned, anything the forged ones had
    // started would have reached GitHub too.
    expect((await deliver(app, signDelivery("pull_request", github.pullRequestPayload("opened", genuine), WEBHOOK_SECRET))).status).toBe(200);
    await settle(app, github, [genuine], 30_000);
    expectReviewedOnce(github, genuine, TINY_FINDINGS);
    expect(github.tally(forged).checkRuns).toBe(0);
    expect(github.calls.filter((c) => c.path.includes("/pulls/1"))).toEqual([]);
    expectOnlyKnownRoutes(github);
  }, 45_000);

  it("scans 50 pull requests opened at once: 50 check runs completed, each pull request reviewed exactly once", async () => {
    // Ten installations of five repositories' worth of pull requests: Octokit spaces each installation's writes by
    // 1 s (3 s for reviews), as GitHub asks, so one installation alone would take minutes to review fifty.
    const pulls: PullRef[] = [];
    const github = await scene((g) => {
      for (let i = 0; i < 50; i++) {
        const installation = i % 10;
        pulls.push(g.addPullRequest({ owner: `org-${installation}`, repo: "service", installationId: 8000 + installation, number: 100 + i, ...tinyPullRequest(i) }));
      }
    });
    github.faults.latency(5);
    app = await startApp(github, { FLASK_AUDIT_CONCURRENCY: "10" });

    const started = Date.now();
    const responses = await Promise.all(pulls.map((ref) => deliver(app!, signDelivery("pull_request", github.pullRequestPayload("opened", ref), WEBHOOK_SECRET))));
    expect(responses.map((r) => r.status)).toEqual(pulls.map(() => 200));
    // A hang guard, not a speed test: Octokit's throttle spaces reviews 3 s apart, so fifty reviews under one throttle
    // key need 150 s; with one key per installation (ten here) they need about 15 s.
    await waitFor(
      "50 completed check runs",
      () => github.checkRuns.filter((r) => r.status === "completed").length >= 50,
      BURST_DEADLINE_MS,
      () => describeState(app, github, pulls),
    );
    figures.burstSeconds = Math.round((Date.now() - started) / 100) / 10;
    if (figures.burstSeconds > BURST_BUDGET_S) {
      console.warn(
        `SLOW: 50 pull requests in ten installations took ${figures.burstSeconds} s to review (budget ${BURST_BUDGET_S} s). ` +
          "The server throttles GitHub writes under one key for all installations (Probot's webhook Octokit has no per-installation " +
          "throttle id), so every review waits 3 s behind every other installation's.",
      );
    }
    await settle(app, github, pulls, 20_000);
    for (const ref of pulls) expectReviewedOnce(github, ref, TINY_FINDINGS);
    expect(github.checkRuns).toHaveLength(50);
    expectOnlyKnownRoutes(github);
  }, BURST_DEADLINE_MS + 40_000);

  it("the same delivery 10 times plus a synchronize to the same head: one comment per finding", async () => {
    const github = await scene((g) => g.addPullRequest({ number: 7, ...DEMO_PR }));
    const ref = github.defaultPull;
    app = await startApp(github);

    const opened = signDelivery("pull_request", github.pullRequestPayload("opened", ref), WEBHOOK_SECRET, randomUUID());
    const synchronize = signDelivery("pull_request", github.pullRequestPayload("synchronize", ref), WEBHOOK_SECRET);
    // Five copies and the synchronize at once (they meet the scan queued or running), then five more once it is done.
    const first = await Promise.all([...Array.from({ length: 5 }, () => deliver(app!, opened)), deliver(app, synchronize)]);
    expect(first.map((r) => r.status)).toEqual(Array(6).fill(200));
    await waitFor("the first scan to complete", () => github.tally(ref).completedCheckRuns >= 1, 30_000, () => describeState(app, github, [ref]));
    const again = await Promise.all(Array.from({ length: 5 }, () => deliver(app!, opened)));
    expect(again.map((r) => r.status)).toEqual(Array(5).fill(200));
    await settle(app, github, [ref], 30_000);

    // Each wave collapsed into one scan (one check run each at most); neither posted a finding twice.
    const tally = github.tally(ref);
    expect(tally.checkRuns).toBeGreaterThanOrEqual(1);
    expect(tally.checkRuns).toBeLessThanOrEqual(2);
    expectReviewedOnce(github, ref, DEMO_FINDINGS, tally.checkRuns);
    expectOnlyKnownRoutes(github);
  }, 60_000);

  it("502 on the first writes and a secondary rate limit: retried, nothing lost, nothing doubled", async () => {
    const pulls: PullRef[] = [];
    // Three installations, so the scans write concurrently and the first writes belong to different scans (Octokit
    // retries one request at most three times: a fourth 502 on the same request would fail that scan, by design).
    const github = await scene((g) => {
      pulls.push(g.addPullRequest({ number: 7, ...DEMO_PR }));
      pulls.push(g.addPullRequest({ owner: "acme", repo: "tools", installationId: 7101, number: 8, ...tinyPullRequest(8) }));
      pulls.push(g.addPullRequest({ owner: "globex", repo: "api", installationId: 7102, number: 9, ...tinyPullRequest(9) }));
    });
    const isReview = (call: CallInfo) => call.method === "POST" && /\/pulls\/\d+\/reviews$/.test(call.path);
    github.faults.failWrites(3, { status: 502 }).secondaryRateLimit({ retryAfter: 1, match: isReview }).latency(5);
    app = await startApp(github);

    const responses = await Promise.all(pulls.map((ref) => deliver(app!, signDelivery("pull_request", github.pullRequestPayload("opened", ref), WEBHOOK_SECRET))));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    await waitFor(
      "every check run to complete",
      () => pulls.every((ref) => github.tally(ref).completedCheckRuns >= 1),
      60_000,
      () => describeState(app, github, pulls),
    );
    await settle(app, github, pulls, 20_000);

    expect(github.faults.pending()).toBe(0);
    expect(github.injected.map((f) => `${f.status} ${f.kind}`).sort()).toEqual(["403 secondary-rate-limit", "502 server-error", "502 server-error", "502 server-error"]);
    expect(github.survivedFaults()).toEqual(github.injected);
    expectReviewedOnce(github, pulls[0]!, DEMO_FINDINGS);
    expectReviewedOnce(github, pulls[1]!, TINY_FINDINGS);
    expectReviewedOnce(github, pulls[2]!, TINY_FINDINGS);
    expectOnlyKnownRoutes(github);
  }, 90_000);

  it("a 502 after GitHub applied the write (its answer lost): looked up by its token, not repeated", async () => {
    let demo!: PullRef;
    let bulk!: PullRef;
    const github = await scene((g) => {
      demo = g.addPullRequest({ number: 7, ...DEMO_PR });
      g.addRepository({ owner: "acme", repo: "bulk", installationId: 9100, config: "max_inline_comments: 0\n" });
      bulk = g.addPullRequest({ owner: "acme", repo: "bulk", number: 3, ...manyFindingsPullRequest(60) });
    });
    const post = (pattern: RegExp) => (call: CallInfo) => call.method === "POST" && pattern.test(call.path);
    github.faults
      .failWrites(2, { applied: true, match: post(/\/check-runs$/) })
      .failWrites(1, { applied: true, match: post(/\/pulls\/\d+\/reviews$/) })
      // The bulk run's first update carries 50 of its 60 annotations: GitHub appends them, so a repeat would show 100.
      .failWrites(1, { applied: true, match: (call) => call.method === "PATCH" && call.path.startsWith("/repos/acme/bulk/check-runs/") });
    app = await startApp(github);
    const responses = await Promise.all([demo, bulk].map((ref) => deliver(app!, signDelivery("pull_request", github.pullRequestPayload("opened", ref), WEBHOOK_SECRET))));
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    await settle(app, github, [demo, bulk], 60_000);

    expect(github.faults.pending()).toBe(0);
    expect(github.injected.filter((f) => f.applied)).toHaveLength(4);
    expectReviewedOnce(github, demo, DEMO_FINDINGS, 1);
    expect(github.tally(bulk)).toMatchObject({ reviews: 0, checkRuns: 1, completedCheckRuns: 1, inProgressCheckRuns: 0 });
    expect(github.checkRunsOf(bulk)[0]!.annotations).toHaveLength(60);
    // Each lost answer was followed by a read that found the write, never by the same write again.
    for (const fault of github.injected) {
      const repeated = github.calls.slice(fault.callIndex + 1).filter((c) => c.method === fault.method && c.path === fault.path && fault.method === "POST");
      expect(repeated, `${fault.method} ${fault.path} repeated`).toEqual([]);
    }
    expectOnlyKnownRoutes(github);
    countFault("server-error after the write applied", 4, 4);
  }, 90_000);

  it("GitHub's 422s: a refused inline comment becomes an annotation; 60 annotations go in requests of at most 50", async () => {
    let demo!: PullRef;
    let bulk!: PullRef;
    const github = await scene((g) => {
      demo = g.addPullRequest({ number: 7, ...DEMO_PR });
      g.refuseReviewComments(demo, DEMO_COMMAND_INJECTION.path, DEMO_COMMAND_INJECTION.line);
      // No inline comments at all in this repository: every finding is an annotation.
      g.addRepository({ owner: "acme", repo: "bulk", installationId: 9100, config: "max_inline_comments: 0\n" });
      bulk = g.addPullRequest({ owner: "acme", repo: "bulk", number: 3, ...manyFindingsPullRequest(60) });
    });
    app = await startApp(github);
    const responses = await Promise.all([demo, bulk].map((ref) => deliver(app!, signDelivery("pull_request", github.pullRequestPayload("opened", ref), WEBHOOK_SECRET))));
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    await settle(app, github, [demo, bulk], 60_000);

    // The demo: GitHub refused the review because of one line; the other four are posted, the fifth is an annotation.
    expectReviewedOnce(github, demo, DEMO_FINDINGS - 1);
    const [demoRun] = github.checkRunsOf(demo);
    const moved = demoRun!.annotations.filter((a) => a.path === DEMO_COMMAND_INJECTION.path && a.start_line === DEMO_COMMAND_INJECTION.line);
    expect(moved).toHaveLength(1);
    expect(String(moved[0]!.message)).toContain("GitHub refused an inline review comment");
    expect(demoRun!.output.summary).toContain("Not posted inline (1)");
    expect(github.reviews.filter((r) => r.state === "PENDING")).toEqual([]); // the probes were deleted

    // The bulk pull request: 60 annotations, no review, and never more than 50 in one request.
    const bulkTally = github.tally(bulk);
    expect(bulkTally).toMatchObject({ reviews: 0, comments: 0, checkRuns: 1, completedCheckRuns: 1, conclusions: ["failure"] });
    expect(github.checkRunsOf(bulk)[0]!.annotations).toHaveLength(60);
    expect(github.calls.filter((c) => c.method === "PATCH" && c.path.startsWith("/api/v3/repos/acme/bulk/check-runs/"))).toHaveLength(2);
    expectOnlyKnownRoutes(github, (c) => c.status === 422 && c.method === "POST" && c.path === "/api/v3/repos/octo-org/flask-shop/pulls/7/reviews");
  }, 90_000);

  it("/flask-audit rescan from a reader is ignored; from a writer it runs once", async () => {
    const github = await scene((g) => g.addPullRequest({ number: 7, ...tinyPullRequest(7) }));
    const ref = github.defaultPull;
    github.setPermission("reader-member", "read");
    github.setPermission("maintainer", "write");
    app = await startApp(github);

    expect((await deliver(app, signDelivery("pull_request", github.pullRequestPayload("opened", ref), WEBHOOK_SECRET))).status).toBe(200);
    await settle(app, github, [ref], 30_000);
    expectReviewedOnce(github, ref, TINY_FINDINGS);

    const comment = (id: number, login: string, authorAssociation: string, userType: "User" | "Bot" = "User") =>
      signDelivery("issue_comment", github.issueCommentPayload(ref, { id, body: "/flask-audit rescan", login, authorAssociation, userType }), WEBHOOK_SECRET);
    // Readers: one without any association, one member whose repository permission is read; and a bot.
    for (const delivery of [comment(501, "drive-by", "NONE"), comment(502, "reader-member", "MEMBER"), comment(503, "other-app[bot]", "NONE", "Bot")]) {
      expect((await deliver(app, delivery)).status).toBe(200);
    }
    await settle(app, github, [ref], 15_000);
    expect(github.tally(ref).checkRuns).toBe(1);
    expect(github.reactions).toEqual([]);
    expect(github.calls.filter((c) => c.path.includes("/collaborators/")).map((c) => c.path)).toEqual([
      "/api/v3/repos/octo-org/flask-shop/collaborators/reader-member/permission",
    ]);

    expect((await deliver(app, comment(504, "maintainer", "MEMBER"))).status).toBe(200);
    await waitFor("the rescan's 🚀", () => github.reactionsOn(504).includes("rocket"), 30_000, () => describeState(app, github, [ref]));
    await settle(app, github, [ref], 15_000);
    expect(github.reactionsOn(504)).toEqual(["eyes", "rocket"]);
    expect(github.calls.filter((c) => c.method === "GET" && c.path.startsWith("/api/v3/repos/octo-org/flask-shop/pulls/7/files"))).toHaveLength(2);
    // One more check run; the findings were commented on already, so no second review.
    expectReviewedOnce(github, ref, TINY_FINDINGS, 2);
    expectOnlyKnownRoutes(github);
  }, 60_000);

  it("with Redis: the server killed (SIGKILL) mid-scan and started again completes the scan and posts once", async (context) => {
    const redisUrl = await reachableRedis();
    if (typeof redisUrl !== "string") {
      figures.crashTest = `skipped (${redisUrl.reason})`;
      console.warn(`SKIPPED SIGKILL-with-Redis e2e test: ${redisUrl.reason}`);
      return context.skip(redisUrl.reason);
    }
    const github = await scene((g) => g.addPullRequest({ number: 7, ...DEMO_PR }));
    const ref = github.defaultPull;
    // A prefix of this run's own; short locks so that the restarted worker takes the job over in seconds, not minutes.
    const prefix = `flask-audit-e2e-${randomBytes(6).toString("hex")}`;
    const env = { REDIS_URL: redisUrl, FLASK_AUDIT_REDIS_PREFIX: prefix, FLASK_AUDIT_LOCK_DURATION_MS: "3000", FLASK_AUDIT_STALLED_INTERVAL_MS: "500" };
    try {
      app = await startApp(github, env);
      const support = await redisQueueInUse(app);
      if (support !== true) {
        figures.crashTest = `skipped (${support})`;
        console.warn(`SKIPPED SIGKILL-with-Redis e2e test: ${support}`);
        return context.skip(support);
      }

      // The scan stops at its first blob: its check run is in progress, nothing is posted yet. Then the process dies.
      const hold = github.faults.hold((call) => call.method === "GET" && /\/git\/blobs\//.test(call.path));
      expect((await deliver(app, signDelivery("pull_request", github.pullRequestPayload("opened", ref), WEBHOOK_SECRET))).status).toBe(200);
      await withDeadline(hold.arrived, 30_000, "the scan to reach its first blob");
      expect(github.tally(ref)).toMatchObject({ checkRuns: 1, inProgressCheckRuns: 1, reviews: 0 });
      await app.crash();
      hold.release();
      countFault("SIGKILL", 1, 0);

      app = await startApp(github, env);
      await waitFor(
        "the restarted server to finish the scan",
        () => github.tally(ref).reviews >= 1 && github.tally(ref).inProgressCheckRuns === 0,
        60_000,
        () => describeState(app, github, [ref]),
      );
      await settle(app, github, [ref], 30_000);
      expectReviewedOnce(github, ref, DEMO_FINDINGS, github.tally(ref).checkRuns);
      countFault("SIGKILL", 0, 1);
      figures.crashTest = `ran: the scan completed and posted once after the restart (${github.tally(ref).checkRuns} check run(s), none left in progress)`;
    } finally {
      await killAll();
      await deleteRedisKeys(redisUrl, prefix).catch((error: unknown) => console.warn(`could not delete the e2e keys under ${prefix}: ${String(error)}`));
    }
  }, 110_000);
});

/**
 * The Redis the crash test uses: REDIS_URL, or the local one the project's machines and CI start (127.0.0.1:6379),
 * always at database 15; or why there is none.
 */
async function reachableRedis(): Promise<string | { reason: string }> {
  const configured = process.env.REDIS_URL;
  const url = new URL(configured || "redis://127.0.0.1:6379");
  url.pathname = `/${E2E_REDIS_DATABASE}`;
  try {
    const [pong] = await redisCommands(url.toString(), [["PING"]]);
    if (pong !== "+PONG") return { reason: `Redis at ${url.host} answered ${pong} to PING` };
  } catch (error) {
    const origin = configured ? "REDIS_URL" : "REDIS_URL is not set, and the default";
    return { reason: `${origin} ${url.host} is not reachable (${error instanceof Error ? error.message : String(error)})` };
  }
  return url.toString();
}

/** True when the server says it runs its queue on Redis (in its "listening on" line); otherwise why not. */
async function redisQueueInUse(server: AppProcess): Promise<true | string> {
  const listening = await server.waitForLog(/listening on/, 5_000).catch(() => undefined);
  const said = String(listening?.msg ?? listening?.raw ?? "");
  if (/redis/i.test(said) && !/not used|ignored/i.test(said)) return true;
  const warning = server.logs.find((l) => /REDIS_URL/.test(String(l.msg ?? "")));
  return `this build does not run its queue on Redis (${warning ? `it logs: "${String(warning.msg)}"` : `its startup line: "${said}"`})`;
}

async function withDeadline<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
