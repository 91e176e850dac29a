// Unified diffs as plain data: which files a change touches, its hunks, and which new-side lines it adds.
// Pure: no I/O. Two inputs: the whole output of `git diff` (parseUnifiedDiff) and GitHub's per-file `patch`
// field, which is hunks only (parseFilePatch).
//
// Hunk bodies are read by the `diff` package's parsePatch, one hunk at a time. The file-level git headers
// (`diff --git`, `new file mode`, `rename from`, `Binary files ... differ`, ...) are read here, because parsePatch
// does not know them (it drops a rename-only entry, which has no ---/+++ lines, and has no notion of binary).
//
// Malformed input never throws. A hunk that parsePatch rejects (counts that disagree with its lines, a stray
// line, a truncated body) is re-read leniently: its lines are trusted over its header counts, and reading stops
// at the first line that is not '+', '-', ' ', '\' or empty. Line numbers still start at the header's new-side
// start, so what is reported is exactly what the hunk's own lines say. A hunk whose header cannot be read at all
// (or a combined-diff `@@@` header) contributes nothing.
import { parsePatch } from "diff";

export interface Hunk {
  /** As written in the header: for an empty side (count 0) this is the line before the change, as git writes it. */
  oldStart: number;
  /** Lines actually read on the old side ('-' and ' '); equals the header count for a well-formed hunk. */
  oldLines: number;
  newStart: number;
  /** Lines actually read on the new side ('+' and ' '). */
  newLines: number;
}

export interface FileChange {
  /** New-side path (for removed files, the old path), without the a/ or b/ prefix. */
  path: string;
  /** Set when renamed. */
  oldPath?: string;
  status: "added" | "modified" | "renamed" | "removed";
  /** "Binary files ... differ" or a GIT binary patch: no hunks, no lines. */
  binary: boolean;
  /** 1-based line numbers on the NEW side that the change adds ('+' lines). */
  addedLines: Set<number>;
  hunks: Hunk[];
  /** new-side lines that appear in a hunk as '+' or ' ' (context): GitHub accepts RIGHT-side review comments only on these */
  commentableLines: Set<number>;
}

/** path -> lines the change adds, for every file that still exists after the change. */
export type ChangedLines = Map<string, Set<number>>;

/**
 * Parses the output of `git diff` (any number of files, each starting with a `diff --git` line). Input without
 * any `diff --git` line is read as a plain unified diff (`diff -u`), one file per `---`/`+++`/`@@` header.
 * A copy (`git diff -C`) is reported as "added", with the hunks relative to its source.
 */
export function parseUnifiedDiff(text: string): FileChange[] {
  const lines = withoutMailSignature(splitLines(text));
  const gitStarts: number[] = [];
  lines.forEach((line, i) => {
    if (line.startsWith("diff --git ")) gitStarts.push(i);
  });
  if (gitStarts.length === 0) return parsePlainUnified(lines);
  return gitStarts.map((start, k) => parseGitFile(lines.slice(start, gitStarts[k + 1] ?? lines.length)));
}

/**
 * Parses GitHub's per-file `patch` (hunks only, no file headers). An absent patch (binary files, very large
 * diffs, renames without change) gives a file with no hunks; GitHub does not say which, so `binary` is false.
 * Lines before the first hunk header are ignored, so a patch that does carry headers still reads.
 */
export function parseFilePatch(path: string, patch: string | undefined, status: FileChange["status"] = "modified"): FileChange {
  const body = readHunks(splitLines(patch ?? ""));
  return fileChange({ path, status, binary: false, ...body });
}

/** path -> added lines; removed files are left out (nothing on their new side can be reported). */
export function changedLinesOf(changes: FileChange[]): ChangedLines {
  const changed: ChangedLines = new Map();
  for (const change of changes) {
    if (change.status === "removed") continue;
    const lines = changed.get(change.path) ?? new Set<number>();
    for (const line of change.addedLines) lines.add(line);
    changed.set(change.path, lines);
  }
  return changed;
}

// ---------------------------------------------------------------------------------------------------------------

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

interface HunkBodies {
  hunks: Hunk[];
  addedLines: Set<number>;
  commentableLines: Set<number>;
}

function fileChange(parts: Omit<FileChange, "oldPath"> & { oldPath?: string | undefined }): FileChange {
  const { oldPath, ...rest } = parts;
  const change: FileChange = rest;
  if (parts.status === "renamed" && oldPath !== undefined) change.oldPath = oldPath;
  // A removed file has no new side: nothing on it is added or can carry a RIGHT-side comment.
  if (parts.status === "removed") {
    change.addedLines = new Set();
    change.commentableLines = new Set();
  }
  return change;
}

/** Splits on LF after normalising CRLF (a diff saved on Windows), without the empty tail of a final newline. */
function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/**
 * `git format-patch` ends with a signature, "-- " then the git version, which would otherwise read as one more
 * removed line. It is dropped only when nothing after it could be part of a hunk.
 */
