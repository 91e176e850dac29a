// A pull request as GitHub's REST API shows it, computed from two snapshots of a repository (base and head): the
// `pulls.listFiles` entries with GitHub-style per-file patches, the recursive head tree, and the blobs by git SHA.
// Used by the local fake GitHub (npm run demo, end-to-end suites) and by the nock tests, so both serve the same,
// realistic shapes. Not used by the app itself.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { structuredPatch } from "diff";

export type Snapshot = Record<string, string | Uint8Array>;

/** One entry of `GET /repos/{owner}/{repo}/pulls/{n}/files`, as GitHub sends it. */
export interface GitHubPullFile {
  sha: string;
  filename: string;
  status: "added" | "removed" | "modified" | "renamed";
  additions: number;
  deletions: number;
  changes: number;
  blob_url: string;
  raw_url: string;
  contents_url: string;
  patch?: string;
  previous_filename?: string;
}

export interface GitHubTreeEntry {
  path: string;
  mode: string;
  type: "blob" | "tree";
  sha: string;
  /** Blobs only. */
  size?: number;
  url: string;
}

export interface PullModel {
  files: GitHubPullFile[];
  tree: GitHubTreeEntry[];
  /** Blob SHA -> bytes, for base and head versions. */
  blobs: Map<string, Uint8Array>;
}

export interface PullModelOptions {
  /** Paths whose `patch` GitHub leaves out (binary, or a diff too large to display). */
  withoutPatch?: string[];
  /** head path -> base path, for renames. */
  renames?: Record<string, string>;
  /** Used in the URLs of the entries. */
  repoUrl?: string;
  headSha?: string;
}

export function bytesOf(content: string | Uint8Array): Uint8Array {
  return typeof content === "string" ? new TextEncoder().encode(content) : content;
}

/** `git hash-object`: the SHA-1 of "blob <size>\0<bytes>". */
export function gitBlobSha(content: string | Uint8Array): string {
  const bytes = bytesOf(content);
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

/** GitHub's per-file `patch`: hunks only (no file headers), no trailing newline, counts of 1 written as git does. */
export function githubPatch(before: string, after: string): { patch: string; additions: number; deletions: number } {
  const { hunks } = structuredPatch("a", "b", before, after, "", "", { context: 3 });
  let additions = 0;
  let deletions = 0;
  const text = hunks.map((h) => {
    for (const line of h.lines) {
      if (line.startsWith("+")) additions++;
      else if (line.startsWith("-")) deletions++;
    }
    const range = (start: number, count: number) => `${count === 0 ? start - 1 : start}${count === 1 ? "" : `,${count}`}`;
    return [`@@ -${range(h.oldStart, h.oldLines)} +${range(h.newStart, h.newLines)} @@`, ...h.lines].join("\n");
  });
  return { patch: text.join("\n"), additions, deletions };
}

function isText(bytes: Uint8Array): boolean {
  return !bytes.subarray(0, 8000).includes(0);
}

export function buildPullModel(base: Snapshot, head: Snapshot, options: PullModelOptions = {}): PullModel {
  const repoUrl = options.repoUrl ?? "https://github.com/octo-org/flask-shop";
  const ref = options.headSha ?? "HEAD";
  const renames = options.renames ?? {};
  const renamedFrom = new Set(Object.values(renames));
  const withoutPatch = new Set(options.withoutPatch ?? []);
  const blobs = new Map<string, Uint8Array>();
  const files: GitHubPullFile[] = [];

  const entry = (path: string, sha: string, status: GitHubPullFile["status"]): GitHubPullFile => ({
    sha,
    filename: path,
    status,
    additions: 0,
    deletions: 0,
    changes: 0,
    blob_url: `${repoUrl}/blob/${ref}/${path}`,
    raw_url: `${repoUrl}/raw/${ref}/${path}`,
    contents_url: `${repoUrl.replace("https://github.com/", "https://api.github.com/repos/")}/contents/${path}?ref=${ref}`,
  });

  for (const path of Object.keys(head).sort()) {
    const after = bytesOf(head[path]!);
    const sha = gitBlobSha(after);
    blobs.set(sha, after);
    const basePath = renames[path] ?? path;
    const beforeContent = base[basePath];
    const before = beforeContent === undefined ? undefined : bytesOf(beforeContent);
    if (before !== undefined) blobs.set(gitBlobSha(before), before);
    if (before !== undefined && basePath === path && Buffer.from(before).equals(Buffer.from(after))) continue;
    const file = entry(path, sha, before === undefined ? "added" : basePath !== path ? "renamed" : "modified");
    if (basePath !== path) file.previous_filename = basePath;
    if (isText(after) && (before === undefined || isText(before))) {
      const diff = githubPatch(before === undefined ? "" : new TextDecoder().decode(before), new TextDecoder().decode(after));
      file.additions = diff.additions;
      file.deletions = diff.deletions;
      file.changes = diff.additions + diff.deletions;
      if (diff.patch !== "" && !withoutPatch.has(path)) file.patch = diff.patch;
    }
    files.push(file);
  }
  for (const path of Object.keys(base).sort()) {
    if (path in head || renamedFrom.has(path)) continue;
    const before = bytesOf(base[path]!);
    const sha = gitBlobSha(before);
    blobs.set(sha, before);
    const file = entry(path, sha, "removed");
    if (isText(before)) {
      const diff = githubPatch(new TextDecoder().decode(before), "");
      file.deletions = diff.deletions;
      file.changes = diff.deletions;
      if (!withoutPatch.has(path)) file.patch = diff.patch;
    }
    files.push(file);
  }
  files.sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));

  // The recursive tree lists directories too (type "tree"), before their contents.
  const tree: GitHubTreeEntry[] = [];
  const directories = new Set<string>();
  for (const path of Object.keys(head).sort()) {
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      if (directories.has(dir)) continue;
      directories.add(dir);
      const sha = createHash("sha1").update(`tree ${dir}`).digest("hex");
      tree.push({ path: dir, mode: "040000", type: "tree", sha, url: `${repoUrl}/git/trees/${sha}` });
    }
    const bytes = bytesOf(head[path]!);
    const sha = gitBlobSha(bytes);
    tree.push({ path, mode: "100644", type: "blob", sha, size: bytes.length, url: `${repoUrl}/git/blobs/${sha}` });
  }
  return { files, tree, blobs };
}

/** The `git.getBlob` response body for some bytes. */
export function blobResponse(sha: string, bytes: Uint8Array): { sha: string; node_id: string; size: number; encoding: "base64"; content: string; url: string } {
  // GitHub wraps the base64 at 60 columns; decoders must cope.
  const base64 = Buffer.from(bytes).toString("base64").replace(/.{60}/g, "$&\n");
  return { sha, node_id: `B_${sha.slice(0, 12)}`, size: bytes.length, encoding: "base64", content: base64, url: `https://api.github.com/repos/_/_/git/blobs/${sha}` };
}

/** The files under `dir` (those whose name `keep` accepts), by path relative to it with "/", in sorted walk order. */
export function readSnapshot(dir: string, keep: (name: string) => boolean = () => true): Snapshot {
  const files: Snapshot = {};
  const walk = (current: string) => {
    for (const name of readdirSync(current).sort()) {
      const full = join(current, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (keep(name)) files[relative(dir, full).split("\\").join("/")] = readFileSync(full, "utf8");
    }
  };
  walk(dir);
  return files;
}
