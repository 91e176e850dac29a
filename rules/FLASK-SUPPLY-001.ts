// FLASK-SUPPLY-001: security-critical Flask dependencies left unpinned, or pinned to releases with known advisories.
//
// Reads requirements*.txt / requirements/*.txt, pyproject.toml ([project] dependencies, [tool.poetry.dependencies])
// and Pipfile ([packages]). Lock files (poetry.lock, Pipfile.lock, uv.lock) are not read. A pin (`==`, `~=`, a ceiling)
// whose every allowed version is affected by an advisory in the table below is a medium finding; an unpinned
// requirement is a low one, in requirements files only: pyproject.toml and Pipfile declare ranges by design and
// leave the pinning to their lock file. The table is a floor, not a vulnerability database: run pip-audit too.
import { defineRule, type TextRuleContext } from "../src/core/define-rule.js";
import { withoutComment } from "../src/core/text.js";

interface Advisory {
  id: string;
  summary: string;
  /** Affected ranges [introduced, fixed): "0" means every earlier release. */
  affected: [string, string][];
}

/**
 * Known advisories of the security-critical dependencies (spec: Flask, Werkzeug, Jinja2, itsdangerous; plus
 * Flask-CORS). Reviewed 2026-11-27 against the GitHub / PyPA advisory entries; itsdangerous and MarkupSafe have none.
 */
const ADVISORIES: Record<string, Advisory[]> = {
  flask: [
    { id: "CVE-2018-1000656", summary: "JSON request decoding DoS", affected: [["0", "0.12.3"]] },
    { id: "CVE-2023-30861", summary: "session cookie served to other clients by a caching proxy", affected: [["0", "2.2.5"], ["2.3.0", "2.3.2"]] },
    { id: "CVE-2025-47278", summary: "SECRET_KEY_FALLBACKS signs with a stale fallback key", affected: [["3.1.0", "3.1.1"]] },
  ],
  werkzeug: [
    { id: "CVE-2023-25577", summary: "unlimited multipart parts DoS", affected: [["0", "2.2.3"]] },
    { id: "CVE-2023-23934", summary: "nameless cookies shadow __Host- cookies", affected: [["0", "2.2.3"]] },
    { id: "CVE-2023-46136", summary: "multipart parser CPU/memory DoS", affected: [["0", "2.3.8"], ["3.0.0", "3.0.1"]] },
    { id: "CVE-2024-34069", summary: "debugger code execution via an attacker-controlled domain", affected: [["0", "3.0.3"]] },
    { id: "CVE-2024-49766", summary: "safe_join allows UNC paths on Windows", affected: [["0", "3.0.6"]] },
    { id: "CVE-2024-49767", summary: "multipart form memory exhaustion", affected: [["0", "3.0.6"]] },
    { id: "CVE-2025-66221", summary: "safe_join allows Windows device names", affected: [["0", "3.1.4"]] },
    { id: "CVE-2026-21860", summary: "safe_join allows Windows device names with extensions", affected: [["0", "3.1.5"]] },
    { id: "CVE-2026-27199", summary: "safe_join allows Windows device names in nested paths", affected: [["0", "3.1.6"]] },
  ],
  jinja2: [
    { id: "CVE-2019-10906", summary: "sandbox escape via str.format_map", affected: [["0", "2.10.1"]] },
    { id: "CVE-2020-28493", summary: "urlize ReDoS", affected: [["0", "2.11.3"]] },
    { id: "CVE-2024-22195", summary: "xmlattr accepts keys with spaces, injecting attributes", affected: [["0", "3.1.3"]] },
    { id: "CVE-2024-34064", summary: "xmlattr accepts keys with / > =, injecting attributes", affected: [["0", "3.1.4"]] },
    { id: "CVE-2024-56201", summary: "sandbox breakout via a crafted template filename", affected: [["0", "3.1.5"]] },
    { id: "CVE-2024-56326", summary: "sandbox breakout via an indirect str.format call", affected: [["0", "3.1.5"]] },
    { id: "CVE-2025-27516", summary: "sandbox breakout via the |attr filter", affected: [["0", "3.1.6"]] },
  ],
  "flask-cors": [
    { id: "CVE-2020-25032", summary: "resource matching allows ../ traversal", affected: [["0", "3.0.9"]] },
    { id: "CVE-2024-1681", summary: "log injection with debug logging", affected: [["0", "4.0.1"]] },
    { id: "CVE-2024-6221", summary: "Access-Control-Allow-Private-Network on by default", affected: [["0", "4.0.2"]] },
    { id: "CVE-2024-6866", summary: "case-insensitive path matching", affected: [["0", "6.0.0"]] },
    { id: "CVE-2024-6839", summary: "wrong regex path priority", affected: [["0", "6.0.0"]] },
    { id: "CVE-2024-6844", summary: "'+' in paths mishandled by matching", affected: [["0", "6.0.0"]] },
  ],
};

