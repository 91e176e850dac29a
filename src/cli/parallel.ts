// Whole-repository scans on every core. A pool of worker threads (each with its own tree-sitter parser and rule set,
// loaded once) stays warm for the life of the process, and the calling thread scans too, so N threads means N-1
// workers plus this one. Files are claimed one at a time, largest first, from a counter in shared memory: no thread
// waits on another for work, and a big file never starts last. Each file's result comes back on its own and they are
// merged in the input's order, so the ScanResult is the one scanFiles would return.
//
// Idle workers are unref'd: a process that is done exits without closing the pool (closeScanPool() ends it
// explicitly). A worker that crashes or throws fails the scan with an error naming it; the pool then restarts.
import { availableParallelism } from "node:os";
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import type { Rule } from "../core/define-rule.js";
import { projectAdvisories, scanFiles, type ScanOptions } from "../core/engine.js";
import type { ProjectFacts } from "../core/project.js";
import type { ScanResult, SourceFile } from "../core/types.js";
import { allRules } from "../../rules/index.js";

const KNOWN_RULES = new Set(allRules.map((r) => r.id));

/** Below this many characters (~20,000 lines) one thread is done before workers would have helped. */
const PARALLEL_MIN_CHARS = 640_000;
/** How long the calling thread scans before it lets progress and worker messages through. */
const MAIN_SLICE_MS = 50;
/** How often a worker sends the results it has (fewer, larger messages; progress stays live). */
export const WORKER_FLUSH_MS = 50;

export interface ParallelOptions {
  rules: Rule[];
  project: ProjectFacts;
  /** Threads that scan, this one included (default: availableParallelism()). */
  threads?: number;
  /** Per-file time budget, as in scanFiles. */
  fileBudgetMs?: number;
  /** Scans with fewer characters than this stay on this thread (default ~20,000 lines' worth). */
  minChars?: number;
  /** The pool to run on (default: this process's shared pool, see scanPool()). */
  pool?: ScanPool;
  onProgress?: (done: number, total: number) => void;
}

/**
 * One file's result: a bare number (files scanned, 0 or 1) when it found nothing and skipped nothing, as most files
 * do; otherwise its ScanResult without advisories (those are computed once per scan, not per file).
 */
export type FileResult = number | Omit<ScanResult, "advisories">;

/** What the pool sends a worker: one scan, claimed file by file through `counter`. */
export interface ScanJob {
  kind: "scan";
  job: number;
  files: SourceFile[];
  /** Indexes into `files`, largest file first: claim k scans files[order[k]]. */
  order: Int32Array;
  /** One Int32: the next claim. */
  counter: SharedArrayBuffer;
  ruleIds: string[];
  project: ProjectFacts;
  fileBudgetMs?: number;
}

/** What a worker sends back: results as they come, `done` with the last of them; or why it could not go on. */
export type WorkerReply =
  | { kind: "results"; job: number; indices: number[]; results: FileResult[]; done: boolean }
  | { kind: "failed"; job: number; message: string };

/** Scan one file; shared by the workers and the calling thread so both produce the same per-file results. */
export function scanOne(file: SourceFile, options: ScanOptions): FileResult {
  const r = scanFiles([file], options);
  if (r.findings.length === 0 && r.skipped.length === 0 && r.parseErrors.length === 0 && r.ruleErrors.length === 0) {
    return r.filesScanned;
  }
  return { findings: r.findings, skipped: r.skipped, parseErrors: r.parseErrors, ruleErrors: r.ruleErrors, filesScanned: r.filesScanned };
}

/**
 * Claim files from `counter` and scan them until none are left. `pause` lets the caller yield between slices
 * (the calling thread must let messages through); it returns false to stop early.
 */
export async function claimAndScan(
  job: Pick<ScanJob, "files" | "order">,
  counter: Int32Array,
  options: ScanOptions,
  take: (index: number, result: FileResult) => void,
  pause?: { everyMs: number; run: () => Promise<boolean> | boolean },
): Promise<void> {
  const n = job.order.length;
  let sliceEnd = pause ? performance.now() + pause.everyMs : Infinity;
  for (;;) {
    const k = Atomics.add(counter, 0, 1);
    if (k >= n) return;
    const index = job.order[k]!;
    take(index, scanOne(job.files[index]!, options));
    if (pause && performance.now() >= sliceEnd) {
      if (!(await pause.run())) return;
      sliceEnd = performance.now() + pause.everyMs;
    }
  }
}

