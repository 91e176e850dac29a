// A scripted WorkRunner for queue tests: `run` is the given function; attempts, followers told and orphans closed
// are recorded.
import type { Attempt, Follower, ScanWork, Settled, Work, WorkResult, WorkRunner } from "../../src/github/work.js";

export function scanWork(pullNumber: number, headSha = "abc", extra: Partial<ScanWork> = {}): ScanWork {
  return { kind: "scan", installationId: 1, owner: "o", repo: "r", pullNumber, headSha, draft: false, trigger: "test", deliveryId: `d-${pullNumber}`, ...extra };
}

/** A runner whose `run` is the given function; records attempts and what followers were told. */
export class ScriptedRunner implements WorkRunner {
  readonly attempts: { work: Work; attempt: Attempt }[] = [];
  readonly told: { work: Work; result: Settled<WorkResult>; followers: Follower[] }[] = [];
  readonly orphans: { work: ScanWork & { checkRunId: number }; reason: string }[] = [];
  constructor(readonly script: (work: Work, attempt: Attempt) => Promise<WorkResult> = async () => ({ status: "done" })) {}
  async run(work: Work, attempt: Attempt): Promise<WorkResult> {
    this.attempts.push({ work, attempt });
    return this.script(work, attempt);
  }
  async settled(work: Work, result: Settled<WorkResult>, followers: Follower[]): Promise<void> {
    this.told.push({ work, result, followers });
  }
  async closeOrphan(work: ScanWork & { checkRunId: number }, reason: "superseded" | "gave-up"): Promise<void> {
    this.orphans.push({ work, reason });
  }
}

