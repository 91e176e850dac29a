// One rescan per pull request per interval, in memory and in Redis: the same answers from both.
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { InMemoryRescanLimiter, RedisRescanLimiter, type RescanLimiter } from "../../src/github/rescan-limit.js";
import { deletePrefix, REDIS_URL, redisClient, redisUp, uniquePrefix, warnIfRedisDown } from "./redis.js";

warnIfRedisDown("RedisRescanLimiter");

/** The policy, whatever the store: `later()` moves past the interval. */
async function expectPolicy(limiter: RescanLimiter, later: () => Promise<void>): Promise<void> {
  expect(await limiter.claim("o/r#7", "comment-1")).toEqual({ granted: true });
  // The same command again (a retry, a redelivery): still its own claim.
  expect(await limiter.claim("o/r#7", "comment-1")).toEqual({ granted: true });
  // Another pull request is not limited by this one.
  expect(await limiter.claim("o/r#8", "comment-9")).toEqual({ granted: true });
  // Others in the window: refused; only the first refusal asks for an explanation.
  const second = await limiter.claim("o/r#7", "comment-2");
  expect(second).toMatchObject({ granted: false, explain: true });
  expect(second.granted === false && second.retryInMs > 0 && second.retryInMs <= limiter.intervalMs).toBe(true);
  expect(await limiter.claim("o/r#7", "comment-3")).toMatchObject({ granted: false, explain: false });
  await later();
  expect(await limiter.claim("o/r#7", "comment-4")).toEqual({ granted: true });
  expect(await limiter.claim("o/r#7", "comment-5")).toMatchObject({ granted: false, explain: true });
}

describe("InMemoryRescanLimiter", () => {
  it("grants one claim per pull request per interval, re-grants its holder, explains the first refusal", async () => {
    let now = 1_000_000;
    const limiter = new InMemoryRescanLimiter(60_000, () => now);
    await expectPolicy(limiter, async () => {
      now += 60_000;
    });
  });
});

describe.skipIf(!redisUp)(`RedisRescanLimiter (Redis at ${REDIS_URL})`, () => {
  let redis: Redis;
  let prefix: string;
  beforeAll(() => {
    redis = redisClient();
  });
  afterAll(() => redis.disconnect());
  afterEach(() => deletePrefix(redis, prefix));

  it("applies the same policy across instances: two limiters on one Redis share the window", async () => {
    prefix = uniquePrefix();
    const interval = 300;
    const limiter = new RedisRescanLimiter(redis, prefix, interval);
    await expectPolicy(limiter, () => new Promise((resolve) => setTimeout(resolve, interval + 50)));
    const otherInstance = new RedisRescanLimiter(redis, prefix, interval);
    expect(await otherInstance.claim("o/r#7", "comment-6")).toMatchObject({ granted: false, explain: false });
    // Keys expire with the window: nothing accumulates.
    expect(await redis.pttl(`${prefix}:rescan:o/r#7`)).toBeLessThanOrEqual(interval);
  });
});
