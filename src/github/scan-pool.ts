// Where the app runs the engine over a pull request's files. Parsing and the rules are CPU work: on the main thread a
// 300-file pull request held the event loop for seconds (webhooks unanswered, other scans' fetches stalled) and used
// one core. So the server scans on a pool of worker threads started once with the process (src/github/scan-thread.ts:
// each its own parser, the rules loaded once), handing out batches of files so that a thread that drew large files
// does not hold the others up. Without threads (FLASK_AUDIT_SCAN_THREADS=0, or running from the TypeScript sources as
// the tests do) files are scanned on the main thread, which yields to the event loop between files.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { allRules } from "../../rules/index.js";
import { scanAnyFile, type FileScan, type ScanOptions } from "../core/engine.js";
import type { SourceFile } from "../core/types.js";
import type { ThreadReply, ThreadRequest } from "./scan-thread.js";

export interface FileScanner {
  /** Worker threads (0: the main thread scans). */
  readonly threads: number;
  /** scanAnyFile(file, options) for each file, in order. Once `signal` aborts, files not started are not scanned (rejects). */
  scan(files: readonly SourceFile[], options: ScanOptions, signal?: AbortSignal): Promise<(FileScan | null)[]>;
  /** Stop the threads (a scan still waiting for one fails). */
  close(): Promise<void>;
}

/** The main thread scans at most this long before letting the event loop run (webhooks, other scans' fetches). */
const YIELD_AFTER_MS = 15;

export class InlineScanner implements FileScanner {
  readonly threads = 0;

  async scan(files: readonly SourceFile[], options: ScanOptions, signal?: AbortSignal): Promise<(FileScan | null)[]> {
    const results: (FileScan | null)[] = [];
    let since = performance.now();
    for (const file of files) {
      signal?.throwIfAborted();
      if (performance.now() - since > YIELD_AFTER_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        since = performance.now();
      }
      results.push(scanAnyFile(file, options));
    }
    return results;
  }

  async close(): Promise<void> {}
}

/** The rules a scan thread can load by id: rule objects do not cross threads (tests' stand-ins scan inline). */
const THREAD_RULES = new Set(allRules);

/** Lines per batch at most: small enough to balance the threads, large enough that messages cost nothing. */
const MAX_BATCH_LINES = 3_000;

interface Batch {
  request: Omit<ThreadRequest, "id">;
  signal: AbortSignal | undefined;
  resolve: (results: (FileScan | null)[]) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  /** The thread loaded the engine and the rules (it posts "ready"). */
  ready: boolean;
  job?: { id: number; batch: Batch };
}

