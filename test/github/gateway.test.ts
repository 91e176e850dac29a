// The Octokit gateway against GitHub's limits: annotation batches, text limits, the file-list cap, prior comments.
import nock from "nock";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { renderMarker } from "../../src/core/comment.js";
import type { CheckAnnotation } from "../../src/core/review-types.js";
import { CHECK_TEXT_LIMIT, OctokitGateway } from "../../src/github/gateway.js";
import { GitHubMock, OWNER, REPO, REPO_PATH, TestOctokit, reviewComment } from "./helpers.js";

let github: GitHubMock;
const octokit = new TestOctokit({ auth: { token: "ghs_test" } });
const gateway = (readConfig: () => Promise<unknown> = async () => null) => new OctokitGateway(octokit, { owner: OWNER, repo: REPO }, { readConfig });

beforeAll(() => nock.disableNetConnect());
beforeEach(() => {
  github = new GitHubMock();
});
afterEach(() => {
  github.dispose();
  nock.cleanAll();
});

const annotation = (i: number): CheckAnnotation => ({
  path: "app.py",
  start_line: i + 1,
  end_line: i + 1,
  annotation_level: "warning",
  title: `finding ${i}`,
  message: "m",
});

describe("completeCheckRun", () => {
  it("sends 120 annotations as 50 + 50 by update, then the last 20 with the conclusion", async () => {
    github.checkRunUpdate(9, 3);
    await gateway().completeCheckRun(9, {
      conclusion: "failure",
      title: "120 findings",
      summary: "s",
      annotations: Array.from({ length: 120 }, (_, i) => annotation(i)),
    });
    const updates = github.bodies("PATCH", `${REPO_PATH}/check-runs/9`);
    expect(updates.map((u) => [u.status, u.conclusion, u.output.annotations.length])).toEqual([
      [undefined, undefined, 50],
      [undefined, undefined, 50],
      ["completed", "failure", 20],
    ]);
    expect(updates.flatMap((u) => u.output.annotations.map((a: CheckAnnotation) => a.start_line))).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(github.scope.isDone()).toBe(true);
  });

  it("keeps the summary and text within 65,535 characters, and completes in one call without annotations", async () => {
    github.checkRunUpdate(9);
    await gateway().completeCheckRun(9, { conclusion: "success", title: "t", summary: "x".repeat(70_000), text: "y".repeat(80_000), annotations: [] });
    const [update] = github.bodies("PATCH", `${REPO_PATH}/check-runs/9`);
    expect(update.output.summary.length).toBe(CHECK_TEXT_LIMIT);
    expect(update.output.text.length).toBe(CHECK_TEXT_LIMIT);
    expect(update.output.summary.endsWith("(truncated to GitHub's limit)")).toBe(true);
    expect(update.output.annotations).toBeUndefined();
  });
});

describe("listPullFiles", () => {
  it("stops at the cap and says the list is truncated", async () => {
    const page = (n: number) => Array.from({ length: 100 }, (_, i) => ({ filename: `f${n}_${i}.py`, status: "added", additions: 1, sha: "a".repeat(40), patch: "@@ -0,0 +1 @@\n+x" }));
    const next = (p: number) => ({ link: `<https://api.github.com/repositories/1/pulls/3/files?per_page=100&page=${p}>; rel="next"` });
    github
      .on("GET", `${REPO_PATH}/pulls/3/files?per_page=100`, () => [200, page(1), next(2)])
      .on("GET", `/repositories/1/pulls/3/files?per_page=100&page=2`, () => [200, page(2), next(3)])
      .on("GET", `/repositories/1/pulls/3/files?per_page=100&page=3`, () => [200, page(3), next(4)]);
    const { files, truncated } = await gateway().listPullFiles(3, 250);
    expect(files).toHaveLength(250);
    expect(truncated).toBe(true);
    expect(github.scope.isDone()).toBe(true); // page 4 never requested
    expect(github.unmatched).toEqual([]);
  });

  it("maps GitHub's entries: no blob for removed files, previous path for renames, no patch when GitHub sent none", async () => {
    github.on("GET", `${REPO_PATH}/pulls/3/files?per_page=100`, () => [
      200,
      [
        { filename: "gone.py", status: "removed", additions: 0, sha: "b".repeat(40), patch: "@@ -1 +0,0 @@\n-x" },
        { filename: "new/name.py", previous_filename: "old/name.py", status: "renamed", additions: 0, sha: "c".repeat(40) },
        { filename: "big.py", status: "modified", additions: 4000, sha: "d".repeat(40) },
      ],
    ]);
    const { files, truncated } = await gateway().listPullFiles(3);
    expect(truncated).toBe(false);
    expect(files).toEqual([
      { path: "gone.py", status: "removed", additions: 0, patch: "@@ -1 +0,0 @@\n-x" },
      { path: "new/name.py", previousPath: "old/name.py", status: "renamed", additions: 0, blobSha: "c".repeat(40) },
      { path: "big.py", status: "modified", additions: 4000, blobSha: "d".repeat(40) },
    ]);
  });
});

