// Reads a rule's annotated fixtures (rules/<ID>.py, rules/<ID>.<variant>.py, and fixtures of other file kinds such
// as rules/<ID>.Dockerfile or rules/<ID>.page.html) and scores a scan against them.
//
// Annotations (machine-read, on the line they are about):
//   # expect: FLASK-X-001[, FLASK-Y-002]   a finding of that rule starts on this line
//   # ok: FLASK-X-001 (why)                a look-alike that must stay silent
//   # todo: FLASK-X-001 (why)              a known gap: must stay silent until the rule learns it (then promote it)
// Header directives (anywhere, usually at the top; in templates write them as {# ... #}):
//   # fixture-path: app/config.py          the path the file is scanned under (default: the fixture's file name;
//                                          non-Python fixtures need one, e.g. templates/page.html or Dockerfile)
//   # fixture-file: Dockerfile: CMD ["python", "app.py"]   an extra line of another file, for application facts
//   # expect-advisory: FLASK-HEADERS-001    the rule's project-level advisory fires for this fixture's application
//                                          (without it, the advisory must stay silent)
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { collectProjectFacts } from "../../src/core/project.js";
import type { SourceFile } from "../../src/core/types.js";

export const RULES_DIR = new URL("../../rules/", import.meta.url).pathname;

export interface Fixture {
  name: string;
  /** The path the fixture is scanned under. */
  path: string;
  content: string;
  extraFiles: SourceFile[];
  expected: Map<string, Set<number>>;
  ok: Map<string, Set<number>>;
  todo: Map<string, Set<number>>;
  /** Rules whose project-level advisory must fire for this fixture (and only these). */
  advisories: Set<string>;
}

function add(map: Map<string, Set<number>>, ids: string, line: number): void {
  for (const id of ids.split(/[,\s]+/).filter((s) => /^FLASK-[A-Z]+-\d{3}$/.test(s))) {
    const set = map.get(id) ?? new Set<number>();
    set.add(line);
    map.set(id, set);
  }
}

export function readFixture(fileName: string): Fixture {
  const content = readFileSync(join(RULES_DIR, fileName), "utf8");
  const fixture: Fixture = {
    name: fileName, path: fileName, content, extraFiles: [],
    expected: new Map(), ok: new Map(), todo: new Map(), advisories: new Set(),
  };
  const extra = new Map<string, string[]>();
  content.split("\n").forEach((text, index) => {
    const line = index + 1;
    const expect = /#\s*expect:\s*([A-Z0-9,\s-]+)/.exec(text);
    if (expect) add(fixture.expected, expect[1]!, line);
    const ok = /#\s*ok:\s*([A-Z0-9,\s-]+)/.exec(text);
    if (ok) add(fixture.ok, ok[1]!, line);
    const todo = /#\s*todo:\s*([A-Z0-9,\s-]+)/.exec(text);
    if (todo) add(fixture.todo, todo[1]!, line);
    const directive = text.replace(/^\{#/, "#").replace(/\s*#\}\s*$/, "");
    const advisory = /^#\s*expect-advisory:\s*(FLASK-[A-Z]+-\d{3})/.exec(directive);
    if (advisory) fixture.advisories.add(advisory[1]!);
    const path = /^#\s*fixture-path:\s*(\S+)/.exec(directive);
    if (path) fixture.path = path[1]!;
    const file = /^#\s*fixture-file:\s*([^:\s]+):\s?(.*)$/.exec(directive);
    if (file) extra.set(file[1]!, [...(extra.get(file[1]!) ?? []), file[2]!]);
  });
  fixture.extraFiles = [...extra].map(([path, lines]) => ({ path, content: `${lines.join("\n")}\n` }));
  return fixture;
}

/** Every fixture of a rule: rules/<ID>.* except the module itself and the .fixed golden files. */
export function fixturesOf(ruleId: string): string[] {
  return readdirSync(RULES_DIR)
    .filter((f) => f.startsWith(`${ruleId}.`) && !f.endsWith(".ts") && !/\.fixed(\.[^.]+)?$/.test(f))
    .sort();
}

/** The fixture whose safe fixes must reproduce a golden file: <ID>.py, else the rule's first fixture. */
export function mainFixtureOf(ruleId: string): string | undefined {
  const all = fixturesOf(ruleId);
  return all.includes(`${ruleId}.py`) ? `${ruleId}.py` : all[0];
}

/** rules/<ID>.fixed.py for rules/<ID>.py; rules/<ID>.reqs.fixed.txt for rules/<ID>.reqs.txt; <ID>.fixed.Dockerfile. */
export function goldenOf(fixtureName: string): string {
  const dot = fixtureName.lastIndexOf(".");
  const ext = fixtureName.slice(dot);
  return /^\.[A-Za-z0-9]{1,12}$/.test(ext) ? `${fixtureName.slice(0, dot)}.fixed${ext}` : `${fixtureName}.fixed`;
}

export function factsFor(fixture: Fixture) {
  return collectProjectFacts([{ path: fixture.path, content: fixture.content }, ...fixture.extraFiles]);
}

/** Apply whole-line fixes bottom-up (they never overlap within one rule's fixture). */
export function applyFixes(content: string, fixes: { startLine: number; endLine: number; replacement: string }[]): string {
  const lines = content.split("\n");
  const sorted = [...fixes].sort((a, b) => b.startLine - a.startLine);
  let lastStart = Infinity;
  for (const fix of sorted) {
    if (fix.endLine >= lastStart) continue; // overlapping: the later one wins, like a reviewer applying one
    lines.splice(fix.startLine - 1, fix.endLine - fix.startLine + 1, ...fix.replacement.split("\n"));
    lastStart = fix.startLine;
  }
  return lines.join("\n");
}
