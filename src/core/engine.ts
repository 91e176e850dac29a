// scanFiles(files, rules, facts) -> findings: parse once, collect the nodes rules asked for in one native pass,
// dispatch them in source order, contain rule errors, and turn reports into redacted, fingerprinted findings with
// validated fixes. Pure: no fs, no network, no process state.
import { createHash } from "node:crypto";
import type { SyntaxNode } from "tree-sitter";
import { lastPart, type FixInput, type NamedNodeType, type ReportInput, type Rule, type RuleContext, type TextRuleContext } from "./define-rule.js";
import type { ProjectFacts } from "./project.js";
import { ImportTable, UnparseableSource, assignedName, calleeMethod, describeContext, firstErrorLine, parsePythonBefore, resolveName, stringValue } from "./python.js";
import { mirrorTree } from "./tree.js";
import { REDACTED, containsSecret, redactText, secretLiteralRanges, type Range } from "./redact.js";
import { TaintAnalyzer, type TaintOptions } from "./taint.js";
import { fileKindOf, isTestPath } from "./decode.js";
import type { Advisory, FileKind, Finding, Fix, FlowStep, RuleError, ScanResult, Skipped, SourceFile } from "./types.js";

/** Wall-clock time one file may take (parse + rules) before the engine stops scanning it. */
export const DEFAULT_FILE_BUDGET_MS = 2000;

export interface ScanOptions {
  rules: Rule[];
  project: ProjectFacts;
  /** Per-file time budget in milliseconds (default DEFAULT_FILE_BUDGET_MS; Infinity for none). */
  fileBudgetMs?: number;
}

export interface FileScan {
  findings: Finding[];
  ruleErrors: RuleError[];
  /** First line with a syntax error (0 when the file parsed cleanly). */
  parseErrorLine: number;
  /**
   * Set when the file was not (fully) scanned: it would crash the parser (UnparseableSource), or it ran past the
   * per-file budget. The engine is synchronous, so it reads the clock between rule calls (and tree-sitter polls it
   * during the parse) and stops the file there:
   * - past the budget while parsing: nothing is scanned, no findings (`partial` unset);
   * - past it while rules run (`partial`): the findings already reported are kept (each comes from a rule call
   *   that ran to completion, so it is as precise as any other) and the rest of the file is not checked; the
   *   reason names the rule call that ran past the deadline. Callers list the file as skipped, the scan as incomplete.
   * One rule call cannot be interrupted: a file overruns the budget by at most its slowest rule call.
   */
  skipped?: Skipped;
  /** With `skipped`: the rules ran on part of the file (their findings are in `findings`). */
  partial?: boolean;
}

function budgetOf(options: ScanOptions): number {
  const ms = options.fileBudgetMs ?? DEFAULT_FILE_BUDGET_MS;
  return ms > 0 ? ms : DEFAULT_FILE_BUDGET_MS;
}

/** "scan exceeded the 2 s per-file budget at rule X (line N); the file is partly unscanned" */
function overBudget(file: SourceFile, budgetMs: number, where: string, consequence: string): Skipped {
  const budget = budgetMs >= 1000 ? `${Number((budgetMs / 1000).toFixed(2))} s` : `${Math.round(budgetMs)} ms`;
  return { file: file.path, reason: `scan exceeded the ${budget} per-file budget ${where}; ${consequence}` };
}

const MAX_EVIDENCE_LINES = 6;
/** Characters kept of each evidence line: a minified or generated 100 KB line must not ride along in every finding. */
export const MAX_EVIDENCE_LINE_CHARS = 400;

/** Each line cut to MAX_EVIDENCE_LINE_CHARS with "…": the evidence shown and fingerprinted is this clipped text. */
function clipEvidenceLines(text: string): string {
  if (text.length <= MAX_EVIDENCE_LINE_CHARS) return text;
  return text
    .split("\n")
    .map((line) => (line.length > MAX_EVIDENCE_LINE_CHARS ? `${line.slice(0, MAX_EVIDENCE_LINE_CHARS)}…` : line))
    .join("\n");
}

