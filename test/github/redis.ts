// Redis for the tests that need it: REDIS_URL (default redis://127.0.0.1:6379, which the machines and CI start), a
// unique key prefix per test, and cleanup of that prefix. When no Redis answers, the suites that need one are
// skipped with a warning saying so (describe.skipIf(!redisUp)), never silently.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";

export const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";

async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1_000, retryStrategy: () => null });
  client.on("error", () => {});
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export const redisUp = await answers(REDIS_URL);

/** Call at the top of each suite file that needs Redis: the skip is announced in the test output. */
export function warnIfRedisDown(suite: string): void {
  if (!redisUp) {
    console.warn(
      `\n[flask-audit tests] SKIPPED "${suite}": no Redis answers at ${REDIS_URL}. ` +
        "Start one (redis-server --port 6379, or .ci/run does it when redis-server is installed) or set REDIS_URL.\n",
    );
  }
}

export function uniquePrefix(): string {
  return `flask-audit-test-${process.pid}-${randomUUID().slice(0, 8)}`;
}

/** A plain client for assertions and cleanup. */
export function redisClient(): Redis {
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  client.on("error", () => {});
  return client;
}

/** Delete every key under `prefix`. */
export async function deletePrefix(client: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
    cursor = next;
    if (keys.length > 0) await client.del(...keys);
  } while (cursor !== "0");
}
