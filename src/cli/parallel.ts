// Whole-repository scans on every core: worker threads, one parser each, files handed out in batches so a worker
// that gets large files does not hold the others up. Results are merged in the input's file order.
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { Rule } from "../core/define-rule.js";
import { projectAdvisories, scanFiles } from "../core/engine.js";
import type { ProjectFacts } from "../core/project.js";
import type { ScanResult, SourceFile } from "../core/types.js";
import type { WorkerRequest } from "./scan-worker.js";
import { allRules } from "../../rules/index.js";

const KNOWN_RULES = new Set(allRules.map((r) => r.id));

/** Below this many lines a single thread is faster than starting workers. */
const PARALLEL_MIN_LINES = 20_000;
const BATCH_LINES = 4_000;

export interface ParallelOptions {
  rules: Rule[];
  project: ProjectFacts;
  threads?: number;
  onProgress?: (done: number, total: number) => void;
}

function lineCount(file: SourceFile): number {
  let n = 1;
  for (let i = file.content.indexOf("\n"); i >= 0; i = file.content.indexOf("\n", i + 1)) n++;
  return n;
}

/** Batches of roughly BATCH_LINES lines, keeping file order. */
function batches(files: SourceFile[]): SourceFile[][] {
  const out: SourceFile[][] = [];
  let current: SourceFile[] = [];
  let lines = 0;
  for (const file of files) {
    current.push(file);
    lines += lineCount(file);
    if (lines >= BATCH_LINES) {
      out.push(current);
      current = [];
      lines = 0;
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}

export async function scanParallel(files: SourceFile[], options: ParallelOptions): Promise<ScanResult> {
  const threads = Math.max(1, options.threads ?? availableParallelism());
  const totalLines = files.reduce((n, f) => n + lineCount(f), 0);
  // workers load the rule set themselves: rules that are not part of it (tests' stand-ins) run on this thread
  const workersKnowRules = options.rules.every((r) => KNOWN_RULES.has(r.id));
  if (threads === 1 || totalLines < PARALLEL_MIN_LINES || !workersKnowRules) {
    const result = scanFiles(files, { rules: options.rules, project: options.project });
    options.onProgress?.(files.length, files.length);
    return result;
  }
  const work = batches(files);
  const results: ScanResult[] = new Array(work.length);
  const ruleIds = options.rules.map((r) => r.id);
  let next = 0;
  let done = 0;
  const workerUrl = new URL("./scan-worker.js", import.meta.url);
  const workers = Array.from({ length: Math.min(threads, work.length) }, () => new Worker(workerUrl));
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const give = () => {
              if (next >= work.length) return resolve();
              const index = next++;
              worker.once("message", (result: ScanResult) => {
                results[index] = result;
                done += work[index]!.length;
                options.onProgress?.(done, files.length);
                give();
              });
              const request: WorkerRequest = { files: work[index]!, ruleIds, project: options.project };
              worker.postMessage(request);
            };
            worker.once("error", reject);
            give();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  const merged: ScanResult = {
    findings: results.flatMap((r) => r.findings),
    skipped: results.flatMap((r) => r.skipped),
    parseErrors: results.flatMap((r) => r.parseErrors),
    ruleErrors: results.flatMap((r) => r.ruleErrors),
    filesScanned: results.reduce((n, r) => n + r.filesScanned, 0),
    advisories: projectAdvisories({ rules: options.rules, project: options.project }),
  };
  return merged;
}