/**
 * The rules handed nodes of one type, in rule order: all of them (a node without a name), the ones that do not
 * filter by name, and per name the ones a node of that name goes to (the unfiltered ones included). A node's rules
 * are one map lookup away, not one name test per rule.
 */
interface Listeners {
  all: Rule[];
  filtered: boolean;
  unfiltered: Rule[];
  byName: Map<string, Rule[]>;
}

/** Node type -> rules that asked for it; built once per rule list. */
const dispatchCache = new WeakMap<Rule[], { types: string[]; byType: Map<string, Listeners> }>();

function dispatchTable(rules: Rule[]) {
  let table = dispatchCache.get(rules);
  if (!table) {
    const byType = new Map<string, Listeners>();
    for (const type of new Set(rules.flatMap((rule) => (rule.check && rule.on) || []))) {
      const all = rules.filter((rule) => rule.check && rule.on?.includes(type));
      const namesOf = (rule: Rule) => rule.names?.[type as NamedNodeType];
      const byName = new Map<string, Rule[]>();
      for (const name of new Set(all.flatMap((rule) => namesOf(rule) ?? []))) {
        byName.set(name, all.filter((rule) => !namesOf(rule) || namesOf(rule)!.includes(name)));
      }
      byType.set(type, { all, filtered: all.some((rule) => namesOf(rule)), unfiltered: all.filter((rule) => !namesOf(rule)), byName });
    }
    table = { types: [...byType.keys()], byType };
    dispatchCache.set(rules, table);
  }
  return table;
}

/** The rules a node goes to, in rule order. */
function listenersOf(listeners: Listeners, names: Names): Rule[] {
  if (names === null) return listeners.all;
  if (typeof names === "string") return listeners.byName.get(names) ?? listeners.unfiltered;
  const first = listeners.byName.get(names[0]);
  const second = listeners.byName.get(names[1]);
  if (!first || !second) return first ?? second ?? listeners.unfiltered;
  return listeners.all.filter((rule) => first.includes(rule) || second.includes(rule));
}

/**
 * The names a node answers to for RuleDefinition.names: a call's callee as written and as resolved through the
 * imports (last parts), an attribute's or a keyword argument's name. Null when the node has none (always handed).
 */
/** A node's names: usually one (no array allocated for it), two for a call whose callee is an alias. */
type Names = string | readonly [string, string] | null;

function namesOf(node: SyntaxNode, imports: ImportTable): Names {
  if (node.type === "call") {
    const written = calleeMethod(node);
    if (written === null) return null;
    const resolved = resolveName(node.childForFieldName("function"), imports);
    const last = resolved === null ? null : lastPart(resolved);
    return last === null || last === written ? written : [written, last];
  }
  if (node.type === "assignment") return assignedName(node);
  if (node.type === "pair") {
    const key = stringValue(node.childForFieldName("key"));
    return key;
  }
  const name = node.childForFieldName(node.type === "attribute" ? "attribute" : "name");
  return name ? name.text : null;
}

/** Scan files of every kind some rule reads, then add the project-level advisories. */
export function scanFiles(files: SourceFile[], options: ScanOptions): ScanResult {
  const result: ScanResult = { findings: [], skipped: [], parseErrors: [], ruleErrors: [], filesScanned: 0 };
  for (const file of files) {
    const scan = scanAnyFile(file, options);
    if (!scan) continue;
    if (scan.skipped) result.skipped.push(scan.skipped);
    if (scan.skipped && !scan.partial) continue; // stopped before its rules ran: nothing was scanned
    result.filesScanned++;
    // loops, not push(...): a spread of more than ~120k items (a rule throwing on every line) overflows the stack
    for (const finding of scan.findings) result.findings.push(finding);
    for (const error of scan.ruleErrors) result.ruleErrors.push(error);
    if (scan.parseErrorLine > 0) result.parseErrors.push({ file: file.path, line: scan.parseErrorLine });
  }
  result.advisories = projectAdvisories(options);
  return result;
}

