// The end-to-end harness: the BUILT server (`node dist/src/server.js`, what `npm start` runs) as a child process on a
// loopback port, configured only through its environment, talking to the fake GitHub (src/github/fake) that the test
// runs in its own process; webhooks signed and sent over HTTP; waits that poll the fake's state against a deadline.
// Every child is killed after its test (and on exit of the test process), so a failure never leaks a server.
import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer, connect } from "node:net";
import { fileURLToPath } from "node:url";
import { FakeGitHub, type PullRef } from "../../src/github/fake/fake-github.js";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const SERVER_ENTRY = fileURLToPath(new URL("../../dist/src/server.js", import.meta.url));
export const APP_ID = "424242";
export const WEBHOOK_SECRET = "e2e-webhook-secret-6f1d";
export const WEBHOOK_PATH = "/api/github/webhooks";

/** The App's key pair, made for this run: the server signs its JWTs with the private key, the fake verifies them. */
export const APP_KEYS = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

/** A fake GitHub that verifies this run's App JWTs. */
export function newFakeGitHub(): FakeGitHub {
  return new FakeGitHub({ appPublicKey: APP_KEYS.publicKey, appId: APP_ID });
}

// ---------------------------------------------------------------------------------------------------------------
// The server process

export interface LogLine {
  level?: number;
  msg?: string;
  raw: string;
  [key: string]: unknown;
}

export interface AppProcess {
  url: string;
  pid: number;
  logs: LogLine[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last lines of its output, for a failure message. */
  tail(lines?: number): string;
  /** Resolves with the first log line (past or future) that matches. */
  waitForLog(pattern: RegExp, timeoutMs: number): Promise<LogLine>;
  /** SIGKILL: no cleanup at all, as when a machine or container dies. */
  crash(): Promise<void>;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const children = new Set<ChildProcess>();
// Last resort (the test process exits with children still running, e.g. a crash of the runner): no leaked servers.
process.once("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

/** Environment the server gets: nothing inherited but what node needs (no stray APP_ID, REDIS_URL, .env...). */
export function serverEnv(fake: FakeGitHub, port: number, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "production",
    APP_ID,
    PRIVATE_KEY: APP_KEYS.privateKey,
    WEBHOOK_SECRET,
    // Probot builds its API base URL as `${GHE_PROTOCOL}://${GHE_HOST}/api/v3` (GraphQL at /api/graphql).
    GHE_HOST: fake.host,
    GHE_PROTOCOL: "http",
    HOST: "127.0.0.1",
    PORT: String(port),
    LOG_LEVEL: "info",
    LOG_FORMAT: "json",
    ...extra,
  };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address !== "object") throw new Error("could not find a free port");
  return address.port;
}

export async function startApp(fake: FakeGitHub, extraEnv: NodeJS.ProcessEnv = {}, startTimeoutMs = 20_000): Promise<AppProcess> {
  if (!existsSync(SERVER_ENTRY)) throw new Error(`${SERVER_ENTRY} does not exist: run \`npm run build\` first (npm test does).`);
  const port = await freePort();
  const child = spawn(process.execPath, [SERVER_ENTRY], { cwd: ROOT, env: serverEnv(fake, port, extraEnv), stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  const logs: LogLine[] = [];
  const watchers: { pattern: RegExp; resolve: (line: LogLine) => void }[] = [];
  const onLine = (raw: string) => {
    if (raw.trim() === "") return;
    let line: LogLine;
    try {
      line = { ...(JSON.parse(raw) as Record<string, unknown>), raw };
    } catch {
      line = { raw };
    }
    logs.push(line);
    for (const watcher of [...watchers]) {
      if (!watcher.pattern.test(raw)) continue;
      watchers.splice(watchers.indexOf(watcher), 1);
      watcher.resolve(line);
    }
  };
  for (const stream of [child.stdout!, child.stderr!]) {
    let buffered = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      lines.forEach(onLine);
    });
    stream.on("end", () => onLine(buffered));
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  const tail = (count = 40) => logs.slice(-count).map((l) => l.raw).join("\n");
  const url = `http://127.0.0.1:${port}`;

  const app: AppProcess = {
    url,
    pid: child.pid!,
    logs,
    exited,
    tail,
    waitForLog(pattern, timeoutMs) {
      const seen = logs.find((l) => pattern.test(l.raw));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const watcher = { pattern, resolve: (line: LogLine) => (clearTimeout(timer), resolve(line)) };
        const timer = setTimeout(() => {
          watchers.splice(watchers.indexOf(watcher), 1);
          reject(new Error(`no log line matching ${pattern} within ${timeoutMs} ms; last output:\n${tail()}`));
        }, timeoutMs);
        watchers.push(watcher);
      });
    },
    async crash() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGKILL");
      await exited;
    },
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };

  // Ready when /healthz answers; failed when the process exits first.
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the server exited during startup (code ${child.exitCode}, signal ${child.signalCode}):\n${tail()}`);
    }
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return app;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await app.crash();
      throw new Error(`the server did not answer /healthz within ${startTimeoutMs} ms:\n${tail()}`);
    }
    await sleep(50);
  }
}

/** Kill every server still running (afterEach): SIGKILL, since a test that failed may have left one mid-scan. */
export async function killAll(): Promise<void> {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill("SIGKILL");
        }),
    ),
  );
}

export function runningChildren(): number {
  return children.size;
}

// ---------------------------------------------------------------------------------------------------------------
// Deliveries

/** Webhook deliveries this test process sent (for the closing summary). */
export const sent = { deliveries: 0 };

export interface Delivery {
  headers: Record<string, string>;
  body: string;
}

export async function deliver(app: AppProcess, delivery: Delivery): Promise<{ status: number; text: string }> {
  sent.deliveries++;
  const response = await fetch(`${app.url}${WEBHOOK_PATH}`, { method: "POST", headers: delivery.headers, body: delivery.body });
  return { status: response.status, text: await response.text() };
}

// ---------------------------------------------------------------------------------------------------------------
// Waiting

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Poll `done` every 50 ms until it is true; past the deadline, fail with `describe()` (what was seen instead). */
export async function waitFor(what: string, done: () => boolean | Promise<boolean>, timeoutMs: number, describe: () => string = () => ""): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await done()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${describe()}`);
    await sleep(50);
  }
}

