// The command line: argv -> files -> core -> text | json | sarif, and an exit code.
//   0  no finding at or above --fail-on (low-confidence findings advise and never fail)
//   1  at least one such finding
//   2  the command could not run as asked (bad option, unknown rule, unreadable path, not a git work tree, ...)
// All I/O lives here (and in the bin); src/core stays pure.
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Command, CommanderError, Option } from "commander";
import ignore, { type Ignore } from "ignore";
import picomatch from "picomatch";
import { allRules } from "../../rules/index.js";
import type { Rule } from "../core/define-rule.js";
import { DEFAULT_MAX_BYTES, decodeSource, fileKindOf, tooLarge } from "../core/decode.js";
import { changedLinesOf, parseUnifiedDiff, type ChangedLines } from "../core/diff.js";
import { scanParallel, scanYielding } from "./parallel.js";
import { filterToChanged } from "../core/filter.js";
import { collectProjectFacts, FACT_FILE_PATTERNS, type ProjectFacts } from "../core/project.js";
import { renderJson, renderText, toSarif } from "../core/render.js";
import { SEVERITIES, severityRank, type ScanResult, type Severity, type Skipped, type SourceFile } from "../core/types.js";

/** Where the CLI writes and what it runs in; tests pass their own. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  cwd: string;
  env: NodeJS.ProcessEnv;
}

const FORMATS = ["text", "json", "sarif"] as const;
type Format = (typeof FORMATS)[number];
const FAIL_ON = [...SEVERITIES, "none"] as const;

interface CommonOptions {
  format: Format;
  output?: string;
  failOn: Severity | "none";
  rule?: string[];
  disable?: string[];
  color: boolean;
}

/** A problem the user can fix: printed as one line on stderr, exit code 2. */
class UsageError extends Error {}

/** Progress is shown on an interactive stderr only, and only when a scan is long enough to wonder about. */
const PROGRESS_MIN_FILES = 300;

/** Directories that hold no first-party code (or hold copies of it): never walked unless named explicitly. */
const SKIPPED_DIRS = new Set([
  ".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox", ".eggs", "dist", "build",
  "site-packages", ".mypy_cache", ".pytest_cache", ".ruff_cache",
]);

function isSkippedDirName(name: string): boolean {
  return SKIPPED_DIRS.has(name) || name.endsWith(".egg-info");
}

/** Deployment files the project facts read besides the kinds we scan (e.g. uwsgi.ini). */
const isFactFile = picomatch(FACT_FILE_PATTERNS, { dot: true });

function wanted(relPath: string): boolean {
  return fileKindOf(relPath) !== "other" || isFactFile(relPath);
}

/**
 * Runs the command line and returns its exit code (the bin sets process.exitCode). `io` and `rules` default to
 * the process and the full rule set; tests pass their own.
 */
export async function main(argv: string[], io: CliIo = processIo(), rules: Rule[] = allRules): Promise<number> {
  let exitCode = 0;
  const pkg = readPackageJson();
  const program = new Command("flask-audit")
    .description("Security review for Flask code (rules: flask-security-spec).")
    .version(pkg.version, "-V, --version")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`flask-audit: ${text.replace(/^error: /, "").trimEnd()} (see flask-audit --help)\n`),
    })
    .showSuggestionAfterError(true);

  withCommonOptions(
    program
      .command("scan")
      .description("scan files and folders (default: the current folder)")
      .argument("[paths...]", "files or folders to scan", ["."]),
  ).action(async (paths: string[], opts: CommonOptions) => {
    exitCode = await runScan(paths, opts, io, pkg, rules);
  });

  withCommonOptions(
    program
      .command("diff")
      .description("scan the files changed in this git work tree and report findings on added lines only")
      .option(
        "--base <rev>",
        "compare with this revision (default: the merge-base of HEAD and the default branch, else HEAD)",
      ),
  ).action(async (opts: CommonOptions & { base?: string }) => {
    exitCode = await runDiff(opts, io, pkg, rules);
  });

  program
    .command("rules")
    .description("list the rules and their ids")
    .action(() => {
      for (const rule of rules) io.stdout.write(`${rule.id}\t${rule.severity}\t${rule.title}\n`);
    });

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2; // commander already printed why
    if (error instanceof UsageError) {
      io.stderr.write(`flask-audit: ${error.message}\n`);
      return 2;
    }
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr.write(`flask-audit: internal error, please report it with the command you ran:\n${message}\n`);
    return 2;
  }
}

