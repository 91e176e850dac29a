// A worker thread of the scan pool (see parallel.ts): its own tree-sitter parser and the rules, loaded once and kept
// warm across scans. For each scan it claims files from the shared counter until none are left, and sends their
// results back every WORKER_FLUSH_MS and with its last claim.
import { parentPort } from "node:worker_threads";
import { allRules } from "../../rules/index.js";
import type { Rule } from "../core/define-rule.js";
import { claimAndScan, WORKER_FLUSH_MS, type FileResult, type ScanJob, type WorkerReply } from "./parallel.js";

const rulesById = new Map(allRules.map((r) => [r.id, r]));
let cachedKey = "";
let cachedRules: Rule[] = allRules;

/** The same rule array for the same ids, so the engine's per-rule-list tables are built once per worker. */
function rulesFor(ids: string[]): Rule[] {
  const key = ids.join(",");
  if (key !== cachedKey) {
    cachedRules = ids.map((id) => rulesById.get(id)).filter((r) => r !== undefined);
    cachedKey = key;
  }
  return cachedRules;
}

async function run(request: ScanJob): Promise<void> {
  let indices: number[] = [];
  let results: FileResult[] = [];
  const send = (done: boolean) => {
    const reply: WorkerReply = { kind: "results", job: request.job, indices, results, done };
    parentPort!.postMessage(reply);
    indices = [];
    results = [];
  };
  const options = { rules: rulesFor(request.ruleIds), project: request.project, fileBudgetMs: request.fileBudgetMs };
  await claimAndScan(
    request,
    new Int32Array(request.counter),
    options,
    (index, result) => {
      indices.push(index);
      results.push(result);
    },
    {
      everyMs: WORKER_FLUSH_MS,
      // Yield too: tree-sitter's native trees are freed by finalizers that run on a later tick, so a thread that
      // never yields keeps every tree of the scan (RSS grew with the repository: 370 MB at 150k lines).
      run: async () => {
        send(false);
        await new Promise((resolve) => setImmediate(resolve));
        return true;
      },
    },
  );
  send(true);
}

parentPort?.on("message", (request: ScanJob) => {
  if (request.kind !== "scan") return;
  run(request).catch((error: unknown) => {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    const reply: WorkerReply = { kind: "failed", job: request.job, message };
    parentPort!.postMessage(reply);
  });
});
