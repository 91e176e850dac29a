// The worker pool of whole-repository scans, run from the BUILT modules (a worker thread runs compiled JavaScript):
// same result as one thread, in the same order; workers reused across scans; a crashed worker fails the scan
// instead of hanging it; an idle pool never keeps a process alive.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type * as Parallel from "../../src/cli/parallel.js";
import type * as Engine from "../../src/core/engine.js";
import type * as Project from "../../src/core/project.js";
import type * as Rules from "../../rules/index.js";
import type { SourceFile } from "../../src/core/types.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const dist = (rel: string) => pathToFileURL(path.join(repoRoot, "dist", rel)).href;
if (!fs.existsSync(new URL(dist("src/cli/scan-worker.js")))) throw new Error("dist/ is missing: run npm run build first");

const { scanParallel, scanYielding, ScanPool }: typeof Parallel = await import(dist("src/cli/parallel.js"));
const { scanFiles }: typeof Engine = await import(dist("src/core/engine.js"));
const { collectProjectFacts }: typeof Project = await import(dist("src/core/project.js"));
const { allRules }: typeof Rules = await import(dist("rules/index.js"));

const TIMEOUT = 60_000;

/** The rules' fixtures and the example app: findings, parse errors, non-Python files, sizes from 1 to 30 KB. */
function corpus(): SourceFile[] {
  const files: SourceFile[] = [];
  const add = (dir: string, prefix: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
      if (!entry.isFile() || entry.name.endsWith(".ts")) continue;
      const abs = path.join(entry.parentPath, entry.name);
      files.push({ path: path.join(prefix, path.relative(dir, abs)), content: fs.readFileSync(abs, "utf8") });
    }
  };
  add(path.join(repoRoot, "rules"), "rules");
  add(path.join(repoRoot, "examples", "vulnerable-app"), "app");
  return files;
}

const files = corpus();
const project = collectProjectFacts(files);
/** No per-file time budget: on a loaded machine a file can stall past it in one run and not the other. */
const fixed = { project, fileBudgetMs: Infinity };
/** A quarter of the corpus, for the tests that scan several times. */
const some = files.filter((_, i) => i % 4 === 0);
const pools: Parallel.ScanPool[] = [];

function pool(options?: Parallel.ScanPoolOptions): Parallel.ScanPool {
  const p = new ScanPool(options);
  pools.push(p);
  return p;
}

afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

