import { readFileSync } from "node:fs";
import { describe, it, expect } from "vitest";
import { changedLinesOf, parseFilePatch, parseUnifiedDiff, type FileChange } from "../../src/core/diff.js";

// Golden inputs: the git-*.diff, format-patch and github-pr-files.json fixtures are real output of git 2.39 on a
// small Flask repository (github-pr-files.json mirrors GitHub's `pulls/files` shape: the same change, hunks only).
// malformed.diff is hand-edited.
function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/diffs/${name}`, import.meta.url), "utf8");
}

function byPath(changes: FileChange[]): Map<string, FileChange> {
  return new Map(changes.map((change) => [change.path, change]));
}

function get(changes: FileChange[], path: string): FileChange {
  const change = byPath(changes).get(path);
  if (!change) throw new Error(`no change for ${path}; have ${changes.map((c) => c.path).join(", ")}`);
  return change;
}

function lines(set: Set<number>): number[] {
  return [...set].sort((a, b) => a - b);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

interface GitHubFile {
  filename: string;
  status: FileChange["status"];
  previous_filename?: string;
  patch?: string;
}

describe("parseUnifiedDiff: a real multi-file git diff", () => {
  const changes = parseUnifiedDiff(fixture("git-pr.diff"));

  it("lists every file once, in diff order, with status, paths and binary flag", () => {
    expect(changes.map(({ path, oldPath, status, binary }) => ({ path, oldPath, status, binary }))).toEqual([
      { path: "app/admin.py", oldPath: undefined, status: "added", binary: false },
      { path: "app/config.py", oldPath: undefined, status: "modified", binary: false },
      { path: "app/env.py", oldPath: "app/utils.py", status: "renamed", binary: false },
      { path: "app/item.py", oldPath: "app/models.py", status: "renamed", binary: false },
      { path: "app/my café.py", oldPath: undefined, status: "modified", binary: false },
      { path: "app/old_helpers.py", oldPath: undefined, status: "removed", binary: false },
      { path: "app/views.py", oldPath: undefined, status: "modified", binary: false },
      { path: "requirements.txt", oldPath: undefined, status: "modified", binary: false },
      { path: "run.sh", oldPath: undefined, status: "modified", binary: false },
      { path: "static/logo.png", oldPath: undefined, status: "modified", binary: true },
      { path: "templates/my page.html", oldPath: undefined, status: "modified", binary: false },
    ]);
    for (const change of changes) expect(Object.hasOwn(change, "oldPath")).toBe(change.status === "renamed");
  });

  it("reads a new file's hunk at the file start (@@ -0,0 +1,3 @@)", () => {
    const admin = get(changes, "app/admin.py");
    expect(admin.hunks).toEqual([{ oldStart: 0, oldLines: 0, newStart: 1, newLines: 3 }]);
    expect(lines(admin.addedLines)).toEqual([1, 2, 3]);
    expect(lines(admin.commentableLines)).toEqual([1, 2, 3]);
  });

  it("numbers added and context lines across several hunks, including the first and last lines of the file", () => {
    const views = get(changes, "app/views.py");
    expect(views.hunks).toEqual([
      { oldStart: 1, oldLines: 4, newStart: 1, newLines: 4 },
      { oldStart: 12, oldLines: 7, newStart: 12, newLines: 10 },
      { oldStart: 27, oldLines: 4, newStart: 30, newLines: 4 },
    ]);
    expect(lines(views.addedLines)).toEqual([1, 15, 16, 17, 18, 33]);
    expect(lines(views.commentableLines)).toEqual([...range(1, 4), ...range(12, 21), ...range(30, 33)]);
  });

  it("skips '\\ No newline at end of file' markers", () => {
    const config = get(changes, "app/config.py");
    expect(config.hunks).toEqual([{ oldStart: 1, oldLines: 2, newStart: 1, newLines: 2 }]);
    expect(lines(config.addedLines)).toEqual([2]);
    expect(lines(config.commentableLines)).toEqual([1, 2]);
  });

  it("reads a rename with changes on the new path's numbering, and a pure rename with no lines", () => {
    const env = get(changes, "app/env.py");
    expect(env.hunks).toEqual([{ oldStart: 6, oldLines: 4, newStart: 6, newLines: 4 }]);
    expect(lines(env.addedLines)).toEqual([9]);
    expect(lines(env.commentableLines)).toEqual([6, 7, 8, 9]);

    const item = get(changes, "app/item.py");
    expect(item.hunks).toEqual([]);
    expect(lines(item.addedLines)).toEqual([]);
    expect(lines(item.commentableLines)).toEqual([]);
  });

  it("keeps a removed file under its old path with its hunk but nothing added or commentable", () => {
    const removed = get(changes, "app/old_helpers.py");
    expect(removed.hunks).toEqual([{ oldStart: 1, oldLines: 2, newStart: 0, newLines: 0 }]);
    expect(lines(removed.addedLines)).toEqual([]);
    expect(lines(removed.commentableLines)).toEqual([]);
  });

  it("reads hunk headers with omitted counts (@@ -1 +1 @@)", () => {
    for (const path of ["requirements.txt", "app/my café.py", "templates/my page.html"]) {
      const change = get(changes, path);
      expect(change.hunks, path).toEqual([{ oldStart: 1, oldLines: 1, newStart: 1, newLines: 1 }]);
      expect(lines(change.addedLines), path).toEqual([1]);
      expect(lines(change.commentableLines), path).toEqual([1]);
    }
  });

  it("gives a mode-only change and a binary file no hunks", () => {
    for (const path of ["run.sh", "static/logo.png"]) {
      const change = get(changes, path);
      expect(change.hunks, path).toEqual([]);
      expect(lines(change.addedLines), path).toEqual([]);
    }
  });
});

describe("parseUnifiedDiff: paths and headers that confuse naive parsers", () => {
  const changes = parseUnifiedDiff(fixture("git-tricky.diff"));

  it("splits an unquoted `diff --git` line whose path contains ' b/'", () => {
    const doc = get(changes, "docs/a b/c.md");
    expect(doc.status).toBe("modified");
    expect(lines(doc.addedLines)).toEqual([1]);
  });

  it("reads an empty new file (no ---/+++ lines, no hunks)", () => {
    const empty = get(changes, "empty.py");
    expect(empty).toMatchObject({ status: "added", binary: false, hunks: [] });
    expect(lines(empty.addedLines)).toEqual([]);
  });

  it("reads a pure rename of paths with spaces from rename from/to", () => {
    const notes = get(changes, "notes new.txt");
    expect(notes).toMatchObject({ status: "renamed", oldPath: "notes old.txt", hunks: [] });
  });

  it("treats '--- ...' and '+++ ...' inside a hunk as removed/added lines, not file headers", () => {
    expect(changes.map((c) => c.path)).toEqual(["docs/a b/c.md", "empty.py", "notes new.txt", "sql/q.sql"]);
    const sql = get(changes, "sql/q.sql");
    expect(sql.hunks).toEqual([{ oldStart: 1, oldLines: 4, newStart: 1, newLines: 4 }]);
    expect(lines(sql.addedLines)).toEqual([3]);
    expect(lines(sql.commentableLines)).toEqual([1, 2, 3, 4]);
  });

  it("decodes a C-quoted path (octal UTF-8 bytes, escaped quote and backslash)", () => {
    const diff = [
      'diff --git "a/we\\"ird\\\\ caf\\303\\251.py" "b/we\\"ird\\\\ caf\\303\\251.py"',
      "new file mode 100644",
      "index 0000000..1111111",
      "Binary files /dev/null and \"b/we\\\"ird\\\\ caf\\303\\251.py\" differ",
    ].join("\n");
    expect(parseUnifiedDiff(diff)).toEqual([
      {
        path: 'we"ird\\ café.py',
        status: "added",
        binary: true,
        hunks: [],
        addedLines: new Set(),
        commentableLines: new Set(),
      },
    ]);
  });
});

describe("parseUnifiedDiff: binary, CRLF, e-mail patches, plain diffs", () => {
  it("marks both binary forms (GIT binary patch, 'Binary files ... differ') and reads no lines from them", () => {
    const changes = parseUnifiedDiff(fixture("git-binary.diff"));
    expect(changes.map(({ path, status, binary, hunks }) => ({ path, status, binary, hunks: hunks.length }))).toEqual([
      { path: "static/logo.png", status: "modified", binary: true, hunks: 0 },
      { path: "static/new.bin", status: "added", binary: true, hunks: 0 },
      { path: "static/new.bin", status: "added", binary: true, hunks: 0 },
    ]);
    for (const change of changes) expect(change.addedLines.size).toBe(0);
  });

  it("reads a CRLF diff exactly like the LF one", () => {
    const crlf = fixture("git-crlf.diff");
    expect(crlf).toContain("\r\n");
    const fromCrlf = parseUnifiedDiff(crlf);
    const fromLf = byPath(parseUnifiedDiff(fixture("git-pr.diff")));
    expect(fromCrlf.map((c) => c.path)).toEqual(["app/config.py", "app/views.py"]);
    for (const change of fromCrlf) expect(change).toEqual(fromLf.get(change.path));
  });

  it("ignores the e-mail headers and the signature of `git format-patch` output", () => {
    const changes = parseUnifiedDiff(fixture("format-patch.patch"));
    expect(changes.map((c) => [c.path, c.status, lines(c.addedLines), lines(c.commentableLines)])).toEqual([
      ["app/config.py", "added", [1, 2], [1, 2]],
      ["requirements.txt", "added", [1], [1]],
    ]);
    expect(get(changes, "requirements.txt").hunks).toEqual([{ oldStart: 0, oldLines: 0, newStart: 1, newLines: 1 }]);
  });

  it("keeps a removed line that reads '-- ' when hunk lines follow it", () => {
    const diff = "diff --git a/list.md b/list.md\n--- a/list.md\n+++ b/list.md\n@@ -1,2 +1,2 @@\n-- \n+- item\n a\n";
    const [change] = parseUnifiedDiff(diff);
    expect(change?.hunks).toEqual([{ oldStart: 1, oldLines: 2, newStart: 1, newLines: 2 }]);
    expect(lines(change?.addedLines ?? new Set())).toEqual([1]);
  });

  it("reads a plain `diff -ru` (no git headers) by its ---/+++ lines", () => {
    const changes = parseUnifiedDiff(fixture("plain-unified.diff"));
    expect(changes.map((c) => [c.path, c.status, lines(c.addedLines), lines(c.commentableLines)])).toEqual([
      ["x.txt", "modified", [2, 4], [1, 2, 3, 4]],
      ["y.txt", "modified", [1], [1, 2, 3]],
    ]);
  });
});

describe("parseUnifiedDiff: malformed input returns what can be read and never throws", () => {
  const changes = parseUnifiedDiff(fixture("malformed.diff"));

  it("trusts a hunk's lines over header counts that are too large or too small", () => {
    const short = get(changes, "short.py");
    expect(short.hunks).toEqual([{ oldStart: 1, oldLines: 1, newStart: 1, newLines: 3 }]);
    expect(lines(short.addedLines)).toEqual([2, 3]);
    expect(lines(short.commentableLines)).toEqual([1, 2, 3]);

    const long = get(changes, "long.py");
    expect(long.hunks).toEqual([{ oldStart: 1, oldLines: 2, newStart: 1, newLines: 3 }]);
    expect(lines(long.addedLines)).toEqual([2, 3]);
    expect(lines(long.commentableLines)).toEqual([1, 2, 3]);
  });

  it("stops reading a hunk at a line that cannot belong to it", () => {
    const garbage = get(changes, "garbage.py");
    expect(garbage.hunks).toEqual([{ oldStart: 1, oldLines: 1, newStart: 1, newLines: 2 }]);
    expect(lines(garbage.addedLines)).toEqual([2]);
    expect(lines(garbage.commentableLines)).toEqual([1, 2]);
  });

  it("skips a hunk whose header cannot be read and keeps the next one", () => {
    const bad = get(changes, "badheader.py");
    expect(bad.hunks).toEqual([{ oldStart: 10, oldLines: 2, newStart: 10, newLines: 3 }]);
    expect(lines(bad.addedLines)).toEqual([11]);
    expect(lines(bad.commentableLines)).toEqual([10, 11, 12]);
  });

  it("reads a well-formed file after the broken ones", () => {
    expect(changes.map((c) => c.path)).toEqual(["short.py", "long.py", "garbage.py", "badheader.py", "fine.py"]);
    expect(lines(get(changes, "fine.py").addedLines)).toEqual([2]);
  });

  it("returns nothing for input that is not a diff", () => {
    for (const text of ["", "\n", "not a diff at all", "@@ -1 +1 @@\n+x", "--- a/x\n+++ b/x\n", "Binary files differ"]) {
      expect(parseUnifiedDiff(text), JSON.stringify(text)).toEqual([]);
    }
  });

  it("survives odd fragments without throwing", () => {
    const fragments = [
      "diff --git",
      "diff --git \n@@",
      'diff --git "a/unterminated',
      'diff --git "a/x\\',
      "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@",
      "diff --git a/x b/x\n@@ -a,b +c,d @@\n+x",
      "diff --git a/x b/x\n@@@ -1,1 -1,1 +1,2 @@@\n++x",
      "diff --git a/x b/x\r\n@@ -1 +1 @@\r\n\r\n",
    ];
    for (const text of fragments) expect(() => parseUnifiedDiff(text), JSON.stringify(text)).not.toThrow();
    expect(parseUnifiedDiff("diff --git a/x b/x\n@@@ -1,1 -1,1 +1,2 @@@\n++x")[0]).toMatchObject({ path: "x", hunks: [] });
  });

  it("on a diff truncated at any line, reports only lines the whole diff reports", () => {
    const text = fixture("git-pr.diff");
    const whole = byPath(parseUnifiedDiff(text));
    const all = text.split("\n");
    for (let cut = 0; cut <= all.length; cut++) {
      const partial = parseUnifiedDiff(all.slice(0, cut).join("\n"));
      for (const change of partial) {
        const full = whole.get(change.path);
        expect(full, `cut ${cut}: ${change.path}`).toBeDefined();
        for (const line of change.addedLines) expect(full?.addedLines.has(line), `cut ${cut}: ${change.path}:${line}`).toBe(true);
        for (const line of change.commentableLines) expect(full?.commentableLines.has(line), `cut ${cut}`).toBe(true);
      }
    }
  });
});

describe("parseFilePatch: GitHub's per-file patch", () => {
  const files = JSON.parse(fixture("github-pr-files.json")) as GitHubFile[];
  const fromGit = byPath(parseUnifiedDiff(fixture("git-pr.diff")));

  it("reads the same hunks and lines as the full git diff, file by file", () => {
    expect(files).toHaveLength(11);
    for (const file of files) {
      const change = parseFilePatch(file.filename, file.patch, file.status);
      const git = fromGit.get(file.filename);
      expect(change.path).toBe(file.filename);
      expect(change.status).toBe(file.status);
      expect(change.hunks, file.filename).toEqual(git?.hunks);
      expect(lines(change.addedLines), file.filename).toEqual(lines(git?.addedLines ?? new Set()));
      expect(lines(change.commentableLines), file.filename).toEqual(lines(git?.commentableLines ?? new Set()));
    }
  });

  it("reads a multi-hunk patch exactly", () => {
    const views = files.find((f) => f.filename === "app/views.py");
    const change = parseFilePatch("app/views.py", views?.patch);
    expect(lines(change.addedLines)).toEqual([1, 15, 16, 17, 18, 33]);
    expect(lines(change.commentableLines)).toEqual([...range(1, 4), ...range(12, 21), ...range(30, 33)]);
    expect(change).toMatchObject({ status: "modified", binary: false });
    expect(Object.hasOwn(change, "oldPath")).toBe(false);
  });

  it("gives an absent or empty patch no hunks and no lines", () => {
    for (const patch of [undefined, ""]) {
      expect(parseFilePatch("static/logo.png", patch)).toEqual({
        path: "static/logo.png",
        status: "modified",
        binary: false,
        hunks: [],
        addedLines: new Set(),
        commentableLines: new Set(),
      });
    }
  });

  it("reads a patch at the start of a file, with a no-newline marker and CRLF line endings", () => {
    const change = parseFilePatch("new.py", "@@ -0,0 +1,2 @@\r\n+a = 1\r\n+b = 2\r\n\\ No newline at end of file", "added");
    expect(change.hunks).toEqual([{ oldStart: 0, oldLines: 0, newStart: 1, newLines: 2 }]);
    expect(lines(change.addedLines)).toEqual([1, 2]);
  });

  it("ignores file headers in front of the hunks", () => {
    const patch = "diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -4,2 +4,3 @@\n a\n+b\n c\n";
    expect(lines(parseFilePatch("x.py", patch).addedLines)).toEqual([5]);
  });

  it("reads malformed patches leniently without throwing", () => {
    expect(lines(parseFilePatch("x.py", "@@ -1,1 +1,9 @@\n+a\n+b").addedLines)).toEqual([1, 2]);
    expect(lines(parseFilePatch("x.py", "@@ -3 +3 @@\n c\n+d\n+e\n").addedLines)).toEqual([4, 5]);
    expect(lines(parseFilePatch("x.py", "@@ -1,2 +1,3 @@\n a\n+b\n#garbage\n c").addedLines)).toEqual([2]);
    expect(parseFilePatch("x.py", "@@ nonsense\n+a").hunks).toEqual([]);
    expect(parseFilePatch("x.py", "just text").hunks).toEqual([]);
  });

  it("keeps nothing added or commentable on a removed file", () => {
    const change = parseFilePatch("gone.py", "@@ -1,2 +0,0 @@\n-a\n-b", "removed");
    expect(change.hunks).toEqual([{ oldStart: 1, oldLines: 2, newStart: 0, newLines: 0 }]);
    expect(change.addedLines.size + change.commentableLines.size).toBe(0);
  });
});

describe("changedLinesOf", () => {
  it("maps every file that still exists to its added lines, leaving removed files out", () => {
    const changed = changedLinesOf(parseUnifiedDiff(fixture("git-pr.diff")));
    expect(Object.fromEntries([...changed].map(([path, set]) => [path, lines(set)]))).toEqual({
      "app/admin.py": [1, 2, 3],
      "app/config.py": [2],
      "app/env.py": [9],
      "app/item.py": [],
      "app/my café.py": [1],
      "app/views.py": [1, 15, 16, 17, 18, 33],
      "requirements.txt": [1],
      "run.sh": [],
      "static/logo.png": [],
      "templates/my page.html": [1],
    });
  });

  it("returns its own sets, not the FileChange's", () => {
    const changes = [parseFilePatch("a.py", "@@ -0,0 +1 @@\n+x", "added")];
    changedLinesOf(changes).get("a.py")?.add(99);
    expect(lines(changes[0]?.addedLines ?? new Set())).toEqual([1]);
  });
});
