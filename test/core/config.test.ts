import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG, configuredSeverity, parseConfig, pathSelected } from "../../src/core/config.js";

describe(".github/flask-audit.yml", () => {
  it("defaults when there is no file", () => {
    expect(parseConfig(undefined)).toEqual({ ok: true, config: DEFAULT_CONFIG });
    expect(DEFAULT_CONFIG).toMatchObject({ fail_on: "high", max_inline_comments: 25, scan_drafts: false });
  });

  it("names every bad key and why", () => {
    const result = parseConfig({ fail_on: "severe", max_inline_comments: -1, colour: true });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatch(/fail_on: /);
    expect(result.error).toMatch(/max_inline_comments: /);
    expect(result.error).toMatch(/colour/);
  });

  it("rejects unknown rule ids when the rule list is given", () => {
    expect(parseConfig({ rules: { "FLASK-NOPE-001": "off" } }, ["FLASK-SSTI-001"])).toEqual({ ok: false, error: "rules: unknown rule id FLASK-NOPE-001" });
    expect(parseConfig({ rules: { "flask-ssti": "off" } }).ok).toBe(false);
  });

  it("selects paths with globs and overrides severities", () => {
    const parsed = parseConfig({ paths: { include: ["app/**"], exclude: ["app/vendor/**"] }, rules: { "FLASK-SSTI-001": "off", "FLASK-HTTP-001": "high" } });
    if (!parsed.ok) throw new Error(parsed.error);
    expect(pathSelected(parsed.config, "app/views.py")).toBe(true);
    expect(pathSelected(parsed.config, "app/vendor/x.py")).toBe(false);
    expect(pathSelected(parsed.config, "scripts/x.py")).toBe(false);
    expect(configuredSeverity(parsed.config, "FLASK-SSTI-001", "critical")).toBeNull();
    expect(configuredSeverity(parsed.config, "FLASK-HTTP-001", "medium")).toBe("high");
    expect(configuredSeverity(parsed.config, "FLASK-XSS-001", "high")).toBe("high");
  });
});