function withCommonOptions(command: Command): Command {
  return command
    .addOption(new Option("-f, --format <format>", "output format").choices(FORMATS).default("text"))
    .option("-o, --output <file>", "write the report to this file instead of stdout")
    .addOption(
      new Option(
        "--fail-on <severity>",
        "exit 1 when a finding at or above this severity exists (low-confidence findings never fail)",
      )
        .choices(FAIL_ON)
        .default("high"),
    )
    .option("--rule <id...>", "run only these rules (ids, or comma-separated)")
    .option("--disable <id...>", "do not run these rules")
    .option("--no-color", "no ANSI colours in text output");
}

function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env };
}

// ---------------------------------------------------------------------------------------------------------------
// scan

async function runScan(paths: string[], opts: CommonOptions, io: CliIo, pkg: PackageInfo, available: Rule[]): Promise<number> {
  const rules = selectRules(available, opts, io.cwd);
  const walked = walkPaths(paths, io.cwd);
  const { sources, skipped } = readSources(walked.files);
  const project = collectProjectFacts(sources);
  const result = await scanWithProgress(sources, rules, project, io);
  result.skipped = [...walked.skipped, ...skipped, ...result.skipped];
  return report(result, rules, opts, io, pkg, io.cwd);
}

interface WalkedFile {
  /** Relative to the scan base (the cwd, or the named folder when it lies outside the cwd), forward slashes. */
  rel: string;
  abs: string;
}

/**
 * The files under the given paths that flask-audit reads. A named file is always read; folders are walked without
 * following symlinks, skipping SKIPPED_DIRS, virtualenvs (a pyvenv.cfg) and what the repository's root .gitignore
 * ignores.
 */
function walkPaths(paths: string[], cwd: string): { files: WalkedFile[]; skipped: Skipped[] } {
  const files = new Map<string, WalkedFile>();
  const skipped: Skipped[] = [];
  const ignoreCache = new Map<string, Ignore>();

  for (const arg of paths) {
    const abs = path.resolve(cwd, arg);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(abs);
    } catch (error) {
      throw new UsageError(`cannot read "${arg}": ${describeFsError(error)}; check the path (relative to ${cwd})`);
    }
    const base = isInside(cwd, abs) ? cwd : stat.isDirectory() ? abs : path.dirname(abs);
    const toRel = (p: string) => toPosix(path.relative(base, p));
    if (!stat.isDirectory()) {
      if (!files.has(abs)) files.set(abs, { rel: toRel(abs) || path.basename(abs), abs });
      continue;
    }
    const gitRoot = findGitRoot(base);
    const ig = ignoreCache.get(gitRoot) ?? loadGitignore(gitRoot);
    ignoreCache.set(gitRoot, ig);
    const ignored = (p: string, isDir: boolean) => {
      const rel = toPosix(path.relative(gitRoot, p));
      return rel !== "" && ig.ignores(isDir ? `${rel}/` : rel);
    };

    const stack = [abs];
    let first = true;
    while (stack.length > 0) {
      const dir = stack.pop()!;
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch (error) {
        if (first) throw new UsageError(`cannot read "${arg}": ${describeFsError(error)}`);
        skipped.push({ file: toRel(dir) + "/", reason: `cannot read this folder (${describeFsError(error)})` });
        continue;
      }
      first = false;
      const subdirs: string[] = [];
      for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (isSkippedDirName(entry.name) || ignored(full, true)) continue;
          if (fs.existsSync(path.join(full, "pyvenv.cfg"))) continue; // a virtualenv, whatever its name
          subdirs.push(full);
        } else if (entry.isFile()) {
          const rel = toRel(full);
          if (!wanted(rel) || ignored(full, false) || files.has(full)) continue;
          files.set(full, { rel, abs: full });
        }
      }
      stack.push(...subdirs.reverse());
    }
  }
  return { files: [...files.values()], skipped };
}

function findGitRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, ".git"))) return dir;
    if (path.dirname(dir) === dir) return start;
  }
}

