// Findings x changed lines: a review speaks only about what the change adds. Pure.
import type { ChangedLines } from "./diff.js";
import type { Finding, FlowStep, Span } from "./types.js";

/**
 * Keeps the findings that touch a line the change adds, in input order; never mutates the input.
 *
 * - A finding with any line of [span.startLine, span.endLine] added is kept as it is.
 * - Otherwise, a taint finding whose flow passes through an added line (say the change adds the
 *   `request.args` read that now reaches an old `execute`) is kept as a copy re-anchored on the first added
 *   step, with `anchoredFrom` saying where the sink is. Its fix, written for the sink's lines, is downgraded to
 *   `review`: a one-click suggestion on the anchor line would replace the wrong code.
 * - Findings in files absent from `changes`, and the rest, are dropped.
 */
export function filterToChanged(findings: Finding[], changes: ChangedLines): Finding[] {
  const kept: Finding[] = [];
  for (const finding of findings) {
    const added = changes.get(finding.file);
    if (!added || added.size === 0) continue;
    if (spanTouches(finding.span, added)) {
      kept.push(finding);
      continue;
    }
    const anchor = finding.flow?.find((step) => added.has(step.line));
    if (anchor) kept.push(reanchor(finding, anchor));
  }
  return kept;
}

function spanTouches(span: Span, added: Set<number>): boolean {
  const first = span.startLine;
  const last = Math.max(span.endLine, span.startLine);
  // Walk whichever is shorter: the span's lines or the added set.
  if (last - first + 1 <= added.size) {
    for (let line = first; line <= last; line++) if (added.has(line)) return true;
    return false;
  }
  for (const line of added) if (line >= first && line <= last) return true;
  return false;
}

function reanchor(finding: Finding, step: FlowStep): Finding {
  const sinkLine = finding.span.startLine;
  const value = step.label ? ` (${step.label})` : "";
  const copy: Finding = {
    ...finding,
    span: { startLine: step.line, startColumn: step.startColumn, endLine: step.line, endColumn: step.endColumn },
    anchoredFrom: {
      line: sinkLine,
      note:
        `The untrusted value added here${value} reaches the ${finding.ruleId} sink (${finding.title}) ` +
        `at line ${sinkLine}, which this change does not touch.`,
    },
  };
  if (finding.fix) copy.fix = { ...finding.fix, safety: "review" };
  if (finding.flow) copy.flow = finding.flow.map((s) => ({ ...s }));
  return copy;
}
