// The blob cache: a bounded LRU (entries and bytes) with hit/miss counters, and a rescan of the same head that
// fetches no blob again.
import { describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";
import { DEFAULT_CONFIG } from "../../src/core/config.js";
import { buildPullModel, gitBlobSha } from "../../src/github/fake/pull-model.js";
import { gatherReviewInput } from "../../src/github/gather.js";
import { BlobCache, LruCache } from "../../src/github/scan-cache.js";
import { FakeGateway } from "./fake-gateway.js";
import { BASE, HEAD } from "./sample.js";

const target = { owner: "octo-org", repo: "flask-shop", pullNumber: 7, headSha: "6dcb09b5b57875f334f61aebed695e2e4193db5e" };
const fetched = (gh: FakeGateway) => gh.log.filter((l) => l.startsWith("getBlob ")).map((l) => l.slice(8));
const bytes = (n: number) => new Uint8Array(n);

describe("LruCache", () => {
  const lru = (maxEntries: number, maxBytes: number) => new LruCache<string>({ maxEntries, maxBytes, sizeOf: (v) => v.length });

  it("counts hits and misses, and evicts the least recently used past the entry bound", () => {
    const cache = lru(2, 1000);
    cache.set("a", "1");
    cache.set("b", "2");
    expect(cache.get("a")).toBe("1"); // a is now the most recent
    cache.set("c", "3");
    expect(cache.has("b")).toBe(false);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBe("1");
    expect(cache.get("c")).toBe("3");
    expect(cache.stats()).toEqual({ hits: 3, misses: 1, evictions: 1, entries: 2, bytes: 2 });
  });

  it("keeps the total size within the byte bound, and does not keep an entry larger than the bound", () => {
    const cache = lru(100, 10);
    cache.set("a", "xxxx");
    cache.set("b", "yyyy");
    cache.set("c", "zzzz"); // 12 bytes: a goes
    expect(cache.has("a")).toBe(false);
    expect(cache.stats()).toMatchObject({ entries: 2, bytes: 8, evictions: 1 });
    cache.set("huge", "h".repeat(11));
    expect(cache.has("huge")).toBe(false);
    expect(cache.stats()).toMatchObject({ entries: 2, bytes: 8 });
  });

  it("replaces an entry without counting its old size twice", () => {
    const cache = lru(10, 100);
    cache.set("a", "xxxx");
    cache.set("a", "yy");
    expect(cache.get("a")).toBe("yy");
    expect(cache.stats()).toMatchObject({ entries: 1, bytes: 2 });
  });
});

describe("BlobCache", () => {
  it("loads a SHA once; a failed load is not cached", async () => {
    const cache = new BlobCache({ maxEntries: 10, maxBytes: 1 << 20 });
    let loads = 0;
    const load = async () => (loads++, bytes(10));
    await cache.fetch("ABC", load);
    await cache.fetch("abc", load);
    expect(loads).toBe(1);
    await expect(cache.fetch("def", () => Promise.reject(Object.assign(new Error("Not Found"), { status: 404 })))).rejects.toThrow("Not Found");
    await cache.fetch("def", load);
    expect(loads).toBe(2);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 3, entries: 2 });
  });

  it("counts each entry's bookkeeping, so that many empty blobs still meet the byte bound", async () => {
    const cache = new BlobCache({ maxEntries: 1000, maxBytes: 128 * 4 });
    for (let i = 0; i < 10; i++) await cache.fetch(`sha${i}`, async () => bytes(0));
    expect(cache.stats()).toMatchObject({ entries: 4, evictions: 6 });
  });
});

describe("gatherReviewInput with a blob cache", () => {
  it("fetches no blob again when the same head is rescanned, and the same contents come back", async () => {
    const cache = new BlobCache();
    const model = buildPullModel(BASE, HEAD);
    const first = new FakeGateway(model);
    const one = await gatherReviewInput(first, target, DEFAULT_CONFIG, allRules, undefined, cache);
    const fetchedFirst = fetched(first);
    expect(fetchedFirst.length).toBeGreaterThan(0);
    expect(cache.stats()).toMatchObject({ hits: 0, misses: fetchedFirst.length, entries: fetchedFirst.length });

    const again = new FakeGateway(model);
    const two = await gatherReviewInput(again, target, DEFAULT_CONFIG, allRules, undefined, cache);
    expect(fetched(again)).toEqual([]);
    expect(cache.stats()).toMatchObject({ hits: fetchedFirst.length, misses: fetchedFirst.length });
    expect(two.input).toEqual(one.input);
  });

  it("after a push, fetches only the blobs that changed", async () => {
    const cache = new BlobCache();
    await gatherReviewInput(new FakeGateway(buildPullModel(BASE, HEAD)), target, DEFAULT_CONFIG, allRules, undefined, cache);
    const changed = `${HEAD["shop/views.py"] as string}\n# reviewed\n`;
    const pushed = new FakeGateway(buildPullModel(BASE, { ...HEAD, "shop/views.py": changed }));
    const { input } = await gatherReviewInput(pushed, target, DEFAULT_CONFIG, allRules, undefined, cache);
    expect(fetched(pushed)).toEqual([gitBlobSha(changed)]);
    expect(input.files.find((f) => f.path === "shop/views.py")!.content).toBe(changed);
  });
});
