// A worker thread of a whole-repository scan: its own tree-sitter parser, the rules, one batch of files at a time.
import { parentPort } from "node:worker_threads";
import { allRules } from "../../rules/index.js";
import { scanFiles } from "../core/engine.js";
import type { ProjectFacts } from "../core/project.js";
import type { SourceFile } from "../core/types.js";

export interface WorkerRequest {
  files: SourceFile[];
  ruleIds: string[];
  project: ProjectFacts;
}

const rulesById = new Map(allRules.map((r) => [r.id, r]));
let cachedKey = "";
let cachedRules = allRules;

parentPort?.on("message", (request: WorkerRequest) => {
  const key = request.ruleIds.join(",");
  if (key !== cachedKey) {
    cachedRules = request.ruleIds.map((id) => rulesById.get(id)).filter((r) => r !== undefined);
    cachedKey = key;
  }
  // advisories are computed once by the caller, not per batch
  const result = scanFiles(request.files, { rules: cachedRules, project: request.project });
  result.advisories = [];
  parentPort!.postMessage(result);
});
