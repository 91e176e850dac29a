// The work queue between receiving and working. A webhook handler records a work item (src/github/work.ts: plain
// data) and returns, so GitHub gets its answer well within 10 s whatever the size of the pull request; a worker runs
// the item after, through a WorkRunner (src/github/worker.ts).
//
// Two implementations behind one interface:
//   - InProcessScanQueue (here, the default: `npm start` needs nothing else). Items live in this process: a crash
//     loses what is queued; a graceful stop (SIGTERM) finishes what runs within a grace period, then interrupts it
//     and completes its check run as cancelled, so GitHub offers Re-run instead of a check stuck in progress.
//   - RedisScanQueue (src/github/redis-queue.ts, with REDIS_URL): BullMQ. Items survive crashes, are taken over by
//     another worker when one dies, and are handed back to the queue on a graceful stop.
// Both collapse equal keys (`owner/repo#pr@headSha` for a scan) while an item is queued or running, and retry a
// failing item with exponential backoff.
import { isInterrupted, workKey, type Follower, type Settled, type Work, type WorkResult, type WorkRunner } from "./work.js";

export type { Settled };

/** "closed": the queue is stopping and did not take the item (the handler fails the delivery, GitHub can redeliver). */
export type EnqueueResult = "queued" | "collapsed" | "closed";

export interface QueueStats {
  /** Items waiting to run (including retries waiting for their backoff). */
  queued: number;
  /** Items running (on any instance, for the Redis queue). */
  running: number;
}

export interface ScanQueue {
  readonly kind: "in-process" | "redis";
  /**
   * Record `work` (durably, for the Redis queue) and return; it runs later. While an item with the same key is
   * queued or running, `work` collapses into it, and `follower` is told how that item ends.
   */
  enqueue(work: Work, follower?: Follower): Promise<EnqueueResult>;
  /** Start running items with `runner` (once; the app calls it when Probot loads it). */
  start(runner: WorkRunner): Promise<void>;
  /** Resolves when nothing is queued or running (tests await this after `probot.receive`). */
  onIdle(): Promise<void>;
  stats(): Promise<QueueStats>;
  /**
   * Stop taking items; let the running ones finish within `finishMs`; then interrupt them (they stop at their next
   * GitHub call) and hand them back (Redis) or complete their check runs as cancelled (in-process), within
   * `handBackMs`. False when something was still running at the end.
   */
  drain(finishMs: number, handBackMs?: number): Promise<boolean>;
  /** Release timers and connections (after drain). */
  close(): Promise<void>;
}

export interface RetryPolicy {
  /** Attempts per item, the first included (1 = no retry). */
  attempts: number;
  /** Backoff before retry n (1-based): `backoffMs * 2^(n-1)`. */
  backoffMs: number;
}

/** 3 attempts: a retry after 5 s, another after 10 s. A transient GitHub outage rarely lasts longer; then the check fails saying so. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, backoffMs: 5_000 };
/** How long an interrupted item gets to stop and complete (or hand back) its check run, by default. */
export const DEFAULT_HAND_BACK_MS = 5_000;

export function backoffDelay(policy: RetryPolicy, failedAttempt: number): number {
  return policy.backoffMs * 2 ** (failedAttempt - 1);
}

interface Entry {
  key: string;
  work: Work;
  followers: Follower[];
  /** Attempts started so far. */
  attempts: number;
  controller?: AbortController;
  retryTimer?: NodeJS.Timeout;
}

export interface InProcessQueueOptions {
  /** Items running at once in this process (default 4). */
  concurrency?: number;
  retry?: RetryPolicy;
  /** Where an item's final error is reported (the runner is expected to catch and report its own). */
  onError?: (error: unknown, key: string) => void;
}

const noop = () => {};

export class InProcessScanQueue implements ScanQueue {
  readonly kind = "in-process";
  readonly #concurrency: number;
  readonly #retry: RetryPolicy;
  readonly #onError: (error: unknown, key: string) => void;
  readonly #entries = new Map<string, Entry>();
  readonly #waiting: Entry[] = [];
  readonly #delayed = new Set<Entry>();
  #runner: WorkRunner | undefined;
  #running = 0;
  #closed = false;
  /** Set by drain once the grace period is over: everything runs with an aborted signal. */
  #interrupting = false;
  #idleWaiters: (() => void)[] = [];

