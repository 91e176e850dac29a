// defineRule(): the one way to declare a rule. A rule is data (metadata, docs) plus a small check; the engine owns
// traversal, parsing, taint and reporting. Rules import from src/core only.
import type { SyntaxNode } from "tree-sitter";
import type { Confidence, FileKind, Fix, FlowStep, Severity } from "./types.js";
import type { ProjectFacts } from "./project.js";
import type { Taint, TaintOptions } from "./taint.js";

export interface RuleDocs {
  impact: string;
  fix: string;
  mitigation: string;
  falsePositives: string;
  /** A snippet that must fire (checked by the metadata test). */
  bad: string;
  /** The fixed snippet, which must not fire. */
  good: string;
  /** The path bad/good are scanned under (default "example.py"; e.g. "Dockerfile" or "templates/page.html"). */
  examplePath?: string;
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
  /**
   * Replace the text of these nodes (non-overlapping) with the given strings. Continuation lines of `text` are
   * indented like the anchor line, unless `verbatim` (e.g. the inside of a triple-quoted string).
   */
  edits: { node: SyntaxNode; text: string; verbatim?: boolean }[];
}

export interface RuleContext {
  readonly file: string;
  readonly source: string;
  readonly project: ProjectFacts;
  /** A test/fixture-of-tests file (tests/, test_*.py, *_test.py, conftest.py). */
  readonly isTestFile: boolean;
  /** Qualified dotted name of an identifier/attribute chain through the file's imports ("subprocess.run"). */
  resolve(node: SyntaxNode | null | undefined): string | null;
  /**
   * Untrusted-data facts about an expression, or null when it is not derived from untrusted input. A sink that a
   * generic sanitizer does not protect lists it in `notSanitizers` (escape() does not stop template injection).
   */
  taint(node: SyntaxNode | null | undefined, options?: TaintOptions): Taint | null;
  /** Is the module imported (anywhere in the file, in any form: `import os as o`, `from os import environ`)? */
  hasImport(moduleName: string): boolean;
  /**
   * How the file spells a qualified name through its imports, or null when none binds it: use it in fixes
   * (`localName("os.environ")` is "environ" after `from os import environ`, null with no import of os).
   */
  localName(qualified: string): string | null;
  /**
   * A per-file memo: `ctx.memo("allowlist", () => scanTheFileOnce())` computes once per file and rule, however many
   * nodes the rule is handed. Rules keep no module-level state.
   */
  memo<T>(key: string, compute: () => T): T;
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

/** What a check of a non-Python file (template, Dockerfile, Procfile, compose, shell, requirements) reports. */
export interface TextReportInput {
  /** 1-based line; columns are 1-based, endColumn exclusive (defaults: the whole line). */
  line: number;
  endLine?: number;
  startColumn?: number;
  endColumn?: number;
  message: string;
  severity?: Severity;
  confidence?: Confidence;
  /** Whole-line replacement (no re-parse: the file is not Python); dropped if it would quote a secret. */
  fix?: Fix;
}

export interface TextRuleContext {
  readonly file: string;
  readonly source: string;
  /** The file's lines without line terminators. */
  readonly lines: readonly string[];
  readonly kind: FileKind;
  readonly project: ProjectFacts;
  readonly isTestFile: boolean;
  report(input: TextReportInput): void;
}

/** The node types a rule can prefilter by name (see RuleDefinition.names). */
export type NamedNodeType = "call" | "attribute" | "keyword_argument" | "assignment" | "pair";

export interface RuleDefinition extends RuleMeta {
  /** tree-sitter node types the engine hands `check` (e.g. "call", "assignment"). */
  on?: string[];
  /**
   * A prefilter the engine applies before `check`, as data: for a node type listed here (it must be in `on`),
   * `check` is handed only the nodes whose name is in the list. Most nodes of a type are nobody's business (of
   * ~50k calls in a 100k-line app a rule wants a few hundred), and a rule called on each of them costs more than
   * the parse. The name of a
   * - call: its callee's last name as written (`run` in `app.run(...)`, `Flask` in `Flask(...)`), or the last part
   *   of the name the callee resolves to through the file's imports (`text` for `from sqlalchemy import text as t`
   *   then `t(...)`). A callee without a name (`f()()`, `getattr(o, n)()`) is always handed over.
   * - attribute: the attribute (`host` in `request.host`).
   * - keyword_argument: the keyword (`debug` in `run(debug=True)`).
   * - assignment: what it assigns to, read like a setting: the name (`SECRET_KEY = ...`), the attribute
   *   (`app.secret_key = ...`) or the plain-string key (`app.config["SECRET_KEY"] = ...`). Other targets (`a, b = ...`,
   *   `d[k] = ...`) are always handed over.
   * - pair: its plain-string key (`"SECRET_KEY": ...`); other keys are always handed over.
   * List every name the check acts on, including the ones it only remembers for later nodes.
   */
  names?: Partial<Record<NamedNodeType, readonly string[]>>;
  /** Python: called for each node of a type in `on`, in source order. */
  check?(node: SyntaxNode, ctx: RuleContext): void;
  /** Other file kinds (listed in `kinds`): called once per file of those kinds. */
  checkText?(ctx: TextRuleContext): void;
  /**
   * A project-level advisory about something ABSENT from the application (no CSP anywhere, no TRUSTED_HOSTS):
   * reported once per scan in the summary, never inline, never failing a check. Return the message or null.
   */
  advise?(project: ProjectFacts): string | { message: string; severity: Severity } | null;
}

/** The last part of a dotted name ("run" for "subprocess.run"): what `names.call` matches a resolved callee by. */
export function lastPart(qualified: string): string {
  return qualified.slice(qualified.lastIndexOf(".") + 1);
}

/**
 * A rule's `names.call` from its own sink tables, so the filter and the check cannot drift apart: the last part of
 * every qualified name, plus method names as they are, without repeats.
 */
export function callNames(qualified: Iterable<string>, methods: Iterable<string> = []): string[] {
  return [...new Set([...[...qualified].map(lastPart), ...methods])];
}

/** Kept for rules written against the first engine: a rule with a Python check. */
export type PythonRule = RuleDefinition;

export type Rule = RuleDefinition & { docsUrl: string };

/** The rule IDs of ../shared/spec/flask-security-spec.txt (section 4); the CSRF block's header is missing there. */
export const SPEC_RULE_IDS = [
  "FLASK-DEPLOY-001", "FLASK-DEPLOY-002", "FLASK-CONFIG-001", "FLASK-SESS-001", "FLASK-SESS-002", "FLASK-CSRF-001",
  "FLASK-XSS-001", "FLASK-SSTI-001", "FLASK-HEADERS-001", "FLASK-LIMITS-001", "FLASK-HOST-001", "FLASK-PROXY-001",
  "FLASK-PATH-001", "FLASK-UPLOAD-001", "FLASK-INJECT-001", "FLASK-INJECT-002", "FLASK-SSRF-001", "FLASK-REDIRECT-001",
  "FLASK-HTTP-001", "FLASK-CORS-001", "FLASK-SUPPLY-001",
] as const;

const NAMED_NODE_TYPES: readonly NamedNodeType[] = ["call", "attribute", "keyword_argument", "assignment", "pair"];

const ID_FORMAT = /^FLASK-[A-Z]+-\d{3}$/;
const CWE_FORMAT = /^CWE-\d+$/;

export function defineRule(rule: RuleDefinition): Rule {
  if (!ID_FORMAT.test(rule.id)) throw new Error(`rule id ${rule.id} does not match FLASK-AREA-NNN`);
  for (const cwe of rule.cwe) if (!CWE_FORMAT.test(cwe)) throw new Error(`${rule.id}: bad CWE ${cwe}`);
  if (!rule.check && !rule.checkText && !rule.advise) throw new Error(`${rule.id}: a rule needs check, checkText or advise`);
  if (rule.check && !rule.on?.length) throw new Error(`${rule.id}: a Python check must name the node types it checks`);
  for (const type of Object.keys(rule.names ?? {})) {
    if (!NAMED_NODE_TYPES.includes(type as NamedNodeType)) throw new Error(`${rule.id}: names can filter ${NAMED_NODE_TYPES.join(", ")}, not ${type}`);
    if (!rule.on?.includes(type)) throw new Error(`${rule.id}: names.${type} filters a node type the rule is not handed (add it to \`on\`)`);
  }
  if (rule.checkText && !rule.kinds?.some((k) => k !== "python")) {
    throw new Error(`${rule.id}: checkText needs the non-Python file kinds it reads in \`kinds\``);
  }
  return { ...rule, docsUrl: `docs/rules.md#${rule.id.toLowerCase()}` };
}