function withoutMailSignature(lines: string[]): string[] {
  const dash = lines.lastIndexOf("-- ");
  if (dash < 0 || dash === lines.length - 1) return lines;
  const after = lines.slice(dash + 1);
  const couldBeHunk = after.some((line) => /^[-+ \\@]/.test(line) || line.startsWith("diff "));
  return couldBeHunk ? lines : lines.slice(0, dash);
}

// --- git diff ----------------------------------------------------------------------------------------------------

function parseGitFile(lines: string[]): FileChange {
  const header = (lines[0] ?? "").slice("diff --git ".length);
  const headerPaths = splitGitHeaderPaths(header);
  let status: FileChange["status"] = "modified";
  let binary = false;
  let renameFrom: string | undefined;
  let renameTo: string | undefined;
  let copied = false;
  // undefined: no such line; null: /dev/null
  let minusPath: string | null | undefined;
  let plusPath: string | null | undefined;

  let i = 1;
  for (; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line.startsWith("@@")) break;
    if (line.startsWith("GIT binary patch")) {
      binary = true; // the base85 body that follows is not hunks
      break;
    }
    if (line.startsWith("new file mode ")) status = "added";
    else if (line.startsWith("deleted file mode ")) status = "removed";
    else if (line.startsWith("rename from ")) renameFrom = decodeHeaderPath(line.slice("rename from ".length));
    else if (line.startsWith("rename to ")) renameTo = decodeHeaderPath(line.slice("rename to ".length));
    else if (line.startsWith("copy from ")) {
      copied = true;
      renameFrom = decodeHeaderPath(line.slice("copy from ".length));
    } else if (line.startsWith("copy to ")) {
      copied = true;
      renameTo = decodeHeaderPath(line.slice("copy to ".length));
    } else if (line.startsWith("Binary files ") && line.endsWith(" differ")) binary = true;
    else if (line.startsWith("--- ")) minusPath = decodeDiffPath(line.slice(4), "a/");
    else if (line.startsWith("+++ ")) plusPath = decodeDiffPath(line.slice(4), "b/");
  }

  if (minusPath === null && status === "modified") status = "added";
  if (plusPath === null && status === "modified") status = "removed";
  if (copied) status = "added";
  else if (renameFrom !== undefined || renameTo !== undefined) status = "renamed";

  const oldPath = renameFrom ?? minusPath ?? headerPaths?.[0];
  const newPath = renameTo ?? plusPath ?? headerPaths?.[1];
  if (status === "modified" && oldPath !== undefined && newPath !== undefined && oldPath !== newPath) status = "renamed";
  const path = (status === "removed" ? (oldPath ?? newPath) : (newPath ?? oldPath)) ?? header;

  const body: HunkBodies = binary ? emptyBodies() : readHunks(lines.slice(i));
  return fileChange({ path, oldPath, status, binary, ...body });
}

/**
 * The two paths of a `diff --git a/X b/Y` line, prefixes stripped. Git quotes a path only when it has
 * special characters (quotes, backslashes, control or non-ASCII bytes), not for spaces, so an unquoted line
 * with spaces is split the way git itself does: the two halves name the same file. This line is only the last
 * resort: `rename from/to` and `---`/`+++` lines, when present, are unambiguous and win.
 */
function splitGitHeaderPaths(rest: string): [string, string] | undefined {
  if (rest.startsWith('"')) {
    const first = readQuoted(rest);
    if (!first) return undefined;
    const after = rest.slice(first.length + 1);
    const second = after.startsWith('"') ? readQuoted(after)?.value : after;
    if (second === undefined) return undefined;
    return [stripPrefix(first.value, "a/"), stripPrefix(second, "b/")];
  }
  const quotedSecond = rest.indexOf(' "');
  if (quotedSecond > 0 && rest.endsWith('"')) {
    const second = readQuoted(rest.slice(quotedSecond + 1));
    if (second) return [stripPrefix(rest.slice(0, quotedSecond), "a/"), stripPrefix(second.value, "b/")];
  }
  if (rest.length % 2 === 1) {
    const middle = (rest.length - 1) / 2;
    const a = rest.slice(0, middle);
    const b = rest.slice(middle + 1);
    if (rest[middle] === " " && a.startsWith("a/") && b.startsWith("b/") && a.slice(2) === b.slice(2)) return [a.slice(2), b.slice(2)];
    if (rest[middle] === " " && a === b) return [a, b];
  }
  const split = rest.indexOf(" b/");
  if (split > 0) return [stripPrefix(rest.slice(0, split), "a/"), rest.slice(split + 3)];
  return undefined;
}

/** The path of a `---` / `+++` line: quoted, or ended by a tab (git adds one when the name has a space). */
function decodeDiffPath(raw: string, prefix: "a/" | "b/"): string | null {
  const path = decodeHeaderPath(raw);
  if (path === "/dev/null") return null;
  return stripPrefix(path, prefix);
}

function decodeHeaderPath(raw: string): string {
  if (raw.startsWith('"')) {
    const quoted = readQuoted(raw);
    if (quoted) return quoted.value;
  }
  const tab = raw.indexOf("\t");
  return tab >= 0 ? raw.slice(0, tab) : raw;
}

