// npm run bench:profile [corpusDir]: where a scan's time goes — parse, tree copy, each rule — to aim optimisation.
import { resolve } from "node:path";
import { allRules } from "../rules/index.js";
import type { Rule } from "../src/core/define-rule.js";
import { scanFiles } from "../src/core/engine.js";
import { collectProjectFacts } from "../src/core/project.js";
import { parsePython } from "../src/core/python.js";
import { mirrorTree } from "../src/core/tree.js";
import { readPythonTree, writeCorpus } from "./corpus.js";

/** CPU time of this thread's process, in ms: steadier than wall time on a busy machine. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

const dir = process.argv[2] ? resolve(process.argv[2]) : resolve("bench/.corpus/seed-20261127");
if (!process.argv[2]) writeCorpus(dir);
const files = readPythonTree(dir);
const project = collectProjectFacts(files);
const ruleMs = new Map<string, number>();
const timedRules: Rule[] = allRules.map((rule) => {
  if (!rule.check) return rule;
  const check = rule.check;
  return {
    ...rule,
    check: (node, ctx) => {
      const start = cpuMs();
      try {
        check(node, ctx);
      } finally {
        ruleMs.set(rule.id, (ruleMs.get(rule.id) ?? 0) + cpuMs() - start);
      }
    },
  };
});

for (let round = 0; round < 3; round++) {
  ruleMs.clear();
  let parse = 0;
  let mirror = 0;
  for (const f of files) {
    const a = cpuMs();
    const tree = parsePython(f.content);
    const b = cpuMs();
    mirrorTree(tree, f.content);
    const c = cpuMs();
    parse += b - a;
    mirror += c - b;
  }
  const s = cpuMs();
  scanFiles(files, { rules: timedRules, project });
  const scan = cpuMs() - s;
  const rules = [...ruleMs.values()].reduce((x, y) => x + y, 0);
  console.log(
    `round ${round}: parse ${parse.toFixed(0)} ms, copy ${mirror.toFixed(0)} ms, scan ${scan.toFixed(0)} ms ` +
      `(rules ${rules.toFixed(0)} ms, engine rest ${(scan - rules - parse - mirror).toFixed(0)} ms)`,
  );
}
console.log([...ruleMs.entries()].sort((a, b) => b[1] - a[1]).map(([id, ms]) => `${id} ${ms.toFixed(0)}`).join("\n"));