function loadGitignore(root: string): Ignore {
  const ig = ignore();
  try {
    ig.add(fs.readFileSync(path.join(root, ".gitignore"), "utf8"));
  } catch {
    // no .gitignore: nothing ignored beyond SKIPPED_DIRS
  }
  return ig;
}

/** Read and decode; oversized files are skipped from their size without being read. */
function readSources(files: WalkedFile[]): { sources: SourceFile[]; skipped: Skipped[] } {
  const sources: SourceFile[] = [];
  const skipped: Skipped[] = [];
  for (const file of files) {
    const decoded = readSource(file.rel, file.abs);
    if ("file" in decoded) sources.push(decoded.file);
    else skipped.push(decoded.skipped);
  }
  return { sources, skipped };
}

function readSource(rel: string, abs: string): { file: SourceFile } | { skipped: Skipped } {
  try {
    const size = fs.statSync(abs).size;
    if (size > DEFAULT_MAX_BYTES) return { skipped: tooLarge(rel, size) };
    return decodeSource(rel, fs.readFileSync(abs));
  } catch (error) {
    return { skipped: { file: rel, reason: `cannot read (${describeFsError(error)})` } };
  }
}

/**
 * Whole-tree scans use every core (worker threads, one parser each; small scans stay on this thread), with a
 * progress line on stderr for large scans when it is a terminal.
 */