/** Scan one file of any kind; null when no rule reads files of its kind. */
export function scanAnyFile(file: SourceFile, options: ScanOptions): FileScan | null {
  const kind = fileKindOf(file.path);
  if (kind === "python") return scanSource(file, options);
  const rules = options.rules.filter((r) => r.checkText && r.kinds?.includes(kind));
  if (rules.length === 0) return null;
  return scanText(file, kind, rules, options.project, budgetOf(options));
}

/** The advisories of rules about protections absent from the whole application. */
export function projectAdvisories(options: ScanOptions): Advisory[] {
  const advisories: Advisory[] = [];
  for (const rule of options.rules) {
    if (!rule.advise) continue;
    try {
      const advice = rule.advise(options.project);
      if (typeof advice === "string" && advice) advisories.push({ ruleId: rule.id, title: rule.title, severity: rule.severity, message: advice });
      else if (advice && typeof advice === "object") advisories.push({ ruleId: rule.id, title: rule.title, ...advice });
    } catch {
      // an advisory is best effort: a broken one is not worth failing a scan over
    }
  }
  return advisories;
}

/** Non-Python files: each reading rule gets the whole file once. */
function scanText(file: SourceFile, kind: FileKind, rules: Rule[], project: ProjectFacts, budgetMs: number): FileScan {
  const deadline = performance.now() + budgetMs;
  const lines = file.content.split("\n").map((l) => l.replace(/\r$/, ""));
  const scan: FileScan = { findings: [], ruleErrors: [], parseErrorLine: 0 };
  const seenFingerprints = new Map<string, number>();
  for (const [i, rule] of rules.entries()) {
    if (i > 0 && performance.now() > deadline) {
      scan.skipped = overBudget(file, budgetMs, `at rule ${rules[i - 1]!.id}`, "the file is partly unscanned");
      scan.partial = true;
      break;
    }
    const ctx: TextRuleContext = {
      file: file.path,
      source: file.content,
      lines,
      kind,
      project,
      isTestFile: isTestPath(file.path),
      report: (input) => {
        const startLine = Math.min(Math.max(input.line, 1), lines.length);
        const endLine = Math.min(Math.max(input.endLine ?? startLine, startLine), lines.length);
        const last = Math.min(endLine, startLine + MAX_EVIDENCE_LINES - 1);
        const evidence = clipEvidenceLines(redactLine(lines.slice(startLine - 1, last).join("\n"))) + (last < endLine ? "\n…" : "");
        const finding: Finding = {
          ruleId: rule.id,
          title: rule.title,
          severity: input.severity ?? rule.severity,
          confidence: input.confidence ?? rule.confidence,
          file: file.path,
          span: {
            startLine,
            startColumn: input.startColumn ?? 1,
            endLine,
            endColumn: input.endColumn ?? (lines[endLine - 1]?.length ?? 0) + 1,
          },
          message: input.message,
          evidence,
          context: "",
          fingerprint: fingerprintOf(rule.id, file.path, evidence),
        };
        if (input.fix && redactLine(input.fix.replacement) === input.fix.replacement) finding.fix = input.fix;
        const seen = seenFingerprints.get(finding.fingerprint) ?? 0;
        seenFingerprints.set(finding.fingerprint, seen + 1);
        if (seen > 0) finding.fingerprint = `${finding.fingerprint}:${seen}`;
        scan.findings.push(finding);
      },
    };
    try {
      rule.checkText!(ctx);
    } catch (error) {
      scan.ruleErrors.push({ ruleId: rule.id, file: file.path, line: 0, message: error instanceof Error ? error.message : String(error) });
    }
  }
  scan.findings = applySuppressions(dedupe(scan.findings), lines);
  return scan;
}

