// The scan flow's promises, with an in-memory gateway: the check run never stays in progress, best-effort steps
// stay best effort.
import { describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";
import { buildPullModel } from "../../src/github/fake/pull-model.js";
import { scanPullRequest } from "../../src/github/scan.js";
import { FakeGateway } from "./fake-gateway.js";
import { BASE, HEAD, SAMPLE_JOB as job, VIEWS_BEFORE } from "./sample.js";

function quietLog() {
  const entries: { level: string; obj: object; msg: string }[] = [];
  const at = (level: string) => (obj: object, msg: string) => void entries.push({ level, obj, msg });
  return { log: { info: at("info"), warn: at("warn"), error: at("error") }, entries };
}

describe("scanPullRequest", () => {
  it("when the check run cannot even be created, fails without touching anything else", async () => {
    const gh = new FakeGateway(buildPullModel(BASE, HEAD));
    gh.failures.set("createCheckRun", Object.assign(new Error("Server Error"), { status: 502 }));
    const { log, entries } = quietLog();
    expect(await scanPullRequest(gh, job, { rules: allRules, log })).toEqual({ status: "failed", error: "Server Error" });
    expect(gh.log).toEqual(["createCheckRun"]);
    expect(entries).toEqual([expect.objectContaining({ level: "error", msg: "scan failed", obj: expect.objectContaining({ deliveryId: "d-1" }) })]);
  });

  it("when completing the check run fails, still completes it, as a failure", async () => {
    const gh = new FakeGateway(buildPullModel(BASE, HEAD));
    gh.failures.set("completeCheckRun", Object.assign(new Error("Validation Failed"), { status: 422 }));
    const { log } = quietLog();
    const outcome = await scanPullRequest(gh, job, { rules: allRules, log });
    expect(outcome.status).toBe("failed");
    expect(gh.log.filter((l) => l.startsWith("completeCheckRun"))).toEqual(["completeCheckRun failure", "completeCheckRun failure"]);
    expect(gh.completed.at(-1)!.summary).toContain("HTTP 422");
  });

  it("a thread that cannot be resolved is logged, not fatal", async () => {
    // The pull request now only tidies views.py: our earlier comment's finding is gone, so its thread is to resolve.
    const gh = new FakeGateway(buildPullModel(BASE, { ...BASE, "shop/views.py": `${VIEWS_BEFORE}\n# tidy\n` }));
    gh.priorComments = [{ commentId: 5, threadId: "T5", fingerprint: "0123456789abcdef0123", ruleId: "FLASK-SSTI-001", path: "shop/views.py", isResolved: false, hasHumanReplies: false }];
    gh.failures.set("resolveThread", Object.assign(new Error("Server Error"), { status: 500 }));
    const { log, entries } = quietLog();
    const outcome = await scanPullRequest(gh, job, { rules: allRules, log });
    expect(outcome).toMatchObject({ status: "reviewed", resolved: 0 });
    expect(entries.some((e) => e.level === "warn" && e.msg === "could not resolve an earlier thread")).toBe(true);
    expect(gh.completed).toHaveLength(1);
  });

  it("an invalid config on a draft still gets a check run that says so", async () => {
    const gh = new FakeGateway(buildPullModel(BASE, HEAD));
    gh.config = { ok: false, error: "Configuration could not be parsed (invalid YAML): bad indentation at line 2, column 3" };
    const { log } = quietLog();
    const outcome = await scanPullRequest(gh, { ...job, draft: true }, { rules: allRules, log });
    expect(outcome.status).toBe("invalid-config");
    expect(gh.log).toEqual(["readConfig", "createCheckRun", "completeCheckRun action_required"]);
    expect(gh.completed[0]!.summary).toContain("bad indentation at line 2, column 3");
  });
});
