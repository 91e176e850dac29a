// The in-process scan queue and the blob-fetch limiter.
import { describe, expect, it } from "vitest";
import { createLimiter, mapLimited } from "../../src/github/limit.js";
import { InProcessScanQueue, type Settled } from "../../src/github/queue.js";

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe("InProcessScanQueue", () => {
  it("runs one task per key: a duplicate while queued or running joins it, and its listener gets the same result", async () => {
    const queue = new InProcessScanQueue();
    const gate = deferred<string>();
    let runs = 0;
    const seen: Settled<string>[] = [];
    const task = () => {
      runs++;
      return gate.promise;
    };
    expect(queue.enqueue("o/r#1@abc", task, (r) => void seen.push(r))).toBe("queued");
    await tick(); // running now
    expect(queue.enqueue("o/r#1@abc", task, (r) => void seen.push(r))).toBe("collapsed");
    expect(queue.enqueue("o/r#1@def", async () => "other")).toBe("queued");
    gate.resolve("done");
    await queue.onIdle();
    expect(runs).toBe(1);
    expect(seen).toEqual([
      { ok: true, value: "done" },
      { ok: true, value: "done" },
    ]);
    // finished keys run again
    expect(queue.enqueue("o/r#1@abc", async () => "again")).toBe("queued");
    await queue.onIdle();
  });

  it("never runs more than `concurrency` tasks at once, and onIdle waits for tasks enqueued by tasks", async () => {
    const queue = new InProcessScanQueue({ concurrency: 2 });
    let running = 0;
    let max = 0;
    const order: string[] = [];
    const task = (name: string) => async () => {
      running++;
      max = Math.max(max, running);
      await tick();
      running--;
      order.push(name);
      if (name === "a") queue.enqueue("nested", async () => void order.push("nested"));
    };
    for (const name of ["a", "b", "c", "d"]) queue.enqueue(name, task(name));
    expect(queue.stats()).toEqual({ queued: 2, running: 2 });
    await queue.onIdle();
    expect(max).toBe(2);
    expect(order).toContain("nested");
    expect(order).toHaveLength(5);
  });

  it("reports a task's escaped error and keeps going", async () => {
    const errors: string[] = [];
    const queue = new InProcessScanQueue({ onError: (e, key) => errors.push(`${key}: ${(e as Error).message}`) });
    const results: Settled<unknown>[] = [];
    queue.enqueue("k", async () => {
      throw new Error("boom");
    }, (r) => void results.push(r));
    queue.enqueue("k2", async () => 1);
    await queue.onIdle();
    expect(errors).toEqual(["k: boom"]);
    expect(results[0]!.ok).toBe(false);
  });

  it("drain() refuses new work and waits for accepted work", async () => {
    const queue = new InProcessScanQueue();
    const gate = deferred();
    let finished = false;
    queue.enqueue("k", async () => {
      await gate.promise;
      finished = true;
    });
    const drained = queue.drain(5_000);
    expect(queue.enqueue("late", async () => {})).toBe("closed");
    gate.resolve();
    expect(await drained).toBe(true);
    expect(finished).toBe(true);
  });

  it("drain() gives up after its timeout", async () => {
    const queue = new InProcessScanQueue();
    queue.enqueue("stuck", () => new Promise(() => {}));
    expect(await queue.drain(20)).toBe(false);
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