function lineCount(text: string): number {
  let n = 1;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

/** Files in order, cut into batches of about `size` lines (at least one file each). */
function batches(files: readonly SourceFile[], size: number): SourceFile[][] {
  const out: SourceFile[][] = [];
  let current: SourceFile[] = [];
  let lines = 0;
  for (const file of files) {
    current.push(file);
    lines += lineCount(file.content);
    if (lines >= size) {
      out.push(current);
      current = [];
      lines = 0;
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Threads that die before they are ready, in a row, before the pool gives up on threads and scans inline. */
const MAX_START_FAILURES = 3;

/** Told when a thread dies, or when threads cannot start and the main thread scans instead. */
export type ThreadProblem = (message: string, error: Error) => void;

export class ThreadScanner implements FileScanner {
  readonly threads: number;
  readonly #url: URL;
  readonly #onProblem: ThreadProblem;
  readonly #slots: Slot[] = [];
  readonly #queue: Batch[] = [];
  readonly #inline = new InlineScanner();
  #nextId = 1;
  #closed = false;
  #startFailures = 0;
  /** Threads cannot start here: every batch runs inline. */
  #broken: Error | undefined;

  constructor(threads: number, url: URL, onProblem: ThreadProblem = () => {}) {
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
    this.threads = threads;
    this.#url = url;
    this.#onProblem = onProblem;
  }

  /** Start every thread now (loading the engine takes a moment: not during the first scan). */
  start(): void {
    while (!this.#closed && !this.#broken && this.#slots.length < this.threads) this.#spawn();
  }

  async scan(files: readonly SourceFile[], options: ScanOptions, signal?: AbortSignal): Promise<(FileScan | null)[]> {
    if (files.length === 0) return [];
    if (this.#closed) throw new Error("the scan threads are stopped");
    signal?.throwIfAborted();
    if (this.#broken || !options.rules.every((rule) => THREAD_RULES.has(rule))) return this.#inline.scan(files, options, signal);
    const { rules, ...rest } = options;
    const ruleIds = rules.map((rule) => rule.id);
    const totalLines = files.reduce((n, f) => n + lineCount(f.content), 0);
    // Several batches per thread, so that the threads finish together.
    const size = Math.min(MAX_BATCH_LINES, Math.max(200, Math.ceil(totalLines / (this.threads * 4))));
    const parts = await Promise.all(
      batches(files, size).map(
        (chunk) => new Promise<(FileScan | null)[]>((resolve, reject) => this.#enqueue({ request: { files: chunk, ruleIds, options: rest }, signal, resolve, reject })),
      ),
    );
    return parts.flat();
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const batch of this.#queue.splice(0)) batch.reject(new Error("the scan threads are stopping"));
    await Promise.all(this.#slots.map((slot) => slot.worker.terminate()));
  }

  #enqueue(batch: Batch): void {
    this.#queue.push(batch);
    this.#pump();
  }

  #spawn(): Slot {
    const worker = new Worker(this.#url);
    worker.unref(); // an idle pool does not keep the process alive
    const slot: Slot = { worker, ready: false };
    this.#slots.push(slot);
    worker.on("message", (message: ThreadReply | { ready: true }) => {
      if ("ready" in message) {
        slot.ready = true;
        this.#startFailures = 0;
        return;
      }
      const job = slot.job;
      slot.job = undefined;
      worker.unref();
      if (job && job.id === message.id) {
        if ("error" in message) job.batch.reject(new Error(message.error));
        else job.batch.resolve(message.results);
      }
      this.#pump();
    });
    worker.on("error", (error) => this.#lost(slot, error));
    worker.on("exit", (code) => this.#lost(slot, new Error(`a scan thread stopped (exit code ${code})`)));
    return slot;
  }

  /** A thread died (a crash, or close()): its batch fails, and a new thread takes its place for the next ones. */
  #lost(slot: Slot, error: Error): void {
    const index = this.#slots.indexOf(slot);
    if (index < 0) return; // "error" and "exit" both report one death
    this.#slots.splice(index, 1);
    const job = slot.job;
    slot.job = undefined;
    if (job) {
      // A thread that never got ready never started its batch: another one takes it. One that did may have died of
      // it (out of memory on a hostile file): the batch fails, and with it the scan, saying why.
      if (slot.ready || this.#closed) job.batch.reject(new Error(`scan thread failed: ${error.message}`));
      else this.#queue.unshift(job.batch);
    }
    if (this.#closed) return;
    if (slot.ready) this.#onProblem("a scan thread stopped; a new one takes its place", error);
    if (!slot.ready && ++this.#startFailures >= MAX_START_FAILURES) {
      this.#broken = error;
      this.#onProblem(`scan threads cannot start (${MAX_START_FAILURES} attempts): files are scanned on the main thread`, error);
      // Nothing will take the waiting batches: scan them here.
      for (const batch of this.#queue.splice(0)) {
        const { ruleIds, options, files } = batch.request;
        const rules = ruleIds.map((id) => allRules.find((rule) => rule.id === id)!);
        this.#inline.scan(files, { ...options, rules }, batch.signal).then(batch.resolve, batch.reject);
      }
      return;
    }
    this.#pump();
  }

  #pump(): void {
    while (this.#queue.length > 0 && !this.#closed && !this.#broken) {
      let slot = this.#slots.find((s) => !s.job);
      if (!slot && this.#slots.length < this.threads) slot = this.#spawn();
      if (!slot) return;
      const batch = this.#queue.shift()!;
      // Aborted while it waited: dropped here, unstarted (a batch a thread has started finishes).
      if (batch.signal?.aborted) {
        batch.reject(batch.signal.reason instanceof Error ? batch.signal.reason : new Error("scan aborted"));
        continue;
      }
      const id = this.#nextId++;
      slot.job = { id, batch };
      slot.worker.ref(); // a scan in progress keeps the process alive
      slot.worker.postMessage({ id, ...batch.request } satisfies ThreadRequest);
    }
  }
}

/**
 * The scanner for `threads` worker threads (0: the main thread). Threads need the compiled scan-thread.js next to
 * this file: from the TypeScript sources (tests) the main thread scans.
 */
export function createFileScanner(threads: number, onProblem?: ThreadProblem): FileScanner {
  if (threads <= 0) return new InlineScanner();
  const url = new URL("./scan-thread.js", import.meta.url);
  if (url.protocol !== "file:" || !existsSync(fileURLToPath(url))) return new InlineScanner();
  const pool = new ThreadScanner(threads, url, onProblem);
  pool.start();
  return pool;
}
