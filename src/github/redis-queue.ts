// The durable ScanQueue: BullMQ on Redis (REDIS_URL). Any number of identical instances share one queue; each runs a
// BullMQ worker.
//
// - Job id = the work key, `owner/repo#pr@headSha` for a scan (':' and '%' percent-encoded: BullMQ ids may not
//   contain ':'). BullMQ ignores an add whose id exists, so a burst of duplicate events is one job; jobs are removed
//   when they finish (removeOnComplete / removeOnFail), so a later rescan of the same head runs again.
// - Retries: `attempts` with exponential backoff (BullMQ's). The runner throws only when another attempt should
//   follow; the last attempt completes the check run whatever happens.
// - Crashes: a worker holds a lock per job for `lockDurationMs` and renews it every half of that while it works. If
//   the process dies, the lock expires and any worker's stalled-job check (every `stalledIntervalMs`) puts the job
//   back in the queue for another worker: at most lockDurationMs + 2 × stalledIntervalMs after the crash (the check
//   marks a job on one pass and moves it on the next). `maxStalledCount` takeovers, then the job fails.
//   The lock must outlast the longest stretch the event loop is blocked (parsing a large pull request is synchronous),
//   or a live worker would lose its job to another: hence 60 s, not BullMQ's 30 s.
// - Graceful stop (SIGTERM): the worker stops taking jobs and finishes its running ones within a grace period; then
//   it aborts them (they stop at their next GitHub call) and hands them back with moveToDelayed(now), so another
//   instance (or this one, restarted) resumes them at once, without waiting for a lock to expire.
// - The check run: created on the first attempt, its id written into the job data (so a retry or a takeover
//   completes the same run) and into a small Redis hash of in-flight check runs (`<prefix>:inflight`: check run id
//   -> the scan, with its installation). Cleared when the scan completes the run. On start and every
//   `recoveryIntervalMs`, a worker looks for entries whose job is gone (failed after too many stalls, removed by
//   hand): it re-queues the scan with that check run id (once), or completes the run saying why. So a restart never
//   leaves a check run in progress.
// - Followers (rescan comments waiting for 🚀 / 😕) are kept in a Redis list per job and told when the job finishes.
import { hostname } from "node:os";
import { DelayedError, Queue, Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import { isTransient, statusOf } from "./gateway.js";
import { DEFAULT_HAND_BACK_MS, DEFAULT_RETRY, type EnqueueResult, type QueueStats, type RetryPolicy, type ScanQueue } from "./queue.js";
import { isInterrupted, workKey, type Follower, type ScanWork, type Settled, type Work, type WorkResult, type WorkRunner } from "./work.js";

export const DEFAULT_REDIS_PREFIX = "flask-audit";
export const QUEUE_NAME = "scans";
/** See the header: longer than any synchronous stretch of a scan. */
export const DEFAULT_LOCK_DURATION_MS = 60_000;
export const DEFAULT_STALLED_INTERVAL_MS = 30_000;
/** One takeover after a worker vanished; a job that kills its second worker too fails (and recovery closes its run). */
export const DEFAULT_MAX_STALLED_COUNT = 1;
export const DEFAULT_RECOVERY_INTERVAL_MS = 5 * 60_000;
/** Re-queues of a scan whose job was lost, before its check run is completed as failed (a scan that crashes workers). */
export const DEFAULT_MAX_RECOVERIES = 1;
/** Followers of a job that never finishes are forgotten after a day. */
const FOLLOWERS_TTL_MS = 24 * 3_600_000;
const LIVE_STATES = new Set(["waiting", "active", "delayed", "prioritized", "waiting-children"]);

export interface QueueLog {
  info: (obj: object, msg: string) => void;
  warn: (obj: object, msg: string) => void;
  error: (obj: object, msg: string) => void;
}

export interface RedisQueueOptions {
  url: string;
  /** Namespaces every key (BullMQ's and ours): several deployments can share one Redis. */
  prefix?: string;
  /** Jobs this instance runs at once (default 4). */
  concurrency?: number;
  retry?: RetryPolicy;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  maxStalledCount?: number;
  /** 0: recover only on start. */
  recoveryIntervalMs?: number;
  maxRecoveries?: number;
  log?: QueueLog;
}

const silent: QueueLog = { info: () => {}, warn: () => {}, error: () => {} };

/** BullMQ job ids may not contain ':' (its key separator): percent-encode it (and '%', to stay reversible). */
export function jobIdFor(work: Work): string {
  return workKey(work).replace(/%/g, "%25").replace(/:/g, "%3A");
}

/** The URL without its password, for messages. */
export function describeRedisUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}

