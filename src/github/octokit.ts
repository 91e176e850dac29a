// The Octokit class the app runs with: Probot's (auth, retry, throttling, pagination, config), with rate-limit
// handlers that retry. Probot's own handlers only log a secondary rate limit (403/429 "secondary rate limit" with
// retry-after), which would fail the scan; here both kinds are retried a few times, then given up (the scan then
// completes its check run with a failure saying so).
//
// Writes are paced per installation as a token bucket instead of the throttling plugin's fixed 1 s between any two
// writes. That spacing cost every scan a second or two of waiting on nothing: a scan writes three times (check run
// created, review, check run completed; the review-thread query counts as a write too), and the completion waited a
// full second behind the review. GitHub asks integrations that make MANY writes to pause about a second between
// them (secondary rate limits: 80 content-creating requests a minute); a bucket of WRITE_BURST writes refilled at
// one a second keeps that sustained rate and lets one scan's few writes through at once. Still one write at a time.
// With Probot's REDIS_URL the bucket is kept in Redis (Bottleneck clustering), shared by every instance.
import Bottleneck from "bottleneck";
import { ProbotOctokit } from "probot";

/** Retries after a (secondary) rate limit before giving up. */
export const RATE_LIMIT_RETRIES = 3;

interface RateLimitedRequest {
  method: string;
  url: string;
}

interface LogLike {
  warn: (message: string) => void;
}

export function retryRateLimit(kind: "rate limit" | "secondary rate limit") {
  return (retryAfter: number, options: RateLimitedRequest, octokit: { log: LogLike }, retryCount: number): boolean => {
    const retry = retryCount < RATE_LIMIT_RETRIES;
    octokit.log.warn(
      `GitHub ${kind} on ${options.method} ${options.url}: ${retry ? `retrying in ${retryAfter}s (retry ${retryCount + 1} of ${RATE_LIMIT_RETRIES})` : "giving up"}`,
    );
    return retry;
  };
}

type OctokitOptions = NonNullable<ConstructorParameters<typeof ProbotOctokit>[0]>;

/** Writes an installation may make at once; then one per WRITE_REFILL_MS (GitHub's sustained pace). */
export const WRITE_BURST = 4;
export const WRITE_REFILL_MS = 1_000;

interface ThrottleOptions {
  enabled?: boolean;
  /** Probot passes Bottleneck and a connection when clustering on Redis. */
  Bottleneck?: typeof Bottleneck;
  connection?: Bottleneck.RedisConnection | Bottleneck.IORedisConnection;
  /** A write group the caller chose (kept). */
  write?: Bottleneck.Group;
}

let localWriteGroup: Bottleneck.Group | undefined;
const clusteredWriteGroups = new WeakMap<object, Bottleneck.Group>();

/**
 * The write limiter group (one limiter per installation, by the plugin's throttle id): one per process, or one per
 * Redis connection when clustering.
 */
export function writeGroup(throttle: ThrottleOptions | undefined): Bottleneck.Group {
  const connection = throttle?.connection;
  const existing = connection ? clusteredWriteGroups.get(connection) : localWriteGroup;
  if (existing) return existing;
  const Limiter = throttle?.Bottleneck ?? Bottleneck;
  const group = new Limiter.Group({
    id: "flask-audit-write",
    maxConcurrent: 1,
    reservoir: WRITE_BURST,
    reservoirIncreaseAmount: 1,
    reservoirIncreaseInterval: WRITE_REFILL_MS,
    reservoirIncreaseMaximum: WRITE_BURST,
    // an installation idle this long starts again with a full bucket (and its Redis keys expire), as the plugin's
    timeout: 2 * 60_000,
    // clustered, waiting writes are looked at on the heartbeat (Bottleneck's default there is 5 s)
    ...(connection ? { connection, heartbeatInterval: WRITE_REFILL_MS } : {}),
  } as Bottleneck.ConstructorOptions);
  if (connection) clusteredWriteGroups.set(connection, group);
  else localWriteGroup = group;
  return group;
}

/**
 * Probot builds every installation client from this class, passing its own throttle options (which may carry a
 * Redis connection for clustering): keep those, replace the two handlers and the write group.
 */
export const FlaskAuditOctokit = ProbotOctokit.defaults((instanceOptions: OctokitOptions) => {
  const throttle = instanceOptions.throttle as ThrottleOptions | undefined;
  return {
    ...instanceOptions,
    throttle: {
      ...instanceOptions.throttle,
      onRateLimit: retryRateLimit("rate limit"),
      onSecondaryRateLimit: retryRateLimit("secondary rate limit"),
      ...(throttle?.enabled === false || throttle?.write ? {} : { write: writeGroup(throttle) }),
    },
  };
}) as typeof ProbotOctokit;
