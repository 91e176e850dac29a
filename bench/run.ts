// npm run bench [corpusDir]: scan speed against the floor (bare tree-sitter parsing) and against Bandit, in one run.
// Each figure is the median of several runs after a warm-up. Prints a table and one JSON line.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism, cpus, totalmem } from "node:os";
import { relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { allRules } from "../rules/index.js";
import { scanFiles } from "../src/core/engine.js";
import { collectProjectFacts } from "../src/core/project.js";
import { parsePython } from "../src/core/python.js";
import { scanParallel, scanYielding } from "../src/cli/parallel.js";
import { readPythonTree, writeCorpus } from "./corpus.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function timed(fn: () => unknown | Promise<unknown>): Promise<number> {
  await fn(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

function bandit(dir: string): number | null {
  const probe = spawnSync("bandit", ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) return null;
  const samples: number[] = [];
  const runs = Math.min(RUNS, 3);
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    // exit 1 means "issues found": still a completed scan
    const run = spawnSync("bandit", ["-r", dir, "-q", "-f", "json", "-o", "/dev/null"], { encoding: "utf8", maxBuffer: 1 << 26 });
    if (run.error || (run.status !== 0 && run.status !== 1)) return null;
    samples.push(performance.now() - start);
  }
  return median(samples);
}

/**
 * This process's own peak RSS (VmHWM). Not resourceUsage().maxRSS: on Linux a spawned child starts with its parent's
 * maxRSS (fork copies it, exec keeps it), so the probe reported the bench's 1.2 GB instead of its own ~250 MB.
 */
function peakRssMb(): number {
  const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"));
  return Math.round(Number(match ? match[1] : process.resourceUsage().maxRSS) / 1024);
}

/** One full scan in a fresh process: its peak RSS is the memory a real scan needs (repeated runs would inflate it). */
function rssOfOneScan(dir: string): number {
  const probe = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--rss-probe", dir], { encoding: "utf8" });
  const match = /"peakRssMb":(\d+)/.exec(probe.stdout ?? "");
  return match ? Number(match[1]) : Number.NaN;
}

interface ParallelProbe {
  coldMs: number;
  warmMs: number[];
}

/**
 * Parallel scans in a process of their own: the first call in a fresh process (what one CLI run pays: nothing
 * compiled yet, workers to start; files read and project facts gathered before the clock starts), then `warmRuns`
 * calls on the warm pool after one warm-up, as a long-lived process makes them (facts gathered in each, as in the
 * 1-thread figure). Run apart from this process so that worker heaps never inflate it (nor its children's peak RSS).
 */
function parallelProbe(dir: string, threads: number, warmRuns: number): ParallelProbe {
  const args = [fileURLToPath(import.meta.url), "--parallel-probe", dir, String(threads), String(warmRuns)];
  const probe = spawnSync(process.execPath, args, { encoding: "utf8" });
  try {
    return JSON.parse(probe.stdout) as ParallelProbe;
  } catch {
    return { coldMs: Number.NaN, warmMs: [Number.NaN] };
  }
}

async function parallelProbeMain(dir: string, threads: number, warmRuns: number): Promise<void> {
  const files = readPythonTree(dir);
  const project = collectProjectFacts(files);
  const start = performance.now();
  await scanParallel(files, { rules: allRules, project, threads });
  const coldMs = performance.now() - start;
  const scan = () => scanParallel(files, { rules: allRules, project: collectProjectFacts(files), threads });
  const warmMs: number[] = [];
  if (warmRuns > 0) await scan();
  for (let i = 0; i < warmRuns; i++) {
    const t = performance.now();
    await scan();
    warmMs.push(performance.now() - t);
  }
  console.log(JSON.stringify({ coldMs, warmMs }));
}

async function main(): Promise<void> {
  if (process.argv[2] === "--parallel-probe") {
    await parallelProbeMain(process.argv[3]!, Number(process.argv[4]), Number(process.argv[5]));
    return;
  }
  if (process.argv[2] === "--rss-probe") {
    // What the CLI runs on one thread: scanFiles in slices that let tree-sitter's finalizers free each tree.
    const files = readPythonTree(process.argv[3]!);
    await scanYielding(files, { rules: allRules, project: collectProjectFacts(files) });
    console.log(JSON.stringify({ peakRssMb: peakRssMb() }));
    return;
  }
  const given = process.argv[2];
  let dir: string;
  if (given) {
    dir = resolve(given);
  } else {
    dir = resolve("bench/.corpus/seed-20261127");
    writeCorpus(dir);
  }
  const files = readPythonTree(dir);
  const lines = files.reduce((n, f) => n + f.content.split("\n").length, 0);
  const nonBlank = files.reduce((n, f) => n + f.content.split("\n").filter((l) => l.trim() !== "").length, 0);

  const parseMs = await timed(() => {
    for (const f of files) parsePython(f.content);
  });
  let findings = 0;
  const scanMs = await timed(() => {
    const facts = collectProjectFacts(files);
    findings = scanFiles(files, { rules: allRules, project: facts }).findings.length;
  });
  // parallel, in processes of their own: warm (the pool reused, as in a long-lived process), and fresh processes on 1
  // and on all threads (one CLI run), alternated so that a change in the machine's load hits both alike
  const threads = availableParallelism();
  const warm = parallelProbe(dir, threads, RUNS);
  const parallelMs = median(warm.warmMs);
  const coldSingle: number[] = [];
  const coldParallel: number[] = [warm.coldMs];
  for (let i = 0; i < Math.min(RUNS, 3); i++) {
    coldSingle.push(parallelProbe(dir, 1, 0).coldMs);
    if (coldParallel.length < Math.min(RUNS, 3)) coldParallel.push(parallelProbe(dir, threads, 0).coldMs);
  }
  const coldSingleMs = median(coldSingle);
  const coldParallelMs = median(coldParallel);
  // The median of three fresh processes: when a major GC lands decides the peak (one probe read 160 or 296 MB).
  const rssMb = median([rssOfOneScan(dir), rssOfOneScan(dir), rssOfOneScan(dir)]);
  const banditMs = bandit(dir);

  const perSecond = (ms: number) => Math.round((nonBlank / ms) * 1000);
  const rows: [string, string, string][] = [
    ["files / lines (non-blank)", `${files.length} / ${lines} (${nonBlank})`, ""],
    ["bare tree-sitter parse", `${parseMs.toFixed(0)} ms`, `${perSecond(parseMs)} lines/s`],
    ["full scan, 1 thread (all rules, taint)", `${scanMs.toFixed(0)} ms`, `${perSecond(scanMs)} lines/s`],
    [`full scan, ${threads} threads (warm worker pool)`, `${parallelMs.toFixed(0)} ms`, `${perSecond(parallelMs)} lines/s, ${(scanMs / parallelMs).toFixed(2)}x 1 thread`],
    ["fresh process, 1 thread (one CLI run)", `${coldSingleMs.toFixed(0)} ms`, "scan only: nothing compiled yet"],
    [`fresh process, ${threads} threads (one CLI run)`, `${coldParallelMs.toFixed(0)} ms`, `${(coldSingleMs / coldParallelMs).toFixed(2)}x 1 thread; workers to start`],
    ["scan / parse", `${(scanMs / parseMs).toFixed(2)}x`, "target <= 1.5x"],
    ["findings", String(findings), ""],
    ["peak RSS of one scan (own process)", `${rssMb.toFixed(0)} MB`, "target < 300 MB"],
  ];
  if (banditMs !== null) {
    rows.push(["bandit -r (1 process)", `${banditMs.toFixed(0)} ms`, `${perSecond(banditMs)} lines/s`]);
    rows.push(["speed vs bandit, 1 thread", `${(banditMs / scanMs).toFixed(1)}x`, "target >= 10x"]);
    rows.push([`speed vs bandit, ${threads} threads`, `${(banditMs / parallelMs).toFixed(1)}x`, `target >= 15x on 2 cores (warm pool)`]);
    rows.push([`speed vs bandit, ${threads} threads, fresh`, `${(banditMs / coldParallelMs).toFixed(1)}x`, "one CLI run"]);
  } else {
    rows.push(["bandit", "not on PATH", "apt-get install bandit"]);
  }
  const cpu = cpus()[0]?.model ?? "unknown cpu";
  console.log(`flask-audit bench: ${relative(process.cwd(), dir) || dir}, median of ${RUNS} runs after a warm-up`);
  console.log(`machine: ${cpu}, ${threads} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
  const width = Math.max(...rows.map((r) => r[0].length));
  for (const [name, value, note] of rows) console.log(`${name.padEnd(width)}  ${value.padStart(16)}  ${note}`);
  console.log(
    JSON.stringify({
      corpus: dir, files: files.length, lines, nonBlankLines: nonBlank, runs: RUNS, threads,
      parseMs: Math.round(parseMs), scanMs: Math.round(scanMs), parallelMs: Math.round(parallelMs),
      coldScanMs: Math.round(coldSingleMs), coldParallelMs: Math.round(coldParallelMs),
      scanOverParse: Number((scanMs / parseMs).toFixed(2)), findings, peakRssMb: Math.round(rssMb),
      banditMs: banditMs === null ? null : Math.round(banditMs),
      speedupVsBandit: banditMs === null ? null : Number((banditMs / scanMs).toFixed(1)),
      speedupVsBanditParallel: banditMs === null ? null : Number((banditMs / parallelMs).toFixed(1)),
    }),
  );
}

await main();