/**
 * scanFiles on this thread, yielding to the event loop every MAIN_SLICE_MS: tree-sitter's native trees are freed
 * by finalizers that run on a later tick, so one long synchronous loop keeps every tree of the scan alive (peak RSS
 * grew with the repository, 370 MB at 150k lines; 180 MB when yielding).
 */
export async function scanYielding(files: SourceFile[], options: Pick<ParallelOptions, "rules" | "project" | "fileBudgetMs" | "onProgress">): Promise<ScanResult> {
  const results: FileResult[] = new Array(files.length);
  let done = 0;
  const scanOptions: ScanOptions = { rules: options.rules, project: options.project, fileBudgetMs: options.fileBudgetMs };
  const pause = async () => {
    options.onProgress?.(done, files.length);
    await new Promise((resolve) => setImmediate(resolve));
    return true;
  };
  const order = Int32Array.from(files.keys());
  await claimAndScan({ files, order }, new Int32Array(1), scanOptions, (index, result) => ((results[index] = result), done++), { everyMs: MAIN_SLICE_MS, run: pause });
  return merge(results, options);
}

/** File indexes, largest first (ties in input order). */
function largestFirst(files: SourceFile[]): Int32Array {
  const order = Array.from(files.keys()).sort((a, b) => files[b]!.content.length - files[a]!.content.length || a - b);
  return Int32Array.from(order);
}

/** Per-file results, in the input's order, folded into one ScanResult exactly as scanFiles folds its files. */
function merge(results: FileResult[], options: ParallelOptions): ScanResult {
  const merged: ScanResult = { findings: [], skipped: [], parseErrors: [], ruleErrors: [], filesScanned: 0 };
  for (const r of results) {
    if (typeof r === "number") {
      merged.filesScanned += r;
      continue;
    }
    // loops, not push(...): a spread of a very long array overflows the stack
    for (const x of r.findings) merged.findings.push(x);
    for (const x of r.skipped) merged.skipped.push(x);
    for (const x of r.parseErrors) merged.parseErrors.push(x);
    for (const x of r.ruleErrors) merged.ruleErrors.push(x);
    merged.filesScanned += r.filesScanned;
  }
  merged.advisories = projectAdvisories({ rules: options.rules, project: options.project });
  return merged;
}

export async function scanParallel(files: SourceFile[], options: ParallelOptions): Promise<ScanResult> {
  const requested = options.threads ?? availableParallelism();
  const threads = Number.isFinite(requested) ? Math.max(1, Math.floor(requested)) : 1;
  const chars = files.reduce((n, f) => n + f.content.length, 0);
  // workers load the rule set themselves: rules that are not part of it (tests' stand-ins) run on this thread
  const workersKnowRules = options.rules.every((r) => KNOWN_RULES.has(r.id));
  // run from TypeScript sources (vitest, tsx), there is no compiled worker to start
  const compiled = !import.meta.url.endsWith(".ts");
  const workers = Math.min(threads, files.length) - 1;
  if (workers < 1 || chars < (options.minChars ?? PARALLEL_MIN_CHARS) || !workersKnowRules || !compiled) {
    const result = await scanYielding(files, options);
    options.onProgress?.(files.length, files.length);
    return result;
  }
  const pool = options.pool ?? scanPool(workers);
  const results = await pool.run(files, options, workers);
  return merge(results, options);
}

// ---------------------------------------------------------------------------------------------------------------
// the pool

export interface ScanPoolOptions {
  /** The worker script (default: the compiled scan-worker.js beside this module). Tests pass their own. */
  workerUrl?: URL;
}

interface ActiveJob {
  id: number;
  /** Workers that have not sent their last results yet. */
  pending: Set<Worker>;
  onMessage(worker: Worker, reply: WorkerReply): void;
  /** A worker crashed, exited or threw: the scan fails unless that worker had already finished its part. */
  fail(worker: Worker | undefined, error: Error): void;
}

let nextJobId = 1;

/** Worker threads kept warm across scans; one scan at a time (later ones wait their turn). */
export class ScanPool {
  private readonly workers: Worker[] = [];
  private readonly workerUrl: URL;
  private active: ActiveJob | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** Workers started so far, replacements included (tests check that scans reuse them). */
  started = 0;

  constructor(options: ScanPoolOptions = {}) {
    this.workerUrl = options.workerUrl ?? new URL("./scan-worker.js", import.meta.url);
  }

  /** Live workers. */
  get size(): number {
    return this.workers.length;
  }