describe("scanParallel", { timeout: TIMEOUT }, () => {
  it("returns what scanFiles returns, in the input's order, with every file counted in the progress", async () => {
    const expected = scanFiles(files, { rules: allRules, ...fixed });
    expect(expected.findings.length).toBeGreaterThan(50);
    const progress: number[] = [];
    const actual = await scanParallel(files, {
      rules: allRules, ...fixed, threads: 3, minChars: 0, pool: pool(),
      onProgress: (done, total) => {
        expect(total).toBe(files.length);
        progress.push(done);
      },
    });
    expect(actual).toEqual(expected);
    expect(actual.findings.map((f) => f.fingerprint)).toEqual(expected.findings.map((f) => f.fingerprint));
    expect(progress.at(-1)).toBe(files.length);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it("on one thread, scans in slices that yield to the event loop and returns what scanFiles returns", async () => {
    const expected = scanFiles(files, { rules: allRules, ...fixed });
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 1);
    try {
      // The scan takes seconds and yields every 50 ms, so the interval runs during it.
      const actual = await scanYielding(files, { rules: allRules, ...fixed, onProgress: () => undefined });
      expect(actual).toEqual(expected);
    } finally {
      clearInterval(ticker);
    }
    expect(ticks).toBeGreaterThan(0);
  });

  it("runs only the rules asked for, in the workers too", async () => {
    const rules = allRules.filter((_, i) => i % 3 === 0);
    const expected = scanFiles(some, { rules, ...fixed });
    const actual = await scanParallel(some, { rules, ...fixed, threads: 2, minChars: 0, pool: pool() });
    expect(actual).toEqual(expected);
    expect(new Set(actual.findings.map((f) => f.ruleId))).toEqual(new Set(expected.findings.map((f) => f.ruleId)));
  });

  it("keeps its workers warm across scans", async () => {
    const p = pool();
    const expected = scanFiles(some, { rules: allRules, ...fixed });
    for (let i = 0; i < 3; i++) {
      expect(await scanParallel(some, { rules: allRules, ...fixed, threads: 3, minChars: 0, pool: p })).toEqual(expected);
    }
    expect(p.started).toBe(2);
    expect(p.size).toBe(2);
  });

  it("runs scans asked for at the same time one after the other, each with its own result", async () => {
    const p = pool();
    const half = some.slice(0, some.length >> 1);
    const [whole, part] = await Promise.all([
      scanParallel(some, { rules: allRules, ...fixed, threads: 2, minChars: 0, pool: p }),
      scanParallel(half, { rules: allRules, ...fixed, threads: 2, minChars: 0, pool: p }),
    ]);
    expect(whole).toEqual(scanFiles(some, { rules: allRules, ...fixed }));
    expect(part).toEqual(scanFiles(half, { rules: allRules, ...fixed }));
  });

  it("fails the scan when a worker throws, then starts fresh workers", async () => {
    const p = pool({ workerUrl: new URL("./fixtures/throwing-worker.mjs", import.meta.url) });
    await expect(scanParallel(files, { rules: allRules, ...fixed, threads: 2, minChars: 0, pool: p })).rejects.toThrow(
      /scan worker \d+ crashed: worker fixture: boom/,
    );
    expect(p.size).toBe(0);
    await expect(scanParallel(files, { rules: allRules, ...fixed, threads: 2, minChars: 0, pool: p })).rejects.toThrow(/crashed/);
    expect(p.started).toBe(2);
  });

  it("fails the scan when a worker exits mid-scan", async () => {
    const p = pool({ workerUrl: new URL("./fixtures/exiting-worker.mjs", import.meta.url) });
    await expect(scanParallel(files, { rules: allRules, ...fixed, threads: 3, minChars: 0, pool: p })).rejects.toThrow(
      /scan worker \d+ exited with code 3 during a scan/,
    );
  });

  it("fails the scan when the worker script cannot be loaded", async () => {
    const p = pool({ workerUrl: new URL("./fixtures/no-such-worker.mjs", import.meta.url) });
    await expect(scanParallel(files, { rules: allRules, ...fixed, threads: 2, minChars: 0, pool: p })).rejects.toThrow(/crashed/);
  });

  it("stays on this thread for one thread, a small scan, or rules the workers do not have", async () => {
    const p = pool();
    const expected = scanFiles(some, { rules: allRules, ...fixed });
    expect(await scanParallel(some, { rules: allRules, ...fixed, threads: 1, minChars: 0, pool: p })).toEqual(expected);
    const few = files.slice(0, 10); // fewer characters than minChars
    expect(await scanParallel(few, { rules: allRules, ...fixed, threads: 2, pool: p })).toEqual(scanFiles(few, { rules: allRules, ...fixed }));
    const standIn = { ...allRules[0]!, id: "TEST-STANDIN-001" };
    expect(await scanParallel(some, { rules: [standIn], ...fixed, threads: 2, minChars: 0, pool: p })).toEqual(
      scanFiles(some, { rules: [standIn], ...fixed }),
    );
    expect(p.started).toBe(0);
  });

  it("does not keep a finished process alive: the shared pool's idle workers are unref'd", () => {
    const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "flask-audit-pool-")), "scan.mjs");
    fs.writeFileSync(script, `
      const { scanParallel, scanPool } = await import(${JSON.stringify(dist("src/cli/parallel.js"))});
      const files = Array.from({ length: 40 }, (_, i) => ({ path: "m" + i + ".py", content: "import os\\nos.system(input())\\n" }));
      const { allRules } = await import(${JSON.stringify(dist("rules/index.js"))});
      const { collectProjectFacts } = await import(${JSON.stringify(dist("src/core/project.js"))});
      const s = await scanParallel(files, { rules: allRules, project: collectProjectFacts(files), threads: 2, minChars: 0 });
      console.log(JSON.stringify({ files: s.filesScanned, workers: scanPool(0).size }));
    `);
    const run = spawnSync(process.execPath, [script], { encoding: "utf8", timeout: 30_000 });
    fs.rmSync(path.dirname(script), { recursive: true, force: true });
    expect(run.error).toBeUndefined();
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ files: 40, workers: 1 });
  });
});
