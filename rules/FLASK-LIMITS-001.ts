// FLASK-LIMITS-001: request size and multipart limits switched off or set beyond any sane bound.
//
// Findings: MAX_CONTENT_LENGTH / MAX_FORM_MEMORY_SIZE / MAX_FORM_PARTS (and a Request subclass's
// max_content_length) set to None, infinity or sys.maxsize, or to a number far above any single request a Flask
// worker should take (config classes and modules, app.config[...], config.update(...), dicts). Development and test
// configs, and defaults that another assignment in the same file overrides, are left alone.
// Advisory (once per scan): a Flask app that never sets MAX_CONTENT_LENGTH while it accepts uploads or has no form
// limits either. Reading the body (request.get_data(), request.stream.read()) is not reported: Werkzeug applies
// MAX_CONTENT_LENGTH to those reads, so the one missing setting is the finding, not each read.
import type { SyntaxNode } from "tree-sitter";
import { defineRule, type RuleContext } from "../src/core/define-rule.js";
import { classBases, enclosingClass, moduleConstant, stringValue, unwrap } from "../src/core/python.js";
import { inDevContext } from "../src/core/run-context.js";
import { overriddenInFile } from "../src/core/settings.js";
import type { ProjectFacts } from "../src/core/project.js";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

interface Limit {
  /** What a None removes, for the message. */
  unlimited: string;
  /** Above this, the value is no limit in practice. */
  ceiling: number;
  /** The review fix's value (Flask 3.1's defaults for the form limits). */
  suggestion: string;
}

const LIMITS: Record<string, Limit> = {
  MAX_CONTENT_LENGTH: {
    unlimited: "lets clients send request bodies of any size",
    ceiling: 10 * GiB,
    suggestion: "16 * 1024 * 1024",
  },
  MAX_FORM_MEMORY_SIZE: {
    unlimited: "removes Flask's 500 kB cap on each non-file form field, which is held in memory, so one multipart request with a huge field can exhaust a worker's memory",
    ceiling: 100 * MiB,
    suggestion: "500_000",
  },
  MAX_FORM_PARTS: {
    unlimited: "removes Flask's cap of 1000 multipart fields, so a request with millions of tiny parts keeps a worker busy parsing",
    ceiling: 1_000_000,
    suggestion: "1_000",
  },
};

/**
 * The limits' setting names. A Set, not `LIMITS[name]`: that also found Object.prototype's names (`constructor=10`
 * crashed the rule), and looking an arbitrary identifier up in the object is several times slower.
 */
const LIMIT_NAMES: ReadonlySet<string> = new Set(Object.keys(LIMITS));

// ---------------------------------------------------------------------------------------------------------------
// Which limit a binding sets, and to what

/** The limit a binding target names: `MAX_CONTENT_LENGTH =`, `app.config["MAX_FORM_PARTS"] =`, `request.max_content_length =`. */
function limitOfTarget(target: SyntaxNode): string | null {
  if (target.type === "identifier") {
    if (LIMIT_NAMES.has(target.text)) return target.text;
    const cls = target.text === "max_content_length" ? enclosingClass(target) : null;
    return cls && classBases(cls).some((b) => /Request$/.test(b)) ? "MAX_CONTENT_LENGTH" : null;
  }
  if (target.type === "attribute") {
    const attribute = target.childForFieldName("attribute")?.text ?? "";
    return LIMIT_NAMES.has(attribute) ? attribute : attribute === "max_content_length" ? "MAX_CONTENT_LENGTH" : null;
  }
  if (target.type === "subscript") {
    const key = stringValue(target.childForFieldName("subscript"));
    return key !== null && LIMIT_NAMES.has(key) ? key : null;
  }
  return null;
}

/** `(key, value)` of an assignment, a `KEY=value` keyword or a `"KEY": value` pair; null for anything else. */
function binding(node: SyntaxNode): { key: string; value: SyntaxNode } | null {
  let key: string | null = null;
  let value: SyntaxNode | null = null;
  if (node.type === "assignment") {
    const left = node.childForFieldName("left");
    key = left ? limitOfTarget(left) : null;
    value = node.childForFieldName("right");
  } else if (node.type === "keyword_argument") {
    const name = node.childForFieldName("name")?.text ?? "";
    key = LIMIT_NAMES.has(name) ? name : null;
    value = node.childForFieldName("value");
  } else if (node.type === "pair") {
    const name = stringValue(node.childForFieldName("key"));
    key = name !== null && LIMIT_NAMES.has(name) ? name : null;
    value = node.childForFieldName("value");
  }
  return key && value ? { key, value } : null;
}