describe("listPriorComments", () => {
  it("finds our comments by marker, with thread ids, resolution and human replies; ignores others' markers", async () => {
    const marker = (fp: string) => `Finding\n\n${renderMarker(fp, "FLASK-SSTI-001")}`;
    github
      .reviewComments(3, [
        reviewComment({ id: 1, path: "a.py", line: 3, body: marker("aaaa") }),
        reviewComment({ id: 2, path: "b.py", line: 4, body: marker("bbbb") }),
        reviewComment({ id: 3, path: "b.py", line: 4, body: "Not a real problem, we validate upstream.", bot: false, inReplyTo: 2 }),
        reviewComment({ id: 4, path: "c.py", line: 5, body: `Quoting: ${marker("cccc")}`, bot: false }),
        reviewComment({ id: 5, path: "d.py", line: 6, body: "plain bot comment" }),
      ].map((c) => ({ ...c, pull_request_review_id: 1 })))
      .reviewThreads([
        { id: "T1", isResolved: true, rootId: 1 },
        { id: "T2", isResolved: false, rootId: 2 },
      ]);
    const prior = await gateway().listPriorComments(3);
    expect(prior).toEqual([
      { commentId: 1, threadId: "T1", fingerprint: "aaaa", ruleId: "FLASK-SSTI-001", path: "a.py", isResolved: true, hasHumanReplies: false },
      { commentId: 2, threadId: "T2", fingerprint: "bbbb", ruleId: "FLASK-SSTI-001", path: "b.py", isResolved: false, hasHumanReplies: true },
    ]);
  });

  it("makes no GraphQL call when we never commented", async () => {
    github.reviewComments(3, [reviewComment({ id: 1, path: "a.py", line: 1, body: "looks good", bot: false })]);
    expect(await gateway().listPriorComments(3)).toEqual([]);
    expect(github.calls()).toEqual([`GET ${REPO_PATH}/pulls/3/comments?per_page=100`]);
  });
});

describe("readConfig", () => {
  it("turns a parse error into a message and lets API errors through", async () => {
    const yamlError = new Error("[@probot/octokit-plugin-config] Configuration could not be parsed from https://x (invalid YAML)", {
      cause: new Error("Flow sequence in block collection must be sufficiently indented at line 1, column 10"),
    });
    expect(await gateway(() => Promise.reject(yamlError)).readConfig()).toEqual({
      ok: false,
      error: "Configuration could not be parsed from https://x (invalid YAML): Flow sequence in block collection must be sufficiently indented at line 1, column 10",
    });
    const apiError = Object.assign(new Error("Server Error"), { status: 500 });
    await expect(gateway(() => Promise.reject(apiError)).readConfig()).rejects.toBe(apiError);
    expect(await gateway(async () => ({ fail_on: "medium" })).readConfig()).toEqual({ ok: true, raw: { fail_on: "medium" } });
  });
});

describe("getPermission", () => {
  it("maps GitHub's answer, and a non-collaborator (404) to none", async () => {
    github
      .on("GET", `${REPO_PATH}/collaborators/alice/permission`, () => [200, { permission: "write", role_name: "maintain" }])
      .on("GET", `${REPO_PATH}/collaborators/bob/permission`, () => [404, { message: "Not Found" }]);
    expect(await gateway().getPermission("alice")).toBe("write");
    expect(await gateway().getPermission("bob")).toBe("none");
  });
});
