// npm run bench:pr: a synthetic pull request of 300 changed Python files (mixed sizes, from the deterministic corpus
// of bench/corpus.ts) replayed through the REAL app (`node dist/src/server.js`, what `npm start` runs) against the
// fake GitHub (src/github/fake) on loopback. Measures webhook sent -> check run completed (median of several runs
// after a warm-up, a new pull request each run), the API calls by route (from the fake's record) for 100 and 300
// files, the fake's own handling time (measured here, in this process, and subtracted), a rescan of the same head
// (blobs from the server's cache), and the server's peak RSS.
// Prints a table and one JSON line.
import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { subscribe } from "node:diagnostics_channel";
import { readFileSync, readdirSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:net";
import { availableParallelism, cpus, totalmem } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { FakeGitHub, signDelivery, type PullRef } from "../src/github/fake/fake-github.js";
import type { Snapshot } from "../src/github/fake/pull-model.js";
import { writeCorpus } from "./corpus.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SIZES = [100, 300] as const;
const TARGET_MS = 3_000;
const APP_ID = "424242";
const WEBHOOK_SECRET = "bench-pr-webhook-secret";
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SERVER_ENTRY = join(ROOT, "dist", "src", "server.js");
const OWNER = "octo-org";
const REPO = "flask-bench";

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------------------------
// The fake's own handling time: every HTTP server in this process is the fake's, so node's diagnostics channels give
// each request's [received, answered] interval. What is subtracted is their union (requests overlap).

const intervals: [number, number][] = [];
const startedAt = new WeakMap<object, number>();
const onAnswered: (() => void)[] = [];
subscribe("http.server.request.start", (message) => {
  startedAt.set((message as { response: ServerResponse }).response, performance.now());
});
subscribe("http.server.response.finish", (message) => {
  const { response } = message as { request: IncomingMessage; response: ServerResponse };
  const start = startedAt.get(response);
  if (start !== undefined) intervals.push([start, performance.now()]);
  for (const fn of onAnswered) fn();
});

function busyMs(from: number, to: number): { union: number; sum: number; count: number } {
  const clipped = intervals
    .map(([a, b]): [number, number] => [Math.max(a, from), Math.min(b, to)])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let union = 0;
  let sum = 0;
  let end = -Infinity;
  for (const [a, b] of clipped) {
    sum += b - a;
    if (a >= end) union += b - a;
    else if (b > end) union += b - end;
    end = Math.max(end, b);
  }
  return { union, sum, count: clipped.length };
}

// ---------------------------------------------------------------------------------------------------------------
// The pull requests

function readModules(dir: string): { path: string; content: string }[] {
  const out: { path: string; content: string }[] = [];
  const walk = (current: string) => {
    for (const name of readdirSync(current).sort()) {
      const full = join(current, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith(".py")) out.push({ path: relative(dir, full).split("\\").join("/"), content: readFileSync(full, "utf8") });
    }
  };
  walk(dir);
  return out;
}

/**
 * `count` changed modules (the corpus's files in order: 150 to 700 lines each). Each run's head differs (a first-line
 * comment naming the run, so no blob is shared between runs); the base drops a few lines in two places per file, so
 * every file has real hunks.
 */
function pullRequest(modules: { path: string; content: string }[], count: number, run: string): { base: Snapshot; head: Snapshot; lines: number } {
  const base: Snapshot = {};
  const head: Snapshot = {};
  let lines = 0;
  for (const module of modules.slice(0, count)) {
    const text = `# ${run}\n${module.content}`;
    const split = text.split("\n");
    lines += split.length;
    const a = Math.floor(split.length / 3);
    const b = Math.floor((2 * split.length) / 3);
    const without = [...split.slice(0, a), ...split.slice(a + 3, b), ...split.slice(b + 2)];
    head[module.path] = text;
    base[module.path] = without.join("\n");
  }
  return { base, head, lines };
}

// ---------------------------------------------------------------------------------------------------------------
// The server

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  if (!address || typeof address !== "object") throw new Error("no free port");
  return address.port;
}

interface Server {
  child: ChildProcess;
  url: string;
  tail: string[];
}

