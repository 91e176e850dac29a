// Faults the fake GitHub injects when a test asks for them, decided in the order requests arrive: the first N
// writes answered with a 5xx (before GitHub applied them, or after: the write happened and only the answer was
// lost), secondary rate limits as GitHub sends them (403, `retry-after`, its message), added latency, and holds
// that keep a request waiting until the test releases it (to kill the app mid-scan). Every injected fault is
// recorded with the call it hit, so a test can check that each one was retried ("survived").

/** What a fault rule sees of a request. */
export interface CallInfo {
  method: string;
  /** Path and query, without the /api/v3 prefix for REST (GraphQL: "/graphql"). */
  path: string;
  /** REST calls other than GET/HEAD, and GraphQL mutations; never the installation-token exchange. */
  write: boolean;
}

export type FaultKind = "server-error" | "secondary-rate-limit";

export interface InjectedFault {
  kind: FaultKind;
  status: number;
  method: string;
  path: string;
  /** Index of the call in FakeGitHub.calls. */
  callIndex: number;
  /** The write was applied before the error was answered (a blind retry repeats it). */
  applied: boolean;
}

export interface FailWritesOptions {
  /** Default 502. */
  status?: number;
  /** GitHub applied the write, then the gateway answered the status anyway. Default false: nothing was applied. */
  applied?: boolean;
  /** Which writes count (default: every write). */
  match?: (call: CallInfo) => boolean;
}

export interface SecondaryRateLimitOptions {
  /** How many calls get it (default 1). */
  count?: number;
  /** Seconds, sent as the `retry-after` header (default 1). */
  retryAfter?: number;
  /** Which calls (default: writes, which is what GitHub's content-creation limits hit). */
  match?: (call: CallInfo) => boolean;
}

/** A request kept waiting by the fake until the test calls release(). */
export interface Hold {
  /** Resolves when the first matching request arrives (it then waits). */
  arrived: Promise<CallInfo>;
  /** Let the held request (and any later one) through. */
  release(): void;
}

/** The answer to send instead of the route's own. */
export interface FaultReply {
  kind: FaultKind;
  status: number;
  applied: boolean;
  headers: Record<string, string>;
  /** JSON body, or raw text when `text` is set. */
  body?: unknown;
  text?: string;
}

/** GitHub's message for a secondary rate limit: Octokit's throttling plugin recognises it by "secondary rate". */
export const SECONDARY_RATE_LIMIT_MESSAGE =
  "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. " +
  "If you reach out to GitHub Support for help, please include the request ID 0C2D:3C4F:1B2E3A:1C4F5A6:6790A1B2.";

interface FailWritesRule {
  remaining: number;
  status: number;
  applied: boolean;
  match: (call: CallInfo) => boolean;
}

interface RateLimitRule {
  remaining: number;
  retryAfter: number;
  match: (call: CallInfo) => boolean;
}

interface HoldRule {
  match: (call: CallInfo) => boolean;
  arrived: (call: CallInfo) => void;
  released: Promise<void>;
  fired: boolean;
}

export class FaultPlan {
  #failWrites: FailWritesRule[] = [];
  #rateLimits: RateLimitRule[] = [];
  #holds: HoldRule[] = [];
  #latency: (call: CallInfo) => number = () => 0;
  #releaseAll: (() => void)[] = [];

  /** The next `count` matching write calls are answered with a 5xx (502 by default). */
  failWrites(count: number, options: FailWritesOptions = {}): this {
    this.#failWrites.push({ remaining: count, status: options.status ?? 502, applied: options.applied ?? false, match: options.match ?? (() => true) });
    return this;
  }

  /** The next matching call(s) are refused with GitHub's secondary rate limit (403 + retry-after). */
  secondaryRateLimit(options: SecondaryRateLimitOptions = {}): this {
    this.#rateLimits.push({ remaining: options.count ?? 1, retryAfter: options.retryAfter ?? 1, match: options.match ?? ((call) => call.write) });
    return this;
  }

  /** Every call waits this long (or what the function says for it) before it is handled. */
  latency(ms: number | ((call: CallInfo) => number)): this {
    this.#latency = typeof ms === "number" ? () => ms : ms;
    return this;
  }

  /** Keep the first matching request waiting until release(). */
  hold(match: (call: CallInfo) => boolean): Hold {
    let release!: () => void;
    let arrived!: (call: CallInfo) => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const arrival = new Promise<CallInfo>((resolve) => (arrived = resolve));
    this.#holds.push({ match, arrived, released, fired: false });
    this.#releaseAll.push(release);
    return { arrived: arrival, release };
  }

  /** Faults not injected yet (0 once every configured one has fired). */
  pending(): number {
    return this.#failWrites.reduce((n, r) => n + r.remaining, 0) + this.#rateLimits.reduce((n, r) => n + r.remaining, 0);
  }

  /** Let every held request through (the fake calls this when it stops). */
  releaseAll(): void {
    for (const release of this.#releaseAll) release();
  }

  delayFor(call: CallInfo): number {
    return this.#latency(call);
  }

  /** The hold this call must wait for, if it is the first to match one. */
  holdFor(call: CallInfo): Promise<void> | undefined {
    const rule = this.#holds.find((h) => !h.fired && h.match(call));
    if (!rule) return undefined;
    rule.fired = true;
    rule.arrived(call);
    return rule.released;
  }

  /** Consumes and returns the fault this call gets, if any (5xx rules first, then rate limits). */
  decide(call: CallInfo): FaultReply | undefined {
    const failing = call.write ? this.#failWrites.find((r) => r.remaining > 0 && r.match(call)) : undefined;
    if (failing) {
      failing.remaining--;
      return {
        kind: "server-error",
        status: failing.status,
        applied: failing.applied,
        // GitHub's edge answers a 502 with an HTML page, not JSON.
        headers: { "content-type": "text/html; charset=utf-8" },
        text: `<html><body><h1>${failing.status} Bad Gateway</h1><p>The fake GitHub injected this error.</p></body></html>`,
      };
    }
    const limited = this.#rateLimits.find((r) => r.remaining > 0 && r.match(call));
    if (limited) {
      limited.remaining--;
      const reset = Math.ceil(Date.now() / 1000) + 3600;
      return {
        kind: "secondary-rate-limit",
        status: 403,
        applied: false,
        headers: {
          "content-type": "application/json; charset=utf-8",
          "retry-after": String(limited.retryAfter),
          "x-ratelimit-limit": "5000",
          "x-ratelimit-remaining": "4987",
          "x-ratelimit-used": "13",
          "x-ratelimit-reset": String(reset),
          "x-ratelimit-resource": "core",
        },
        body: {
          message: SECONDARY_RATE_LIMIT_MESSAGE,
          documentation_url: "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
          status: "403",
        },
      };
    }
    return undefined;
  }
}
