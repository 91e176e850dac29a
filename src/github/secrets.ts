// The App's own secrets (its private key, the webhook secret, installation tokens and the app's JWTs) never reach a
// log line or a text posted on GitHub. Two layers:
//   - by shape, anywhere in a text: PEM private-key blocks, GitHub tokens (ghs_..., ghp_..., github_pat_..., v1.<hex>),
//     JWTs (what an app authenticates with);
//   - by value: the configured private key and webhook secret, verbatim and as they appear inside a JSON string.
// The logger applies both to every serialized line (pino's `streamWrite` hook, so nested error objects, Octokit
// request dumps and messages are covered alike), after pino's path redaction of the usual fields. Failure texts the
// scan posts on a check run go through the same function.
//
// Every pattern is linear: no nested quantifiers, bounded runs, and a token or JWT may only start where a run of its
// characters starts (look-behind), so a long run of look-alikes cannot make the engine rescan it from every offset.
import { Writable } from "node:stream";
import { getTransformStream } from "@probot/pino";
import { pino, type Logger } from "pino";

export const REDACTED = "[REDACTED]";

const PRIVATE_KEY_BLOCK =
  /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY-----(?:[A-Za-z0-9+/=\s]|\\[nrt]){0,20000}(?:-----END [A-Z0-9 ]{0,40}PRIVATE KEY-----)?/g;
const GITHUB_TOKEN = /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9_]{16,1000}|github_pat_[A-Za-z0-9_]{20,1000}|v1\.[0-9a-f]{40})(?![A-Za-z0-9_])/g;
const JWT = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,8192}\.[A-Za-z0-9_-]{8,8192}\.[A-Za-z0-9_-]{8,8192}/g;

/** Probot's public default webhook secret: not a secret, and too common a word to blank out of every line. */
const NOT_SECRET = new Set(["development"]);
/** Shorter configured values are not redacted by value: they would blank out ordinary words. */
const MIN_SECRET_LENGTH = 8;

/** A function that removes the App's secrets from a text, by shape and by the given values. */
export type Redact = (text: string) => string;

export function secretRedactor(known: readonly (string | undefined)[] = []): Redact {
  const values = new Set<string>();
  for (const value of known) {
    const trimmed = value?.trim();
    if (!trimmed || trimmed.length < MIN_SECRET_LENGTH || NOT_SECRET.has(trimmed)) continue;
    values.add(trimmed);
    values.add(JSON.stringify(trimmed).slice(1, -1)); // as it appears inside a JSON string (a PEM's newlines as \n)
  }
  // Longest first, so that a value containing another is replaced whole.
  const ordered = [...values].sort((a, b) => b.length - a.length);
  return (text: string): string => {
    let result = text.replace(PRIVATE_KEY_BLOCK, REDACTED).replace(GITHUB_TOKEN, REDACTED).replace(JWT, REDACTED);
    for (const value of ordered) if (result.includes(value)) result = result.split(value).join(REDACTED);
    return result;
  };
}

/** By shape only: for texts built where the configured values are unknown. */
export const redactSecrets: Redact = secretRedactor();

/** The configured secrets of a Probot environment (PRIVATE_KEY may hold the PEM itself or its base64). */
export function configuredSecrets(env: NodeJS.ProcessEnv): string[] {
  const secrets: string[] = [];
  if (env.WEBHOOK_SECRET) secrets.push(env.WEBHOOK_SECRET);
  if (env.PRIVATE_KEY) {
    secrets.push(env.PRIVATE_KEY);
    const decoded = Buffer.from(env.PRIVATE_KEY, "base64").toString("utf8");
    if (decoded.includes("PRIVATE KEY")) secrets.push(decoded);
  }
  return secrets;
}

/** Fields that hold a secret wherever they appear in a logged object (pino path redaction). */
export const REDACTED_LOG_PATHS = [
  "privateKey",
  "*.privateKey",
  "secret",
  "*.secret",
  "webhookSecret",
  "*.webhookSecret",
  "token",
  "*.token",
  "headers.authorization",
  "*.headers.authorization",
  "req.headers.authorization",
  "err.request.headers.authorization",
  "err.response.headers.authorization",
];

export interface AppLoggerOptions {
  level?: string;
  /** Probot's LOG_FORMAT: `json`, or pretty (the default). */
  format?: string;
  levelInString?: boolean;
  messageKey?: string;
  sentryDsn?: string;
  /** Configured secret values to redact wherever they appear (see configuredSecrets). */
  secrets: readonly string[];
  /** Where formatted lines go (default: stdout). */
  destination?: Writable;
}

/**
 * The logger the App runs with: Probot's own (pino, formatted by @probot/pino exactly as Probot's getLog does, with
 * LOG_FORMAT, LOG_LEVEL_IN_STRING, LOG_MESSAGE_KEY and SENTRY_DSN), plus redaction. Passed to Probot as its `log`,
 * so every child logger (octokit, webhooks, the app) inherits it.
 */
export async function createAppLogger(options: AppLoggerOptions): Promise<Logger> {
  const redact = secretRedactor(options.secrets);
  const transform = await getTransformStream({
    logFormat: options.format === "json" ? "json" : "pretty",
    logLevelInString: options.levelInString ?? false,
    ...(options.sentryDsn ? { sentryDsn: options.sentryDsn } : {}),
  });
  // pino's SonicBoom on stdout, as Probot's getLog pipes it (typed apart from Node's streams, works as one).
  transform.pipe(options.destination ?? (pino.destination(1) as unknown as Writable));
  return pino(
    {
      level: options.level ?? "info",
      name: "probot",
      messageKey: options.messageKey ?? "msg",
      redact: { paths: REDACTED_LOG_PATHS, censor: REDACTED },
      hooks: { streamWrite: redact },
    },
    transform,
  );
}
