// Reading Flask configuration settings in the forms applications write them: config classes and modules
// (`KEY = v`), `app.config["KEY"] = v`, `app.KEY = v`, `config.update(KEY=v)` / `from_mapping(...)` / `update({...})` /
// `update(dict(...))`, dict literals, pydantic settings classes; and the facts rules share about them (switched off,
// overridden by a subclass or a later setting). Where such code runs is src/core/run-context.ts's question.
import type { SyntaxNode, Tree } from "tree-sitter";
import type { RuleContext } from "./define-rule.js";
import { callArguments, classBases, className, enclosingClass, enclosingFunction, stringValue, unwrap } from "./python.js";

export interface Setting {
  key: string;
  value: SyntaxNode;
  /** The class body, block, argument list or dict whose other settings are siblings (TESTING = True). */
  container: SyntaxNode;
  /** How to name the setting in a message (code, never the value). */
  label: string;
}

/** The key an assignment target sets: `KEY`, `x.KEY`, `cfg["KEY"]` (never `os.environ["KEY"]`). */
export function settingKeyOfTarget(left: SyntaxNode, ctx: RuleContext): string | null {
  if (left.type === "identifier") return left.text;
  if (left.type === "attribute") return left.childForFieldName("attribute")?.text ?? null;
  if (left.type !== "subscript") return null;
  const holder = left.childForFieldName("value");
  return holder && ctx.resolve(holder) !== "os.environ" ? stringValue(left.childForFieldName("subscript")) : null;
}

/**
 * The setting an assignment, keyword argument or dict pair makes: `KEY = v` (module or class level, not a local
 * variable), `x.KEY = v`, `cfg["KEY"] = v`, `update(KEY=v)`, `{"KEY": v}`.
 */
export function settingAt(node: SyntaxNode, ctx: RuleContext): Setting | null {
  if (node.type === "assignment") {
    const left = node.childForFieldName("left");
    const right = node.childForFieldName("right");
    if (!left || !right || right.type === "assignment" || !node.parent?.parent) return null;
    if (left.type === "identifier" && enclosingFunction(node) && !enclosingClass(node)) return null; // a local variable
    const key = settingKeyOfTarget(left, ctx);
    const cls = left.type === "identifier" ? enclosingClass(node) : null;
    return key ? { key, value: right, container: node.parent.parent, label: cls ? `${className(cls)}.${key}` : left.text } : null;
  }
  if (node.type === "keyword_argument") {
    const key = node.childForFieldName("name")?.text;
    const value = node.childForFieldName("value");
    const callee = node.parent?.parent?.childForFieldName("function")?.text ?? "";
    return key && value && node.parent ? { key, value, container: node.parent, label: callee.length <= 40 ? `${key} in ${callee}()` : key } : null;
  }
  if (node.type === "pair") {
    const key = stringValue(node.childForFieldName("key"));
    const value = node.childForFieldName("value");
    return key !== null && value && node.parent ? { key, value, container: node.parent, label: `"${key}"` } : null;
  }
  return null;
}

/** The settings made directly in a container (class body, block, argument list, dict), by key; memoised per file. */
export function settingsIn(container: SyntaxNode, ctx: RuleContext): Map<string, SyntaxNode> {
  return ctx.memo(`settingsIn:${container.id}`, () => {
    const out = new Map<string, SyntaxNode>();
    for (const child of container.namedChildren) {
      const node = child.type === "expression_statement" ? child.firstNamedChild : child;
      const setting = node && node.type !== "expression_statement" ? settingAt(node, ctx) : null;
      if (setting) out.set(setting.key, setting.value);
    }
    return out;
  });
}

/** The entries of a config update call, by key: keywords, dict-literal pairs and `dict(...)` keywords. */
export function configUpdateEntries(call: SyntaxNode): Map<string, SyntaxNode> {
  const entries = new Map<string, SyntaxNode>();
  const args = callArguments(call);
  for (const [name, value] of args.keywords) entries.set(name, value);
  for (const positional of args.positional) {
    const arg = unwrap(positional);
    if (arg.type === "dictionary") {
      for (const pair of arg.namedChildren) {
        const key = stringValue(pair.childForFieldName("key"));
        const value = pair.childForFieldName("value");
        if (pair.type === "pair" && key !== null && value) entries.set(key, value);
      }
    } else if (arg.type === "call" && arg.childForFieldName("function")?.text === "dict") {
      for (const [name, value] of callArguments(arg).keywords) entries.set(name, value);
    }
  }
  return entries;
}

/** `False`, `None` or `0`: a boolean setting switched off. */
export function isOffLiteral(value: SyntaxNode): boolean {
  const v = unwrap(value);
  return v.type === "false" || v.type === "none" || (v.type === "integer" && Number(v.text) === 0);
}

/** A pydantic settings class (`class Settings(BaseSettings)`): the environment overrides its fields' defaults. */
export function isPydanticSettings(cls: SyntaxNode): boolean {
  return classBases(cls).some((b) => /BaseSettings$/.test(b));
}

const subclassIndex = new WeakMap<Tree, Map<string, SyntaxNode[]>>();

/** Subclasses (transitively) of a class declared in the same file, base classes matched by their last name. */
export function subclassesOf(cls: SyntaxNode): SyntaxNode[] {
  let index = subclassIndex.get(cls.tree);
  if (!index) {
    index = new Map();
    for (const c of cls.tree.rootNode.descendantsOfType("class_definition")) {
      for (const base of classBases(c)) {
        const name = base.split(".").pop()!;
        index.set(name, [...(index.get(name) ?? []), c]);
      }
    }
    subclassIndex.set(cls.tree, index);
  }
  const found: SyntaxNode[] = [];
  const seen = new Set<string>([className(cls)]);
  const queue = [className(cls)];
  while (queue.length > 0) {
    for (const c of index.get(queue.shift()!) ?? []) {
      if (seen.has(className(c))) continue;
      seen.add(className(c));
      found.push(c);
      queue.push(className(c));
    }
  }
  return found;
}

/** The class or function whose body holds a node (null at module level). */
function settingScope(node: SyntaxNode): SyntaxNode | null {
  for (let p = node.parent; p; p = p.parent) if (p.type === "class_definition" || p.type === "function_definition") return p;
  return null;
}

/**
 * Is the `None` set at `node` a default that real code replaces: a direct subclass in this file sets it (a base
 * config and its production subclass), or the same function or module sets it again later (`if production: ...`)?
 * `valueOf` says which value another assignment, keyword or pair gives the same setting (null: another setting).
 */
export function overriddenInFile(node: SyntaxNode, valueOf: (other: SyntaxNode) => SyntaxNode | null): boolean {
  const scope = settingScope(node);
  const base = scope?.type === "class_definition" ? className(scope) : null;
  return node.tree.rootNode.descendantsOfType(["assignment", "keyword_argument", "pair"]).some((other) => {
    const value = other.id === node.id ? null : valueOf(other);
    if (!value || unwrap(value).type === "none") return false;
    const otherScope = settingScope(other);
    if (base && otherScope?.type === "class_definition") return classBases(otherScope).some((b) => b.split(".").pop() === base);
    // a later setting in the same function or module (a dict literal elsewhere is a value, not a setting)
    return other.type !== "pair" && other.startIndex > node.startIndex && (otherScope?.id ?? -1) === (scope?.id ?? -1);
  });
}
