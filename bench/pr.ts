// npm run bench:pr: a synthetic pull request of 300 changed Python files (mixed sizes, from the deterministic corpus
// of bench/corpus.ts) replayed through the REAL app (`node dist/src/server.js`, what `npm start` runs) against the
// fake GitHub (src/github/fake) on loopback. Measures webhook sent -> check run completed (median of several runs
// after a warm-up, a new pull request each run), the API calls by route (from the fake's record) for 100 and 300
// files, the fake's own handling time (measured here, in this process, and subtracted), the server's CPU time per run
// (all its threads, from /proc), rescans of the same head (synchronize deliveries naming it: blobs and per-file
// results from the server's caches, so no blob is fetched and no file scanned again), and the server's peak RSS.
// Each run starts once the previous one is quiet for QUIET_MS (GitHub's write pacing in the server has refilled), so
// that a run measures one pull request's scan, not the wait behind the one before.
// Prints a table and one JSON line. BENCH_RUNS, BENCH_TIMELINE and BENCH_NODE_ARGS: see below; FLASK_AUDIT_* variables
// are passed to the server.
import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { subscribe } from "node:diagnostics_channel";
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:net";
import { availableParallelism, cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { FakeGitHub, signDelivery, type PullRef } from "../src/github/fake/fake-github.js";
import { readSnapshot, type Snapshot } from "../src/github/fake/pull-model.js";
import { writeCorpus } from "./corpus.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** BENCH_TIMELINE=1: print each run's API calls over time (routes in order, and the gaps between calls). */
const TIMELINE = process.env.BENCH_TIMELINE === "1";
/** BENCH_NODE_ARGS: extra node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof". */
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);
const SIZES = [100, 300] as const;
const TARGET_MS = 3_000;
/** The longest spacing Octokit's throttling keeps between two calls of an installation (reviews: 3 s). */
const QUIET_MS = 3_000;
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
/** Every answered request: [received, answered, "METHOD /path"], for BENCH_TIMELINE=1. */
const answered: { start: number; end: number; label: string }[] = [];
const startedAt = new WeakMap<object, number>();
const onAnswered: (() => void)[] = [];
subscribe("http.server.request.start", (message) => {
  startedAt.set((message as { response: ServerResponse }).response, performance.now());
});
subscribe("http.server.response.finish", (message) => {
  const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
  const start = startedAt.get(response);
  if (start !== undefined) {
    const end = performance.now();
    intervals.push([start, end]);
    answered.push({ start, end, label: `${request.method ?? "?"} ${request.url ?? ""}` });
  }
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
  return Object.entries(readSnapshot(dir, (name) => name.endsWith(".py"))).map(([path, content]) => ({ path, content: content as string }));
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
  /** The server's "scan complete" log lines (JSON), in order. */
  scans: string[];
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
    // the app's own settings pass through (e.g. FLASK_AUDIT_SCAN_THREADS=0 to compare with scanning on the main thread)
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith("FLASK_AUDIT_"))),
  };
  const child = spawn(process.execPath, [...NODE_ARGS, SERVER_ENTRY], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  process.once("exit", () => child.kill("SIGKILL"));
  const tail: string[] = [];
  const scans: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.setEncoding("utf8");
    let partial = "";
    stream.on("data", (chunk: string) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop()!;
      for (const line of lines) if (line.includes('"scan complete"')) scans.push(line);
      tail.push(...lines.filter((l) => l.trim() !== ""));
      if (tail.length > 40) tail.splice(0, tail.length - 40);
    });
  }
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited during startup:\n${tail.join("\n")}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { child, url, tail, scans };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the server did not answer /healthz:\n${tail.join("\n")}`);
    await sleep(50);
  }
}

/** utime + stime of a process (all its threads), in ms. */
function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // after "pid (comm) ": state is field 0, utime field 11, stime field 12, in clock ticks (100 a second on Linux)
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
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
  /** CPU time of the server process (every thread) from the webhook to the completed check run. */
  cpuMs: number;
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
  await sleep(QUIET_MS);
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
  const cpuBefore = cpuMsOf(server.child.pid!);
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
  const cpuMs = cpuMsOf(server.child.pid!) - cpuBefore;
  // Let the calls that follow completion (review, comments) land, so they are counted for this run.
  let seen = -1;
  while (fake.calls.length !== seen) {
    seen = fake.calls.length;
    await sleep(300);
  }
  const busy = busyMs(sentAt, doneAt);
  if (TIMELINE) {
    printTimeline(`#${number} (${count} files${again ? ", rescan" : ""})`, sentAt, doneAt);
    const logged = server.scans.at(-1);
    if (logged) {
      const { files, ms } = JSON.parse(logged) as { files?: unknown; ms?: unknown };
      console.log(`  server's own account: files ${JSON.stringify(files)}, ms ${JSON.stringify(ms)}`);
    }
  }
  const calls = new Map<string, number>();
  for (const call of fake.calls.slice(firstCall)) {
    const key = route(call.method, call.path);
    calls.set(key, (calls.get(key) ?? 0) + 1);
  }
  return {
    files: count,
    cpuMs,
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

/** The run's calls as phases: consecutive calls of one route merged, and every gap of 50 ms or more without a call. */
function printTimeline(title: string, from: number, to: number): void {
  const calls = answered.filter((c) => c.start >= from && c.start <= to).sort((a, b) => a.start - b.start);
  console.log(`timeline ${title}: ${(to - from).toFixed(0)} ms (ms after the webhook was sent)`);
  let last = 0;
  let phase: { label: string; first: number; end: number; count: number } | undefined;
  const flush = () => {
    if (phase) console.log(`  ${phase.first.toFixed(0).padStart(6)} - ${phase.end.toFixed(0).padStart(6)}  ${String(phase.count).padStart(4)} x ${phase.label}`);
  };
  for (const call of calls) {
    const label = route(call.label.split(" ")[0]!, call.label.split(" ")[1] ?? "");
    const start = call.start - from;
    if (start - last >= 50) {
      flush();
      phase = undefined;
      console.log(`  ${last.toFixed(0).padStart(6)} - ${start.toFixed(0).padStart(6)}       (no call for ${(start - last).toFixed(0)} ms)`);
    }
    if (phase?.label === label) {
      phase.count++;
      phase.end = call.end - from;
    } else {
      flush();
      phase = { label, first: start, end: call.end - from, count: 1 };
    }
    last = Math.max(last, call.end - from);
  }
  flush();
  console.log(`  ${last.toFixed(0).padStart(6)} - ${(to - from).toFixed(0).padStart(6)}       (the completing call answered)`);
}

interface CacheStats {
  hits: number;
  misses: number;
  entries: number;
  bytes: number;
}

interface Caches {
  blobCache?: CacheStats;
  scanCache?: CacheStats;
}

async function cacheStats(server: Server): Promise<Caches> {
  return (await (await fetch(`${server.url}/healthz`)).json()) as Caches;
}

/** What changed in a cache between two health reads (NaN when the server does not report it). */
function delta(before: CacheStats | undefined, after: CacheStats | undefined): { hits: number; misses: number } {
  if (!before || !after) return { hits: Number.NaN, misses: Number.NaN };
  return { hits: after.hits - before.hits, misses: after.misses - before.misses };
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
  const rescans: RunResult[] = [];
  let cachesBefore: Caches = {};
  let cachesAfter: Caches = {};
  try {
    for (const size of SIZES) {
      await runOnce(fake, server, modules, size); // warm-up (token, compiled queries, JIT)
      const runs: RunResult[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await runOnce(fake, server, modules, size));
      results.set(size, runs);
    }
    // The same head again (synchronize deliveries naming it): every blob and every file's result from the caches.
    const last = results.get(SIZES[SIZES.length - 1]!)!.at(-1)!;
    cachesBefore = await cacheStats(server);
    for (let i = 0; i < RUNS; i++) rescans.push(await runOnce(fake, server, modules, last.files, last.pull));
    cachesAfter = await cacheStats(server);
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
      cpuMs: median(runs.map((r) => r.cpuMs)),
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

  // Time as a line through the two sizes: what each added file costs, and what a pull request costs before any file.
  const msPerFile = (large.netMs - small.netMs) / (large.size - small.size);
  const fixedMs = small.netMs - msPerFile * small.size;

  const rows: [string, string, string][] = [];
  for (const s of summary) {
    rows.push([`${s.size} files (${s.lines} lines): webhook -> completed`, `${s.wallMs.toFixed(0)} ms`, `conclusion ${s.conclusion}`]);
    rows.push([`  fake API busy in that window (union / sum)`, `${s.fakeBusyMs.toFixed(0)} / ${s.fakeSumMs.toFixed(0)} ms`, "subtracted (union)"]);
    rows.push([`  excluding the fake's latency`, `${s.netMs.toFixed(0)} ms`, s.size === 300 ? `target < ${TARGET_MS} ms: ${s.netMs < TARGET_MS ? "holds" : "MISSED"}` : ""]);
    rows.push([`  server CPU time (all threads)`, `${s.cpuMs.toFixed(0)} ms`, ""]);
    rows.push([`  API calls (per file)`, `${s.totalCalls} (${perFile(s).toFixed(2)})`, ""]);
  }
  rows.push(["time: per added file / fixed (excluding the fake)", `${msPerFile.toFixed(1)} / ${fixedMs.toFixed(0)} ms`, "a line through the two sizes (noisy when the machine is shared)"]);
  rows.push(["API calls: marginal per file / fixed", `${marginal.toFixed(2)} / ${fixed.toFixed(0)}`, `target linear in files: ${linear ? "holds" : "MISSED"}`]);
  rows.push(["API calls for 300 files vs 2 per file", `${large.totalCalls} vs ${large.size * 2}`, `target no per-line calls: ${noPerLine ? "holds" : "MISSED"}`]);
  const rescan = rescans.length > 0
    ? {
        files: rescans[0]!.files,
        netMs: median(rescans.map((r) => r.netMs)),
        wallMs: median(rescans.map((r) => r.wallMs)),
        fakeBusyMs: median(rescans.map((r) => r.fakeBusyMs)),
        cpuMs: median(rescans.map((r) => r.cpuMs)),
        apiCalls: median(rescans.map((r) => r.totalCalls)),
        blobCalls: rescans.reduce((n, r) => n + [...r.calls].filter(([route]) => route.includes("/git/blobs/")).reduce((m, [, c]) => m + c, 0), 0),
        blobCache: delta(cachesBefore.blobCache, cachesAfter.blobCache),
        scanCache: delta(cachesBefore.scanCache, cachesAfter.scanCache),
      }
    : undefined;
  if (rescan) {
    rows.push([`rescan of the same head (${rescan.files} files): webhook -> completed`, `${rescan.wallMs.toFixed(0)} ms`, `median of ${rescans.length}`]);
    rows.push([`  excluding the fake's latency`, `${rescan.netMs.toFixed(0)} ms`, `target < ${TARGET_MS} ms: ${rescan.netMs < TARGET_MS ? "holds" : "MISSED"}`]);
    rows.push([`  server CPU time (all threads)`, `${rescan.cpuMs.toFixed(0)} ms`, ""]);
    rows.push([`  blob calls / blob cache hits (all rescans)`, `${rescan.blobCalls} / ${rescan.blobCache.hits}`, `target 0 blob calls: ${rescan.blobCalls === 0 ? "holds" : "MISSED"}`]);
    // every lookup that misses the result cache is a file scanned
    rows.push([`  files scanned / results from the cache (all)`, `${rescan.scanCache.misses} / ${rescan.scanCache.hits}`, `target 0 files scanned: ${rescan.scanCache.misses === 0 ? "holds" : "MISSED"}`]);
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
        fakeSumMs: Math.round(s.fakeSumMs), netMs: Math.round(s.netMs), cpuMs: Math.round(s.cpuMs), apiCalls: s.totalCalls,
        callsPerFile: Number(perFile(s).toFixed(2)), callsByRoute: Object.fromEntries(s.calls), conclusion: s.conclusion,
      })),
      marginalCallsPerFile: Number(marginal.toFixed(2)), fixedCalls: Math.round(fixed),
      msPerFile: Number(msPerFile.toFixed(1)), fixedMs: Math.round(fixedMs),
      targetMs: TARGET_MS, targetHolds: large.netMs < TARGET_MS, linear, noPerLine, peakRssMb: Math.round(rssMb),
      rescan: rescan
        ? {
            runs: rescans.length, files: rescan.files, webhookToCompletedMs: Math.round(rescan.wallMs), netMs: Math.round(rescan.netMs),
            fakeBusyMs: Math.round(rescan.fakeBusyMs), cpuMs: Math.round(rescan.cpuMs), apiCalls: rescan.apiCalls,
            blobCalls: rescan.blobCalls, blobCacheHits: rescan.blobCache.hits, filesScanned: rescan.scanCache.misses,
            resultsFromCache: rescan.scanCache.hits, targetHolds: rescan.netMs < TARGET_MS,
          }
        : null,
      caches: cachesAfter,
    }),
  );
}

await main();
