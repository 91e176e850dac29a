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
      // "literal".encode(): the receiver is the data
      const fn = node.childForFieldName("function");
      if (fn?.type === "attribute") {
        const object = fn.childForFieldName("object");
        if (object) stack.push(object);
      }
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

const ENV_READ = /(getenv|environ\.get|environ\.setdefault|config\.get|config\.setdefault|\bconfig)$/;

/** `os.environ.get("SECRET_KEY")`, `os.environ["API_TOKEN"]`, `settings.SECRET_KEY`: reads a secret-named value. */
function readsSecret(node: SyntaxNode): boolean {
  if (node.type === "call") {
    const fn = node.childForFieldName("function")?.text ?? "";
    const first = node.childForFieldName("arguments")?.namedChildren[0];
    return ENV_READ.test(fn) && !!first && isSecretName(first.text);
  }
  if (node.type === "subscript" || node.type === "attribute") return isSecretName(bindingName(node));
  return false;
}

/** Ranges of every string literal in the file that is bound to a secret-looking name. */
export function secretLiteralRanges(root: SyntaxNode): Range[] {
  const ranges: Range[] = [];
  for (const node of root.descendantsOfType(["assignment", "keyword_argument", "pair", "call", "boolean_operator"])) {
    if (node.type === "boolean_operator") {
      // os.environ.get("SECRET_KEY") or "dev": the literal side is the key's fallback
      const left = node.childForFieldName("left");
      const right = node.childForFieldName("right");
      if (left && right && readsSecret(left)) dataStrings(right, ranges);
      else if (left && right && readsSecret(right)) dataStrings(left, ranges);
      continue;
    }
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
      if (!ENV_READ.test(fn)) continue;
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

/**
 * Does the text still contain one of the file's secret literals, as a whole word? (Guards fixes and messages.)
 * `minLength` keeps short words out: the tutorial's key "dev" must not swallow every message saying "development".
 * Values that look like environment variable names ("FLASK_SECRET_KEY") are names, not secrets.
 */
export function containsSecret(text: string, source: string, ranges: Range[], minLength = 3): boolean {
  return ranges.some((r) => {
    const literal = source.slice(r.start, r.end);
    const inner = literal.replace(/^[a-zA-Z]*(['"]{1,3})/, "").replace(/(['"]{1,3})$/, "");
    if (inner.length < minLength || /^[A-Z][A-Z0-9_]*$/.test(inner)) return false;
    let from = 0;
    for (let at = text.indexOf(inner, from); at >= 0; at = text.indexOf(inner, from)) {
      const before = text[at - 1] ?? " ";
      const after = text[at + inner.length] ?? " ";
      if (!/\w/.test(before) || !/\w/.test(inner[0]!)) if (!/\w/.test(after) || !/\w/.test(inner[inner.length - 1]!)) return true;
      from = at + 1;
    }
    return false;
  });
}
