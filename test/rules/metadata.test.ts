// Rule metadata: ids, order, file names, CWE format, docs, and the spec section each rule implements.
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";
import { SPEC_RULE_IDS } from "../../src/core/define-rule.js";
import { CONFIDENCES, SEVERITIES } from "../../src/core/types.js";
import { RULES_DIR, fixturesOf } from "./fixture.js";

describe("rule metadata", () => {
  const ids = allRules.map((r) => r.id);

  it("lists unique ids in sorted order", () => {
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort());
  });

  it("lists every rule module of rules/ and nothing else", () => {
    const modules = readdirSync(RULES_DIR).filter((f) => /^FLASK-.*\.ts$/.test(f)).map((f) => f.replace(/\.ts$/, ""));
    expect(modules.sort()).toEqual(ids);
  });

  it.each(allRules.map((r) => [r.id, r] as const))("%s is complete", (id, rule) => {
    expect(fixturesOf(id).length, "an annotated fixture beside the rule").toBeGreaterThan(0);
    expect(SPEC_RULE_IDS as readonly string[]).toContain(rule.spec);
    expect(SEVERITIES).toContain(rule.severity);
    expect(CONFIDENCES).toContain(rule.confidence);
    expect(rule.cwe.length).toBeGreaterThan(0);
    for (const cwe of rule.cwe) expect(cwe).toMatch(/^CWE-\d+$/);
    expect(rule.title.length).toBeGreaterThan(10);
    expect(rule.title).not.toMatch(/placeholder/i);
    for (const field of ["impact", "fix", "mitigation", "falsePositives", "bad", "good"] as const) {
      expect(rule.docs[field].trim(), `docs.${field}`).not.toBe("");
    }
    expect(Boolean(rule.check || rule.checkText || rule.advise)).toBe(true);
  });
});
