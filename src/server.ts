// `npm start`: the GitHub App's HTTP server. Probot's standard environment (APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH,
// WEBHOOK_SECRET, WEBHOOK_PATH, GHE_HOST/GHE_PROTOCOL, LOG_LEVEL, LOG_FORMAT, REDIS_URL) through Probot's own
// createProbot + createNodeMiddleware; PORT and HOST for the listener; plus what a deployment needs that Probot does
// not give: GET /healthz for load balancers, a logger that redacts the App's secrets, and a graceful stop.
//
// Without REDIS_URL, work runs in an in-process queue (nothing else to run). With REDIS_URL, every instance shares a
// BullMQ queue on that Redis (durable jobs, takeover of a dead worker's jobs, recovery of check runs left in
// progress), the rescan rate limit is kept there, and Probot's own REDIS_URL support shares GitHub rate limiting
// across instances (octokit's throttling on Bottleneck's Redis store, loaded by Probot through the installed ioredis).
// See README "Scaling out" for the topology and the FLASK_AUDIT_* settings read in readSettings below.
//
// Without APP_ID outside production it starts Probot's setup page instead, which registers the GitHub App from
// app.yml and writes the credentials to .env.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { availableParallelism } from "node:os";
import type { Writable } from "node:stream";
import { pathToFileURL } from "node:url";
import { createNodeMiddleware, createProbot, run, type Probot, type ProbotOctokit } from "probot";
import { createFlaskAuditApp } from "./github/app.js";
import { BlobCache, ScanResultCache } from "./github/scan-cache.js";
import { createFileScanner } from "./github/scan-pool.js";
import { FlaskAuditOctokit } from "./github/octokit.js";
import { DEFAULT_RETRY, InProcessScanQueue, type RetryPolicy, type ScanQueue } from "./github/queue.js";
import {
  DEFAULT_LOCK_DURATION_MS,
  DEFAULT_RECOVERY_INTERVAL_MS,
  DEFAULT_REDIS_PREFIX,
  DEFAULT_STALLED_INTERVAL_MS,
  RedisScanQueue,
} from "./github/redis-queue.js";
import { DEFAULT_RESCAN_INTERVAL_MS, InMemoryRescanLimiter, RedisRescanLimiter, type RescanLimiter } from "./github/rescan-limit.js";
import { configuredSecrets, createAppLogger, secretRedactor } from "./github/secrets.js";

export const HEALTH_PATH = "/healthz";
/** How long a stop takes at most (Kubernetes gives 30 s by default before SIGKILL). */
export const DRAIN_TIMEOUT_MS = 25_000;
/** The end of that time, given to interrupted work to complete or hand back its check run. */
export const HAND_BACK_MS = 5_000;

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  /** Overrides PORT (0 = any free port). */
  port?: number;
  host?: string;
  /** Tests run without retries and throttling. */
  Octokit?: typeof ProbotOctokit;
  /** Where log lines go (default stdout); tests capture them. */
  logDestination?: Writable;
}

export interface RunningServer {
  url: string;
  probot: Probot;
  queue: ScanQueue;
  server: Server;
  /** Stop accepting webhooks, finish (or interrupt and hand back) the running work, release connections. */
  stop(timeoutMs?: number): Promise<void>;
}

/** A configuration problem the operator must fix: the message says how. */
export class StartupError extends Error {}

/** Refuse to run in a way that would be unsafe or could not work, with a message that says what to set. */
export function checkEnvironment(env: NodeJS.ProcessEnv): void {
  const production = env.NODE_ENV === "production";
  if (production && (!env.WEBHOOK_SECRET || env.WEBHOOK_SECRET === "development")) {
    throw new StartupError(
      "WEBHOOK_SECRET is not set: in production (NODE_ENV=production) flask-audit refuses to accept unsigned webhooks. " +
        "Set WEBHOOK_SECRET to the webhook secret of your GitHub App (App settings -> General -> Webhook secret).",
    );
  }
  if (!env.APP_ID) {
    throw new StartupError("APP_ID is not set: set it to your GitHub App's ID (App settings -> General -> App ID).");
  }
  if (!env.PRIVATE_KEY && !env.PRIVATE_KEY_PATH) {
    throw new StartupError(
      "No private key: set PRIVATE_KEY to the contents of the .pem file you generated in the App settings (base64 is accepted too), " +
        "or PRIVATE_KEY_PATH to its path.",
    );
  }
}