  constructor(options: InProcessQueueOptions = {}) {
    this.#concurrency = Math.max(1, options.concurrency ?? 4);
    this.#retry = options.retry ?? DEFAULT_RETRY;
    this.#onError = options.onError ?? noop;
  }

  async enqueue(work: Work, follower?: Follower): Promise<EnqueueResult> {
    if (this.#closed) return "closed";
    const key = workKey(work);
    const existing = this.#entries.get(key);
    if (existing) {
      if (follower) existing.followers.push(follower);
      return "collapsed";
    }
    const entry: Entry = { key, work, followers: follower ? [follower] : [], attempts: 0 };
    this.#entries.set(key, entry);
    this.#waiting.push(entry);
    this.#pump();
    return "queued";
  }

  async start(runner: WorkRunner): Promise<void> {
    this.#runner = runner;
    this.#pump();
  }

  onIdle(): Promise<void> {
    if (this.#entries.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async stats(): Promise<QueueStats> {
    return { queued: this.#waiting.length + this.#delayed.size, running: this.#running };
  }

  async drain(finishMs: number, handBackMs: number = Math.min(DEFAULT_HAND_BACK_MS, finishMs)): Promise<boolean> {
    this.#closed = true;
    if (await this.#idleWithin(finishMs)) return true;
    // Out of time: nobody will take these items over, so each stops at its next GitHub call and completes its check
    // run as cancelled (Re-run on GitHub starts it again). Retries waiting for their backoff go the same way now.
    this.#interrupting = true;
    for (const entry of this.#entries.values()) entry.controller?.abort(new Error("flask-audit is stopping"));
    for (const entry of this.#delayed) {
      clearTimeout(entry.retryTimer);
      this.#waiting.push(entry);
    }
    this.#delayed.clear();
    this.#pump();
    return this.#idleWithin(handBackMs);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const entry of this.#delayed) clearTimeout(entry.retryTimer);
  }

  async #idleWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    try {
      return await Promise.race([this.onIdle().then(() => true as const), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  #pump(): void {
    const runner = this.#runner;
    if (!runner) return;
    while (this.#running < this.#concurrency && this.#waiting.length > 0) {
      const entry = this.#waiting.shift()!;
      this.#running++;
      void this.#run(runner, entry);
    }
  }

  async #run(runner: WorkRunner, entry: Entry): Promise<void> {
    entry.attempts++;
    const controller = new AbortController();
    if (this.#interrupting) controller.abort(new Error("flask-audit is stopping"));
    entry.controller = controller;
    let result: Settled<WorkResult>;
    try {
      const value = await runner.run(entry.work, {
        number: entry.attempts,
        final: entry.attempts >= this.#retry.attempts || this.#interrupting,
        signal: controller.signal,
        canHandBack: false,
        checkRunCreated: async (checkRunId) => {
          if (entry.work.kind === "scan") entry.work = { ...entry.work, checkRunId };
        },
      });
      result = { ok: true, value };
    } catch (error) {
      if (!isInterrupted(error) && !this.#interrupting && entry.attempts < this.#retry.attempts) {
        this.#retryLater(entry);
        return;
      }
      this.#onError(error, entry.key);
      result = { ok: false, error };
    } finally {
      entry.controller = undefined;
    }
    // Followers that joined while the item ran are included: the key stays registered until they are told.
    if (entry.followers.length > 0) {
      try {
        await runner.settled(entry.work, result, entry.followers);
      } catch (error) {
        this.#onError(error, entry.key);
      }
    }
    this.#entries.delete(entry.key);
    this.#finished();
  }

  #retryLater(entry: Entry): void {
    this.#delayed.add(entry);
    entry.retryTimer = setTimeout(() => {
      this.#delayed.delete(entry);
      this.#waiting.push(entry);
      this.#pump();
    }, backoffDelay(this.#retry, entry.attempts));
    this.#finished();
  }

  #finished(): void {
    this.#running--;
    this.#pump();
    if (this.#entries.size === 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
