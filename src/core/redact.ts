// Spec section 0: we never echo a secret. Any string literal bound to a secret-looking name is shown as
// '********' in evidence, messages and fixes; the engine redacts evidence with the ranges found here.
import type { SyntaxNode } from "tree-sitter";

export const REDACTED = "'********'";

const SECRET_NAME = /secret|passw(?:or)?d|passwd|pwd|token|api_?key|apikey|private_?key|access_?key|credential|auth_?key|signing_?key|salt|dsn|database_ur[il]|connection_string/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

export interface Range {
  start: number;
  end: number;
}

/** The name a value is bound to: `X = v`, `self.x = v`, `cfg["X"] = v`, `f(x=v)`, `{"x": v}`. */
function bindingName(target: SyntaxNode): string {
  if (target.type === "identifier") return target.text;
  if (target.type === "attribute") return target.childForFieldName("attribute")?.text ?? "";
  if (target.type === "subscript") return target.childForFieldName("subscript")?.text ?? "";
  return target.text;
}

/** String literals inside `value` that carry data (not env-var names, not subscript keys, not dict keys). */
function dataStrings(value: SyntaxNode, out: Range[]): void {
  const stack = [value];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === "string" || node.type === "concatenated_string") {
      out.push({ start: node.startIndex, end: node.endIndex });
      continue;
    }
    if (node.type === "call") {
      // os.getenv("SECRET_KEY", "dev"): the first argument names the variable; later ones are defaults
      const args = node.childForFieldName("arguments");
      const positional = args?.namedChildren.filter((a) => a.type !== "keyword_argument" && a.type !== "comment") ?? [];
      for (const arg of args?.namedChildren ?? []) {
        if (arg === positional[0]) continue;
        stack.push(arg);
      }
      continue;
    }
    if (node.type === "subscript") continue;
    if (node.type === "pair") {
      const v = node.childForFieldName("value");
      if (v) stack.push(v);
      continue;
    }
    for (const child of node.namedChildren) stack.push(child);
  }
}

/** Ranges of every string literal in the file that is bound to a secret-looking name. */
export function secretLiteralRanges(root: SyntaxNode): Range[] {
  const ranges: Range[] = [];
  for (const node of root.descendantsOfType(["assignment", "keyword_argument", "pair", "call"])) {
    if (node.type === "assignment") {
      const left = node.childForFieldName("left");
      const right = node.childForFieldName("right");
      if (left && right && isSecretName(bindingName(left))) dataStrings(right, ranges);
    } else if (node.type === "keyword_argument") {
      const name = node.childForFieldName("name")?.text ?? "";
      const value = node.childForFieldName("value");
      if (value && isSecretName(name)) dataStrings(value, ranges);
    } else if (node.type === "pair") {
      const key = node.childForFieldName("key");
      const value = node.childForFieldName("value");
      if (key && value && isSecretName(key.text)) dataStrings(value, ranges);
    } else {
      // os.environ.get("API_TOKEN", "literal") / os.getenv(...) / environ.setdefault(...) anywhere
      const fn = node.childForFieldName("function")?.text ?? "";
      if (!/(getenv|environ\.get|environ\.setdefault|config\.get)$/.test(fn)) continue;
      const args = node.childForFieldName("arguments")?.namedChildren ?? [];
      const first = args[0];
      if (first && isSecretName(first.text)) for (const arg of args.slice(1)) dataStrings(arg, ranges);
    }
  }
  return ranges.sort((a, b) => a.start - b.start);
}

/** Replace every secret range that overlaps [offset, offset + text.length) with '********'. */
export function redactText(text: string, offset: number, ranges: Range[]): string {
  let out = "";
  let cursor = 0;
  for (const range of ranges) {
    const start = Math.max(range.start - offset, 0);
    const end = Math.min(range.end - offset, text.length);
    if (end <= 0 || start >= text.length || start < cursor) continue;
    out += text.slice(cursor, start) + REDACTED;
    cursor = end;
  }
  return out + text.slice(cursor);
}

/** Does the text still contain any of the file's secret literals verbatim? (Guards fixes and messages.) */
export function containsSecret(text: string, source: string, ranges: Range[]): boolean {
  return ranges.some((r) => {
    const literal = source.slice(r.start, r.end);
    const inner = literal.replace(/^[a-zA-Z]*(['"]{1,3})/, "").replace(/(['"]{1,3})$/, "");
    return inner.length >= 3 && text.includes(inner);
  });
}
