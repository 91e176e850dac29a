// Writes that must happen once. A 502, a reset connection or a timeout on a POST does not say whether GitHub
// applied it: often it did and only the answer was lost. Octokit's retry plugin repeats such a request blindly,
// which posts a review twice or leaves a second check run stuck "in progress". So these writes go out with that
// retry turned off; on an error that leaves the outcome unknown, the caller's `applied` looks for what the write
// would have made (by a one-off token carried in its body) and the write is repeated only when it is not there.
import { randomBytes } from "node:crypto";

export interface WriteOnceOptions {
  /** Attempts in all (default 4: the first and three retries, as Octokit's retry plugin). */
  attempts?: number;
  /** Wait before retry n (1-based); default n² seconds, as Octokit's retry plugin. */
  delayMs?: (retry: number) => number;
}

/** Octokit request options that turn its retry plugin off for one request. */
export const NO_AUTOMATIC_RETRY = { retries: 0 } as const;

/** A token that marks one logical write, hidden in its body as an HTML comment. */
export function writeToken(): string {
  return randomBytes(9).toString("base64url");
}

export function tokenMarker(token: string): string {
  return `<!-- flask-audit:write=${token} -->`;
}

/**
 * The outcome of a failed request is unknown when GitHub's edge or the network failed (5xx; Octokit reports a
 * failed fetch as status 500) or no status came back at all. A 4xx is an answer: nothing was written.
 */
export function outcomeUnknown(error: unknown): boolean {
  const status = typeof error === "object" && error !== null && "status" in error ? (error as { status: unknown }).status : undefined;
  return typeof status !== "number" || status >= 500;
}

/**
 * Runs `write`; after a failure with an unknown outcome, asks `applied` whether the write happened after all (its
 * result, or undefined) and writes again only when it did not. When `applied` itself fails (GitHub still down),
 * the outcome stays unknown: wait and ask again, never write blind. Other errors, and the last attempt's, are thrown.
 */
export async function writeOnce<T>(write: () => Promise<T>, applied: () => Promise<T | undefined>, options: WriteOnceOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 4;
  const delayMs = options.delayMs ?? ((n: number) => n * n * 1000);
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) {
      await new Promise((resolve) => setTimeout(resolve, delayMs(attempt - 1)));
      try {
        const found = await applied();
        if (found !== undefined) return found;
      } catch {
        continue;
      }
    }
    try {
      return await write();
    } catch (error) {
      if (!outcomeUnknown(error)) throw error;
      lastError = error;
    }
  }
  // The last write may have landed too.
  const found = await applied().catch(() => undefined);
  if (found !== undefined) return found;
  throw lastError;
}
