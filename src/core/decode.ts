// Bytes -> SourceFile, and what kind of file a path is. Pure: the CLI and the GitHub side read the bytes; this
// decides whether they are scannable text. A file that is not is returned as Skipped with a reason that tells the
// user what to do, never silently dropped.
import type { FileKind, Skipped, SourceFile } from "./types.js";

export const DEFAULT_MAX_BYTES = 2 * 1024 * 1024;

/** How far into a file we look for a NUL byte (git's own binary heuristic looks at the first 8000 bytes). */
const BINARY_SNIFF_BYTES = 8 * 1024;

export type Decoded = { file: SourceFile } | { skipped: Skipped };

/**
 * Decode a file's bytes as UTF-8 (fatal: a malformed byte skips the file rather than scanning replacement
 * characters). A UTF-8 BOM is stripped; CRLF line endings are kept as they are, so columns match the file.
 */
export function decodeSource(path: string, bytes: Uint8Array, opts: { maxBytes?: number } = {}): Decoded {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  if (bytes.length > maxBytes) return { skipped: tooLarge(path, bytes.length, maxBytes) };

  const utf16 = utf16Bom(bytes);
  if (utf16) return skip(path, `encoded as ${utf16} (byte-order mark); re-encode it as UTF-8 to scan it`);

  const nul = bytes.subarray(0, BINARY_SNIFF_BYTES).indexOf(0);
  if (nul !== -1) return skip(path, `binary file (NUL byte at offset ${nul}); not scanned`);

  try {
    // ignoreBOM: false means the decoder consumes (strips) a leading UTF-8 BOM.
    const content = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
    return { file: { path, content } };
  } catch {
    return skip(path, notUtf8Reason(bytes));
  }
}

/**
 * The Skipped entry for a file over the size limit. Exported so a caller can skip a huge file from its size
 * (stat) without reading it, with the same wording decodeSource uses.
 */
export function tooLarge(path: string, size: number, maxBytes: number = DEFAULT_MAX_BYTES): Skipped {
  return {
    file: path,
    reason: `too large: ${formatBytes(size)} (${size} bytes) is over the ${formatBytes(maxBytes)} limit; not scanned`,
  };
}

function skip(path: string, reason: string): { skipped: Skipped } {
  return { skipped: { file: path, reason } };
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${trimNumber(n / (1024 * 1024))} MiB`;
  if (n >= 1024) return `${trimNumber(n / 1024)} KiB`;
  return `${n} bytes`;
}

function trimNumber(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}

function utf16Bom(bytes: Uint8Array): string | null {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return "UTF-16LE";
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return "UTF-16BE";
  return null;
}

/**
 * "not valid UTF-8 (line N ...)". The newline byte never occurs inside a multi-byte UTF-8 sequence, so decoding
 * line by line finds the first bad line exactly. A PEP 263 coding declaration is named, as it says why.
 */
function notUtf8Reason(bytes: Uint8Array): string {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let line = 1;
  let start = 0;
  let badLine = 0;
  while (start <= bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    try {
      decoder.decode(bytes.subarray(start, end));
    } catch {
      badLine = line;
      break;
    }
    start = end + 1;
    line++;
  }
  const where = badLine > 0 ? ` (first invalid byte on line ${badLine})` : "";
  const declared = codingDeclaration(bytes);
  const coding = declared ? `; the file declares coding ${declared}` : "";
  return `not valid UTF-8${where}${coding}; re-encode it as UTF-8 to scan it`;
}

/** PEP 263: `# -*- coding: latin-1 -*-` (or `# vim: set fileencoding=...`) on line 1 or 2. */
function codingDeclaration(bytes: Uint8Array): string | null {
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, 512));
  const firstTwo = head.split("\n").slice(0, 2);
  for (const line of firstTwo) {
    const match = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/.exec(line);
    if (match?.[1]) return match[1];
  }
  return null;
}

const TEMPLATE_EXTENSIONS = new Set([".html", ".htm", ".jinja", ".jinja2", ".j2"]);

/** What a path is, from its name alone (paths may use / or \). */
export function fileKindOf(path: string): FileKind {
  const segments = path.replace(/\\/g, "/").split("/").filter((s) => s !== "" && s !== ".");
  const base = segments.at(-1) ?? "";
  const lower = base.toLowerCase();
  const dirs = segments.slice(0, -1);
  const ext = extensionOf(lower);

  if (ext === ".py" || ext === ".pyw") return "python";
  if (TEMPLATE_EXTENSIONS.has(ext) && dirs.includes("templates")) return "template";
  if (lower === "dockerfile" || lower.startsWith("dockerfile.") || lower.endsWith(".dockerfile")) return "dockerfile";
  if (lower === "containerfile") return "dockerfile";
  if (base === "Procfile") return "procfile";
  if (ext === ".sh") return "shell";
  if (/^docker-compose.*\.ya?ml$/.test(lower) || /^compose(\.[\w-]+)?\.ya?ml$/.test(lower)) return "compose";
  if (/^requirements.*\.txt$/.test(lower) || lower === "pyproject.toml" || base === "Pipfile") return "requirements";
  if (lower === ".env" || (lower.startsWith(".env.") && !/\.(example|sample|template|dist)$/.test(lower))) return "env";
  if (ext === ".service") return "systemd";
  // requirements/base.txt, requirements/prod.txt: the split-requirements layout.
  if (ext === ".txt" && dirs.at(-1) === "requirements") return "requirements";
  return "other";
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot) : "";
}

/** Test code: tests/ or test/ directories, test_*.py, *_test.py, conftest.py. */
export function isTestPath(path: string): boolean {
  const segments = path.replace(/\\/g, "/").split("/").filter((s) => s !== "");
  const base = segments.at(-1) ?? "";
  const dirs = segments.slice(0, -1);
  if (dirs.some((d) => d === "tests" || d === "test")) return true;
  if (base === "conftest.py") return true;
  return /^test_.*\.py$/.test(base) || /_test\.py$/.test(base);
}
