// .github/flask-audit.yml: schema (zod), defaults, and a validation error a user can act on.
import picomatch from "picomatch";
import { z } from "zod";
import { SEVERITIES, type Severity } from "./types.js";

const severity = z.enum(SEVERITIES);
const ruleSetting = z.union([z.literal("off"), severity]);

export const configSchema = z
  .object({
    /** The lowest severity that fails the check run ("none": never fail). */
    fail_on: z.union([severity, z.literal("none")]).default("high"),
    /** Inline comments per review; the rest go to the check run's annotations. */
    max_inline_comments: z.number().int().min(0).max(100).default(25),
    paths: z
      .object({
        include: z.array(z.string().min(1)).default([]),
        exclude: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .default({ include: [], exclude: [] }),
    /** Per rule: "off", or a severity that replaces the rule's own. */
    rules: z.record(z.string().regex(/^FLASK-[A-Z]+-\d{3}$/, "rule ids look like FLASK-SSTI-001"), ruleSetting).default({}),
    scan_drafts: z.boolean().default(false),
  })
  .strict();

export type ReviewConfig = z.infer<typeof configSchema>;

export const DEFAULT_CONFIG: ReviewConfig = configSchema.parse({});

export type ConfigResult = { ok: true; config: ReviewConfig } | { ok: false; error: string };

/** Validate a parsed YAML value (null/undefined = no file = defaults). The error names each bad key and why. */
export function parseConfig(raw: unknown, knownRuleIds: readonly string[] = []): ConfigResult {
  const parsed = configSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const where = issue.path.length > 0 ? issue.path.join(".") : "(top level)";
      return `${where}: ${issue.message}`;
    });
    return { ok: false, error: problems.join("; ") };
  }
  const unknown = Object.keys(parsed.data.rules).filter((id) => knownRuleIds.length > 0 && !knownRuleIds.includes(id));
  if (unknown.length > 0) return { ok: false, error: `rules: unknown rule id ${unknown.join(", ")}` };
  return { ok: true, config: parsed.data };
}

/** Does the path pass `paths.include` (empty = everything) and not `paths.exclude`? */
export function pathSelected(config: ReviewConfig, path: string): boolean {
  const { include, exclude } = config.paths;
  if (include.length > 0 && !picomatch.isMatch(path, include, { dot: true })) return false;
  return !(exclude.length > 0 && picomatch.isMatch(path, exclude, { dot: true }));
}

/** The severity a rule's findings get under this config, or null when the rule is off. */
export function configuredSeverity(config: ReviewConfig, ruleId: string, own: Severity): Severity | null {
  const setting = config.rules[ruleId];
  if (setting === "off") return null;
  return setting ?? own;
}
