// The engine's part of a scan, done before the planner runs: the files planReview would scan (scanWorkOf), each
// taken from the result cache when an earlier scan made it from the same inputs (scan-cache.ts), the rest scanned
// by the scanner (worker threads, scan-pool.ts). planReview then places findings and scans nothing itself.
//
// Scanning as the blobs arrive (EarlyScan). A file's result depends on the application facts, which come from every
// file of the pull request, so they are known only once the last blob is in; but a repository's facts rarely change
// from one scan to the next. With the facts its last scan found, the threads scan each file as it arrives, while the
// rest is fetched. Those results are used only if the real facts turn out the same (the same options key: the guess
// is checked, never trusted); otherwise they are dropped, with the files not yet started, and every file is scanned
// with the real facts. A wrong guess costs thread time during the fetch, when the threads would mostly be idle.
import type { ReviewConfig } from "../core/config.js";
import type { Rule } from "../core/define-rule.js";
import type { FileScan, ScanOptions } from "../core/engine.js";
import { activeRules, scanWorkOf, type ScannedWork } from "../core/plan.js";
import type { ReviewInput } from "../core/review-types.js";
import type { SourceFile } from "../core/types.js";
import { InlineScanner, type FileScanner } from "./scan-pool.js";
import { scanOptionsKey, scanResultKey, type ScanResultCache } from "./scan-cache.js";

export interface ScanFilesDeps {
  /** Default: the main thread. */
  scanner?: FileScanner;
  /** Results of earlier scans (none: every file is scanned). */
  cache?: ScanResultCache;
  /** The files scanned while the blobs came in. */
  early?: EarlyScan;
}

export interface ScannedFiles {
  scanned: ScannedWork;
  /** Files the scan covers; of them, taken from the cache, and scanned for this scan (while fetching, or after). */
  files: number;
  cached: number;
  fresh: number;
  /** Of the fresh ones, scanned while the blobs came in. */
  early: number;
}

const mainThread = new InlineScanner();

/** Whose facts are remembered: `owner/name`. */
function repositoryOf(target: { owner: string; repo: string }): string {
  return `${target.owner}/${target.repo}`;
}

/** Scans pull-request files as gatherReviewInput hands them over, with the facts of the repository's last scan. */
export class EarlyScan {
  readonly #options: ScanOptions;
  readonly #optionsKey: string;
  readonly #scanner: FileScanner;
  readonly #cache: ScanResultCache;
  readonly #controller = new AbortController();
  /** By result key; undefined inside: the scan failed (the file is scanned again with the others). */
  readonly #results = new Map<string, Promise<FileScan | null | undefined>>();

  private constructor(options: ScanOptions, scanner: FileScanner, cache: ScanResultCache) {
    this.#options = options;
    this.#optionsKey = scanOptionsKey(options);
    this.#scanner = scanner;
    this.#cache = cache;
  }

  /**
   * Undefined when there is nothing to guess from (the repository's first scan here), no cache, or no threads (on
   * the main thread it would only slow the fetch down).
   */
  static start(
    target: { owner: string; repo: string },
    config: ReviewConfig,
    rules: readonly Rule[],
    deps: { scanner?: FileScanner | undefined; cache?: ScanResultCache | undefined },
  ): EarlyScan | undefined {
    const { scanner, cache } = deps;
    if (!scanner || scanner.threads === 0 || !cache) return undefined;
    const project = cache.lastFacts(repositoryOf(target));
    if (!project) return undefined;
    return new EarlyScan({ rules: activeRules(config, rules), project }, scanner, cache);
  }

  /** A file's content arrived: scan it now, unless its result is cached or already coming. */
  add(file: SourceFile, blobSha: string): void {
    if (this.#controller.signal.aborted) return;
    const key = scanResultKey(this.#optionsKey, file.path, blobSha);
    if (this.#results.has(key) || this.#cache.has(key)) return;
    const result = this.#scanner.scan([file], this.#options, this.#controller.signal).then(
      ([scan]) => scan,
      () => undefined,
    );
    this.#results.set(key, result);
  }

  /** Were the guessed options the real ones (`optionsKey`)? If not, the early results are dropped. */
  settle(optionsKey: string): boolean {
    if (optionsKey === this.#optionsKey) return true;
    this.cancel(new Error("the application facts changed: every file is scanned with the new ones"));
    return false;
  }

  /** Stop: the files not started are not scanned (a wrong guess, or the scan failed before it needed them). */
  cancel(reason: Error = new Error("the scan stopped")): void {
    this.#controller.abort(reason);
    this.#results.clear();
  }

  /** The early result for `key`, if the file was scanned early. */
  take(key: string): Promise<FileScan | null | undefined> | undefined {
    return this.#results.get(key);
  }
}

/**
 * `blobShas`: the head blob of each file whose content `input` carries (gatherReviewInput's). A file without one is
 * scanned and not cached.
 */
export async function scanChangedFiles(input: ReviewInput, blobShas: ReadonlyMap<string, string>, deps: ScanFilesDeps = {}): Promise<ScannedFiles> {
  const work = scanWorkOf(input);
  const cache = deps.cache;
  const optionsKey = cache ? scanOptionsKey(work.options) : "";
  const early = deps.early?.settle(optionsKey) ? deps.early : undefined;
  cache?.rememberFacts(repositoryOf(input), work.options.project);

  const results = new Map<string, FileScan | null>();
  const keyOf = new Map<string, string>();
  const toScan: SourceFile[] = [];
  const scannedEarly: { file: SourceFile; result: Promise<FileScan | null | undefined> }[] = [];
  for (const file of work.files) {
    const sha = blobShas.get(file.path);
    const key = cache && sha ? scanResultKey(optionsKey, file.path, sha) : undefined;
    if (!key) {
      toScan.push(file);
      continue;
    }
    keyOf.set(file.path, key);
    const hit = cache!.get(key);
    if (hit !== undefined) {
      results.set(file.path, hit);
      continue;
    }
    const result = early?.take(key);
    if (result) scannedEarly.push({ file, result });
    else toScan.push(file);
  }

  const scanNow = async (files: SourceFile[]): Promise<void> => {
    if (files.length === 0) return;
    const scans = await (deps.scanner ?? mainThread).scan(files, work.options);
    if (scans.length !== files.length) throw new Error(`the scanner returned ${scans.length} results for ${files.length} files`);
    files.forEach((file, i) => results.set(file.path, scans[i]!));
  };
  const [, earlyResults] = await Promise.all([scanNow(toScan), Promise.all(scannedEarly.map((e) => e.result))]);
  const failedEarly = scannedEarly.filter((e, i) => {
    const result = earlyResults[i];
    if (result === undefined) return true;
    results.set(e.file.path, result);
    return false;
  });
  await scanNow(failedEarly.map((e) => e.file));

  const cached = work.files.length - toScan.length - scannedEarly.length;
  for (const file of [...toScan, ...scannedEarly.map((e) => e.file)]) {
    const key = keyOf.get(file.path);
    if (key) cache!.set(key, results.get(file.path)!);
  }
  return {
    scanned: { work, results },
    files: work.files.length,
    cached,
    fresh: work.files.length - cached,
    early: scannedEarly.length - failedEarly.length,
  };
}
