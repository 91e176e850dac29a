// npm run docs: regenerate docs/rules.md and the README's rule table from the rules' metadata.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { allRules } from "../../rules/index.js";
import { renderRuleDocs, withRuleTable } from "../core/rule-docs.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
writeFileSync(`${root}docs/rules.md`, renderRuleDocs(allRules));
const readme = `${root}README.md`;
writeFileSync(readme, withRuleTable(readFileSync(readme, "utf8"), allRules));
console.log(`wrote docs/rules.md and the README rule table (${allRules.length} rules)`);
