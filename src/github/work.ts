// What a webhook handler records and a worker runs: plain data, JSON-serialisable, carrying everything the worker
// needs without the original webhook context (installation id, repository, pull request, head SHA, the check run
// once created, the delivery id for the logs). The worker authenticates as the installation itself
// (`app.auth(installationId)`), so a job can be run by another process, after a restart, or again after a failure.
import { scanKey, type ScanJob, type ScanOutcome } from "./scan.js";

export { scanKey };

export interface InstallationRepo {
  installationId: number;
  owner: string;
  repo: string;
  /** The webhook delivery that asked for this work: in every log line about it. */
  deliveryId: string;
  /** The config file on the default branch, linked from an action_required check run. */
  configUrl?: string;
}

/** Scan one pull-request head. */
export interface ScanWork extends ScanJob, InstallationRepo {
  kind: "scan";
  /** Set once the scan created its check run: a retry, a takeover or a recovery completes this one. */
  checkRunId?: number;
  /** How often recovery re-queued this scan after its job was lost with the check run in progress. */
  recoveries?: number;
}

/** A `/flask-audit ...` comment: checked (permission, rate limit) and answered by the worker. */
export interface CommandWork extends InstallationRepo {
  kind: "command";
  command: "rescan" | "help" | "unknown";
  /** The comment's first line, for "unknown command" answers. */
  text: string;
  pullNumber: number;
  commentId: number;
  login: string;
}

/** A Re-run of a check suite whose payload names no pull request (forks): find them from our check runs. */
export interface CheckSuiteWork extends InstallationRepo {
  kind: "check-suite";
  checkSuiteId: number;
  headSha: string;
}

export type Work = ScanWork | CommandWork | CheckSuiteWork;

/** Someone to tell how a scan ended: a rescan comment gets 🚀 or 😕. */
export interface Follower {
  commentId: number;
}

export type WorkResult = ScanOutcome | { status: "done" } | { status: "interrupted" };

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** The queue key of a work item: equal keys are the same work, and collapse while one is queued or running. */
export function workKey(work: Work): string {
  switch (work.kind) {
    case "scan":
      return scanKey(work);
    case "command":
      return `${work.owner}/${work.repo}#${work.pullNumber}/comment-${work.commentId}`;
    case "check-suite":
      return `${work.owner}/${work.repo}/check-suite-${work.checkSuiteId}`;
  }
}

/** One attempt at a work item, as the queue runs it. */
export interface Attempt {
  /** 1-based. */
  number: number;
  /** No attempt follows this one: a scan must complete its check run whatever happens. */
  final: boolean;
  /** Aborted when the process stops: the item stops at its next GitHub call (see interruptible). */
  signal: AbortSignal;
  /** An interrupted item goes back to a durable queue (true), or would be lost with the process (false). */
  canHandBack: boolean;
  /** The scan created its check run: remember it, so that a retry, a takeover or a recovery reuses it. */
  checkRunCreated(checkRunId: number): Promise<void>;
}

/** The worker side of the app: what the queue calls. */
export interface WorkRunner {
  /** Throws to ask for another attempt (with backoff) or, with Interrupted, to hand the item back. */
  run(work: Work, attempt: Attempt): Promise<WorkResult>;
  /** After the last attempt: tell the followers (rescan comments) how it went. */
  settled(work: Work, result: Settled<WorkResult>, followers: Follower[]): Promise<void>;
  /** Complete a check run whose job is gone (recovery): superseded by a newer run, or given up after repeated losses. */
  closeOrphan(work: ScanWork & { checkRunId: number }, reason: "superseded" | "gave-up"): Promise<void>;
}

/** The process is stopping: the item stopped between two GitHub calls and can be run again from the start. */
export class Interrupted extends Error {
  override name = "Interrupted";
  constructor(reason: unknown) {
    super(`interrupted: ${reason instanceof Error ? reason.message : String(reason ?? "the process is stopping")}`);
  }
}

export function isInterrupted(error: unknown): error is Interrupted {
  return error instanceof Interrupted;
}

/**
 * `target` whose methods refuse to start once `signal` is aborted. A call already in flight finishes (a review being
 * posted must land before the item is handed back, or the next worker could post it again); the next one throws
 * Interrupted.
 */
export function interruptible<T extends object>(target: T, signal: AbortSignal): T {
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (signal.aborted) throw new Interrupted(signal.reason);
        // Bound to the real object: class private fields are not reachable through a proxy.
        return (value as (...a: unknown[]) => unknown).apply(object, args);
      };
    },
  });
}