/** Packages the rule watches (PEP 503 names) and how to spell them in messages. */
const WATCHED: Record<string, string> = {
  flask: "Flask", werkzeug: "Werkzeug", jinja2: "Jinja2", itsdangerous: "itsdangerous", markupsafe: "MarkupSafe", "flask-cors": "Flask-CORS",
};

/** Development, test, docs and CI requirement sets are not what production installs. */
const NON_PRODUCTION = /(?:^|[/_.-])(?:dev|develop|development|tests?|testing|docs?|lint|ci|local|typing)(?:[/_.-]|$)/i;

// ---------------------------------------------------------------------------------------------------------------
// PEP 440 versions (the subset requirements use: release segments, pre/post/dev releases; no epochs)

type Version = number[];

const VERSION = /^v?(\d{1,9}(?:\.\d{1,9}){0,9})(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\d{0,9}))?(?:[-_.]?(?:post|rev|r)[-_.]?(\d{0,9}))?(?:[-_.]?dev[-_.]?(\d{0,9}))?(?:\+[a-z0-9.]{1,40})?$/i;
const PRE_RANK: Record<string, number> = { a: 0, alpha: 0, b: 1, beta: 1, c: 2, rc: 2, pre: 2, preview: 2 };

/** A comparable key: release padded to 10 segments, then pre-release, post-release and dev markers (packaging's order). */
function parseVersion(text: string): Version | null {
  const match = text.length <= 64 ? VERSION.exec(text.trim()) : null;
  if (!match) return null;
  const release = match[1]!.split(".").map(Number);
  while (release.length < 10) release.push(0);
  const [, , preKind, preNumber, post, dev] = match;
  const pre = preKind ? [PRE_RANK[preKind.toLowerCase()]!, Number(preNumber || 0)] : post === undefined && dev !== undefined ? [-1, 0] : [9, 0];
  return [...release, ...pre, post === undefined ? -1 : Number(post || 0), dev === undefined ? Infinity : Number(dev || 0)];
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const [x, y] = [a[i] ?? 0, b[i] ?? 0];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** The release after a prefix: 2.2 -> 2.3 (for `==2.2.*`, `~=2.2.0`); `^`-style bumps pass the segment to raise. */
function bump(text: string, segment: number): string {
  const parts = text.split(".").slice(0, segment + 1).map(Number);
  while (parts.length <= segment) parts.push(0);
  parts[segment]!++;
  return parts.join(".");
}

interface Bound { version: Version; text: string; inclusive: boolean }
interface Range { lower: Bound | null; upper: Bound | null; exact: string | null }

/** A comma-separated specifier (PEP 440, or Poetry's `^` / `~` / bare version): the interval it allows, or null. */
function parseSpecifier(spec: string, poetry: boolean): Range | null {
  const range: Range = { lower: null, upper: null, exact: null };
  const tighten = (side: "lower" | "upper", text: string, inclusive: boolean): boolean => {
    const version = parseVersion(text);
    if (!version) return false;
    const current = range[side];
    const better = !current || (side === "lower" ? compare(version, current.version) > 0 : compare(version, current.version) < 0);
    if (better) range[side] = { version, text, inclusive };
    return true;
  };
  for (const clause of spec.split(",").map((c) => c.trim()).filter(Boolean)) {
    if (clause === "*") continue;
    const match = /^(===|==|~=|!=|<=|>=|<|>|\^|~)?\s*(\S+)$/.exec(clause);
    if (!match) return null;
    const operator = match[1] ?? (poetry ? "==" : "");
    const version = match[2]!;
    const prefix = version.replace(/\.\*$/, "");
    const segments = prefix.split(".").length;
    if ((operator === "==" || operator === "===") && !version.endsWith(".*")) range.exact = version;
    const ok =
      operator === "==" || operator === "===" ? (range.exact === version
        ? tighten("lower", version, true) && tighten("upper", version, true)
        : tighten("lower", prefix, true) && tighten("upper", bump(prefix, segments - 1), false))
      : operator === "~=" ? segments > 1 && tighten("lower", version, true) && tighten("upper", bump(version, segments - 2), false)
      : operator === "^" ? tighten("lower", version, true) && tighten("upper", bump(version, Math.max(0, prefix.split(".").findIndex((p) => Number(p) !== 0))), false)
      : operator === "~" ? tighten("lower", version, true) && tighten("upper", bump(version, segments > 1 ? 1 : 0), false)
      : operator === ">=" || operator === ">" ? tighten("lower", version, operator === ">=")
      : operator === "<=" || operator === "<" ? tighten("upper", version, operator === "<=")
      : operator === "!=";
    if (!ok) return null;
  }
  return range;
}

/** Advisories that affect EVERY version the range allows (a bounded range that still admits a fixed release is fine). */
function inescapable(advisories: Advisory[], range: Range): Advisory[] {
  if (!range.upper) return [];
  const lower = range.lower?.version ?? parseVersion("0")!;
  return advisories.filter((a) => a.affected.some(([introduced, fixed]) => {
    const end = compare(range.upper!.version, parseVersion(fixed)!);
    return compare(parseVersion(introduced)!, lower) <= 0 && (end < 0 || (end === 0 && !range.upper!.inclusive));
  }));
}

/** The first release at or after `from` that none of the advisories affect. */
function firstSafe(advisories: Advisory[], from: string): string {
  let version = from;
  for (let step = 0; step < 20; step++) {
    const v = parseVersion(version)!;
    const hit = advisories.flatMap((a) => a.affected).find(([i, f]) => compare(parseVersion(i)!, v) <= 0 && compare(v, parseVersion(f)!) < 0);
    if (!hit) return version;
    version = hit[1];
  }
  return version;
}

// ---------------------------------------------------------------------------------------------------------------
// Requirement lines

interface Requirement {
  line: number;
  name: string;
  spec: string;
  /** Poetry's specifier syntax (a bare version means ==). */
  poetry: boolean;
  hasMarker: boolean;
}

/** Name, then extras and blanks taken atomically ((?=(...))\1: backtracking into them before a carriage return, which
 * `.` does not cross, was cubic), then the rest: groups 2 (name) and 3 (rest). */
const NAME = /^(?=(([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*))\1(.*)$/;
const normalise = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, "-");

/** `flask[async]>=2.2,<3 ; python_version >= "3.9"` (PEP 508 without URLs). */
function pep508(text: string, line: number): Requirement | null {
  const match = NAME.exec(text.trim());
  if (!match || /^@|^\(?\s*[a-z+]+:\/\//i.test(match[3]!)) return null;
  const [spec, marker] = match[3]!.split(";", 2) as [string, string | undefined];
  return { line, name: match[2]!, spec: spec.replace(/[()]/g, "").trim(), poetry: false, hasMarker: !!marker?.trim() };
}

function requirementsTxt(ctx: TextRuleContext): Requirement[] {
  const found: Requirement[] = [];
  ctx.lines.forEach((raw, index) => {
    // `--hash=...` continuations, options (-r, -c, -e, --index-url), comments and URLs carry no version of ours
    const text = withoutComment(raw).replace(/\s--?\w[\w-]*(?:[= ]\S+)?/g, "").replace(/\\\s*$/, "").trim();
    if (!text || text.startsWith("-") || /^[a-z+]+:\/\//i.test(text)) return;
    const requirement = pep508(text, index + 1);
    if (requirement) found.push(requirement);
  });
  return found;
}


/** Is a "[" left open at the end of the text? /\[[^\]]*$/ in linear time (that pattern is quadratic on a run of "["). */
function opensBracket(text: string): boolean {
  return text.lastIndexOf("[") > text.lastIndexOf("]");
}

/** TOML tables we read: pyproject `[project]` dependencies, Poetry's main dependencies, Pipfile `[packages]`. */
function tomlRequirements(ctx: TextRuleContext): Requirement[] {
  const found: Requirement[] = [];
  const pipfile = ctx.file.endsWith("Pipfile");
  let table = "";
  let inDependencies = false;
  ctx.lines.forEach((raw, index) => {
    const line = withoutComment(raw, false);
    const header = /^\s*\[\[?([^\]]+)\]\]?\s*$/.exec(line);
    if (header) {
      table = header[1]!.trim();
      inDependencies = false;
      return;
    }
    if (table === "project") {
      if (/^\s*dependencies\s*=\s*\[/.test(line)) inDependencies = true;
      if (!inDependencies) return;
      for (const item of line.matchAll(/"([^"]+)"|'([^']+)'/g)) {
        const requirement = pep508(item[1] ?? item[2]!, index + 1);
        if (requirement) found.push(requirement);
      }
      if (line.includes("]") && !opensBracket(line.replace(/"[^"]*"|'[^']*'/g, ""))) inDependencies = false;
      return;
    }
    const poetry = table === "tool.poetry.dependencies";
    if (!poetry && !(pipfile && table === "packages")) return;
    const entry = /^\s*["']?([A-Za-z0-9][\w.-]*)["']?\s*=\s*(?:["']([^"']*)["']|\{(.*)\})/.exec(line);
    if (!entry || entry[1] === "python") return;
    const version = entry[2] ?? /\bversion\s*=\s*["']([^"']*)["']/.exec(entry[3] ?? "")?.[1];
    if (version === undefined) return; // git / path / url dependencies
    found.push({ line: index + 1, name: entry[1]!, spec: version.trim(), poetry, hasMarker: /\bmarkers\s*=/.test(entry[3] ?? "") });
  });
  return found;
}

function describe(advisories: Advisory[]): string {
  const shown = advisories.slice(0, 2).map((a) => `${a.id} (${a.summary})`).join(", ");
  return advisories.length > 2 ? `${shown} and ${advisories.length - 2} more` : shown;
}

function checkRequirements(ctx: TextRuleContext): void {
  if (ctx.isTestFile || NON_PRODUCTION.test(ctx.file)) return;
  const toml = /(?:^|\/)(?:pyproject\.toml|Pipfile)$/.test(ctx.file);
  for (const requirement of toml ? tomlRequirements(ctx) : requirementsTxt(ctx)) {
    const key = normalise(requirement.name);
    const label = WATCHED[key];
    if (!label) continue;
    const range = parseSpecifier(requirement.spec, requirement.poetry);
    if (!range) continue;
    const hits = inescapable(ADVISORIES[key] ?? [], range);
    if (hits.length > 0) {
      const safe = firstSafe(ADVISORIES[key]!, range.lower?.text ?? "0");
      const line = ctx.lines[requirement.line - 1]!;
      const at = range.exact ? line.indexOf(range.exact, line.toLowerCase().indexOf(requirement.name.toLowerCase())) : -1;
      ctx.report({
        line: requirement.line,
        severity: "medium",
        confidence: requirement.hasMarker ? "medium" : "high",
        message: range.exact
          ? `${label} ${range.exact} has known security advisories: ${describe(hits)}; upgrade to ${safe} or later.`
          : `${label} \`${requirement.spec}\` only allows versions with known security advisories: ${describe(hits)}; allow ${safe} or later.`,
        fix: at >= 0
          ? { safety: "review", startLine: requirement.line, endLine: requirement.line, replacement: line.slice(0, at) + safe + line.slice(at + range.exact!.length), description: `pin ${label} to ${safe}, the first release without these advisories (check the changelog: it may be a major upgrade)` }
          : undefined,
      });
    } else if (!toml && !range.upper) {
      ctx.report({
        line: requirement.line,
        message: `${label} is not pinned${requirement.spec ? ` (\`${requirement.spec}\`)` : ""}: every install may pull a different, untested release; pin it (e.g. with pip-compile) and upgrade it deliberately when advisories appear.`,
      });
    }
  }
}

export default defineRule({
  id: "FLASK-SUPPLY-001",
  title: "Security-critical dependency unpinned or with known advisories",
  severity: "low",
  confidence: "high",
  cwe: ["CWE-1104", "CWE-1395"],
  spec: "FLASK-SUPPLY-001",
  docs: {
    impact:
      "Flask, Werkzeug, Jinja2 and Flask-CORS have had advisories ranging from denial of service to sandbox escape, " +
      "debugger code execution and session leaks. A pin below the fix keeps the hole open on every deploy; an unpinned " +
      "requirement makes what runs in production depend on the day it was built.",
    fix:
      "Pin exact versions in requirements.txt (pip-compile / pip freeze), upgrade pins named in an advisory to the fixed " +
      "release, and add a regression test for the affected behaviour.",
    mitigation:
      "Run pip-audit or Dependabot in CI so new advisories surface without waiting for a code change; keep a lock file " +
      "(poetry.lock, uv.lock, Pipfile.lock) for pyproject.toml and Pipfile projects.",
    falsePositives:
      "The advisory table is dated (reviewed 2026-11-27) and covers Flask, Werkzeug, Jinja2 and Flask-CORS only; some " +
      "advisories need a specific setup (Windows for safe_join, the debugger, a caching proxy). Lock files, dev/test/docs " +
      "requirement files, optional dependency groups, URL/VCS/editable requirements and `-r` includes are not read. " +
      "Ranges in pyproject.toml and Pipfile are only reported when no allowed version is fixed.",
    bad: "Werkzeug==2.3.0\nflask\n",
    good: "Werkzeug==3.1.6\nflask==3.1.1\n",
    examplePath: "requirements.txt",
  },
  kinds: ["requirements"],
  checkText: checkRequirements,
});
