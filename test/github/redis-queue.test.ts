// The BullMQ queue on a real Redis (REDIS_URL, a unique key prefix per test, deleted after): duplicate events collapse
// into one job; a job survives its worker's death and completes once on another; retries back off; a stop hands
// running jobs back; check runs left in progress by a lost job are recovered on start. The runner is scripted (the
// GitHub side is covered by the app tests, and by redis-app.test.ts through this queue).
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { describeRedisUrl, jobIdFor, RedisScanQueue, type RedisQueueOptions } from "../../src/github/redis-queue.js";
import { Interrupted, type Attempt, type ScanWork, type WorkResult } from "../../src/github/work.js";
import { deletePrefix, REDIS_URL, redisClient, redisUp, uniquePrefix, warnIfRedisDown } from "./redis.js";
import { ScriptedRunner, scanWork } from "./runner.js";

warnIfRedisDown("RedisScanQueue");

const until = async (condition: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

const never = () => new Promise<never>(() => {});
const transient = () => Object.assign(new Error("Bad Gateway"), { status: 502 });

describe("jobIdFor", () => {
  it("is the work key, with ':' (forbidden in BullMQ ids) and '%' percent-encoded", () => {
    expect(jobIdFor(scanWork(7, "6dcb09b"))).toBe("o/r#7@6dcb09b");
    expect(jobIdFor(scanWork(7, "a:b%c", { owner: "x:y" }))).toBe("x%3Ay/r#7@a%3Ab%25c");
    expect(describeRedisUrl("redis://user:hunter2@redis:6379/0")).toBe("redis://user:***@redis:6379/0");
  });
});

describe("RedisScanQueue.connect", () => {
  it("refuses to start with a message that says what to do when Redis does not answer", async () => {
    await expect(RedisScanQueue.connect({ url: "redis://127.0.0.1:1" })).rejects.toThrow(/does not answer.*unset REDIS_URL/);
  });
});

describe.skipIf(!redisUp)("RedisScanQueue (Redis at " + REDIS_URL + ")", () => {
  let redis: Redis;
  let prefix: string;
  const queues: RedisScanQueue[] = [];
  const open = async (options: Partial<RedisQueueOptions> = {}): Promise<RedisScanQueue> => {
    const queue = await RedisScanQueue.connect({ url: REDIS_URL, prefix, recoveryIntervalMs: 0, retry: { attempts: 1, backoffMs: 1 }, ...options });
    queues.push(queue);
    return queue;
  };

  beforeAll(() => {
    redis = redisClient();
  });
  afterAll(() => redis.disconnect());
  beforeEach(() => {
    prefix = uniquePrefix();
  });
  afterEach(async () => {
    await Promise.all(queues.splice(0).map((queue) => queue.close()));
    await deletePrefix(redis, prefix);
  });

  it("collapses a burst of duplicate events into one job, tells every follower once, and runs a finished key again", async () => {
    const queue = await open();
    const results = [];
    for (let i = 0; i < 10; i++) results.push(await queue.enqueue(scanWork(7), i < 3 ? { commentId: 100 + i } : undefined));
    expect(results).toEqual(["queued", ...Array(9).fill("collapsed")]);
    // Concurrent duplicates too: BullMQ's add is atomic on the job id.
    await Promise.all(Array.from({ length: 10 }, () => queue.enqueue(scanWork(7))));
    expect(await queue.stats()).toEqual({ queued: 1, running: 0 });

    const runner = new ScriptedRunner(async () => ({ status: "reviewed", conclusion: "success", comments: 0, movedToAnnotations: 0, resolved: 0 }));
    await queue.start(runner);
    await queue.onIdle();
    expect(runner.attempts).toHaveLength(1);
    expect(runner.told).toHaveLength(1);
    expect(runner.told[0]!.followers.map((f) => f.commentId).sort()).toEqual([100, 101, 102]);

    expect(await queue.enqueue(scanWork(7))).toBe("queued");
    await queue.onIdle();
    expect(runner.attempts).toHaveLength(2);
  });

  it("a job survives its worker's death: another worker takes it over once the lock expires, with the same check run, and completes it once", async () => {
    const fast = { lockDurationMs: 1_000, stalledIntervalMs: 200 };
    const first = await open(fast);
    const started = new ScriptedRunner(async (_work, attempt) => {
      await attempt.checkRunCreated(4242);
      return never(); // the process dies mid-scan
    });
    await first.start(started);
    await first.enqueue(scanWork(7));
    await until(() => started.attempts.length === 1);
    await until(async () => Object.keys(await redis.hgetall(`${prefix}:inflight`)).length === 1);
    await first.abandon(); // as SIGKILL: no hand-back, the lock is no longer renewed

    const second = await open(fast);
    const finisher = new ScriptedRunner();
    await second.start(finisher);
    await until(() => finisher.attempts.length === 1, 8_000);
    await second.onIdle();
    expect(finisher.attempts).toHaveLength(1);
    expect((finisher.attempts[0]!.work as ScanWork).checkRunId).toBe(4242);
    expect(started.attempts).toHaveLength(1);
    // The scan completed its check run: nothing left to recover.
    expect(await redis.hgetall(`${prefix}:inflight`)).toEqual({});
  });

  it("retries a failing scan with exponential backoff; every attempt completes the check run the first one created", async () => {
    const queue = await open({ retry: { attempts: 3, backoffMs: 50 } });
    const startedAt: number[] = [];
    const runner = new ScriptedRunner(async (_work, attempt: Attempt): Promise<WorkResult> => {
      startedAt.push(Date.now());
      if (attempt.number === 1) await attempt.checkRunCreated(4242);
      if (!attempt.final) throw transient();
      return { status: "failed", error: "Bad Gateway" };
    });
    await queue.start(runner);
    await queue.enqueue(scanWork(7), { commentId: 1 });
    await queue.onIdle();

    expect(runner.attempts.map((a) => [a.attempt.number, a.attempt.final, (a.work as ScanWork).checkRunId])).toEqual([
      [1, false, undefined],
      [2, false, 4242],
      [3, true, 4242],
    ]);
    // BullMQ's exponential backoff: at least 50 ms, then at least 100 ms (lower bounds, not timings).
    expect(startedAt[1]! - startedAt[0]!).toBeGreaterThanOrEqual(45);
    expect(startedAt[2]! - startedAt[1]!).toBeGreaterThanOrEqual(95);
    expect(runner.told.map((t) => t.result)).toEqual([{ ok: true, value: { status: "failed", error: "Bad Gateway" } }]);
    expect(await redis.hgetall(`${prefix}:inflight`)).toEqual({});
  });

  it("drain(): a job that finishes within the grace period completes; one that does not is handed back and resumed by the next worker", async () => {
    const first = await open();
    const slow = new ScriptedRunner(async (work, attempt) => {
      if ((work as ScanWork).pullNumber === 1) {
        await new Promise((resolve) => setTimeout(resolve, 30));
        return { status: "done" };
      }
      // Stops at its next GitHub call once aborted, as the interruptible gateway makes a scan do.
      await new Promise((resolve) => attempt.signal.addEventListener("abort", resolve));
      throw new Interrupted(attempt.signal.reason);
    });
    await first.start(slow);
    await first.enqueue(scanWork(1));
    await first.enqueue(scanWork(2));
    await until(() => slow.attempts.length === 2);
    expect(await first.drain(200, 2_000)).toBe(true);
    expect(slow.attempts.map((a) => [(a.work as ScanWork).pullNumber, a.attempt.canHandBack])).toEqual([
      [1, true],
      [2, true],
    ]);
    expect(await first.stats()).toEqual({ queued: 1, running: 0 }); // #2, back in the queue

    const second = await open();
    const finisher = new ScriptedRunner();
    await second.start(finisher);
    await second.onIdle();
    // Handed back, not failed: still its first attempt.
    expect(finisher.attempts.map((a) => [(a.work as ScanWork).pullNumber, a.attempt.number])).toEqual([[2, 1]]);
  });

  it("recovers check runs left in progress on start: re-queues a lost scan with its check run, closes what it cannot resume", async () => {
    const inflight = `${prefix}:inflight`;
    const record = (work: ScanWork) => JSON.stringify(work);
    // Lost: its job is gone (failed after too many stalls, or removed), the check run still in progress.
    await redis.hset(inflight, "501", record(scanWork(1, "aaa", { checkRunId: 501 })));
    // Lost again after a recovery already: give up, completing the run as failed.
    await redis.hset(inflight, "502", record(scanWork(2, "bbb", { checkRunId: 502, recoveries: 1 })));
    // A newer job of the same head (no check run yet) exists: this run is superseded.
    await redis.hset(inflight, "503", record(scanWork(3, "ccc", { checkRunId: 503 })));
    const producer = await open();
    await producer.enqueue(scanWork(3, "ccc"));

    const queue = await open();
    const release: (() => void)[] = [];
    const runner = new ScriptedRunner(async (work) => {
      if ((work as ScanWork).pullNumber === 3) await new Promise<void>((resolve) => release.push(resolve));
      return { status: "done" };
    });
    await queue.start(runner); // recovery runs on start
    expect(runner.orphans.map((o) => [o.work.checkRunId, o.reason]).sort()).toEqual([
      [502, "gave-up"],
      [503, "superseded"],
    ]);
    await until(() => release.length === 1);
    release[0]!();
    await queue.onIdle();

    const resumed = runner.attempts.map((a) => a.work as ScanWork).find((w) => w.pullNumber === 1);
    expect(resumed).toMatchObject({ checkRunId: 501, recoveries: 1, trigger: expect.stringContaining("recovered") });
    expect(runner.attempts.map((a) => (a.work as ScanWork).pullNumber).sort()).toEqual([1, 3]);
    expect(await redis.hgetall(inflight)).toEqual({}); // nothing left in progress
  });
});