export interface Settings {
  /** FLASK_AUDIT_CONCURRENCY: work items running at once per instance. */
  concurrency: number;
  /** FLASK_AUDIT_SCAN_ATTEMPTS, FLASK_AUDIT_RETRY_DELAY_MS: attempts per item, first backoff (doubling). */
  retry: RetryPolicy;
  /** FLASK_AUDIT_RESCAN_INTERVAL_SECONDS: at most one /flask-audit rescan per pull request per interval. */
  rescanIntervalMs: number;
  /** FLASK_AUDIT_SCAN_THREADS: worker threads that scan files (default: one per core; 0 = the main thread). */
  scanThreads: number;
  /** With REDIS_URL. */
  redis?: {
    url: string;
    /** FLASK_AUDIT_REDIS_PREFIX */
    prefix: string;
    /** FLASK_AUDIT_LOCK_DURATION_MS, FLASK_AUDIT_STALLED_INTERVAL_MS: see src/github/redis-queue.ts. */
    lockDurationMs: number;
    stalledIntervalMs: number;
    /** FLASK_AUDIT_RECOVERY_INTERVAL_MS: 0 = only on start. */
    recoveryIntervalMs: number;
  };
}

function whole(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new StartupError(`${name} must be a whole number of at least ${min}, got "${raw}".`);
  return value;
}