/**
 * Parse, then copy the tree into JS objects: rules work on the copy (the binding's per-getter native calls dominated
 * scan time). The native tree lives only in here (the first error line is read from the copy): tree-sitter frees it
 * when a GC finds its wrapper unreachable, which is as soon as the copy exists. A FileScan when the file is not
 * scanned, saying why.
 */
function copiedTree(file: SourceFile, deadline: number, budgetMs: number): SyntaxNode | FileScan {
  let tree: ReturnType<typeof parsePythonBefore>;
  try {
    tree = parsePythonBefore(file.content, deadline);
  } catch (error) {
    if (!(error instanceof UnparseableSource)) throw error;
    return { findings: [], ruleErrors: [], parseErrorLine: 0, skipped: { file: file.path, reason: `${error.message}; not scanned` } };
  }
  if (!tree) {
    return { findings: [], ruleErrors: [], parseErrorLine: 0, skipped: overBudget(file, budgetMs, "while parsing", "the file is not scanned") };
  }
  const root = mirrorTree(tree, file.content, deadline);
  return root ?? { findings: [], ruleErrors: [], parseErrorLine: 0, skipped: overBudget(file, budgetMs, "while reading the syntax tree", "the file is not scanned") };
}

/** Scan one Python file. Never throws for a rule's sake: a throwing rule becomes a RuleError. */
export function scanSource(file: SourceFile, options: ScanOptions): FileScan {
  const budgetMs = budgetOf(options);
  const deadline = performance.now() + budgetMs;
  const root = copiedTree(file, deadline, budgetMs);
  if ("findings" in root) return root;
  const scan: FileScan = { findings: [], ruleErrors: [], parseErrorLine: firstErrorLine(root) };
  const { types, byType } = dispatchTable(options.rules);
  if (types.length === 0) return scan;

  const imports = ImportTable.fromTree(root);
  const taint = new TaintAnalyzer(root, imports);
  // Sinks with their own sanitizer sets get their own analyzer (memoised results depend on the set).
  const taintWith = new Map<string, TaintAnalyzer>();
  const analyzerFor = (options?: TaintOptions): TaintAnalyzer => {
    if (!options?.notSanitizers?.length) return taint;
    const key = [...options.notSanitizers].sort().join(",");
    let analyzer = taintWith.get(key);
    if (!analyzer) taintWith.set(key, (analyzer = new TaintAnalyzer(root, imports, options)));
    return analyzer;
  };
  // Lines are for findings (evidence, fixes, suppressions): most files have none.
  let lineCache: string[] | undefined;
  const lines = () => (lineCache ??= file.content.split("\n"));
  let secrets: Range[] | undefined;
  const secretRanges = () => (secrets ??= secretLiteralRanges(root));
  const seenFingerprints = new Map<string, number>();
  const isTestFile = isTestPath(file.path);

  // One context per rule and file (not per node): the dispatch loop runs for every node a rule asked for.
  const contexts = new Map<Rule, RuleContext>();
  const contextFor = (rule: Rule): RuleContext => {
    let ctx = contexts.get(rule);
    if (ctx) return ctx;
    const memos = new Map<string, unknown>();
    ctx = {
      file: file.path,
      source: file.content,
      project: options.project,
      isTestFile,
      resolve: (n) => resolveName(n, imports),
      taint: (n, taintOptions) => analyzerFor(taintOptions).taintOf(n),
      hasImport: (m) => imports.has(m),
      localName: (q) => imports.localName(q),
      memo: <T>(key: string, compute: () => T): T => {
        if (!memos.has(key)) memos.set(key, compute());
        return memos.get(key) as T;
      },
      report: (input) => {
        const finding = buildFinding(rule, input, file, lines(), secretRanges(), deadline);
        const seen = seenFingerprints.get(finding.fingerprint) ?? 0;
        seenFingerprints.set(finding.fingerprint, seen + 1);
        if (seen > 0) finding.fingerprint = `${finding.fingerprint}:${seen}`;
        scan.findings.push(finding);
      },
    };
    contexts.set(rule, ctx);
    return ctx;
  };

  // The clock is read before each rule call (cheap next to a call): past the deadline, the file stops there, and
  // the reason names the call that ran past it.
  let lastRule: Rule | null = null;
  let lastNode: SyntaxNode | null = null;
  dispatch: for (const node of root.descendantsOfType(types)) {
    const listeners = byType.get(node.type)!;
    // A node's names are read only when some rule filters its type by name.
    const rules = listeners.filtered ? listenersOf(listeners, namesOf(node, imports)) : listeners.all;
    for (let r = 0; r < rules.length; r++) {
      const rule = rules[r]!;
      if (performance.now() > deadline) {
        scan.skipped = lastRule && lastNode
          ? overBudget(file, budgetMs, `at rule ${lastRule.id} (line ${lastNode.startPosition.row + 1})`, "the file is partly unscanned")
          : overBudget(file, budgetMs, "before the rules ran", "the file is not scanned");
        scan.partial = lastRule !== null;
        break dispatch;
      }
      lastRule = rule;
      lastNode = node;
      const ctx = contextFor(rule);
      try {
        rule.check!(node, ctx);
      } catch (error) {
        scan.ruleErrors.push({
          ruleId: rule.id,
          file: file.path,
          line: node.startPosition.row + 1,
          message: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }
  // One rule may report the same node twice through two paths (e.g. a call and its assignment): keep the first.
  if (scan.findings.length > 0) scan.findings = applySuppressions(dedupe(scan.findings), lines());
  return scan;
}

/**
 * `# flask-audit: ignore[FLASK-XSS-001] reason` (or `{# ... #}` in templates), on the finding's first line or the
 * line above, marks the finding suppressed: it stays in the results (SARIF suppressions, summary counts) but no
 * longer fails a check or gets an inline comment.
 */
export function applySuppressions(findings: Finding[], lines: readonly string[]): Finding[] {
  return findings.map((finding) => {
    for (const line of [finding.span.startLine, finding.span.startLine - 1]) {
      const marker = suppressionOn(lines[line - 1]);
      if (marker && (marker.ids.has(finding.ruleId) || marker.ids.has("*"))) {
        return { ...finding, suppressed: { reason: marker.reason, line } };
      }
    }
    return finding;
  });
}

const SUPPRESSION = /flask-audit:\s*ignore\[([A-Za-z0-9*,\s-]{1,200})\]([^\n]{0,300})/;

function suppressionOn(line: string | undefined): { ids: Set<string>; reason: string } | null {
  if (!line || !line.includes("flask-audit:")) return null;
  const match = SUPPRESSION.exec(line);
  if (!match) return null;
  const ids = new Set(match[1]!.split(/[\s,]+/).filter(Boolean).map((id) => id.toUpperCase()));
  const reason = match[2]!.replace(/#\}\s*$/, "").trim();
  return { ids, reason };
}

/**
 * Redact secrets in non-Python text: `NAME=value` / `NAME: value` (.env, compose), Dockerfile `ENV NAME value`,
 * and defaults of `${NAME:-value}` references. References to other variables (`$NAME`, `${NAME}`) stay.
 */
function redactLine(text: string): string {
  return text
    .replace(/\$\{([A-Za-z_]{0,60}(?:SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL)[A-Za-z_]{0,60}):?-([^}\n]{1,500})\}/gi, (_m, name: string) => `\${${name}:-${REDACTED}}`)
    // [ \t], not \s: with /m every \r starts a line, and \s* ran from each one over all the \r after it (quadratic)
    .replace(/^([ \t]*ENV[ \t]+)([A-Za-z_]{0,60}(?:SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL)[A-Za-z_]{0,60})([ \t]+)(?![=$])(\S.*)$/gim, (_m, env: string, name: string, sep: string) => `${env}${name}${sep}${REDACTED}`)
    // The name is one letter run holding a keyword, checked by a lookahead: `[A-Za-z_]*KEYWORD[A-Za-z_]*` backtracked
    // quadratically over a long run holding the keyword many times.
    .replace(
    /\b(?=[A-Za-z_]*?(?:SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL))([A-Za-z_]+)(\s*[=:]\s*)("[^"\n]*"|'[^'\n]*'|[^\s"'#}\-][^\s"'#}]*)/gi,
    (_m, name: string, sep: string, value: string) => (/^\$\{?[A-Za-z_]/.test(value) ? `${name}${sep}${value}` : `${name}${sep}${REDACTED}`),
  );
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.ruleId}@${f.span.startLine}:${f.span.startColumn}-${f.span.endLine}:${f.span.endColumn}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function buildFinding(rule: Rule, input: ReportInput, file: SourceFile, lines: string[], secrets: Range[], deadline: number): Finding {
  const node = input.node;
  const startLine = node.startPosition.row + 1;
  const endLine = node.endPosition.row + 1;
  // The offset of the finding's first line, straight from the node (columns count in the same units as offsets).
  const evidence = evidenceOf(lines, startLine, endLine, node.startIndex - node.startPosition.column, secrets);
  const sinkStep: FlowStep = {
    line: startLine,
    startColumn: node.startPosition.column + 1,
    endColumn: startLine === endLine ? node.endPosition.column + 1 : node.startPosition.column + 2,
    label: `reaches ${sinkLabel(node)}`,
  };
  const finding: Finding = {
    ruleId: rule.id,
    title: rule.title,
    severity: input.severity ?? rule.severity,
    confidence: input.confidence ?? rule.confidence,
    file: file.path,
    span: {
      startLine,
      startColumn: node.startPosition.column + 1,
      endLine,
      endColumn: node.endPosition.column + 1,
    },
    message: containsSecret(input.message, file.content, secrets, 6) ? `${rule.title} (details redacted)` : input.message,
    evidence,
    context: describeContext(node),
    fingerprint: fingerprintOf(rule.id, file.path, evidence),
  };
  if (input.flow && input.flow.length > 0) finding.flow = [...input.flow, sinkStep];
  if (input.fix) {
    const fix = buildFix(input.fix, file.content, lines, deadline);
    if (fix && !containsSecret(fix.replacement, file.content, secrets)) finding.fix = fix;
  }
  return finding;
}

function sinkLabel(node: SyntaxNode): string {
  // the reported node is the call itself, one of its arguments, or a keyword argument's value
  let holder = node.parent;
  if (holder?.type === "keyword_argument") holder = holder.parent;
  const call = holder?.type === "argument_list" ? holder.parent : node.type === "call" ? node : null;
  const callee = call?.childForFieldName("function")?.text;
  return callee ? `${callee}()` : "the reported code";
}

function evidenceOf(lines: string[], startLine: number, endLine: number, offset: number, secrets: Range[]): string {
  const last = Math.min(endLine, startLine + MAX_EVIDENCE_LINES - 1);
  const text = lines.slice(startLine - 1, last).join("\n");
  const redacted = clipEvidenceLines(redactText(text, offset, secrets).replace(/\r$/gm, ""));
  return last < endLine ? `${redacted}\n…` : redacted;
}

/** rule + path + the evidence with whitespace normalised: survives re-indentation and moved lines. */
export function fingerprintOf(ruleId: string, path: string, evidence: string): string {
  const normalised = evidence.replace(/\s+/g, " ").trim();
  return createHash("sha256").update(`${ruleId}\0${path}\0${normalised}`).digest("hex").slice(0, 20);
}

/**
 * Turn node edits into a whole-line replacement, keeping the lines' own indentation and surrounding text, and
 * drop it when the patched file would not parse where it did before.
 */
export function buildFix(input: FixInput, source: string, lines: string[], deadline = Infinity): Fix | undefined {
  if (input.edits.length === 0) return undefined;
  const edits = [...input.edits].sort((a, b) => a.node.startIndex - b.node.startIndex);
  for (let i = 1; i < edits.length; i++) if (edits[i]!.node.startIndex < edits[i - 1]!.node.endIndex) return undefined;
  const startLine = edits[0]!.node.startPosition.row + 1;
  const endLine = Math.max(...edits.map((e) => e.node.endPosition.row + 1));
  // The first line's offset, from the node (summing the lines before it was quadratic over a file's findings).
  const regionStart = edits[0]!.node.startIndex - edits[0]!.node.startPosition.column;
  let regionEnd = regionStart;
  for (let i = startLine - 1; i < endLine; i++) regionEnd += lines[i]!.length + 1;
  regionEnd = Math.min(regionEnd - 1, source.length); // without the last newline
  // Lines after the first of a multi-line edit text are written relative to the anchor line: indent them like it.
  const indent = /^[ \t]*/.exec(lines[startLine - 1] ?? "")?.[0] ?? "";
  let replacement = "";
  let cursor = regionStart;
  for (const edit of edits) {
    const text = edit.verbatim ? edit.text : edit.text.replace(/\n(?=[^\n])/g, `\n${indent}`);
    replacement += source.slice(cursor, edit.node.startIndex) + text;
    cursor = edit.node.endIndex;
  }
  replacement += source.slice(cursor, regionEnd);
  const crlf = replacement.endsWith("\r");
  if (crlf) replacement = replacement.slice(0, -1);

  if (!fixParsesInPlace(edits.map((e) => e.node), lines, startLine, endLine, replacement, deadline)) return undefined;
  return { safety: input.safety, startLine, endLine, replacement, description: input.description };
}

/** The statement (a child of a block or the module) that holds the node. */
function statementOf(node: SyntaxNode): SyntaxNode {
  let current = node;
  while (current.parent && current.parent.type !== "block" && current.parent.type !== "module") current = current.parent;
  return current;
}

/**
 * Does the fix keep its statement valid Python? Only the statement(s) around the fix are re-parsed, dedented to
 * column 0: re-parsing the whole file for each fix made files with many findings quadratic (seconds per file).
 * A statement that did not parse before the fix cannot vouch for it, so such a fix is dropped.
 */
function fixParsesInPlace(edited: SyntaxNode[], lines: string[], startLine: number, endLine: number, replacement: string, deadline: number): boolean {
  let statement = statementOf(edited[0]!);
  const last = Math.max(...edited.map((n) => n.endIndex));
  while (statement.endIndex < last && statement.parent) statement = statementOf(statement.parent);
  const first = Math.min(statement.startPosition.row + 1, startLine);
  const final = Math.max(statement.endPosition.row + 1, endLine);
  const indent = /^[ \t]*/.exec(lines[first - 1] ?? "")?.[0].length ?? 0;
  const dedent = (text: string) => text.split("\n").map((l) => l.replace(new RegExp(`^[ \\t]{0,${indent}}`), "")).join("\n");
  const before = lines.slice(first - 1, final).join("\n");
  const after = [...lines.slice(first - 1, startLine - 1), replacement, ...lines.slice(endLine, final)].join("\n");
  // Within the file's budget: a fix that cannot be checked in time (a statement megabytes long) is dropped.
  try {
    const parsedBefore = parsePythonBefore(`${dedent(before)}\n`, deadline);
    if (!parsedBefore || parsedBefore.rootNode.hasError) return false;
    return parsePythonBefore(`${dedent(after)}\n`, deadline)?.rootNode.hasError === false;
  } catch (error) {
    if (error instanceof UnparseableSource) return false;
    throw error;
  }
}
