// Gathering a ReviewInput through the gateway: the pull request's files and their head content, the few repository
// files that application facts need, and our earlier comments. Cheap by construction: one paginated file list, one
// recursive tree, one blob per file we actually scan (bounded concurrency, size checked from the tree first; none
// for a blob SHA already in the cache, scan-cache.ts), and the review comments (plus one GraphQL page of threads
// when we commented before), read while the blobs come.
import picomatch from "picomatch";
import type { ReviewConfig } from "../core/config.js";
import { pathSelected } from "../core/config.js";
import { DEFAULT_MAX_BYTES, decodeSource, fileKindOf, tooLarge } from "../core/decode.js";
import type { Rule } from "../core/define-rule.js";
import { FACT_FILE_PATTERNS } from "../core/project.js";
import type { PullFile, ReviewInput } from "../core/review-types.js";
import type { FileKind, SourceFile } from "../core/types.js";
import { MAX_PULL_FILES, statusOf, type GitHubGateway, type ListedFile, type TreeBlob } from "./gateway.js";
import { createLimiter, type Limiter } from "./limit.js";
import type { BlobCache } from "./scan-cache.js";

export interface ScanLimits {
  /** Files listed per pull request (GitHub's own cap is 3000). */
  maxFiles: number;
  /** Changed files larger than this are not fetched: skipped with a note. */
  maxFileBytes: number;
  /** Blob requests in flight at once. */
  blobConcurrency: number;
  /** Repository files fetched for application facts. */
  maxFactFiles: number;
  maxFactFileBytes: number;
}

export const DEFAULT_LIMITS: ScanLimits = {
  maxFiles: MAX_PULL_FILES,
  maxFileBytes: DEFAULT_MAX_BYTES,
  blobConcurrency: 8,
  maxFactFiles: 150,
  maxFactFileBytes: 256 * 1024,
};

export interface PullTarget {
  owner: string;
  repo: string;
  pullNumber: number;
  headSha: string;
}

export interface GatheredInput {
  input: ReviewInput;
  /** What the summary should mention that the plan cannot know (facts from a truncated tree, capped fact files). */
  notes: string[];
  /** The head blob SHA of each pull-request file whose content `input` carries (what its scan result is cached by). */
  blobShas: Map<string, string>;
}

export const NO_RULE_READS_KIND = "no flask-audit rule reads this kind of file";

/** Third-party code vendored into a repository says nothing about the application's own configuration. */
const VENDORED = /(^|\/)(node_modules|\.venv|venv|site-packages|\.tox|\.git|vendor|third_party)\//;

/** Kinds worth fetching: what some rule reads, plus templates (a CSP <meta> tag is an application fact). */
function kindsToFetch(rules: readonly Rule[]): Set<FileKind> {
  const kinds = new Set<FileKind>(["python", "template"]);
  for (const rule of rules) if (rule.checkText) for (const kind of rule.kinds ?? []) kinds.add(kind);
  return kinds;
}

/** A pure rename (no added line, no patch) and removed files have nothing to scan at the head. */
function hasNewContent(file: ListedFile): boolean {
  if (file.status === "removed" || file.status === "unchanged") return false;
  if (file.status === "renamed" && file.patch === undefined && file.additions === 0) return false;
  return true;
}