/** The FLASK_AUDIT_* settings and REDIS_URL, with their defaults; a wrong value stops the start with what to fix. */
export function readSettings(env: NodeJS.ProcessEnv): Settings {
  const settings: Settings = {
    concurrency: whole(env, "FLASK_AUDIT_CONCURRENCY", 4, 1),
    retry: {
      attempts: whole(env, "FLASK_AUDIT_SCAN_ATTEMPTS", DEFAULT_RETRY.attempts, 1),
      backoffMs: whole(env, "FLASK_AUDIT_RETRY_DELAY_MS", DEFAULT_RETRY.backoffMs, 1),
    },
    rescanIntervalMs: whole(env, "FLASK_AUDIT_RESCAN_INTERVAL_SECONDS", DEFAULT_RESCAN_INTERVAL_MS / 1000, 1) * 1000,
    scanThreads: whole(env, "FLASK_AUDIT_SCAN_THREADS", availableParallelism(), 0),
  };
  const url = env.REDIS_URL?.trim();
  if (url) {
    if (!/^rediss?:\/\//.test(url)) throw new StartupError(`REDIS_URL must be a redis:// or rediss:// URL, got "${url.replace(/\/\/[^@/]*@/, "//***@")}".`);
    settings.redis = {
      url,
      prefix: env.FLASK_AUDIT_REDIS_PREFIX?.trim() || DEFAULT_REDIS_PREFIX,
      lockDurationMs: whole(env, "FLASK_AUDIT_LOCK_DURATION_MS", DEFAULT_LOCK_DURATION_MS, 1_000),
      stalledIntervalMs: whole(env, "FLASK_AUDIT_STALLED_INTERVAL_MS", DEFAULT_STALLED_INTERVAL_MS, 100),
      recoveryIntervalMs: whole(env, "FLASK_AUDIT_RECOVERY_INTERVAL_MS", DEFAULT_RECOVERY_INTERVAL_MS, 0),
    };
  }
  return settings;
}

interface ThrottleConnection {
  disconnect(flush?: boolean): Promise<unknown>;
}

export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const env = options.env ?? process.env;
  checkEnvironment(env);
  const settings = readSettings(env);
  const secrets = configuredSecrets(env);
  const log = await createAppLogger({
    level: env.LOG_LEVEL || "info",
    ...(env.LOG_FORMAT ? { format: env.LOG_FORMAT } : {}),
    levelInString: env.LOG_LEVEL_IN_STRING === "true",
    ...(env.LOG_MESSAGE_KEY ? { messageKey: env.LOG_MESSAGE_KEY } : {}),
    ...(env.SENTRY_DSN ? { sentryDsn: env.SENTRY_DSN } : {}),
    secrets,
    ...(options.logDestination ? { destination: options.logDestination } : {}),
  });

  const queueLog = log.child({ name: "queue" });
  let queue: ScanQueue;
  let rescanLimiter: RescanLimiter;
  if (settings.redis) {
    try {
      const redisQueue = await RedisScanQueue.connect({ ...settings.redis, concurrency: settings.concurrency, retry: settings.retry, log: queueLog });
      rescanLimiter = new RedisRescanLimiter(redisQueue.client, redisQueue.prefix, settings.rescanIntervalMs);
      queue = redisQueue;
    } catch (error) {
      throw new StartupError(error instanceof Error ? error.message : String(error));
    }
  } else {
    queue = new InProcessScanQueue({
      concurrency: settings.concurrency,
      retry: settings.retry,
      onError: (err, key) => queueLog.error({ err, key }, "queued work failed outside its own error handling"),
    });
    rescanLimiter = new InMemoryRescanLimiter(settings.rescanIntervalMs);
  }
  // Probot after the queue: with REDIS_URL it connects to Redis at once (shared rate limiting), and an unreachable
  // Redis has already stopped the start above. Every Octokit Probot builds gets the throttling plugin's Redis
  // connection: keep a handle on it to close it on stop.
  const throttleConnections = new Set<ThrottleConnection>();
  type OctokitOptions = NonNullable<ConstructorParameters<typeof ProbotOctokit>[0]>;
  const Octokit = (options.Octokit ?? FlaskAuditOctokit).defaults((instanceOptions: OctokitOptions) => {
    const connection = (instanceOptions.throttle as { connection?: ThrottleConnection } | undefined)?.connection;
    if (connection) throttleConnections.add(connection);
    return instanceOptions;
  }) as typeof ProbotOctokit;
  const probot = createProbot({ env: { LOG_LEVEL: "info", ...env }, overrides: { Octokit, log } });

  // Scan threads start now: loading the engine in each is not the first scan's wait.
  const scanLog = log.child({ name: "scan-threads" });
  const scanner = createFileScanner(settings.scanThreads, (message, err) => scanLog.error({ err }, message));
  const release = async () => {
    await queue.close();
    await scanner.close();
    await Promise.all([...throttleConnections].map((connection) => connection.disconnect(false).catch(() => {})));
  };

  // Blob contents by SHA and per-file scan results for every scan of this instance: a rescan of the same head fetches
  // no blob and scans no unchanged file again.
  const blobCache = new BlobCache();
  const resultCache = new ScanResultCache();
  let server: Server;
  let url: string;
  let draining = false;
  try {
    const middleware = await createNodeMiddleware(createFlaskAuditApp({ queue, rescanLimiter, blobCache, resultCache, scanner, redact: secretRedactor(secrets) }), { probot });
    if (env.NODE_ENV !== "production" && !env.WEBHOOK_SECRET) {
      probot.log.warn("WEBHOOK_SECRET is not set: using Probot's development secret. Never run like this on a public address.");
    }
    server = createServer((req, res) => {
      if (req.method === "GET" && (req.url ?? "").split("?")[0] === HEALTH_PATH) return void health(res, draining, queue, { blobCache, scanCache: resultCache });
      void Promise.resolve(middleware(req, res, () => notFound(req, res))).catch((err: unknown) => {
        probot.log.error({ err }, "request failed");
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    const port = options.port ?? (Number(env.PORT) || 3000);
    const host = options.host ?? env.HOST ?? "localhost";
    await new Promise<void>((resolve, reject) => {
      server.once("error", (error: NodeJS.ErrnoException) =>
        reject(error.code === "EADDRINUSE" ? new StartupError(`Port ${port} is already in use: set PORT to a free port.`) : error),
      );
      server.listen(port, host, () => resolve());
    });
    const address = server.address();
    const boundPort = typeof address === "object" && address ? address.port : port;
    url = `http://${host.includes(":") ? `[${host}]` : host}:${boundPort}`;
  } catch (error) {
    await release();
    throw error;
  }
  const where = settings.redis ? `Redis queue at ${settings.redis.prefix}, shared GitHub rate limiting` : "in-process queue";
  probot.log.info(`flask-audit listening on ${url} (webhooks at ${probot.webhookPath}, health at ${HEALTH_PATH}; ${where})`);

  const stop = async (timeoutMs: number = DRAIN_TIMEOUT_MS): Promise<void> => {
    draining = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const handBackMs = Math.min(HAND_BACK_MS, Math.floor(timeoutMs / 5));
    const drained = await queue.drain(timeoutMs - handBackMs, handBackMs);
    if (!drained) {
      probot.log.error(
        queue.kind === "redis"
          ? "stopped while work was still running: its lock expires and another worker takes it over"
          : "stopped while work was still running: its check run stays in progress until a re-run",
      );
    }
    await release();
    server.closeAllConnections();
    await closed;
  };
  return { url, probot, queue, server, stop };
}

async function health(res: ServerResponse, draining: boolean, queue: ScanQueue, caches: { blobCache: BlobCache; scanCache: ScanResultCache }): Promise<void> {
  let stats;
  try {
    stats = await Promise.race([
      queue.stats(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), 2_000).unref()),
    ]);
  } catch {
    // An instance that cannot reach its queue cannot accept work: take it out of the load balancer.
    res.writeHead(503, { "content-type": "application/json" }).end(JSON.stringify({ status: "queue unavailable", queue: { kind: queue.kind } }));
    return;
  }
  const body = JSON.stringify({
    status: draining ? "draining" : "ok",
    queue: { kind: queue.kind, ...stats },
    blobCache: caches.blobCache.stats(),
    scanCache: caches.scanCache.stats(),
  });
  res.writeHead(draining ? 503 : 200, { "content-type": "application/json" }).end(body);
}

function notFound(_req: IncomingMessage, res: ServerResponse): void {
  if (res.headersSent) return;
  res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "not found" }));
}

