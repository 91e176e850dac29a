// The generated rule docs must match the rules: run `npm run docs` after changing a rule's metadata.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";
import { README_END, README_START, renderRuleDocs, renderRuleTable } from "../../src/core/rule-docs.js";

const root = new URL("../../", import.meta.url);

describe("generated rule docs", () => {
  it("docs/rules.md is up to date (npm run docs)", () => {
    expect(readFileSync(new URL("docs/rules.md", root), "utf8")).toBe(renderRuleDocs(allRules));
  });

  it("the README's rule table is up to date (npm run docs)", () => {
    const readme = readFileSync(new URL("README.md", root), "utf8");
    const table = readme.slice(readme.indexOf(README_START) + README_START.length, readme.indexOf(README_END)).trim();
    expect(table).toBe(renderRuleTable(allRules));
  });

  it("documents every rule with a heading its docsUrl points at", () => {
    const docs = renderRuleDocs(allRules);
    for (const rule of allRules) {
      expect(docs).toContain(`## ${rule.id}\n`);
      expect(rule.docsUrl).toBe(`docs/rules.md#${rule.id.toLowerCase()}`);
    }
  });
});