async function startServer(fake: FakeGitHub, privateKey: string): Promise<Server> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "production",
    APP_ID,
    PRIVATE_KEY: privateKey,
    WEBHOOK_SECRET,
    GHE_HOST: fake.host,
    GHE_PROTOCOL: "http",
    HOST: "127.0.0.1",
    PORT: String(port),
    LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
    LOG_FORMAT: "json",
  };
  const child = spawn(process.execPath, [SERVER_ENTRY], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  process.once("exit", () => child.kill("SIGKILL"));
  const tail: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      tail.push(...chunk.split("\n").filter((l) => l.trim() !== ""));
      if (tail.length > 40) tail.splice(0, tail.length - 40);
    });
  }
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited during startup:\n${tail.join("\n")}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { child, url, tail };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the server did not answer /healthz:\n${tail.join("\n")}`);
    await sleep(50);
  }
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /VmHWM:\s+(\d+)\s+kB/.exec(status);
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/** `/repos/o/r/git/blobs/<sha>?x=1` -> `GET /repos/{o}/{r}/git/blobs/{sha}`. */
function route(method: string, path: string): string {
  const bare = path.replace(/^\/api\/v3/, "").split("?")[0]!;
  const generic = bare
    .replace(/^\/repos\/[^/]+\/[^/]+/, "/repos/{o}/{r}")
    .replace(/\/[0-9a-f]{40}\b/g, "/{sha}")
    .replace(/\/\d+(?=\/|$)/g, "/{n}")
    .replace(/\/contents\/.*$/, "/contents/{path}");
  return `${method} ${generic}`;
}

// ---------------------------------------------------------------------------------------------------------------
// One run

interface RunResult {
  files: number;
  lines: number;
  wallMs: number;
  fakeBusyMs: number;
  fakeSumMs: number;
  netMs: number;
  calls: Map<string, number>;
  totalCalls: number;
  conclusion: string;
  pull: Opened;
}

let nextNumber = 1;

interface Opened {
  ref: PullRef;
  headSha: string;
  lines: number;
}

async function runOnce(fake: FakeGitHub, server: Server, modules: { path: string; content: string }[], count: number, again?: Opened): Promise<RunResult> {
  let pull: Opened;
  if (again) {
    pull = again;
  } else {
    const number = nextNumber++;
    const headSha = randomBytes(20).toString("hex");
    const { base, head, lines } = pullRequest(modules, count, `bench run ${number}`);
    pull = { ref: fake.addPullRequest({ owner: OWNER, repo: REPO, number, base, head, headSha }), headSha, lines };
  }
  const { ref, headSha, lines } = pull;
  const number = ref.number;
  const before = fake.checkRuns.filter((r) => r.repository === `${OWNER}/${REPO}` && r.head_sha === headSha).length;
  const completed = () =>
    fake.checkRuns.filter((r) => r.repository === `${OWNER}/${REPO}` && r.head_sha === headSha).slice(before).find((r) => r.status === "completed");

  let doneAt: number | undefined;
  const watch = () => {
    if (doneAt === undefined && completed()) doneAt = performance.now();
  };
  onAnswered.push(watch);
  const firstCall = fake.calls.length;
  const delivery = signDelivery("pull_request", fake.pullRequestPayload(again ? "synchronize" : "opened", ref), WEBHOOK_SECRET);
  const sentAt = performance.now();
  const response = await fetch(`${server.url}/api/github/webhooks`, { method: "POST", headers: delivery.headers, body: delivery.body });
  await response.text();
  if (response.status >= 300) throw new Error(`webhook answered ${response.status}`);
  const deadline = Date.now() + 120_000;
  while (doneAt === undefined) {
    if (Date.now() > deadline) throw new Error(`no completed check run for #${number} within 120 s:\n${server.tail.join("\n")}`);
    await sleep(20);
  }
  onAnswered.splice(onAnswered.indexOf(watch), 1);
  // Let the calls that follow completion (review, comments) land, so they are counted for this run.
  let seen = -1;
  while (fake.calls.length !== seen) {
    seen = fake.calls.length;
    await sleep(300);
  }
  const busy = busyMs(sentAt, doneAt);
  const calls = new Map<string, number>();
  for (const call of fake.calls.slice(firstCall)) {
    const key = route(call.method, call.path);
    calls.set(key, (calls.get(key) ?? 0) + 1);
  }
  return {
    files: count,
    lines,
    wallMs: doneAt - sentAt,
    fakeBusyMs: busy.union,
    fakeSumMs: busy.sum,
    netMs: doneAt - sentAt - busy.union,
    calls,
    totalCalls: fake.calls.length - firstCall,
    conclusion: completed()?.conclusion ?? "?",
    pull,
  };
}

