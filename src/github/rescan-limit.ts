// At most one `/flask-audit rescan` per pull request per interval, so a comment storm does not become a scan storm.
// The first writer's command in a window claims it and runs; the others in that window get 😕 and, once per window,
// a reply saying when the next rescan is possible. A retry or redelivery of the command that holds the claim is
// granted again (it is the same request, and a retried command must not lose its own scan).
//
// In memory for the in-process queue; in Redis (one key per pull request, expiring with the window) when REDIS_URL
// is set, so the limit holds across every instance.
import type { Redis } from "ioredis";

/** Default: one rescan per pull request per minute. */
export const DEFAULT_RESCAN_INTERVAL_MS = 60_000;

export type RescanClaim =
  | { granted: true }
  /** `explain`: the first refusal in this window (reply once, react to the rest). */
  | { granted: false; retryInMs: number; explain: boolean };

export interface RescanLimiter {
  readonly intervalMs: number;
  /** Claim the rescan slot of `pullRequest` (e.g. `owner/repo#7`) for `claimant` (the comment id). */
  claim(pullRequest: string, claimant: string): Promise<RescanClaim>;
}

interface Slot {
  claimant: string;
  until: number;
  explained: boolean;
}

/** Past this many slots, expired ones are swept on the next claim. */
const SWEEP_AT = 1_000;

export class InMemoryRescanLimiter implements RescanLimiter {
  readonly intervalMs: number;
  readonly #now: () => number;
  readonly #slots = new Map<string, Slot>();

  constructor(intervalMs: number = DEFAULT_RESCAN_INTERVAL_MS, now: () => number = Date.now) {
    this.intervalMs = intervalMs;
    this.#now = now;
  }

  async claim(pullRequest: string, claimant: string): Promise<RescanClaim> {
    const now = this.#now();
    if (this.#slots.size > SWEEP_AT) for (const [key, slot] of this.#slots) if (slot.until <= now) this.#slots.delete(key);
    const slot = this.#slots.get(pullRequest);
    if (!slot || slot.until <= now) {
      this.#slots.set(pullRequest, { claimant, until: now + this.intervalMs, explained: false });
      return { granted: true };
    }
    if (slot.claimant === claimant) return { granted: true };
    const explain = !slot.explained;
    slot.explained = true;
    return { granted: false, retryInMs: slot.until - now, explain };
  }
}

// KEYS: the claim, the "explained" marker. ARGV: claimant, interval (ms). Returns {granted, retryInMs, explain}.
const CLAIM_SCRIPT = `
if redis.call("SET", KEYS[1], ARGV[1], "NX", "PX", ARGV[2]) then return {1, 0, 0} end
if redis.call("GET", KEYS[1]) == ARGV[1] then return {1, 0, 0} end
local ttl = redis.call("PTTL", KEYS[1])
if ttl <= 0 then ttl = tonumber(ARGV[2]) end
local explain = 0
if redis.call("SET", KEYS[2], "1", "NX", "PX", ttl) then explain = 1 end
return {0, ttl, explain}
`;

export class RedisRescanLimiter implements RescanLimiter {
  readonly intervalMs: number;
  readonly #client: Redis;
  readonly #prefix: string;

  /** `prefix` namespaces the keys (`<prefix>:rescan:<pull request>`). */
  constructor(client: Redis, prefix: string, intervalMs: number = DEFAULT_RESCAN_INTERVAL_MS) {
    this.#client = client;
    this.#prefix = prefix;
    this.intervalMs = intervalMs;
  }

  async claim(pullRequest: string, claimant: string): Promise<RescanClaim> {
    const key = `${this.#prefix}:rescan:${pullRequest}`;
    const reply = (await this.#client.eval(CLAIM_SCRIPT, 2, key, `${key}:explained`, claimant, String(this.intervalMs))) as [number, number, number];
    const [granted, retryInMs, explain] = reply;
    if (granted === 1) return { granted: true };
    return { granted: false, retryInMs, explain: explain === 1 };
  }
}
