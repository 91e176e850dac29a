// Per-file scan results reused across scans (issue 6): what goes into the key, what is never kept, a rescan of the
// same head that scans nothing, the changes that make files scan again, and files scanned while the blobs arrive
// with a guess of the facts that is checked, never trusted.
import { describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";
import type { Rule } from "../../src/core/define-rule.js";
import type { FileScan, ScanOptions } from "../../src/core/engine.js";
import { collectProjectFacts, emptyProjectFacts, type ProjectFacts } from "../../src/core/project.js";
import type { SourceFile } from "../../src/core/types.js";
import { buildPullModel, type Snapshot } from "../../src/github/fake/pull-model.js";
import { isReproducible, ScanResultCache, scanOptionsKey, scanResultKey } from "../../src/github/scan-cache.js";
import { InlineScanner, type FileScanner } from "../../src/github/scan-pool.js";
import { scanPullRequest, type ScanDeps } from "../../src/github/scan.js";
import { FakeGateway } from "./fake-gateway.js";
import { APP_PY, BASE, SAMPLE_JOB as job, VIEWS_AFTER } from "./sample.js";

const log = { info() {}, warn() {}, error() {} };

/** The main thread's scanner, recording which files it was asked to scan, and with which facts. */
class RecordingScanner implements FileScanner {
  readonly calls: { paths: string[]; project: ProjectFacts }[] = [];
  readonly #inline = new InlineScanner();
  /** Pretends to be threads when > 0: files are then scanned as they arrive (when the facts can be guessed). */
  constructor(readonly threads = 0) {}

  get scanned(): string[] {
    return this.calls.flatMap((c) => c.paths);
  }

  async scan(files: readonly SourceFile[], options: ScanOptions, signal?: AbortSignal): Promise<(FileScan | null)[]> {
    this.calls.push({ paths: files.map((f) => f.path), project: options.project });
    return this.#inline.scan(files, options, signal);
  }

  async close(): Promise<void> {}
}

const ADMIN_PY = `from flask import Blueprint, request, redirect

admin = Blueprint("admin", __name__)


@admin.route("/go")
def go():
    return redirect(request.args["next"])
`;

const API_PY = `import pickle

from flask import Blueprint, request

api = Blueprint("api", __name__)


@api.route("/load", methods=["POST"])
def load():
    return {"data": pickle.loads(request.get_data())}
`;

/** A pull request that changes three Python files, each with findings. */
const HEAD3: Snapshot = { ...BASE, "shop/views.py": VIEWS_AFTER, "shop/admin.py": ADMIN_PY, "shop/api.py": API_PY };
const CHANGED = ["shop/admin.py", "shop/api.py", "shop/views.py"];

async function scan(head: Snapshot, deps: Omit<ScanDeps, "rules" | "log">, config: unknown = null) {
  const gh = new FakeGateway(buildPullModel(BASE, head));
  gh.config = { ok: true, raw: config };
  const outcome = await scanPullRequest(gh, job, { rules: allRules, log, ...deps });
  return { gh, outcome, checkRun: gh.completed.at(-1)!, review: gh.reviews.at(-1) };
}

describe("the key of a cached result", () => {
  const project = collectProjectFacts([{ path: "shop/app.py", content: APP_PY }]);
  const key = (options: ScanOptions) => scanOptionsKey(options);

  it("is the same for the same options, whatever order the facts' sets were filled in", () => {
    const a = emptyProjectFacts();
    const b = emptyProjectFacts();
    a.productionModules.add("wsgi.py").add("app/main.py");
    b.productionModules.add("app/main.py").add("wsgi.py");
    expect(key({ rules: allRules, project: a })).toBe(key({ rules: allRules, project: b }));
    expect(key({ rules: [...allRules], project })).toBe(key({ rules: allRules, project: structuredClone(project) }));
  });

  it("changes with the rule set, its order, a stand-in rule under a real id, the facts, and any other option", () => {
    const base = key({ rules: allRules, project });
    const standIn: Rule = { ...allRules[0]! };
    const variants = [
      key({ rules: allRules.slice(1), project }), // a rule turned off by the config
      key({ rules: [...allRules].reverse(), project }),
      key({ rules: [standIn, ...allRules.slice(1)], project }),
      key({ rules: allRules, project: { ...project, proxyFix: !project.proxyFix } }),
      key({ rules: allRules, project: { ...project, productionModules: new Set([...project.productionModules, "run.py"]) } }),
      key({ rules: allRules, project, fileBudgetMs: 500 }),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });

  it("names the file's path and blob: the same bytes under another path are another result (fingerprints hold the path)", () => {
    const options = key({ rules: allRules, project });
    const keys = [
      scanResultKey(options, "shop/views.py", "a".repeat(40)),
      scanResultKey(options, "shop/other.py", "a".repeat(40)),
      scanResultKey(options, "shop/views.py", "b".repeat(40)),
    ];
    expect(new Set(keys).size).toBe(3);
    expect(scanResultKey(options, "x.py", "ABC")).toBe(scanResultKey(options, "x.py", "abc"));
  });
});

describe("ScanResultCache", () => {
  const clean: FileScan = { findings: [], ruleErrors: [], parseErrorLine: 0 };

  it("keeps only results the same inputs give again: none cut short by the time budget, none with a rule error", () => {
    const overBudget: FileScan = { ...clean, skipped: { file: "a.py", reason: "scan exceeded the 2 s per-file budget while parsing" } };
    const ruleError: FileScan = { ...clean, ruleErrors: [{ ruleId: "FLASK-X-001", file: "a.py", line: 1, message: "boom" }] };
    expect([clean, null, overBudget, ruleError].map(isReproducible)).toEqual([true, true, false, false]);
    const cache = new ScanResultCache();
    cache.set("over", overBudget);
    cache.set("error", ruleError);
    cache.set("none", null); // no rule reads the file's kind: a result too
    expect(cache.get("over")).toBeUndefined();
    expect(cache.get("error")).toBeUndefined();
    expect(cache.get("none")).toBeNull();
    expect(cache.stats()).toMatchObject({ entries: 1, hits: 1, misses: 2 });
  });

  it("hands out copies: changing a result taken from the cache, or the one put in, changes nothing kept", () => {
    const cache = new ScanResultCache();
    const result: FileScan = { ...clean, parseErrorLine: 3 };
    cache.set("k", result);
    result.parseErrorLine = 9;
    const taken = cache.get("k")!;
    taken.findings.push({} as never);
    expect(cache.get("k")).toEqual({ ...clean, parseErrorLine: 3 });
  });

  it("is bounded by entries and bytes", () => {
    const cache = new ScanResultCache({ maxEntries: 2, maxBytes: 1 << 20 });
    for (const k of ["a", "b", "c"]) cache.set(k, clean);
    expect(cache.stats()).toMatchObject({ entries: 2, evictions: 1 });
    const small = new ScanResultCache({ maxEntries: 100, maxBytes: 2_000 });
    for (let i = 0; i < 10; i++) small.set(`k${i}`, clean);
    expect(small.stats().bytes).toBeLessThanOrEqual(2_000);
    expect(small.stats().entries).toBeLessThan(10);
  });
});

describe("scanPullRequest with a result cache", () => {
  it("a rescan of the same head scans no file, and posts what the first scan would have", async () => {
    const cache = new ScanResultCache();
    const scanner = new RecordingScanner();
    const first = await scan(HEAD3, { resultCache: cache, scanner });
    expect(first.outcome).toMatchObject({ status: "reviewed", conclusion: "failure" });
    expect(scanner.scanned.sort()).toEqual(CHANGED);

    const again = await scan(HEAD3, { resultCache: cache, scanner });
    expect(scanner.scanned).toHaveLength(CHANGED.length); // nothing more
    expect(cache.stats()).toMatchObject({ hits: CHANGED.length, misses: CHANGED.length });
    const uncached = await scan(HEAD3, {});
    for (const run of [again, uncached]) {
      expect(run.checkRun).toEqual(first.checkRun);
      expect(run.review).toEqual(first.review);
    }
  });

  it("after a push, scans only the file that changed", async () => {
    const cache = new ScanResultCache();
    const scanner = new RecordingScanner();
    await scan(HEAD3, { resultCache: cache, scanner });
    const pushed = { ...HEAD3, "shop/api.py": `${API_PY}\n# reviewed\n` };
    const second = await scan(pushed, { resultCache: cache, scanner });
    expect(scanner.scanned.slice(CHANGED.length)).toEqual(["shop/api.py"]);
    expect(second.checkRun).toEqual((await scan(pushed, {})).checkRun);
  });

  it("a config that turns a rule off scans again, without the rule", async () => {
    const cache = new ScanResultCache();
    const scanner = new RecordingScanner();
    const first = await scan(HEAD3, { resultCache: cache, scanner });
    expect(first.checkRun.summary).toContain("FLASK-SSTI-001");
    const off = { rules: { "FLASK-SSTI-001": "off" } };
    const second = await scan(HEAD3, { resultCache: cache, scanner }, off);
    expect(scanner.scanned.slice(CHANGED.length).sort()).toEqual(CHANGED);
    expect(second.checkRun.summary).not.toContain("FLASK-SSTI-001");
    expect(second.checkRun).toEqual((await scan(HEAD3, {}, off)).checkRun);
    // and back: the first results are still there
    await scan(HEAD3, { resultCache: cache, scanner });
    expect(scanner.scanned).toHaveLength(2 * CHANGED.length);
  });

  it("a config that only re-grades rules or moves the gate reuses the results, and the plan follows the new config", async () => {
    const cache = new ScanResultCache();
    const scanner = new RecordingScanner();
    await scan(HEAD3, { resultCache: cache, scanner });
    const regraded = { fail_on: "critical", rules: { "FLASK-INJECT-002": "low", "FLASK-SSTI-001": "low" } };
    const second = await scan(HEAD3, { resultCache: cache, scanner }, regraded);
    expect(scanner.scanned).toHaveLength(CHANGED.length); // the engine's inputs are the same: nothing scanned
    const uncached = await scan(HEAD3, {}, regraded);
    expect(second.checkRun).toEqual(uncached.checkRun);
    expect(second.review).toEqual(uncached.review);
  });

  it("facts that change (another file turns ProxyFix on) scan every file again", async () => {
    const cache = new ScanResultCache();
    const scanner = new RecordingScanner();
    await scan(HEAD3, { resultCache: cache, scanner });
    const withProxy = { ...HEAD3, "shop/proxy.py": "from werkzeug.middleware.proxy_fix import ProxyFix\n\n\ndef wrap(app):\n    app.wsgi_app = ProxyFix(app.wsgi_app)\n" };
    await scan(withProxy, { resultCache: cache, scanner });
    expect(scanner.scanned.slice(CHANGED.length).sort()).toEqual([...CHANGED, "shop/proxy.py"].sort());
  });
});

describe("scanning while the blobs arrive", () => {
  it("the first scan of a repository has nothing to guess from: files are scanned once all are in", async () => {
    const scanner = new RecordingScanner(2);
    await scan(HEAD3, { resultCache: new ScanResultCache(), scanner });
    expect(scanner.calls).toHaveLength(1);
    expect(scanner.scanned.sort()).toEqual(CHANGED);
  });

  it("with the facts of the repository's last scan, each file is scanned as it arrives, and those results are used", async () => {
    const cache = new ScanResultCache();
    const scanner = new RecordingScanner(2);
    await scan({ ...BASE, "shop/views.py": VIEWS_AFTER }, { resultCache: cache, scanner }); // another pull request
    scanner.calls.length = 0;
    const { checkRun, review } = await scan(HEAD3, { resultCache: cache, scanner });
    // one file at a time, as they arrive; views.py is the other pull request's, unchanged: from the cache
    expect(scanner.calls.map((c) => c.paths).sort()).toEqual([["shop/admin.py"], ["shop/api.py"]]);
    const uncached = await scan(HEAD3, {});
    expect(checkRun).toEqual(uncached.checkRun);
    expect(review).toEqual(uncached.review);
  });

  it("when the facts turn out different, the early results are dropped and every file is scanned with the real facts", async () => {
    const cache = new ScanResultCache();
    const scanner = new RecordingScanner(2);
    await scan(HEAD3, { resultCache: cache, scanner });
    scanner.calls.length = 0;
    // The app factory no longer enables CSRF protection: the facts differ from the guess.
    const noCsrf = APP_PY.replace("from flask_wtf.csrf import CSRFProtect\n", "").replace("csrf = CSRFProtect()\n", "").replace("    csrf.init_app(app)\n", "");
    const head = { ...HEAD3, "shop/views.py": `${VIEWS_AFTER}\n# again\n`, "shop/app.py": noCsrf };
    const { checkRun } = await scan(head, { resultCache: cache, scanner });
    const guessed = scanner.calls.filter((c) => c.project.csrfProtection);
    const real = scanner.calls.filter((c) => !c.project.csrfProtection);
    expect(guessed.flatMap((c) => c.paths).sort()).toEqual(["shop/app.py", "shop/views.py"]);
    expect(real.flatMap((c) => c.paths).sort()).toEqual([...CHANGED, "shop/app.py"].sort());
    expect(checkRun).toEqual((await scan(head, {})).checkRun);
  });

  it("a scan that fails while gathering stops its early scans", async () => {
    const cache = new ScanResultCache();
    await scan(HEAD3, { resultCache: cache, scanner: new RecordingScanner(2) });
    const signals: AbortSignal[] = [];
    const recording = new RecordingScanner(2);
    const watching: FileScanner = {
      threads: 2,
      scan: (files, options, signal) => {
        if (signal) signals.push(signal);
        return recording.scan(files, options, signal);
      },
      close: async () => {},
    };
    const gh = new FakeGateway(buildPullModel(BASE, { ...HEAD3, "shop/api.py": `${API_PY}\n# 2\n`, "shop/admin.py": `${ADMIN_PY}\n# 2\n` }));
    // admin.py arrives (and is scanned at once), then api.py's blob fails
    const apiSha = gh.model.files.find((f) => f.filename === "shop/api.py")!.sha;
    gh.failures.set(`getBlob ${apiSha}`, Object.assign(new Error("Server Error"), { status: 500 }));
    const outcome = await scanPullRequest(gh, job, { rules: allRules, log, resultCache: cache, scanner: watching });
    expect(outcome.status).toBe("failed");
    expect(signals.length).toBeGreaterThan(0);
    expect(signals.every((s) => s.aborted)).toBe(true);
  });
});