/** What stopOnSignals needs from `process`. */
export interface SignalTarget {
  on(signal: "SIGTERM" | "SIGINT", listener: () => void): unknown;
  exit(code: number): void;
}

/** SIGTERM / SIGINT: stop taking webhooks, drain the queue (see RunningServer.stop), flush the logs, exit. */
export function stopOnSignals(running: RunningServer, target: SignalTarget = process, timeoutMs: number = DRAIN_TIMEOUT_MS): void {
  let stopping = false;
  const log = running.probot.log;
  // Logs are written asynchronously: flush them before exiting.
  const exit = (code: number) => log.flush(() => target.exit(code));
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: no new webhooks; finishing the running work (up to ${Math.round(timeoutMs / 1000)} s)`);
    running.stop(timeoutMs).then(
      () => {
        log.info("stopped");
        exit(0);
      },
      (err: unknown) => {
        log.error({ err }, "error while stopping");
        exit(1);
      },
    );
  };
  target.on("SIGTERM", () => shutdown("SIGTERM"));
  target.on("SIGINT", () => shutdown("SIGINT"));
}

/** The process entry point: start, and stop gracefully on SIGTERM / SIGINT. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (!env.APP_ID && env.NODE_ENV !== "production") {
    console.log("APP_ID is not set: starting Probot's setup page to register the GitHub App from app.yml (it writes .env; restart afterwards).");
    await run(createFlaskAuditApp());
    return;
  }
  let running: RunningServer;
  try {
    running = await startServer({ env });
  } catch (error) {
    console.error(`flask-audit could not start: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
    return;
  }
  stopOnSignals(running);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
