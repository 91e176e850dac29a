// Where the app scans files: on the main thread (yielding to the event loop), or on worker threads started once
// (the compiled scan-thread.js: `npm test` builds first). Either way, exactly scanAnyFile's results.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";
import { scanAnyFile, type ScanOptions } from "../../src/core/engine.js";
import { collectProjectFacts } from "../../src/core/project.js";
import type { SourceFile } from "../../src/core/types.js";
import { InlineScanner, ThreadScanner } from "../../src/github/scan-pool.js";
import { HEAD } from "./sample.js";

const THREAD_SCRIPT = new URL("../../dist/src/github/scan-thread.js", import.meta.url);
const built = existsSync(fileURLToPath(THREAD_SCRIPT));
if (!built) console.warn("SKIPPED scan thread tests: no dist/src/github/scan-thread.js (run `npm run build`)");

/** The sample's files, each several times under another name: enough for several batches. */
const files: SourceFile[] = Object.entries(HEAD)
  .filter(([path]) => path.endsWith(".py"))
  .flatMap(([path, content]) => Array.from({ length: 20 }, (_, i) => ({ path: path.replace(/\.py$/, `_${i}.py`), content: String(content) })));
files.push({ path: "templates/page.html", content: "<p>{{ name | safe }}</p>\n" }, { path: "notes.txt", content: "hello\n" });
const options: ScanOptions = { rules: allRules, project: collectProjectFacts(files) };
const expected = files.map((file) => scanAnyFile(file, options));

let pool: ThreadScanner | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe("InlineScanner", () => {
  it("gives scanAnyFile's results, in order", async () => {
    expect(await new InlineScanner().scan(files, options)).toEqual(expected);
  });

  it("stops at the next file once aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await expect(new InlineScanner().scan(files, options, controller.signal)).rejects.toThrow("stop");
  });
});

describe.runIf(built)("ThreadScanner", () => {
  it("gives scanAnyFile's results, in order, from two threads", async () => {
    pool = new ThreadScanner(2, THREAD_SCRIPT);
    pool.start();
    expect(await pool.scan(files, options)).toEqual(expected);
    // and again, on the threads now warm, with one file at a time in flight
    expect(await Promise.all(files.map((file) => pool!.scan([file], options).then(([r]) => r)))).toEqual(expected);
  });

  it("rules a thread cannot load by id (a test's stand-ins) are scanned on the main thread", async () => {
    pool = new ThreadScanner(1, THREAD_SCRIPT);
    const standIns = allRules.map((rule) => ({ ...rule }));
    const standInOptions = { ...options, rules: standIns };
    expect(await pool.scan(files.slice(0, 3), standInOptions)).toEqual(files.slice(0, 3).map((f) => scanAnyFile(f, standInOptions)));
  });

  it("drops the batches of an aborted scan that no thread has started", async () => {
    pool = new ThreadScanner(1, THREAD_SCRIPT);
    const controller = new AbortController();
    const scanning = pool.scan(files, options, controller.signal);
    controller.abort(new Error("facts changed"));
    await expect(scanning).rejects.toThrow("facts changed");
    // the pool goes on with the next scan
    expect(await pool.scan(files.slice(0, 2), options)).toEqual(expected.slice(0, 2));
  });

  it("a closed pool takes no more scans", async () => {
    pool = new ThreadScanner(1, THREAD_SCRIPT);
    expect(await pool.scan(files.slice(0, 2), options)).toEqual(expected.slice(0, 2));
    await pool.close();
    await expect(pool.scan(files.slice(0, 2), options)).rejects.toThrow("stopped");
  });

  it("scans on the main thread when threads cannot start, and says so once", async () => {
    const problems: string[] = [];
    pool = new ThreadScanner(2, new URL("file:///nonexistent/scan-thread.js"), (message) => problems.push(message));
    pool.start();
    expect(await pool.scan(files.slice(0, 4), options)).toEqual(expected.slice(0, 4));
    expect(problems).toEqual([expect.stringContaining("files are scanned on the main thread")]);
  });
});
