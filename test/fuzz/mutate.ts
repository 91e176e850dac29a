// fast-check arbitraries that damage real sources the way hostile or broken input does: truncation, insertions of
// hostile characters, deletions, duplicated ranges, line-ending changes, tab/space mixes, stray indentation,
// unbalanced wrapping; and at the byte level a BOM (UTF-8 or UTF-16), NUL bytes and bytes that are not UTF-8.
import fc from "fast-check";
import { HOSTILE_CHARS } from "./corpus.js";

export type TextOp =
  | { kind: "truncate"; at: number }
  | { kind: "insert"; at: number; text: string }
  | { kind: "delete"; at: number; length: number }
  | { kind: "duplicate"; at: number; length: number; to: number; times: number }
  | { kind: "lineEndings"; style: "crlf" | "cr" | "mixed" }
  | { kind: "tabs"; every: number }
  | { kind: "indent"; at: number; indent: string }
  | { kind: "wrap"; at: number; length: number; open: string; close: string };

export type ByteOp = { kind: "bom" } | { kind: "utf16bom" } | { kind: "nul"; at: number; value: number } | { kind: "byte"; at: number; value: number };

/** Short runs of hostile characters (and now and then any grapheme). */
export const hostileText = fc.string({
  unit: fc.oneof({ arbitrary: fc.constantFrom(...HOSTILE_CHARS), weight: 3 }, { arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }), weight: 1 }),
  minLength: 1,
  maxLength: 12,
});

const position = fc.nat({ max: 1 << 20 });

export const textOp: fc.Arbitrary<TextOp> = fc.oneof(
  fc.record({ kind: fc.constant("truncate" as const), at: position }),
  { arbitrary: fc.record({ kind: fc.constant("insert" as const), at: position, text: hostileText }), weight: 4 },
  fc.record({ kind: fc.constant("delete" as const), at: position, length: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ kind: fc.constant("duplicate" as const), at: position, length: fc.integer({ min: 1, max: 300 }), to: position, times: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant("lineEndings" as const), style: fc.constantFrom("crlf" as const, "cr" as const, "mixed" as const) }),
  fc.record({ kind: fc.constant("tabs" as const), every: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ kind: fc.constant("indent" as const), at: position, indent: fc.constantFrom(" ", "\t", "   ", " \t", "\t ", "\f") }),
  fc.record({
    kind: fc.constant("wrap" as const), at: position, length: fc.integer({ min: 0, max: 400 }),
    open: fc.constantFrom("(", "[", "{", "'", '"', '"""', "f'{", "lambda: (", "if x:\n    "),
    close: fc.constantFrom(")", "]", "}", "", "'", '"', '"""', "}'", ":"),
  }),
);

const byteValue = fc.constantFrom(0x00, 0x80, 0xbf, 0xc0, 0xc3, 0xe2, 0xed, 0xf0, 0xf4, 0xf8, 0xfe, 0xff);
export const byteOp: fc.Arbitrary<ByteOp> = fc.oneof(
  fc.constant({ kind: "bom" as const }),
  fc.constant({ kind: "utf16bom" as const }),
  fc.record({ kind: fc.constant("nul" as const), at: position, value: byteValue }),
  fc.record({ kind: fc.constant("byte" as const), at: position, value: byteValue }),
);

