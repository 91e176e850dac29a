// Two small LRUs that make a rescan cheap:
//
// - BlobCache: blob contents keyed by git blob SHA, so that a rescan of the same head (a `/flask-audit rescan`, a
//   re-run check suite, a retry after a transient failure, a synchronize that touches few files) does not fetch the
//   unchanged files again. A blob SHA names its bytes (git's content hash), so an entry is valid forever, for every
//   repository and installation that lists that SHA: nothing to invalidate, and nothing crosses installations that
//   the asking installation's own file list or tree did not already name.
// - ScanResultCache: what the engine made of one file (scanAnyFile's result), so that such a rescan does not parse
//   and check the unchanged files again. A result depends on more than the bytes, and all of it is in the key
//   (scanResultKey): the blob SHA, the path (fingerprints, test-file detection and the file's kind come from it),
//   the rule objects in their order (the config turns rules off), every other scan option, and the application
//   facts (gathered from the whole repository, they change what some rules report). Results that depend on the
//   moment are not kept: a file stopped by the per-file time budget (machine load), or one where a rule threw.
import { createHash } from "node:crypto";
import type { Rule } from "../core/define-rule.js";
import type { FileScan, ScanOptions } from "../core/engine.js";
import type { ProjectFacts } from "../core/project.js";

export interface CacheStats {
  hits: number;
  misses: number;
  evictions: number;
  entries: number;
  bytes: number;
}

export interface LruOptions<V> {
  /** At most this many entries. */
  maxEntries: number;
  /** At most this many bytes by `sizeOf` (an entry larger than this alone is not kept). */
  maxBytes: number;
  sizeOf: (value: V) => number;
}

/** Least recently used first out; `get` refreshes. A Map keeps insertion order, which is the recency order here. */
export class LruCache<V> {
  readonly #entries = new Map<string, { value: V; size: number }>();
  readonly #options: LruOptions<V>;
  #bytes = 0;
  #hits = 0;
  #misses = 0;
  #evictions = 0;

  constructor(options: LruOptions<V>) {
    if (!(options.maxEntries >= 0) || !(options.maxBytes >= 0)) throw new Error("cache bounds must be non-negative");
    this.#options = options;
  }

  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) {
      this.#misses++;
      return undefined;
    }
    this.#hits++;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  set(key: string, value: V): void {
    const size = this.#options.sizeOf(value);
    const old = this.#entries.get(key);
    if (old) {
      this.#entries.delete(key);
      this.#bytes -= old.size;
    }
    if (size > this.#options.maxBytes || this.#options.maxEntries === 0) return;
    this.#entries.set(key, { value, size });
    this.#bytes += size;
    while (this.#entries.size > this.#options.maxEntries || this.#bytes > this.#options.maxBytes) {
      const [oldest, entry] = this.#entries.entries().next().value as [string, { value: V; size: number }];
      this.#entries.delete(oldest);
      this.#bytes -= entry.size;
      this.#evictions++;
    }
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  stats(): CacheStats {
    return { hits: this.#hits, misses: this.#misses, evictions: this.#evictions, entries: this.#entries.size, bytes: this.#bytes };
  }
}

export const DEFAULT_BLOB_CACHE_ENTRIES = 4096;
export const DEFAULT_BLOB_CACHE_BYTES = 32 * 1024 * 1024;

/** Blob bytes by SHA. Only successful fetches are kept (a 404 today may be a 200 after a push). */
export class BlobCache {
  readonly #lru: LruCache<Uint8Array>;

  constructor(options: { maxEntries?: number; maxBytes?: number } = {}) {
    this.#lru = new LruCache<Uint8Array>({
      maxEntries: options.maxEntries ?? DEFAULT_BLOB_CACHE_ENTRIES,
      maxBytes: options.maxBytes ?? DEFAULT_BLOB_CACHE_BYTES,
      // the key and the entry's bookkeeping count too, so that many empty files still use the budget
      sizeOf: (bytes) => bytes.byteLength + 128,
    });
  }

  /** The cached bytes of `sha`, or `load()`'s (then cached). Errors from `load` propagate and cache nothing. */
  async fetch(sha: string, load: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const key = sha.toLowerCase();
    const cached = this.#lru.get(key);
    if (cached) return cached;
    const bytes = await load();
    this.#lru.set(key, bytes);
    return bytes;
  }

  stats(): CacheStats {
    return this.#lru.stats();
  }

  clear(): void {
    this.#lru.clear();
  }
}

