// The Octokit class the app runs with: Probot's (auth, retry, throttling, pagination, config), with rate-limit
// handlers that retry. Probot's own handlers only log a secondary rate limit (403/429 "secondary rate limit" with
// retry-after), which would fail the scan; here both kinds are retried a few times, then given up (the scan then
// completes its check run with a failure saying so).
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

/**
 * Probot builds every installation client from this class, passing its own throttle options (which may carry a
 * Redis connection for clustering): keep those, replace the two handlers.
 */
export const FlaskAuditOctokit = ProbotOctokit.defaults((instanceOptions: OctokitOptions) => ({
  ...instanceOptions,
  throttle: {
    ...instanceOptions.throttle,
    onRateLimit: retryRateLimit("rate limit"),
    onSecondaryRateLimit: retryRateLimit("secondary rate limit"),
  },
})) as typeof ProbotOctokit;