export async function gatherReviewInput(
  gh: GitHubGateway,
  target: PullTarget,
  config: ReviewConfig,
  rules: Rule[],
  limits: ScanLimits = DEFAULT_LIMITS,
  /** Blob contents by SHA from earlier scans (a rescan of the same head fetches nothing it already has). */
  cache?: BlobCache,
  /** Told each pull-request file's head content as it arrives (to scan it while the rest is fetched). */
  onContent?: (file: SourceFile, blobSha: string) => void,
): Promise<GatheredInput> {
  const notes: string[] = [];
  const limiter = createLimiter(limits.blobConcurrency);
  const fetcher: BlobFetcher = { limiter, cache };
  const { files: listed, truncated } = await gh.listPullFiles(target.pullNumber, limits.maxFiles);
  const fetchKinds = kindsToFetch(rules);
  const wanted = (file: ListedFile) => hasNewContent(file) && pathSelected(config, file.path) && fetchKinds.has(fileKindOf(file.path));

  // Nothing to scan (a docs-only change): no tree, no blobs, no facts; the plan only resolves and summarises.
  const anythingToScan = listed.some(wanted);
  const tree = anythingToScan ? await gh.getTree(target.headSha) : { blobs: [], truncated: false };
  const blobAt = new Map(tree.blobs.map((b) => [b.path, b]));
  const blobShas = new Map<string, string>();
  // Our earlier comments do not depend on the files: read them while the blobs come (handled now if never awaited).
  const priorComments = gh.listPriorComments(target.pullNumber);
  priorComments.catch(() => {});

  const files = await Promise.all(
    listed.map(async (file): Promise<PullFile> => {
      const pull: PullFile = { path: file.path, status: file.status, additions: file.additions };
      if (file.previousPath !== undefined) pull.previousPath = file.previousPath;
      if (file.patch !== undefined) pull.patch = file.patch;
      if (!hasNewContent(file) || !pathSelected(config, file.path)) return pull; // the planner says why
      if (!wanted(file)) return { ...pull, skippedReason: NO_RULE_READS_KIND };
      const blob = blobAt.get(file.path);
      const sha = file.blobSha ?? blob?.sha;
      if (!sha) return { ...pull, skippedReason: "GitHub gave no blob for this file at the head commit; not scanned" };
      if (blob && blob.size > limits.maxFileBytes) return { ...pull, skippedReason: tooLarge(file.path, blob.size, limits.maxFileBytes).reason };
      const content = await fetchText(gh, fetcher, file.path, sha, limits.maxFileBytes);
      if (!("content" in content)) return { ...pull, skippedReason: content.skippedReason };
      blobShas.set(file.path, sha);
      onContent?.({ path: file.path, content: content.content }, sha);
      return { ...pull, content: content.content };
    }),
  );

  const factFiles = anythingToScan ? await gatherFactFiles(gh, fetcher, tree.blobs, files, limits, notes) : [];
  if (tree.truncated) {
    notes.push("The repository tree is larger than GitHub returns in one call, so application facts (CSRF protection, security headers, entrypoints) come from part of it.");
  }
  const input: ReviewInput = {
    owner: target.owner,
    repo: target.repo,
    pullNumber: target.pullNumber,
    headSha: target.headSha,
    files,
    factFiles,
    priorComments: await priorComments,
    config,
    rules,
  };
  if (truncated) input.truncatedFileList = true;
  return { input, notes, blobShas };
}

/**
 * The repository files that application facts need (FACT_FILE_PATTERNS), from the head tree: the changed ones we
 * already have, the rest fetched, shallowest first, within a count and size budget.
 */
async function gatherFactFiles(
  gh: GitHubGateway,
  fetcher: BlobFetcher,
  blobs: TreeBlob[],
  files: PullFile[],
  limits: ScanLimits,
  notes: string[],
): Promise<SourceFile[]> {
  const isFactFile = picomatch(FACT_FILE_PATTERNS, { dot: true });
  const have = new Map(files.flatMap((f) => (f.content !== undefined ? [[f.path, f.content] as const] : [])));
  const candidates = blobs
    .filter((b) => isFactFile(b.path) && !VENDORED.test(b.path) && b.size <= limits.maxFactFileBytes)
    .sort((a, b) => depth(a.path) - depth(b.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const chosen = candidates.slice(0, limits.maxFactFiles);
  if (candidates.length > chosen.length) {
    notes.push(
      `Application facts were read from the ${chosen.length} shallowest of ${candidates.length} configuration and entrypoint files in the repository.`,
    );
  }
  const facts = await Promise.all(
    chosen.map(async (blob): Promise<SourceFile | null> => {
      const known = have.get(blob.path);
      if (known !== undefined) return { path: blob.path, content: known };
      const text = await fetchText(gh, fetcher, blob.path, blob.sha, limits.maxFactFileBytes);
      return "content" in text ? { path: blob.path, content: text.content } : null;
    }),
  );
  return facts.filter((f): f is SourceFile => f !== null);
}

function depth(path: string): number {
  return path.split("/").length;
}

/** How blobs are fetched: with a bound on requests in flight, and through the cache when there is one. */
interface BlobFetcher {
  limiter: Limiter;
  cache: BlobCache | undefined;
}

/**
 * A blob as text. A blob GitHub no longer has (404/422) becomes a skip reason; any other error fails the scan:
 * a security gate must not pass because a file could not be read.
 */
async function fetchText(
  gh: GitHubGateway,
  fetcher: BlobFetcher,
  path: string,
  sha: string,
  maxBytes: number,
): Promise<{ content: string } | { skippedReason: string }> {
  let bytes: Uint8Array;
  try {
    const load = () => fetcher.limiter(() => gh.getBlob(sha));
    bytes = await (fetcher.cache ? fetcher.cache.fetch(sha, load) : load());
  } catch (error) {
    const status = statusOf(error);
    if (status === 404 || status === 422) return { skippedReason: `GitHub could not return its content (HTTP ${status}); not scanned` };
    throw error;
  }
  const decoded = decodeSource(path, bytes, { maxBytes });
  return "file" in decoded ? { content: decoded.file.content } : { skippedReason: decoded.skipped.reason };
}
