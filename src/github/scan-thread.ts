// One scan thread of the app's pool (src/github/scan-pool.ts): scanAnyFile over batches of files, with its own
// tree-sitter parser. Rule objects (functions) do not cross threads: the main thread names them by id, and every id
// is one of rules/index.ts's. The other scan options (the application facts) arrive as data.
import { parentPort } from "node:worker_threads";
import { allRules } from "../../rules/index.js";
import type { Rule } from "../core/define-rule.js";
import { scanAnyFile, type FileScan, type ScanOptions } from "../core/engine.js";
import type { SourceFile } from "../core/types.js";

export interface ThreadRequest {
  id: number;
  files: SourceFile[];
  ruleIds: string[];
  /** ScanOptions without the rules. */
  options: Omit<ScanOptions, "rules">;
}

export type ThreadReply = { id: number; results: (FileScan | null)[] } | { id: number; error: string };

const rulesById = new Map(allRules.map((rule) => [rule.id, rule]));
let cachedKey = "";
let cachedRules: Rule[] = [];

function rulesFor(ids: string[]): Rule[] {
  const key = ids.join(",");
  if (key !== cachedKey) {
    cachedRules = ids.map((id) => {
      const rule = rulesById.get(id);
      if (!rule) throw new Error(`scan thread: unknown rule ${id}`);
      return rule;
    });
    cachedKey = key;
  }
  return cachedRules;
}

parentPort?.on("message", (request: ThreadRequest) => {
  let reply: ThreadReply;
  try {
    const options: ScanOptions = { ...request.options, rules: rulesFor(request.ruleIds) };
    reply = { id: request.id, results: request.files.map((file) => scanAnyFile(file, options)) };
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  parentPort!.postMessage(reply);
});
parentPort?.postMessage({ ready: true });
