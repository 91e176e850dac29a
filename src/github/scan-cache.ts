// A small LRU of blob contents keyed by git blob SHA, so that a rescan of the same head (a `/flask-audit rescan`, a
// re-run check suite, a retry after a transient failure, a synchronize that touches few files) does not fetch the
// unchanged files again. A blob SHA names its bytes (git's content hash), so an entry is valid forever, for every
// repository and installation that lists that SHA: nothing to invalidate, and nothing crosses installations that the
// asking installation's own file list or tree did not already name.
//
// Why contents and not scan results: results depend on the rules and on the repository's application facts, and the
// scan loop lives in the planner (src/core/plan.ts), which has no hook to take a result from outside. `LruCache` is
// generic so that results (keyed by blob SHA + rule set + facts identity) can use it once the planner has that hook.

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