interface QueueStats {
  queued?: number;
  running?: number;
}

/** The server's own view of its work, from GET /healthz (undefined when it does not say). */
export async function queueStats(app: AppProcess): Promise<QueueStats | undefined> {
  try {
    const body = (await (await fetch(`${app.url}/healthz`)).json()) as { queue?: QueueStats };
    return body.queue;
  } catch {
    return undefined;
  }
}

/**
 * Wait until the work is over: the server reports no queued or running scan (when it reports it), no check run of
 * these pull requests is in progress, and the fake has seen no call for `quietMs`. Afterwards nothing late can still
 * post a duplicate that the assertions would miss.
 */
export async function settle(app: AppProcess, fake: FakeGitHub, pulls: PullRef[], timeoutMs: number, quietMs = 500): Promise<void> {
  let calls = -1;
  let quietSince = Date.now();
  await waitFor(
    "the app to go quiet",
    async () => {
      if (fake.calls.length !== calls) {
        calls = fake.calls.length;
        quietSince = Date.now();
        return false;
      }
      if (Date.now() - quietSince < quietMs) return false;
      if (pulls.some((ref) => fake.tally(ref).inProgressCheckRuns > 0)) return false;
      const stats = await queueStats(app);
      return !stats || ((stats.queued ?? 0) === 0 && (stats.running ?? 0) === 0);
    },
    timeoutMs,
    () => describeState(app, fake, pulls),
  );
}

/** What a failure message should show: each pull request's tally, the fake's error answers, the server's last output. */
export function describeState(app: AppProcess | undefined, fake: FakeGitHub, pulls: PullRef[]): string {
  const tallies = pulls
    .slice(0, 60)
    .map((ref) => {
      const t = fake.tally(ref);
      return `  ${t.repository}#${t.pullNumber}: check runs ${t.completedCheckRuns}/${t.checkRuns} completed [${t.conclusions.join(",")}], reviews ${t.reviews}, comments ${t.comments} (${t.duplicateComments} duplicates)`;
    })
    .join("\n");
  const errors = fake.calls
    .filter((c) => c.status >= 400)
    .slice(-20)
    .map((c) => `  ${c.method} ${c.path} -> ${c.status}${c.fault ? ` (injected ${c.fault})` : ""}`)
    .join("\n");
  return `pull requests:\n${tallies}\nGitHub calls: ${fake.calls.length}, last errors:\n${errors || "  none"}\n${app ? `server output (last lines):\n${app.tail()}` : ""}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Redis, for the crash test: probed with a raw RESP exchange (no client library needed to ask "are you there?").

/**
 * Send RESP commands (after AUTH and SELECT from the URL) and read one reply line per command; rejects on an error
 * reply or after `timeoutMs`. Enough for PING and FLUSHDB, whose replies are single lines.
 */
export function redisCommands(redisUrl: string, commands: string[][], timeoutMs = 1_000): Promise<string[]> {
  const url = new URL(redisUrl);
  const auth = url.password ? [url.username ? ["AUTH", decodeURIComponent(url.username), decodeURIComponent(url.password)] : ["AUTH", decodeURIComponent(url.password)]] : [];
  const database = url.pathname.replace(/^\//, "");
  const select = database ? [["SELECT", database]] : [];
  const all = [...auth, ...select, ...commands];
  const encode = (parts: string[]) => `*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join("")}`;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname || "127.0.0.1", port: Number(url.port || 6379) });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer from ${url.host} within ${timeoutMs} ms`));
    }, timeoutMs);
    let received = "";
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(all.map(encode).join("")));
    socket.on("data", (chunk: string) => {
      received += chunk;
      const lines = received.split("\r\n").filter((l) => /^[+\-:]/.test(l));
      if (lines.length < all.length) return;
      clearTimeout(timer);
      socket.end();
      const replies = lines.slice(auth.length + select.length, all.length);
      const error = lines.slice(0, all.length).find((l) => l.startsWith("-"));
      if (error) reject(new Error(`Redis answered ${error}`));
      else resolve(replies);
    });
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** The e2e suite keeps its Redis data in database 15, under a prefix of its own per run. */
export const E2E_REDIS_DATABASE = "15";

/** Delete the keys under `prefix` (only ours: other runs and other suites may share this Redis); returns how many. */
export async function deleteRedisKeys(redisUrl: string, prefix: string): Promise<number> {
  if (!/^flask-audit-e2e-[0-9a-f]+$/.test(prefix)) throw new Error(`refusing to delete keys under ${prefix}: not an e2e prefix`);
  const script = "local keys = redis.call('KEYS', ARGV[1]) for _, key in ipairs(keys) do redis.call('DEL', key) end return #keys";
  const [reply] = await redisCommands(redisUrl, [["EVAL", script, "0", `${prefix}:*`]], 5_000);
  return Number(reply?.slice(1) ?? 0);
}