export const DEFAULT_SCAN_CACHE_ENTRIES = 4096;
export const DEFAULT_SCAN_CACHE_BYTES = 16 * 1024 * 1024;

/** A number per rule object, for this process: two rule objects with one id (a test's stand-in) never share results. */
const ruleNumbers = new WeakMap<Rule, number>();
let nextRuleNumber = 1;

function ruleNumber(rule: Rule): number {
  let n = ruleNumbers.get(rule);
  if (n === undefined) ruleNumbers.set(rule, (n = nextRuleNumber++));
  return n;
}

/** JSON with object keys sorted and Sets as sorted arrays: equal options, equal text. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Set) return [...v].map((x) => JSON.stringify(x)).sort();
    if (v instanceof Map) return [...v].map(([k, x]) => [JSON.stringify(k), x]).sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
    if (v && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

/**
 * What every result of one scan shares in its key: the rules (which objects, in which order) and every other scan
 * option, the application facts included. Computed once per scan.
 */
export function scanOptionsKey(options: ScanOptions): string {
  const { rules, ...rest } = options;
  return createHash("sha256")
    .update(rules.map(ruleNumber).join(","))
    .update("\0")
    .update(stableJson(rest))
    .digest("base64url");
}

/** The key of one file's result: the scan's options key, the file's path, its blob SHA. */
export function scanResultKey(optionsKey: string, path: string, blobSha: string): string {
  return `${optionsKey}\0${blobSha.toLowerCase()}\0${path}`;
}

/** Only results that the same inputs would give again: none cut short by the time budget, none with a rule error. */
export function isReproducible(result: FileScan | null): boolean {
  return result === null || (result.skipped === undefined && result.ruleErrors.length === 0);
}

/** Repositories whose last application facts are remembered (see ScanResultCache.lastFacts). */
const REMEMBERED_REPOSITORIES = 256;

/**
 * scanAnyFile results by scanResultKey. Values go in and come out as copies: nobody can change a cached result.
 * Also the application facts each repository's last scan found: the guess with which the next scan of that repository
 * scans its files while the others are still being fetched (scan-files.ts; used only if the guess was right).
 */
export class ScanResultCache {
  readonly #lru: LruCache<FileScan | null>;
  readonly #facts = new LruCache<ProjectFacts>({ maxEntries: REMEMBERED_REPOSITORIES, maxBytes: Number.MAX_SAFE_INTEGER, sizeOf: () => 1 });

  constructor(options: { maxEntries?: number; maxBytes?: number } = {}) {
    this.#lru = new LruCache<FileScan | null>({
      maxEntries: options.maxEntries ?? DEFAULT_SCAN_CACHE_ENTRIES,
      maxBytes: options.maxBytes ?? DEFAULT_SCAN_CACHE_BYTES,
      // UTF-16 text, plus the key and the entry's bookkeeping
      sizeOf: (result) => 2 * (result === null ? 4 : JSON.stringify(result).length) + 256,
    });
  }

  /** Is a result kept under `key`? (Counted neither as a hit nor as a miss.) */
  has(key: string): boolean {
    return this.#lru.has(key);
  }

  /** The result kept under `key` (a copy), or undefined. */
  get(key: string): FileScan | null | undefined {
    if (!this.#lru.has(key)) {
      this.#lru.get(key); // counts the miss
      return undefined;
    }
    const result = this.#lru.get(key);
    return result === undefined || result === null ? null : structuredClone(result);
  }

  /** Keeps a copy of `result`, if it is reproducible (isReproducible). */
  set(key: string, result: FileScan | null): void {
    if (!isReproducible(result)) return;
    this.#lru.set(key, result === null ? null : structuredClone(result));
  }

  /** The facts the last scan of `repository` ("owner/name") found (a copy), if remembered. */
  lastFacts(repository: string): ProjectFacts | undefined {
    const facts = this.#facts.get(repository);
    return facts && structuredClone(facts);
  }

  rememberFacts(repository: string, facts: ProjectFacts): void {
    this.#facts.set(repository, structuredClone(facts));
  }

  stats(): CacheStats {
    return this.#lru.stats();
  }

  clear(): void {
    this.#lru.clear();
    this.#facts.clear();
  }
}
