// The in-process work queue (with a scripted runner) and the blob-fetch limiter.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createLimiter, mapLimited } from "../../src/github/limit.js";
import { backoffDelay, InProcessScanQueue } from "../../src/github/queue.js";
import { Interrupted, type ScanWork, type WorkResult } from "../../src/github/work.js";
import { ScriptedRunner, scanWork } from "./runner.js";

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const transient = () => Object.assign(new Error("Bad Gateway"), { status: 502 });

afterEach(() => {
  vi.useRealTimers();
});

describe("InProcessScanQueue", () => {
  it("runs one item per key: a duplicate while queued or running joins it, and its follower is told the same result", async () => {
    const queue = new InProcessScanQueue();
    const gate = deferred<WorkResult>();
    const runner = new ScriptedRunner((work) => (work.kind === "scan" && work.headSha === "abc" ? gate.promise : Promise.resolve({ status: "done" })));
    await queue.start(runner);
    expect(await queue.enqueue(scanWork(1), { commentId: 10 })).toBe("queued");
    await tick(); // running now
    expect(await queue.enqueue(scanWork(1), { commentId: 11 })).toBe("collapsed");
    expect(await queue.enqueue(scanWork(1, "def"))).toBe("queued");
    gate.resolve({ status: "skipped-draft" });
    await queue.onIdle();
    expect(runner.attempts.filter((a) => a.work.kind === "scan" && a.work.headSha === "abc")).toHaveLength(1);
    expect(runner.told).toEqual([{ work: scanWork(1), result: { ok: true, value: { status: "skipped-draft" } }, followers: [{ commentId: 10 }, { commentId: 11 }] }]);
    // A finished key runs again.
    expect(await queue.enqueue(scanWork(1))).toBe("queued");
    await queue.onIdle();
    expect(runner.attempts).toHaveLength(3);
  });

  it("holds items until started, never runs more than `concurrency` at once, and onIdle waits for items enqueued by items", async () => {
    const queue = new InProcessScanQueue({ concurrency: 2 });
    let running = 0;
    let max = 0;
    const runner = new ScriptedRunner(async (work) => {
      running++;
      max = Math.max(max, running);
      await tick();
      running--;
      if (work.kind === "scan" && work.pullNumber === 1) await queue.enqueue(scanWork(99));
      return { status: "done" };
    });
    for (const n of [1, 2, 3, 4]) await queue.enqueue(scanWork(n));
    expect(await queue.stats()).toEqual({ queued: 4, running: 0 });
    await queue.start(runner);
    expect(await queue.stats()).toEqual({ queued: 2, running: 2 });
    await queue.onIdle();
    expect(max).toBe(2);
    expect(runner.attempts.map((a) => (a.work as ScanWork).pullNumber).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 99]);
  });

  it("retries a throwing item with exponential backoff; the last attempt is marked final and its error reported", async () => {
    vi.useFakeTimers();
    const errors: string[] = [];
    const queue = new InProcessScanQueue({ retry: { attempts: 3, backoffMs: 100 }, onError: (e, key) => errors.push(`${key}: ${(e as Error).message}`) });
    const runner = new ScriptedRunner(async () => {
      throw transient();
    });
    await queue.start(runner);
    await queue.enqueue(scanWork(1), { commentId: 5 });
    await vi.advanceTimersByTimeAsync(0);
    expect(runner.attempts).toHaveLength(1);
    expect(await queue.stats()).toEqual({ queued: 1, running: 0 }); // waiting for its backoff
    await vi.advanceTimersByTimeAsync(99);
    expect(runner.attempts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1); // 100 ms after the first failure
    expect(runner.attempts).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(199);
    expect(runner.attempts).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1); // 200 ms after the second
    expect(runner.attempts.map((a) => [a.attempt.number, a.attempt.final])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    await queue.onIdle();
    expect(errors).toEqual(["o/r#1@abc: Bad Gateway"]);
    expect(runner.told[0]!.result.ok).toBe(false);
    expect([1, 2, 3].map((n) => backoffDelay({ attempts: 4, backoffMs: 5_000 }, n))).toEqual([5_000, 10_000, 20_000]);
  });

  it("keeps the check run an attempt created in the item, so that the retry completes it", async () => {
    const queue = new InProcessScanQueue({ retry: { attempts: 2, backoffMs: 1 } });
    const runner = new ScriptedRunner(async (_work, attempt) => {
      if (attempt.number === 1) {
        await attempt.checkRunCreated(4242);
        throw transient();
      }
      return { status: "done" };
    });
    await queue.start(runner);
    await queue.enqueue(scanWork(1));
    await queue.onIdle();
    expect(runner.attempts.map((a) => (a.work as ScanWork).checkRunId)).toEqual([undefined, 4242]);
  });

  it("drain() refuses new work and waits for accepted work", async () => {
    const queue = new InProcessScanQueue();
    const gate = deferred<WorkResult>();
    await queue.start(new ScriptedRunner(() => gate.promise));
    await queue.enqueue(scanWork(1));
    const drained = queue.drain(5_000);
    expect(await queue.enqueue(scanWork(2))).toBe("closed");
    gate.resolve({ status: "done" });
    expect(await drained).toBe(true);
  });

  it("drain() past its grace period interrupts what runs and runs what waits with an aborted signal (no hand-back in process)", async () => {
    const queue = new InProcessScanQueue({ concurrency: 1 });
    const runner = new ScriptedRunner(async (_work, attempt) => {
      if (attempt.signal.aborted) return { status: "interrupted" };
      await new Promise((resolve) => attempt.signal.addEventListener("abort", resolve));
      throw new Interrupted(attempt.signal.reason);
    });
    await queue.start(runner);
    await queue.enqueue(scanWork(1));
    await queue.enqueue(scanWork(2));
    expect(await queue.drain(20, 1_000)).toBe(true);
    expect(runner.attempts.map((a) => [(a.work as ScanWork).pullNumber, a.attempt.canHandBack, a.attempt.final])).toEqual([
      [1, false, false],
      [2, false, true],
    ]);
  });

  it("drain() gives up after its timeouts", async () => {
    const queue = new InProcessScanQueue();
    await queue.start(new ScriptedRunner(() => new Promise(() => {})));
    await queue.enqueue(scanWork(1));
    expect(await queue.drain(10, 10)).toBe(false);
  });
});

describe("createLimiter", () => {
  it("keeps at most N tasks in flight, even when a newcomer arrives as a slot frees", async () => {
    const limit = createLimiter(3);
    let inFlight = 0;
    let max = 0;
    const job = async (i: number) => {
      inFlight++;
      max = Math.max(max, inFlight);
      await new Promise((r) => setTimeout(r, i % 3));
      inFlight--;
      return i;
    };
    const first = Array.from({ length: 10 }, (_, i) => limit(() => job(i)));
    await first[0];
    const more = Array.from({ length: 10 }, (_, i) => limit(() => job(i + 10)));
    expect(await Promise.all([...first, ...more])).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(max).toBe(3);
  });

  it("mapLimited keeps the input order and passes errors on", async () => {
    expect(await mapLimited([3, 1, 2], 2, async (n) => n * 10)).toEqual([30, 10, 20]);
    await expect(mapLimited([1], 1, async () => Promise.reject(new Error("no")))).rejects.toThrow("no");
    expect(() => createLimiter(0)).toThrow(RangeError);
  });
});
