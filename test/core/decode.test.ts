import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_BYTES, decodeSource, fileKindOf, isTestPath, tooLarge } from "../../src/core/decode.js";

const utf8 = (text: string) => new TextEncoder().encode(text);

function decodedText(result: ReturnType<typeof decodeSource>): string {
  if (!("file" in result)) throw new Error(`expected a file, got skipped: ${result.skipped.reason}`);
  return result.file.content;
}

function skipReason(result: ReturnType<typeof decodeSource>): string {
  if (!("skipped" in result)) throw new Error("expected the file to be skipped");
  return result.skipped.reason;
}

describe("decodeSource", () => {
  it("decodes UTF-8, keeping the path and non-ASCII text", () => {
    const result = decodeSource("app/views.py", utf8("name = 'café ☕'\n"));
    expect(result).toEqual({ file: { path: "app/views.py", content: "name = 'café ☕'\n" } });
  });

  it("strips a UTF-8 byte-order mark", () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8("import os\n")]);
    expect(decodedText(decodeSource("a.py", bytes))).toBe("import os\n");
  });

  it("keeps CRLF line endings as they are", () => {
    expect(decodedText(decodeSource("a.py", utf8("a = 1\r\nb = 2\r\n")))).toBe("a = 1\r\nb = 2\r\n");
  });

  it("decodes an empty file (and a BOM-only file) to empty text", () => {
    expect(decodedText(decodeSource("empty.py", new Uint8Array()))).toBe("");
    expect(decodedText(decodeSource("bom.py", new Uint8Array([0xef, 0xbb, 0xbf])))).toBe("");
  });

  it("skips non-UTF-8 text, naming the first bad line and the declared coding", () => {
    const latin1 = new Uint8Array([
      ...utf8("# -*- coding: latin-1 -*-\nx = 1\ny = '"),
      0xe9, // é in latin-1: not valid UTF-8
      ...utf8("'\n"),
    ]);
    const result = decodeSource("legacy.py", latin1);
    expect(result).toEqual({ skipped: { file: "legacy.py", reason: expect.stringMatching(/^not valid UTF-8/) } });
    const reason = skipReason(result);
    expect(reason).toContain("line 3");
    expect(reason).toContain("latin-1");
    expect(reason).toContain("re-encode it as UTF-8");
  });

  it("skips a truncated multi-byte sequence at the end of the file", () => {
    const bytes = new Uint8Array([...utf8("x = '"), 0xe2, 0x98]);
    expect(skipReason(decodeSource("cut.py", bytes))).toMatch(/^not valid UTF-8 \(first invalid byte on line 1\)/);
  });

  it("skips a binary file (a NUL byte in the first 8 KB)", () => {
    const bytes = new Uint8Array([...utf8("PK"), 0, 1, 2, 3]);
    expect(skipReason(decodeSource("blob.py", bytes))).toMatch(/^binary file \(NUL byte at offset 2\)/);
  });

  it("does not call a file binary for a NUL byte after the first 8 KB (it is then just text)", () => {
    const bytes = new Uint8Array(9000).fill(0x61);
    bytes[8999] = 0;
    expect(decodedText(decodeSource("late.py", bytes))).toHaveLength(9000);
  });

  it("names UTF-16 by its byte-order mark", () => {
    const bytes = new Uint8Array([0xff, 0xfe, 0x61, 0x00]);
    expect(skipReason(decodeSource("win.py", bytes))).toMatch(/^encoded as UTF-16LE .* re-encode it as UTF-8/);
  });

  it("skips a file over maxBytes with its size in the reason", () => {
    const bytes = utf8("x".repeat(2048));
    const reason = skipReason(decodeSource("big.py", bytes, { maxBytes: 1024 }));
    expect(reason).toContain("2048 bytes");
    expect(reason).toContain("2 KiB");
    expect(reason).toContain("1 KiB limit");
    expect(decodedText(decodeSource("ok.py", bytes, { maxBytes: 2048 }))).toHaveLength(2048);
  });

  it("has a 2 MiB default limit, and tooLarge words it the same way", () => {
    expect(DEFAULT_MAX_BYTES).toBe(2 * 1024 * 1024);
    const size = 3 * 1024 * 1024 + 512 * 1024;
    expect(tooLarge("huge.py", size)).toEqual({
      file: "huge.py",
      reason: `too large: 3.5 MiB (${size} bytes) is over the 2 MiB limit; not scanned`,
    });
  });
});

describe("fileKindOf", () => {
  it.each([
    ["app.py", "python"],
    ["pkg/gui.pyw", "python"],
    ["app/templates/index.html", "template"],
    ["templates/base.jinja2", "template"],
    ["templates/emails/welcome.j2", "template"],
    ["templates/x.jinja", "template"],
    ["templates/old.htm", "template"],
    ["static/index.html", "other"],
    ["Dockerfile", "dockerfile"],
    ["deploy/Dockerfile.prod", "dockerfile"],
    ["web.dockerfile", "dockerfile"],
    ["Procfile", "procfile"],
    ["scripts/start.sh", "shell"],
    ["docker-compose.yml", "compose"],
    ["docker-compose.prod.yaml", "compose"],
    ["compose.yaml", "compose"],
    ["config.yml", "other"],
    ["requirements.txt", "requirements"],
    ["requirements-dev.txt", "requirements"],
    ["requirements/prod.txt", "requirements"],
    ["pyproject.toml", "requirements"],
    ["notes.txt", "other"],
    ["README.md", "other"],
    ["setup.cfg", "other"],
  ])("%s is %s", (path, kind) => {
    expect(fileKindOf(path)).toBe(kind);
  });

  it("accepts Windows separators", () => {
    expect(fileKindOf("app\\templates\\page.html")).toBe("template");
  });
});

describe("isTestPath", () => {
  it.each([
    ["tests/test_views.py", true],
    ["app/tests/helpers.py", true],
    ["test/fixtures/app.py", true],
    ["test_app.py", true],
    ["pkg/views_test.py", true],
    ["conftest.py", true],
    ["app/views.py", false],
    ["app/testing.py", false],
    ["contest.py", false],
    ["latest/app.py", false],
  ])("%s -> %s", (path, expected) => {
    expect(isTestPath(path)).toBe(expected);
  });
});