function stripPrefix(path: string, prefix: string): string {
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}

const C_ESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, "\\": 92 };

/**
 * Reads a C-style quoted string as git writes paths: `"a/caf\303\251.py"`. Octal escapes are bytes of the
 * UTF-8 name. Returns the decoded value and the length of the quoted text, or undefined when it is unterminated.
 */
function readQuoted(text: string): { value: string; length: number } | undefined {
  const encoder = new TextEncoder();
  const bytes: number[] = [];
  let i = 1;
  while (i < text.length) {
    const char = text[i] ?? "";
    if (char === '"') return { value: new TextDecoder().decode(new Uint8Array(bytes)), length: i + 1 };
    if (char === "\\") {
      const octal = /^[0-7]{3}/.exec(text.slice(i + 1, i + 4));
      if (octal) {
        bytes.push(parseInt(octal[0], 8) & 0xff);
        i += 4;
        continue;
      }
      const next = text[i + 1];
      if (next === undefined) return undefined;
      const escaped = C_ESCAPES[next];
      if (escaped !== undefined) bytes.push(escaped);
      else bytes.push(...encoder.encode(next));
      i += 2;
      continue;
    }
    const codePoint = text.codePointAt(i) ?? 0;
    const whole = String.fromCodePoint(codePoint);
    bytes.push(...encoder.encode(whole));
    i += whole.length;
  }
  return undefined;
}

// --- plain unified diff (no git headers) ---------------------------------------------------------------------------

function parsePlainUnified(lines: string[]): FileChange[] {
  const starts: number[] = [];
  lines.forEach((line, i) => {
    if (line.startsWith("--- ") && lines[i + 1]?.startsWith("+++ ") && lines[i + 2]?.startsWith("@@")) starts.push(i);
  });
  if (starts.length === 0) {
    // Hunks with no file header at all: nothing names the file.
    return [];
  }
  return starts.map((start, k) => {
    const oldPath = decodeDiffPath((lines[start] ?? "").slice(4), "a/");
    const newPath = decodeDiffPath((lines[start + 1] ?? "").slice(4), "b/");
    // Without git's headers a rename cannot be told from two differently named roots (`diff -u old/x new/x`).
    let status: FileChange["status"] = "modified";
    if (oldPath === null) status = "added";
    else if (newPath === null) status = "removed";
    const path = (status === "removed" ? oldPath : newPath) ?? oldPath ?? "";
    const body = readHunks(lines.slice(start + 2, starts[k + 1] ?? lines.length));
    return fileChange({ path, status, binary: false, ...body });
  });
}

// --- hunks -----------------------------------------------------------------------------------------------------

function emptyBodies(): HunkBodies {
  return { hunks: [], addedLines: new Set(), commentableLines: new Set() };
}

/** Reads every hunk in `lines` (lines before the first `@@` are ignored). */
function readHunks(lines: string[]): HunkBodies {
  const result = emptyBodies();
  let segment: string[] | undefined;
  const flush = (): void => {
    if (segment) readHunk(segment, result);
  };
  for (const line of lines) {
    if (line.startsWith("@@")) {
      flush();
      segment = [line];
    } else if (segment) {
      segment.push(line);
    }
  }
  flush();
  return result;
}

/** Reads one hunk (header + body) into `into`. */
function readHunk(segment: string[], into: HunkBodies): void {
  const header = HUNK_HEADER.exec(segment[0] ?? "");
  if (!header) return; // unreadable or combined-diff (@@@) header
  const oldStart = Number(header[1]);
  const newStart = Number(header[3]);
  // a line number past 2^53 (400 nines read as Infinity) is no real file's: unreadable too
  if (!Number.isSafeInteger(oldStart) || !Number.isSafeInteger(newStart)) return;

  let body: string[];
  try {
    body = parsePatch(segment.join("\n"))[0]?.hunks[0]?.lines ?? [];
  } catch {
    body = lenientBody(segment.slice(1));
  }

  let oldLines = 0;
  let newLines = 0;
  let newLine = Math.max(newStart, 1);
  for (const line of body) {
    const op = line === "" ? " " : line[0];
    if (op === "+") {
      into.addedLines.add(newLine);
      into.commentableLines.add(newLine);
      newLine++;
      newLines++;
    } else if (op === " ") {
      into.commentableLines.add(newLine);
      newLine++;
      newLines++;
      oldLines++;
    } else if (op === "-") {
      oldLines++;
    }
    // '\ No newline at end of file' is neither added nor context.
  }
  into.hunks.push({ oldStart, oldLines, newStart, newLines });
}

/**
 * The body of a hunk parsePatch rejected: every line up to the first one that cannot belong to a hunk.
 * Trailing empty lines are dropped (a blank separator, not a context line whose space was stripped).
 */
function lenientBody(lines: string[]): string[] {
  const body: string[] = [];
  for (const line of lines) {
    if (line !== "" && !"+- \\".includes(line[0] ?? "")) break;
    body.push(line);
  }
  while (body.length > 0 && body[body.length - 1] === "") body.pop();
  return body;
}