export interface RecoveryReport {
  requeued: number;
  closed: number;
}

export class RedisScanQueue implements ScanQueue {
  readonly kind = "redis";
  readonly prefix: string;
  /** The producer connection, shared with our own keys (in-flight runs, followers, the rescan limiter). */
  readonly client: Redis;
  readonly #options: Required<Omit<RedisQueueOptions, "url" | "prefix" | "log">>;
  readonly #log: QueueLog;
  readonly #url: string;
  readonly #queue: Queue<Work, WorkResult>;
  #worker: Worker<Work, WorkResult> | undefined;
  #workerClient: Redis | undefined;
  #runner: WorkRunner | undefined;
  #recoveryTimer: NodeJS.Timeout | undefined;
  /** Followers being told, recoveries running: onIdle and close wait for them. */
  readonly #pending = new Set<Promise<unknown>>();
  #active = 0;
  #closed = false;

  private constructor(options: RedisQueueOptions, client: Redis) {
    this.#url = options.url;
    this.prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
    this.#log = options.log ?? silent;
    this.#options = {
      concurrency: Math.max(1, options.concurrency ?? 4),
      retry: options.retry ?? DEFAULT_RETRY,
      lockDurationMs: options.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS,
      stalledIntervalMs: options.stalledIntervalMs ?? DEFAULT_STALLED_INTERVAL_MS,
      maxStalledCount: options.maxStalledCount ?? DEFAULT_MAX_STALLED_COUNT,
      recoveryIntervalMs: options.recoveryIntervalMs ?? DEFAULT_RECOVERY_INTERVAL_MS,
      maxRecoveries: options.maxRecoveries ?? DEFAULT_MAX_RECOVERIES,
    };
    this.client = client;
    this.#queue = new Queue<Work, WorkResult>(QUEUE_NAME, {
      connection: client,
      prefix: this.prefix,
      defaultJobOptions: {
        attempts: this.#options.retry.attempts,
        backoff: { type: "exponential", delay: this.#options.retry.backoffMs },
        removeOnComplete: true,
        removeOnFail: true,
      },
    });
    this.#queue.on("error", (err) => this.#log.error({ err }, "Redis queue error"));
  }

  /** Connect and check that Redis answers; throws a message that says what to do when it does not. */
  static async connect(options: RedisQueueOptions): Promise<RedisScanQueue> {
    // The producer fails fast (a webhook whose job cannot be recorded gets a 500, and GitHub can redeliver it) ...
    const client = new Redis(options.url, { maxRetriesPerRequest: 1, connectTimeout: 5_000, lazyConnect: true });
    client.on("error", (err) => (options.log ?? silent).warn({ err }, "Redis connection error"));
    try {
      await withTimeout(client.connect().then(() => client.ping()), 6_000, "no answer within 6 s");
    } catch (error) {
      client.disconnect();
      throw new Error(
        `REDIS_URL is set but Redis at ${describeRedisUrl(options.url)} does not answer (${error instanceof Error ? error.message : String(error)}): ` +
          "start Redis or fix REDIS_URL, or unset REDIS_URL to run with the in-process queue.",
      );
    }
    return new RedisScanQueue(options, client);
  }

  get #inflightKey(): string {
    return `${this.prefix}:inflight`;
  }

  #followersKey(jobId: string): string {
    return `${this.prefix}:followers:${jobId}`;
  }

  async enqueue(work: Work, follower?: Follower): Promise<EnqueueResult> {
    if (this.#closed) return "closed";
    const jobId = jobIdFor(work);
    // The follower first: whichever job with this id finishes next (the one we collapse into, or ours) tells it.
    if (follower) {
      const key = this.#followersKey(jobId);
      await this.client.multi().rpush(key, JSON.stringify(follower)).pexpire(key, FOLLOWERS_TTL_MS).exec();
    }
    // Only for the answer: BullMQ's add is what dedupes, atomically.
    const existing = await this.#queue.getJob(jobId);
    await this.#queue.add(work.kind, work, { jobId });
    return existing ? "collapsed" : "queued";
  }

  async start(runner: WorkRunner): Promise<void> {
    if (this.#worker) throw new Error("the queue is already started");
    this.#runner = runner;
    // ... the worker's connection never gives up a command (BullMQ requires it: a blocked worker just waits for Redis).
    this.#workerClient = new Redis(this.#url, { maxRetriesPerRequest: null });
    this.#workerClient.on("error", (err) => this.#log.warn({ err }, "Redis connection error (worker)"));
    const worker = new Worker<Work, WorkResult>(QUEUE_NAME, (job, token, signal) => this.#process(job, token, signal), {
      connection: this.#workerClient,
      prefix: this.prefix,
      name: `${hostname()}:${process.pid}`,
      concurrency: this.#options.concurrency,
      lockDuration: this.#options.lockDurationMs,
      stalledInterval: this.#options.stalledIntervalMs,
      maxStalledCount: this.#options.maxStalledCount,
    });
    worker.on("completed", (job, result) => void this.#track(this.#settle(job, { ok: true, value: result })));
    worker.on("failed", (job, err) => {
      if (!job) return;
      const final = job.attemptsMade >= (job.opts.attempts ?? 1);
      this.#log[final ? "error" : "warn"]({ err, key: workKey(job.data), attempt: job.attemptsMade }, final ? "job failed" : "job failed; retrying with backoff");
      if (final) void this.#track(this.#settle(job, { ok: false, error: err }));
    });
    worker.on("error", (err) => this.#log.error({ err }, "Redis worker error"));
    worker.on("stalled", (jobId) => this.#log.warn({ jobId }, "a job's worker stopped renewing its lock: the job is back in the queue"));
    this.#worker = worker;
    await worker.waitUntilReady();

    await this.#track(this.recover());
    if (this.#options.recoveryIntervalMs > 0) {
      this.#recoveryTimer = setInterval(() => void this.#track(this.recover()), this.#options.recoveryIntervalMs);
      this.#recoveryTimer.unref();
    }
  }

  /** Processor: BullMQ passes an abort signal when the processor declares three parameters. */
  async #process(job: Job<Work, WorkResult>, token: string | undefined, signal: AbortSignal | undefined): Promise<WorkResult> {
    const runner = this.#runner!;
    const number = job.attemptsMade + 1;
    let checkRunId = job.data.kind === "scan" ? job.data.checkRunId : undefined;
    this.#active++;
    try {
      const result = await runner.run(job.data, {
        number,
        final: number >= (job.opts.attempts ?? 1),
        signal: signal ?? new AbortController().signal,
        canHandBack: token !== undefined,
        checkRunCreated: async (id) => {
          checkRunId = id;
          if (job.data.kind !== "scan") return;
          // The job data first: while the job exists it is the truth; the record matters once the job is gone.
          const work: ScanWork = { ...job.data, checkRunId: id };
          await job.updateData(work);
          await this.client.hset(this.#inflightKey, String(id), JSON.stringify(work));
        },
      });
      // The scan completed its check run (or never created one): nothing to recover.
      if (checkRunId !== undefined) await this.client.hdel(this.#inflightKey, String(checkRunId));
      return result;
    } catch (error) {
      if (isInterrupted(error) && token) {
        // Hand back: waiting again at once, without counting as an attempt.
        await job.moveToDelayed(Date.now(), token);
        this.#log.info({ key: workKey(job.data) }, "stopping: job handed back to the queue");
        throw new DelayedError();
      }
      throw error;
    } finally {
      this.#active--;
    }
  }

  /** A job finished (last attempt): tell its followers. Runs after BullMQ removed the job, so none joins it later. */
  async #settle(job: Job<Work, WorkResult>, result: Settled<WorkResult>): Promise<void> {
    const key = this.#followersKey(job.id ?? jobIdFor(job.data));
    const replies = await this.client.multi().lrange(key, 0, -1).del(key).exec();
    const raw = (replies?.[0]?.[1] as string[] | undefined) ?? [];
    const followers = raw.flatMap((entry) => {
      try {
        return [JSON.parse(entry) as Follower];
      } catch {
        return [];
      }
    });
    if (followers.length === 0 || !this.#runner) return;
    try {
      await this.#runner.settled(job.data, result, followers);
    } catch (err) {
      this.#log.error({ err, key: workKey(job.data) }, "could not tell the followers how the job ended");
    }
  }

  /**
   * Check runs recorded as in progress whose job is gone: re-queue the scan (it completes the same check run), or
   * complete the run (superseded by a newer job of the same head; or given up after `maxRecoveries`).
   */
  async recover(): Promise<RecoveryReport> {
    const report: RecoveryReport = { requeued: 0, closed: 0 };
    const runner = this.#runner;
    if (!runner) return report;
    const records = await this.client.hgetall(this.#inflightKey);
    for (const [field, json] of Object.entries(records)) {
      try {
        const outcome = await this.#recoverOne(runner, field, json);
        if (outcome !== "kept") report[outcome]++;
      } catch (err) {
        // A transient failure (GitHub, Redis): the next sweep tries again. An answer (the installation or the check
        // run is gone): nothing left to do for this run.
        if (isTransient(err) || statusOf(err) === undefined) this.#log.warn({ err, checkRunId: field }, "recovery of a check run failed; will retry");
        else {
          await this.client.hdel(this.#inflightKey, field);
          this.#log.warn({ err, checkRunId: field }, "recovery of a check run impossible (GitHub refused): record dropped");
        }
      }
    }
    return report;
  }

  async #recoverOne(runner: WorkRunner, field: string, json: string): Promise<"kept" | "closed" | "requeued"> {
    let work: ScanWork & { checkRunId: number };
    try {
      work = { ...(JSON.parse(json) as ScanWork), checkRunId: Number(field) };
    } catch {
      await this.client.hdel(this.#inflightKey, field);
      return "kept";
    }
    const jobId = jobIdFor(work);
    const job = await this.#queue.getJob(jobId);
    const state = job ? await job.getState() : "unknown";
    const live = LIVE_STATES.has(state);
    // Still owned by its job (a stalled one is taken over by BullMQ, with this same check run).
    if (live && job?.data.kind === "scan" && job.data.checkRunId === work.checkRunId) return "kept";
    // Completed meanwhile?
    if (!(await this.client.hexists(this.#inflightKey, field))) return "kept";
    const where = { key: jobId, checkRunId: work.checkRunId, installationId: work.installationId };
    if (live || (work.recoveries ?? 0) >= this.#options.maxRecoveries) {
      const reason = live ? "superseded" : "gave-up";
      await runner.closeOrphan(work, reason);
      await this.client.hdel(this.#inflightKey, field);
      this.#log.warn({ ...where, reason }, "completed a check run its job had left in progress");
      return "closed";
    }
    const again: ScanWork = { ...work, recoveries: (work.recoveries ?? 0) + 1, trigger: `${work.trigger}, recovered after its job was lost` };
    await this.client.hset(this.#inflightKey, field, JSON.stringify(again));
    await this.#queue.add("scan", again, { jobId });
    this.#log.warn(where, "re-queued a scan whose job was lost with its check run in progress");
    return "requeued";
  }

  async onIdle(): Promise<void> {
    for (;;) {
      const stats = await this.stats();
      if (stats.queued === 0 && stats.running === 0 && this.#active === 0 && this.#pending.size === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async stats(): Promise<QueueStats> {
    const counts = await this.#queue.getJobCounts("waiting", "delayed", "prioritized", "active");
    return {
      queued: (counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0),
      running: counts.active ?? 0,
    };
  }

  async drain(finishMs: number, handBackMs: number = Math.min(DEFAULT_HAND_BACK_MS, finishMs)): Promise<boolean> {
    clearInterval(this.#recoveryTimer);
    const worker = this.#worker;
    if (!worker) return true;
    // Stops fetching jobs at once; resolves when the running ones are done (their locks are renewed meanwhile).
    const closing = worker.close();
    if (await settlesWithin(closing, finishMs)) return true;
    worker.cancelAllJobs("flask-audit is stopping");
    return settlesWithin(closing, handBackMs);
  }

  /**
   * Drop everything now, as a killed process would: no hand-back, lock renewal stops, connections close. Running
   * jobs go to another worker once their lock expires. For tests, and for a last resort when drain timed out.
   */
  async abandon(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#recoveryTimer);
    await this.#worker?.close(true).catch(() => {});
    this.client.disconnect();
    this.#workerClient?.disconnect();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#recoveryTimer);
    // After drain: the worker is closed or gave up on a stuck job (its lock then expires and another worker takes it).
    if (this.#worker) await settlesWithin(this.#worker.close(), 1_000);
    await settlesWithin(Promise.allSettled([...this.#pending]), 2_000);
    await settlesWithin(this.#queue.close(), 1_000);
    this.client.disconnect();
    this.#workerClient?.disconnect();
  }

  /** Background work (telling followers, recovery) that onIdle and close wait for; its errors are logged, never thrown. */
  #track(promise: Promise<unknown>): Promise<void> {
    const tracked: Promise<void> = promise.then(
      () => {},
      (err: unknown) => this.#log.error({ err }, "background queue work failed"),
    );
    this.#pending.add(tracked);
    void tracked.then(() => this.#pending.delete(tracked));
    return tracked;
  }
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true as const, () => true as const), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  try {
    return await Promise.race([promise, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