interface CacheStats {
  hits: number;
  misses: number;
  entries: number;
  bytes: number;
}

async function blobCacheStats(server: Server): Promise<CacheStats | undefined> {
  const body = (await (await fetch(`${server.url}/healthz`)).json()) as { blobCache?: CacheStats };
  return body.blobCache;
}

async function main(): Promise<void> {
  const dir = resolve(ROOT, "bench/.corpus/seed-20261127");
  writeCorpus(dir);
  // The corpus in a stable order (path order mixes the sizes).
  const modules = readModules(dir);
  if (modules.length < Math.max(...SIZES)) throw new Error(`the corpus has ${modules.length} modules, fewer than ${Math.max(...SIZES)}`);

  const keys = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const fake = new FakeGitHub({ appPublicKey: keys.publicKey, appId: APP_ID, owner: OWNER, repo: REPO });
  await fake.start();
  const server = await startServer(fake, keys.privateKey);
  const results = new Map<number, RunResult[]>();
  let rssMb = Number.NaN;
  let rescan: (RunResult & { cacheBefore?: CacheStats; cacheAfter?: CacheStats }) | undefined;
  try {
    for (const size of SIZES) {
      await runOnce(fake, server, modules, size); // warm-up (token, compiled queries, JIT)
      const runs: RunResult[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await runOnce(fake, server, modules, size));
      results.set(size, runs);
    }
    // The same head again (a synchronize delivery naming it): every blob should come from the server's cache.
    const last = results.get(SIZES[SIZES.length - 1]!)!.at(-1)!;
    const cacheBefore = await blobCacheStats(server);
    rescan = await runOnce(fake, server, modules, last.files, last.pull);
    const cacheAfter = await blobCacheStats(server);
    rescan = { ...rescan, ...(cacheBefore ? { cacheBefore } : {}), ...(cacheAfter ? { cacheAfter } : {}) };
  } finally {
    if (server.child.pid) rssMb = peakRssMb(server.child.pid);
    server.child.kill("SIGTERM");
    await fake.stop();
  }

  const summary = SIZES.map((size) => {
    const runs = results.get(size)!;
    const mid = [...runs].sort((a, b) => a.netMs - b.netMs)[Math.floor(runs.length / 2)]!;
    return {
      size,
      lines: mid.lines,
      wallMs: median(runs.map((r) => r.wallMs)),
      fakeBusyMs: median(runs.map((r) => r.fakeBusyMs)),
      fakeSumMs: median(runs.map((r) => r.fakeSumMs)),
      netMs: median(runs.map((r) => r.netMs)),
      totalCalls: mid.totalCalls,
      calls: mid.calls,
      conclusion: mid.conclusion,
    };
  });
  const small = summary[0]!;
  const large = summary[1]!;
  const perFile = (s: (typeof summary)[number]) => s.totalCalls / s.size;
  const marginal = (large.totalCalls - small.totalCalls) / (large.size - small.size);
  const fixed = small.totalCalls - marginal * small.size;
  // Linear: each route's count grows at most by about one call per added file; per-line would be ~hundreds per file.
  const routes = [...new Set([...small.calls.keys(), ...large.calls.keys()])].sort();
  const perRoute = routes.map((r) => {
    const a = small.calls.get(r) ?? 0;
    const b = large.calls.get(r) ?? 0;
    return { route: r, calls100: a, calls300: b, marginalPerFile: (b - a) / (large.size - small.size) };
  });
  const linear = perRoute.every((r) => r.calls300 <= r.calls100 * (large.size / small.size) * 1.1 + 2) && marginal <= 1.5;
  const noPerLine = large.totalCalls < large.size * 2 + 20;

  const rows: [string, string, string][] = [];
  for (const s of summary) {
    rows.push([`${s.size} files (${s.lines} lines): webhook -> completed`, `${s.wallMs.toFixed(0)} ms`, `conclusion ${s.conclusion}`]);
    rows.push([`  fake API busy in that window (union / sum)`, `${s.fakeBusyMs.toFixed(0)} / ${s.fakeSumMs.toFixed(0)} ms`, "subtracted (union)"]);
    rows.push([`  excluding the fake's latency`, `${s.netMs.toFixed(0)} ms`, s.size === 300 ? `target < ${TARGET_MS} ms: ${s.netMs < TARGET_MS ? "holds" : "MISSED"}` : ""]);
    rows.push([`  API calls (per file)`, `${s.totalCalls} (${perFile(s).toFixed(2)})`, ""]);
  }
  rows.push(["API calls: marginal per file / fixed", `${marginal.toFixed(2)} / ${fixed.toFixed(0)}`, `target linear in files: ${linear ? "holds" : "MISSED"}`]);
  rows.push(["API calls for 300 files vs 2 per file", `${large.totalCalls} vs ${large.size * 2}`, `target no per-line calls: ${noPerLine ? "holds" : "MISSED"}`]);
  const rescanBlobs = rescan ? [...rescan.calls].filter(([r]) => r.includes("/git/blobs/")).reduce((n, [, c]) => n + c, 0) : Number.NaN;
  const cacheHits = rescan?.cacheAfter && rescan.cacheBefore ? rescan.cacheAfter.hits - rescan.cacheBefore.hits : Number.NaN;
  if (rescan) {
    rows.push([`rescan of the same head (${rescan.files} files): webhook -> completed`, `${rescan.netMs.toFixed(0)} ms`, `excluding the fake (${rescan.fakeBusyMs.toFixed(0)} ms); one run`]);
    rows.push(["  blob calls / blob cache hits in the rescan", `${rescanBlobs} / ${cacheHits}`, `target 0 blob calls: ${rescanBlobs === 0 ? "holds" : "MISSED"}`]);
  }
  rows.push(["peak RSS of the server (VmHWM, all runs)", `${rssMb.toFixed(0)} MB`, ""]);

  const threads = availableParallelism();
  console.log(`flask-audit bench:pr: node dist/src/server.js against the fake GitHub on loopback, median of ${RUNS} runs after a warm-up`);
  console.log(`machine: ${cpus()[0]?.model ?? "unknown cpu"}, ${threads} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
  const width = Math.max(...rows.map((r) => r[0].length));
  for (const [name, value, note] of rows) console.log(`${name.padEnd(width)}  ${value.padStart(18)}  ${note}`);
  console.log("API calls by route (one run each):");
  const routeWidth = Math.max(...perRoute.map((r) => r.route.length));
  console.log(`  ${"route".padEnd(routeWidth)}  ${"100 files".padStart(9)}  ${"300 files".padStart(9)}  per added file`);
  for (const r of perRoute) {
    console.log(`  ${r.route.padEnd(routeWidth)}  ${String(r.calls100).padStart(9)}  ${String(r.calls300).padStart(9)}  ${r.marginalPerFile.toFixed(2)}`);
  }
  console.log(
    JSON.stringify({
      runs: RUNS,
      threads,
      sizes: summary.map((s) => ({
        files: s.size, lines: s.lines, webhookToCompletedMs: Math.round(s.wallMs), fakeBusyMs: Math.round(s.fakeBusyMs),
        fakeSumMs: Math.round(s.fakeSumMs), netMs: Math.round(s.netMs), apiCalls: s.totalCalls,
        callsPerFile: Number(perFile(s).toFixed(2)), callsByRoute: Object.fromEntries(s.calls), conclusion: s.conclusion,
      })),
      marginalCallsPerFile: Number(marginal.toFixed(2)), fixedCalls: Math.round(fixed),
      targetMs: TARGET_MS, targetHolds: large.netMs < TARGET_MS, linear, noPerLine, peakRssMb: Math.round(rssMb),
      rescan: rescan
        ? { files: rescan.files, netMs: Math.round(rescan.netMs), fakeBusyMs: Math.round(rescan.fakeBusyMs), apiCalls: rescan.totalCalls, blobCalls: rescanBlobs, cacheHits, cache: rescan.cacheAfter ?? null }
        : null,
    }),
  );
}

await main();
