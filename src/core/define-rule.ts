// defineRule(): the one way to declare a rule. A rule is data (metadata, docs) plus a small check; the engine owns
// traversal, parsing, taint and reporting. Rules import from src/core only.
import type { SyntaxNode } from "tree-sitter";
import type { Confidence, FileKind, FlowStep, Severity } from "./types.js";
import type { ProjectFacts } from "./project.js";
import type { Taint } from "./taint.js";

export interface RuleDocs {
  impact: string;
  fix: string;
  mitigation: string;
  falsePositives: string;
  /** A snippet that must fire (checked by the metadata test). */
  bad: string;
  /** The fixed snippet, which must not fire. */
  good: string;
}

/** What a rule asks the engine to report. Severity/confidence default to the rule's own. */
export interface ReportInput {
  node: SyntaxNode;
  message: string;
  severity?: Severity;
  confidence?: Confidence;
  fix?: FixInput;
  flow?: FlowStep[];
}

/** A fix expressed on nodes; the engine turns it into whole-line replacements and validates it. */
export interface FixInput {
  safety: "safe" | "review";
  description: string;
  /** Replace the text of these nodes (non-overlapping) with the given strings. */
  edits: { node: SyntaxNode; text: string }[];
}

export interface RuleContext {
  readonly file: string;
  readonly source: string;
  readonly project: ProjectFacts;
  /** A test/fixture-of-tests file (tests/, test_*.py, *_test.py, conftest.py). */
  readonly isTestFile: boolean;
  /** Qualified dotted name of an identifier/attribute chain through the file's imports ("subprocess.run"). */
  resolve(node: SyntaxNode | null | undefined): string | null;
  /** Untrusted-data facts about an expression, or null when it is not derived from untrusted input. */
  taint(node: SyntaxNode | null | undefined): Taint | null;
  /** Is the module imported (anywhere in the file) e.g. hasImport("os")? */
  hasImport(moduleName: string): boolean;
  report(input: ReportInput): void;
}

export interface RuleMeta {
  id: string;
  title: string;
  severity: Severity;
  confidence: Confidence;
  cwe: string[];
  /** The section of ../shared/spec/flask-security-spec.txt this rule implements (its rule ID). */
  spec: string;
  docs: RuleDocs;
  /** File kinds the rule reads; default ["python"]. */
  kinds?: FileKind[];
}

export interface PythonRule extends RuleMeta {
  /** tree-sitter node types the engine hands this rule (e.g. "call", "assignment"). */
  on: string[];
  check(node: SyntaxNode, ctx: RuleContext): void;
}

export type Rule = PythonRule & { docsUrl: string };

/** The rule IDs of ../shared/spec/flask-security-spec.txt (section 4); the CSRF block's header is missing there. */
export const SPEC_RULE_IDS = [
  "FLASK-DEPLOY-001", "FLASK-DEPLOY-002", "FLASK-CONFIG-001", "FLASK-SESS-001", "FLASK-SESS-002", "FLASK-CSRF-001",
  "FLASK-XSS-001", "FLASK-SSTI-001", "FLASK-HEADERS-001", "FLASK-LIMITS-001", "FLASK-HOST-001", "FLASK-PROXY-001",
  "FLASK-PATH-001", "FLASK-UPLOAD-001", "FLASK-INJECT-001", "FLASK-INJECT-002", "FLASK-SSRF-001", "FLASK-REDIRECT-001",
  "FLASK-HTTP-001", "FLASK-CORS-001", "FLASK-SUPPLY-001",
] as const;

const ID_FORMAT = /^FLASK-[A-Z]+-\d{3}$/;
const CWE_FORMAT = /^CWE-\d+$/;

export function defineRule(rule: PythonRule): Rule {
  if (!ID_FORMAT.test(rule.id)) throw new Error(`rule id ${rule.id} does not match FLASK-AREA-NNN`);
  for (const cwe of rule.cwe) if (!CWE_FORMAT.test(cwe)) throw new Error(`${rule.id}: bad CWE ${cwe}`);
  if (rule.on.length === 0) throw new Error(`${rule.id}: a rule must name the node types it checks`);
  return { ...rule, docsUrl: `docs/rules/${rule.id}.md` };
}
