// `npm start`: the GitHub App's HTTP server. Probot's standard environment (APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH,
// WEBHOOK_SECRET, WEBHOOK_PATH, GHE_HOST/GHE_PROTOCOL, LOG_LEVEL, LOG_FORMAT) through Probot's own createProbot +
// createNodeMiddleware; PORT and HOST for the listener; FLASK_AUDIT_CONCURRENCY for scans at once (default 4); plus
// what a deployment needs that Probot does not give: GET /healthz for load balancers, and a graceful stop that
// finishes accepted scans. REDIS_URL is recognised but not used yet (see below).
//
// Without APP_ID outside production it starts Probot's setup page instead, which registers the GitHub App from
// app.yml and writes the credentials to .env.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { pathToFileURL } from "node:url";
import { createNodeMiddleware, createProbot, run, type Probot, type ProbotOctokit } from "probot";
import { createFlaskAuditApp } from "./github/app.js";
import { FlaskAuditOctokit } from "./github/octokit.js";
import { InProcessScanQueue, type ScanQueue } from "./github/queue.js";

export const HEALTH_PATH = "/healthz";
/** How long a stop waits for accepted scans (Kubernetes gives 30 s by default before SIGKILL). */
export const DRAIN_TIMEOUT_MS = 25_000;

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  /** Overrides PORT (0 = any free port). */
  port?: number;
  host?: string;
  /** Tests run without retries and throttling. */
  Octokit?: typeof ProbotOctokit;
}

export interface RunningServer {
  url: string;
  probot: Probot;
  queue: ScanQueue;
  server: Server;
  /** Stop accepting webhooks, finish (or time out) the accepted scans, close the listener. */
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

export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const env = options.env ?? process.env;
  checkEnvironment(env);
  const probot = createProbot({
    // REDIS_URL would make Probot load ioredis at run time for cluster-wide throttling, which this image does not
    // ship yet (shared rate limiting comes with the Redis-backed queue): ignored, with a warning below.
    env: { LOG_LEVEL: "info", ...env, REDIS_URL: "" },
    overrides: { Octokit: options.Octokit ?? FlaskAuditOctokit },
  });

  const concurrency = Number(env.FLASK_AUDIT_CONCURRENCY) || undefined;
  const queue = new InProcessScanQueue({
    ...(concurrency ? { concurrency } : {}),
    onError: (err, key) => probot.log.error({ err, key }, "queued task failed outside its own error handling"),
  });
  const middleware = await createNodeMiddleware(createFlaskAuditApp({ queue }), { probot });
  // probot.log exists once Probot has initialised (createNodeMiddleware waits for that).
  if (env.REDIS_URL) {
    probot.log.warn("REDIS_URL is set but not used yet: each instance throttles its own GitHub requests (shared rate limiting comes with the Redis-backed queue).");
  }
  if (env.NODE_ENV !== "production" && !env.WEBHOOK_SECRET) {
    probot.log.warn("WEBHOOK_SECRET is not set: using Probot's development secret. Never run like this on a public address.");
  }

  let draining = false;
  const server = createServer((req, res) => {
    if (req.method === "GET" && (req.url ?? "").split("?")[0] === HEALTH_PATH) return health(res, draining, queue);
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
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${boundPort}`;
  probot.log.info(`flask-audit listening on ${url} (webhooks at ${probot.webhookPath}, health at ${HEALTH_PATH})`);

  const stop = async (timeoutMs: number = DRAIN_TIMEOUT_MS): Promise<void> => {
    draining = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const drained = await queue.drain(timeoutMs);
    if (!drained) probot.log.error({ ...queue.stats() }, "stopped before every accepted scan finished: their check runs stay in progress until a re-run");
    server.closeAllConnections();
    await closed;
  };
  return { url, probot, queue, server, stop };
}

function health(res: ServerResponse, draining: boolean, queue: ScanQueue): void {
  const body = JSON.stringify({ status: draining ? "draining" : "ok", queue: queue.stats() });
  res.writeHead(draining ? 503 : 200, { "content-type": "application/json" }).end(body);
}

function notFound(_req: IncomingMessage, res: ServerResponse): void {
  if (res.headersSent) return;
  res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "not found" }));
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
  let stopping = false;
  const log = running.probot.log;
  // Logs are written asynchronously: flush them before exiting.
  const exit = (code: number) => log.flush(() => process.exit(code));
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: no new webhooks; finishing accepted scans`);
    running.stop().then(
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
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