/** The number an expression of literals evaluates to (None -> null; math.inf, sys.maxsize -> Infinity). */
function numericValue(raw: SyntaxNode, depth = 2): number | null {
  const node = unwrap(raw);
  switch (node.type) {
    case "integer":
    case "float": {
      const n = Number(node.text.replace(/_/g, ""));
      return Number.isNaN(n) ? null : n;
    }
    case "attribute":
      return /^(?:math\.inf|sys\.maxsize|sys\.float_info\.max|np\.inf|numpy\.inf)$/.test(node.text) ? Infinity : null;
    case "call":
      return /^float$/.test(node.childForFieldName("function")?.text ?? "") && /^["']inf(inity)?["']$/i.test(node.childForFieldName("arguments")?.firstNamedChild?.text ?? "") ? Infinity : null;
    case "identifier": {
      const value = depth > 0 ? moduleConstant(node) : null;
      return value ? numericValue(value, depth - 1) : null;
    }
    case "binary_operator": {
      const left = numericValue(node.childForFieldName("left")!, depth);
      const right = numericValue(node.childForFieldName("right")!, depth);
      if (left === null || right === null) return null;
      switch (node.childForFieldName("operator")?.text) {
        case "+": return left + right;
        case "-": return left - right;
        case "*": return left * right;
        case "**": return left ** right;
        case "<<": return left * 2 ** right;
        case "//": return right === 0 ? null : Math.floor(left / right);
        default: return null;
      }
    }
    default:
      return null;
  }
}

function humanSize(bytes: number): string {
  if (!Number.isFinite(bytes)) return "an unbounded size";
  return bytes >= GiB ? `${Math.round(bytes / GiB)} GiB` : `${Math.round(bytes / MiB)} MiB`;
}

function check(node: SyntaxNode, ctx: RuleContext): void {
  const found = binding(node);
  if (!found || inDevContext(node, ctx)) return;
  const { key, value } = found;
  const limit = LIMITS[key]!;
  const bodyLimit = key === "MAX_CONTENT_LENGTH";
  const severity = bodyLimit && ctx.project.uploads ? "medium" : "low";
  const uploads = bodyLimit && ctx.project.uploads
    ? "; the app accepts uploads (request.files), which Werkzeug spools to disk, so a few huge requests can fill the disk or tie up every worker"
    : bodyLimit ? ", so a few huge requests can tie up workers and fill memory or disk" : "";
  const fix = {
    safety: "review" as const,
    description: `set ${key} to the largest value the app really needs`,
    edits: [{ node: value, text: limit.suggestion }],
  };
  if (unwrap(value).type === "none") {
    // a default that a subclass (base config, production subclass) or a later setting replaces
    if (overriddenInFile(node, (other) => { const b = binding(other); return b?.key === key ? b.value : null; })) return;
    ctx.report({ node: value, severity, message: `${key} = None ${limit.unlimited}${uploads}.`, fix });
    return;
  }
  const size = numericValue(value);
  if (size === null || size <= limit.ceiling) return;
  const amount = key === "MAX_FORM_PARTS" ? (Number.isFinite(size) ? `${size} fields` : "unbounded fields") : humanSize(size);
  ctx.report({
    node: value,
    severity,
    confidence: "medium",
    message: `${key} allows ${amount} per request, far above what a Flask worker should accept in one request: in practice no limit${uploads}.`,
    fix,
  });
}

function advise(project: ProjectFacts): string | null {
  if (!project.flaskApp || project.maxContentLength || (!project.uploads && project.formLimits)) return null;
  const what = project.uploads
    ? "MAX_CONTENT_LENGTH is not set anywhere in the app, which accepts uploads (request.files): Flask takes request bodies of any size, so a few huge uploads can fill the disk or tie up every worker (medium)"
    : "Neither MAX_CONTENT_LENGTH nor the form limits (MAX_FORM_MEMORY_SIZE, MAX_FORM_PARTS) are set anywhere in the app: Flask takes request bodies of any size (low)";
  return `${what}. Check that the reverse proxy or platform caps the body size (e.g. nginx client_max_body_size), and set MAX_CONTENT_LENGTH to the largest request the app needs.`;
}

export default defineRule({
  id: "FLASK-LIMITS-001",
  title: "Request size limits disabled or unbounded",
  severity: "low",
  confidence: "high",
  cwe: ["CWE-400", "CWE-770"],
  spec: "FLASK-LIMITS-001",
  docs: {
    impact:
      "Without MAX_CONTENT_LENGTH Flask accepts request bodies of any size: uploads are spooled to disk and forms parsed " +
      "in memory, so a handful of huge or many-part requests can fill the disk, exhaust memory or keep every worker busy " +
      "(denial of service). MAX_FORM_MEMORY_SIZE and MAX_FORM_PARTS (Flask 3.1, on by default) bound multipart parsing; " +
      "setting them to None removes those bounds.",
    fix:
      "Set MAX_CONTENT_LENGTH to the largest request the app needs (e.g. `16 * 1024 * 1024`), keep Flask's defaults for " +
      "MAX_FORM_MEMORY_SIZE (500 kB) and MAX_FORM_PARTS (1000) unless a form needs more, and raise a limit per route " +
      "(`request.max_content_length` in Flask 3.1) rather than globally when one endpoint takes large files.",
    mitigation:
      "Cap the body size at the reverse proxy or platform too (nginx `client_max_body_size`, a load balancer limit), and " +
      "send large files straight to object storage with pre-signed uploads.",
    falsePositives:
      "Development and test configs, and a None default that another assignment in the same file overrides (a base " +
      "config and its production subclass), are not reported. A very large limit may be intended for a media app: " +
      "check that the proxy bounds it. The project-level advisory only says the setting is not visible in the app: " +
      "the proxy or platform may enforce a limit.",
    bad: [
      "from flask import Flask",
      "",
      "app = Flask(__name__)",
      "app.config[\"MAX_CONTENT_LENGTH\"] = None",
      "",
    ].join("\n"),
    good: [
      "from flask import Flask",
      "",
      "app = Flask(__name__)",
      "app.config[\"MAX_CONTENT_LENGTH\"] = 16 * 1024 * 1024",
      "",
    ].join("\n"),
  },
  on: ["assignment", "keyword_argument", "pair"],
  names: { keyword_argument: [...LIMIT_NAMES] },
  check,
  advise,
});