  /** Start workers up to `count` now, so they load the parser and rules while the caller does something else. */
  warm(count: number): void {
    while (this.workers.length < count) this.spawn();
  }

  /** Scan `files` on `count` workers and this thread; per-file results in input order. */
  run(files: SourceFile[], options: ParallelOptions, count: number): Promise<FileResult[]> {
    const turn = this.queue.then(() => this.runNow(files, options, count));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** Stop every worker. The pool can still be used: the next scan starts new ones. */
  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    this.active?.fail(undefined, new Error("the scan pool was closed during a scan"));
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private spawn(): Worker {
    const worker = new Worker(this.workerUrl);
    this.started++;
    worker.unref();
    const label = `scan worker ${worker.threadId}`;
    let crash: Error | undefined;
    worker.on("message", (reply: WorkerReply) => this.active?.onMessage(worker, reply));
    worker.on("error", (error) => {
      crash = error;
      this.drop(worker);
      this.active?.fail(worker, new Error(`${label} crashed: ${error.message}`, { cause: error }));
    });
    worker.on("exit", (code) => {
      this.drop(worker);
      if (!crash) this.active?.fail(worker, new Error(`${label} exited with code ${code} during a scan`));
    });
    this.workers.push(worker);
    return worker;
  }

  private drop(worker: Worker): void {
    const i = this.workers.indexOf(worker);
    if (i >= 0) this.workers.splice(i, 1);
  }

  private async runNow(files: SourceFile[], options: ParallelOptions, count: number): Promise<FileResult[]> {
    this.warm(count);
    const workers = this.workers.slice(0, count);
    const order = largestFirst(files);
    const counter = new SharedArrayBuffer(4);
    const results: FileResult[] = new Array(files.length);
    let done = 0;
    let failure: Error | undefined;
    let finish: (() => void) | undefined;
    const job: ActiveJob = {
      id: nextJobId++,
      pending: new Set(workers),
      onMessage: (worker, reply) => {
        if (reply.job !== job.id || failure) return;
        if (reply.kind === "failed") return job.fail(worker, new Error(`scan worker ${worker.threadId} failed: ${reply.message}`));
        for (let i = 0; i < reply.indices.length; i++) results[reply.indices[i]!] = reply.results[i]!;
        done += reply.indices.length;
        options.onProgress?.(done, files.length);
        if (reply.done) job.pending.delete(worker);
        if (job.pending.size === 0) finish?.();
      },
      fail: (worker, error) => {
        if (failure || (worker ? !job.pending.has(worker) : job.pending.size === 0)) return;
        failure = error;
        finish?.();
      },
    };
    this.active = job;
    for (const w of workers) w.ref(); // a scan in flight keeps the process alive
    try {
      const request: ScanJob = {
        kind: "scan",
        job: job.id,
        files,
        order,
        counter,
        ruleIds: options.rules.map((r) => r.id),
        project: options.project,
        fileBudgetMs: options.fileBudgetMs,
      };
      for (const w of workers) w.postMessage(request);
      // this thread claims files too, and every MAIN_SLICE_MS lets progress and a worker's failure through
      const scanOptions: ScanOptions = { rules: options.rules, project: options.project, fileBudgetMs: options.fileBudgetMs };
      const take = (index: number, result: FileResult) => {
        results[index] = result;
        done++;
      };
      const pause = async () => {
        options.onProgress?.(done, files.length);
        await new Promise((resolve) => setImmediate(resolve));
        return failure === undefined;
      };
      await claimAndScan({ files, order }, new Int32Array(counter), scanOptions, take, { everyMs: MAIN_SLICE_MS, run: pause });
      if (job.pending.size > 0 && !failure) await new Promise<void>((resolve) => (finish = resolve));
      if (failure) throw failure;
      options.onProgress?.(done, files.length);
      return results;
    } catch (error) {
      // the other workers are mid-scan (or stuck): the next scan starts from fresh ones
      await this.close();
      throw error;
    } finally {
      this.active = undefined;
      for (const w of workers) w.unref();
    }
  }
}

let shared: ScanPool | undefined;

/** This process's pool, started with at least `workers` workers. */
export function scanPool(workers = availableParallelism() - 1): ScanPool {
  shared ??= new ScanPool();
  shared.warm(workers);
  return shared;
}

/** Stop the shared pool's workers (idle ones do not keep the process alive anyway). */
export async function closeScanPool(): Promise<void> {
  const pool = shared;
  shared = undefined;
  await pool?.close();
}