async function scanWithProgress(sources: SourceFile[], rules: Rule[], project: ProjectFacts, io: CliIo): Promise<ScanResult> {
  const showProgress = Boolean(io.stderr.isTTY) && sources.length > PROGRESS_MIN_FILES;
  const result = await scanParallel(sources, {
    rules,
    project,
    onProgress: showProgress ? (done, total) => io.stderr.write(`\rscanned ${done}/${total} files`) : undefined,
  });
  if (showProgress) io.stderr.write("\r\u001b[K");
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// diff

async function runDiff(
  opts: CommonOptions & { base?: string },
  io: CliIo,
  pkg: PackageInfo,
  available: Rule[],
): Promise<number> {
  const rules = selectRules(available, opts, io.cwd);
  const git = gitRunner(io);
  const inside = await git(["rev-parse", "--is-inside-work-tree"], io.cwd).catch(() => "");
  if (inside.trim() !== "true") {
    throw new UsageError(
      `${io.cwd} is not inside a git work tree; run flask-audit diff from a git checkout, or use flask-audit scan <paths>`,
    );
  }
  const top = (await git(["rev-parse", "--show-toplevel"], io.cwd)).trim();
  const base = await resolveBase(git, top, opts.base);
  io.stderr.write(`flask-audit: comparing the work tree with ${base.label}\n`);

  const diffText = await git(
    [
      "-c", "core.quotePath=false", "diff", "--no-color", "--no-ext-diff", "--no-textconv", "--find-renames",
      "--src-prefix=a/", "--dst-prefix=b/", base.rev, "--",
    ],
    top,
  );
  const changedLines: ChangedLines = changedLinesOf(parseUnifiedDiff(diffText).filter((c) => !c.binary));
  const untracked = splitNul(await git(["ls-files", "--others", "--exclude-standard", "-z"], top));
  const tree = splitNul(await git(["ls-files", "--cached", "--others", "--exclude-standard", "-z"], top));

  // Project facts come from the whole tree, so a change is judged in its application (e.g. its CSRF setup).
  const treeFiles = [...new Set(tree)].filter((p) => wanted(p) && !inSkippedDir(p));
  const decoded = new Map<string, { file: SourceFile } | { skipped: Skipped }>();
  for (const rel of treeFiles) {
    const abs = path.join(top, rel);
    if (!isRegularFile(abs)) continue; // deleted in the work tree, or a submodule
    decoded.set(rel, readSource(rel, abs));
  }
  const sources = [...decoded.values()].flatMap((d) => ("file" in d ? [d.file] : []));
  const project = collectProjectFacts(sources);

  for (const rel of untracked) {
    const d = decoded.get(rel);
    if (d && "file" in d) changedLines.set(rel, allLines(d.file.content));
  }

  const toScan: SourceFile[] = [];
  const skipped: Skipped[] = [];
  for (const rel of [...changedLines.keys()].sort()) {
    if (!wanted(rel) || inSkippedDir(rel)) continue;
    const abs = path.join(top, rel);
    if (!decoded.has(rel) && isRegularFile(abs)) decoded.set(rel, readSource(rel, abs));
    const d = decoded.get(rel);
    if (!d) continue;
    if ("file" in d) toScan.push(d.file);
    else skipped.push(d.skipped);
  }

  const result = await scanYielding(toScan, { rules, project });
  result.findings = filterToChanged(result.findings, changedLines);
  result.skipped = [...skipped, ...result.skipped];
  return report(result, rules, opts, io, pkg, top);
}

type Git = (args: string[], cwd: string) => Promise<string>;

function gitRunner(io: CliIo): Git {
  return (args, cwd) =>
    new Promise((resolve, reject) => {
      execFile(
        "git",
        args,
        // GIT_OPTIONAL_LOCKS=0: a read-only tool must not refresh (write) the index as a side effect.
        { cwd, maxBuffer: 1024 * 1024 * 1024, encoding: "utf8", env: { ...io.env, GIT_OPTIONAL_LOCKS: "0" } },
        (error, stdout, stderr) => {
          if (!error) return resolve(stdout);
          if ((error as NodeJS.ErrnoException).code === "ENOENT") {
            return reject(new UsageError("git is not installed or not on PATH; install git, or use flask-audit scan <paths>"));
          }
          const detail = stderr.trim().split("\n")[0] ?? error.message;
          reject(new Error(`git ${args.join(" ")} failed: ${detail}`));
        },
      );
    });
}

async function resolveBase(git: Git, top: string, requested: string | undefined): Promise<{ rev: string; label: string }> {
  const verify = (rev: string) =>
    git(["rev-parse", "--verify", "--quiet", `${rev}^{commit}`], top).then(
      (out) => out.trim(),
      () => null,
    );
  if (requested) {
    const rev = await verify(requested);
    if (!rev) {
      throw new UsageError(
        `unknown revision "${requested}" for --base; pass a branch, tag or commit that exists here (fetch it first if it is remote)`,
      );
    }
    return { rev, label: `${requested} (${rev.slice(0, 12)})` };
  }
  if (!(await verify("HEAD"))) {
    // No commit yet: everything in the work tree is new.
    const emptyTree = (await git(["hash-object", "-t", "tree", "/dev/null"], top).catch(() => "")).trim();
    return { rev: emptyTree || "4b825dc642cb6eb9a060e54bf8d69288fbee4904", label: "the empty tree (no commit yet)" };
  }
  const branch = await defaultBranch(git, top, verify);
  if (branch) {
    const mergeBase = await git(["merge-base", "HEAD", branch], top).then(
      (out) => out.trim(),
      () => "",
    );
    if (mergeBase) return { rev: mergeBase, label: `the merge-base of HEAD and ${branch} (${mergeBase.slice(0, 12)})` };
  }
  return { rev: "HEAD", label: "HEAD (no default branch found; pass --base to choose)" };
}

async function defaultBranch(git: Git, top: string, verify: (rev: string) => Promise<string | null>): Promise<string | null> {
  const originHead = await git(["symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"], top).then(
    (out) => out.trim(),
    () => "",
  );
  if (originHead && (await verify(originHead))) return originHead;
  for (const name of ["main", "master"]) if (await verify(`refs/heads/${name}`)) return name;
  return null;
}

function inSkippedDir(rel: string): boolean {
  return rel.split("/").slice(0, -1).some(isSkippedDirName);
}

function splitNul(text: string): string[] {
  return text.split("\0").filter((s) => s.length > 0);
}

function allLines(content: string): Set<number> {
  const count = content === "" ? 0 : content.split("\n").length - (content.endsWith("\n") ? 1 : 0);
  return new Set(Array.from({ length: count }, (_, i) => i + 1));
}

function isRegularFile(abs: string): boolean {
  try {
    return fs.lstatSync(abs).isFile();
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// shared: rule selection, output, exit code

function selectRules(available: Rule[], opts: CommonOptions, cwd: string): Rule[] {
  const known = new Map(available.map((r) => [r.id, r]));
  const parse = (values: string[] | undefined, flag: string): Set<string> | undefined => {
    if (!values) return undefined;
    const given = values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
    for (const raw of given) {
      if (known.has(raw.toUpperCase())) continue;
      // `scan --rule ID app.py`: the variadic option swallowed the path.
      const looksLikePath = /[/\\.]/.test(raw) || fs.existsSync(path.resolve(cwd, raw));
      const hint = looksLikePath
        ? `; it looks like a path: put paths before ${flag}, or write ${flag}=ID`
        : `; run "flask-audit rules" to list the ids`;
      throw new UsageError(`unknown rule id "${raw}" in ${flag}${hint}`);
    }
    return new Set(given.map((id) => id.toUpperCase()));
  };
  const only = parse(opts.rule, "--rule");
  const disabled = parse(opts.disable, "--disable") ?? new Set<string>();
  const rules = available.filter((r) => (!only || only.has(r.id)) && !disabled.has(r.id));
  if (rules.length === 0 && available.length > 0) {
    throw new UsageError("--rule and --disable leave no rule to run; drop one of them");
  }
  return rules;
}

function report(result: ScanResult, rules: Rule[], opts: CommonOptions, io: CliIo, pkg: PackageInfo, srcRoot: string): number {
  const toFile = opts.output !== undefined;
  const color =
    opts.color && !toFile && (isForced(io.env.FORCE_COLOR) || (Boolean(io.stdout.isTTY) && io.env.NO_COLOR === undefined));
  const text = render(result, rules, opts.format, color, pkg, srcRoot);
  if (toFile) {
    const target = path.resolve(io.cwd, opts.output!);
    try {
      fs.writeFileSync(target, text);
    } catch (error) {
      throw new UsageError(`cannot write "${opts.output}": ${describeFsError(error)}; check that its folder exists and is writable`);
    }
    io.stderr.write(
      `flask-audit: wrote the ${opts.format} report (${result.findings.length} finding${result.findings.length === 1 ? "" : "s"}) to ${opts.output}\n`,
    );
  } else {
    io.stdout.write(text);
  }
  return failing(result, opts.failOn) ? 1 : 0;
}

function render(result: ScanResult, rules: Rule[], format: Format, color: boolean, pkg: PackageInfo, srcRoot: string): string {
  if (format === "json") return renderJson(result, rules);
  if (format === "sarif") {
    const log = toSarif(result, rules, pkg.version, {
      informationUri: pkg.homepage,
      helpBaseUri: pkg.helpBaseUri,
      srcRoot: `${pathToFileURL(srcRoot).href.replace(/\/?$/, "/")}`,
    });
    return `${JSON.stringify(log, null, 2)}\n`;
  }
  return renderText(result, rules, { color });
}

function isForced(value: string | undefined): boolean {
  return value !== undefined && value !== "" && value !== "0" && value !== "false";
}

/** Low-confidence findings advise, and suppressed ones are accepted: neither fails a check (STYLE.md). */
export function failing(result: ScanResult, failOn: Severity | "none"): boolean {
  if (failOn === "none") return false;
  return result.findings.some(
    (f) => !f.suppressed && f.confidence !== "low" && severityRank(f.severity) >= severityRank(failOn),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// small helpers

interface PackageInfo {
  version: string;
  homepage?: string;
  helpBaseUri?: string;
}

/** package.json of this tool, found from this module whether it runs from src/ (tests) or dist/src/ (the bin). */
function readPackageJson(): PackageInfo {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++, dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as Record<string, unknown>;
      if (pkg.name !== "flask-audit") continue;
      const homepage = typeof pkg.homepage === "string" ? pkg.homepage.replace(/\/+$/, "") : undefined;
      // Rule docs live in the repository at docs/rules.md#rule-id; a GitHub home page gives them an absolute URL.
      const helpBaseUri = homepage && /^https:\/\/github\.com\/[^/]+\/[^/]+$/.test(homepage) ? `${homepage}/blob/HEAD/` : undefined;
      return { version: typeof pkg.version === "string" ? pkg.version : "0.0.0", homepage, helpBaseUri };
    } catch {
      // not here; look one folder up
    }
  }
  return { version: "0.0.0" };
}

function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

function toPosix(p: string): string {
  return p.split(path.sep).join("/");
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT") return "no such file or folder";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "ENOTDIR") return "not a folder";
  return error instanceof Error ? error.message : String(error);
}