export function applyTextOps(source: string, ops: readonly TextOp[]): string {
  let s = source;
  const at = (n: number) => (s.length === 0 ? 0 : n % (s.length + 1));
  for (const op of ops) {
    switch (op.kind) {
      case "truncate":
        s = s.slice(0, at(op.at));
        break;
      case "insert": {
        const i = at(op.at);
        s = s.slice(0, i) + op.text + s.slice(i);
        break;
      }
      case "delete": {
        const i = at(op.at);
        s = s.slice(0, i) + s.slice(i + op.length);
        break;
      }
      case "duplicate": {
        const i = at(op.at);
        const piece = s.slice(i, i + op.length).repeat(op.times);
        const j = at(op.to);
        s = s.slice(0, j) + piece + s.slice(j);
        break;
      }
      case "lineEndings":
        s = op.style === "crlf" ? s.replace(/\r?\n/g, "\r\n") : op.style === "cr" ? s.replace(/\r?\n/g, "\r") : s.split("\n").map((l, k) => l + (k % 2 ? "\r" : "")).join("\n");
        break;
      case "tabs":
        s = s.split("\n").map((line, k) => (k % op.every === 0 ? line.replace(/^( {4})+/, (m) => "\t".repeat(m.length / 4)) : line)).join("\n");
        break;
      case "indent": {
        const lineStart = s.lastIndexOf("\n", at(op.at) - 1) + 1;
        s = s.slice(0, lineStart) + op.indent + s.slice(lineStart);
        break;
      }
      case "wrap": {
        const i = at(op.at);
        const j = Math.min(s.length, i + op.length);
        s = s.slice(0, i) + op.open + s.slice(i, j) + op.close + s.slice(j);
        break;
      }
    }
  }
  return s;
}

export function applyByteOps(bytes: Uint8Array, ops: readonly ByteOp[]): Uint8Array {
  let b = bytes;
  for (const op of ops) {
    if (op.kind === "bom" || op.kind === "utf16bom") {
      const mark = op.kind === "bom" ? [0xef, 0xbb, 0xbf] : [0xff, 0xfe];
      const out = new Uint8Array(b.length + mark.length);
      out.set(mark, 0);
      out.set(b, mark.length);
      b = out;
    } else {
      const i = b.length === 0 ? 0 : op.at % (b.length + 1);
      if (op.kind === "byte" && i < b.length) {
        b = b.slice();
        b[i] = op.value;
      } else {
        const out = new Uint8Array(b.length + 1);
        out.set(b.subarray(0, i), 0);
        out[i] = op.kind === "nul" ? 0 : op.value;
        out.set(b.subarray(i), i + 1);
        b = out;
      }
    }
  }
  return b;
}

/** Python-ish token soup, Flask-flavoured so that the rules' sinks and sources turn up in odd shapes. */
const PY_TOKENS = [
  "def", "class", "if", "elif", "else", "for", "in", "while", "with", "as", "return", "yield", "lambda", "async", "await",
  "import", "from", "try", "except", "finally", "raise", "not", "and", "or", "is", "None", "True", "False", "global", "match", "case",
  "app", "request", "flask", "os", "subprocess", "db", "session", "cursor", "self", "config", "x", "_", "é", "𝒜", "\u202eevil",
  ".", "(", ")", "[", "]", "{", "}", ":", ",", "=", "==", "+", "%", "*", "**", "->", "@", ";", "\\", "...", ":=", "|",
  ".args", ".form", ".get", ".execute", ".run", ".route", ".config", ".system", ".headers", ".cookies", ".files",
  '"x"', "'%s'", "f'{x}'", 'f"{request.args[\'q\']}"', '"""', "'''", "r'\\d+'", 'b"\\x00"', '"SELECT * FROM t WHERE id = %s"',
  '"<p>{{ x }}</p>"', '"/<path:p>"', '"0.0.0.0"', '"dev"', "SECRET_KEY", "DEBUG", "0", "1", "1e9", "0x_", "# flask-audit: ignore[*]",
  "# comment", "@app.route('/<int:id>', methods=['POST'])", "render_template_string(", "redirect(", "send_file(", "Markup(",
  "os.system(", "subprocess.run(", "eval(", "pickle.loads(", "requests.get(", "url_for(", "app.run(debug=True)",
];

export const generatedPython: fc.Arbitrary<string> = fc
  .array(
    fc.tuple(
      fc.constantFrom("", "    ", "        ", "\t", "  \t", "            "),
      fc.array(fc.oneof({ arbitrary: fc.constantFrom(...PY_TOKENS), weight: 8 }, { arbitrary: hostileText, weight: 1 }), { maxLength: 14 }),
      fc.constantFrom(" ", "", "  "),
      fc.constantFrom("\n", "\n", "\n", "\r\n", "\r", ""),
    ),
    { maxLength: 60 },
  )
  .map((lines) => lines.map(([indent, tokens, sep, end]) => indent + tokens.join(sep) + end).join(""));
