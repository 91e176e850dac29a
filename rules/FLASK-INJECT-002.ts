// FLASK-INJECT-002: OS command injection (CWE-78). Untrusted input (spec 2.1) that reaches a shell command string
// (os.system, os.popen, subprocess.* with shell=True, getoutput, asyncio.create_subprocess_shell), the `-c` command
// of a shell trampoline (["sh", "-c", cmd], ["cmd", "/c", ...], ["powershell", "-Command", ...]), or the program an
// exec-style call runs (subprocess.run([prog, ...]), os.execvp(prog, ...), create_subprocess_exec(prog, ...)).
//
// Not flagged (spec: "pass args as a list"): user values as later list arguments without a shell, values passed
// through shlex.quote()/int(), constant or config-built commands, parameters of non-route helpers, and values
// validated first by an allowlist (`if x not in ALLOWED: abort(400)`) or a strict anchored regex / isdigit() check.
//
// Fix: a command string written inline as an f-string, `+` concatenation, `%`-format or `.format()` whose literal
// parts are plain words (no shell metacharacters) becomes an argument list without a shell.
import type { SyntaxNode } from "tree-sitter";
import { callNames, defineRule, type FixInput, type RuleContext } from "../src/core/define-rule.js";
import { guardedOnPath, mentions } from "../src/core/guards.js";
import { callArguments, enclosingFunction, isFalsyLiteral, isTruthyLiteral, rootOf, routesOf, stringPrefix, unwrap } from "../src/core/python.js";
import type { Taint } from "../src/core/taint.js";

// ---------------------------------------------------------------------------------------------------------------
// Sinks

/** Calls that always hand their command string to a shell: qualified name -> keyword name of the command. */
const SHELL_SINKS: Record<string, string> = {
  "os.system": "command",
  "os.popen": "cmd",
  "subprocess.getoutput": "cmd",
  "subprocess.getstatusoutput": "cmd",
  "asyncio.create_subprocess_shell": "cmd",
  "asyncio.subprocess.create_subprocess_shell": "cmd",
};

/** Calls taking `args` (a list, or a string) that use a shell only with shell=True. */
const SUBPROCESS_SINKS = new Set([
  "subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output", "subprocess.Popen", "pty.spawn",
]);

/** Exec-style calls: which positional is the program, and how the rest of argv is passed. */
interface ExecSpec {
  program: number;
  /** "list": one positional argv list after the program; "varargs": argv items as positionals. */
  argv: "list" | "varargs";
  /** argv starts with argv[0] (the program's own name), which is not an argument. */
  skipArgv0: boolean;
  /** The last positional is the environment mapping (the `...e` variants). */
  envLast: boolean;
}

const EXEC_SINKS: Record<string, ExecSpec> = {};
for (const [suffix, argv, envLast] of [
  ["l", "varargs", false], ["le", "varargs", true], ["lp", "varargs", false], ["lpe", "varargs", true],
  ["v", "list", false], ["ve", "list", false], ["vp", "list", false], ["vpe", "list", false],
] as const) {
  EXEC_SINKS[`os.exec${suffix}`] = { program: 0, argv, skipArgv0: true, envLast };
  EXEC_SINKS[`os.spawn${suffix}`] = { program: 1, argv, skipArgv0: true, envLast };
}
EXEC_SINKS["os.posix_spawn"] = { program: 0, argv: "list", skipArgv0: true, envLast: false };
EXEC_SINKS["os.posix_spawnp"] = { program: 0, argv: "list", skipArgv0: true, envLast: false };
EXEC_SINKS["asyncio.create_subprocess_exec"] = { program: 0, argv: "varargs", skipArgv0: false, envLast: false };
EXEC_SINKS["asyncio.subprocess.create_subprocess_exec"] = { program: 0, argv: "varargs", skipArgv0: false, envLast: false };

/**
 * The calls the check can act on, for the engine's prefilter: the last part of every sink's qualified name (a call
 * answers to it as written and as resolved through the imports: `from subprocess import run as sh` -> `run`).
 */
const SINK_NAMES = [
  ...callNames([...Object.keys(SHELL_SINKS), ...SUBPROCESS_SINKS, ...Object.keys(EXEC_SINKS)]),
];

const POSIX_SHELLS = new Set(["sh", "bash", "zsh", "dash", "ksh", "ash", "mksh", "fish", "csh", "tcsh", "busybox"]);
/** Programs that run another program given later in their argv. */
const WRAPPERS = new Set([
  "env", "sudo", "doas", "nohup", "nice", "ionice", "timeout", "setsid", "stdbuf", "chroot", "xargs", "docker", "podman", "kubectl",
]);
/** Interpreters and the option that makes their next argument source code to run. */
const INTERPRETERS: [RegExp, RegExp][] = [
  [/^python[\d.]*$/, /^-c$/],
  [/^(perl|ruby)[\d.]*$/, /^-[A-Za-z]*[eE]$/],
  [/^(node|nodejs)$/, /^(-e|--eval|-p|--print)$/],
  [/^php[\d.]*$/, /^-r$/],
];
/** ssh options that take a value (-p 22, -i key, -o Opt=value). */
const SSH_VALUE_OPTIONS = /^-[BbcDEeFIiJLlmOoPpQRSWw]$/;
const WINDOWS_CMD = new Set(["cmd", "cmd.exe"]);
const POWERSHELLS = new Set(["powershell", "powershell.exe", "pwsh", "pwsh.exe"]);
/** PowerShell options that take a value (-ExecutionPolicy Bypass). */
const POWERSHELL_VALUE_OPTIONS = /^[-/](executionpolicy|ep|windowstyle|w|version|v|inputformat|outputformat|of|configurationname|workingdirectory|wd|settingsfile|psconsolefile)$/i;

// ---------------------------------------------------------------------------------------------------------------
// Local name resolution: the value a name is bound to, when the scope binds it in one plain assignment

const SCOPE_BARRIERS = new Set(["function_definition", "class_definition", "lambda"]);

interface ScopeBindings {
  /** Plain `name = value` assignments. */
  values: { stmt: SyntaxNode; value: SyntaxNode }[];
  /** `name += ...` somewhere: appends to a list, or extends a string. */
  augmented: boolean;
  /** Some other binding (for target, with alias, unpacking, import, global, parameter...). */
  other: boolean;
}

function bindingsIn(scope: SyntaxNode, name: string): ScopeBindings {
  const result: ScopeBindings = { values: [], augmented: false, other: false };
  const body = scope.type === "function_definition" ? scope.childForFieldName("body") : scope;
  if (!body) return result;
  if (scope.type === "function_definition") {
    const params = scope.childForFieldName("parameters");
    for (const p of params?.namedChildren ?? []) {
      const pn = p.type === "identifier" ? p : p.childForFieldName("name") ?? p.namedChild(0);
      if (pn?.text === name) result.other = true;
    }
  }
  const stack: SyntaxNode[] = [body];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node !== body && SCOPE_BARRIERS.has(node.type)) {
      if (node.childForFieldName("name")?.text === name) result.other = true;
      continue;
    }
    switch (node.type) {
      case "assignment": {
        const left = node.childForFieldName("left");
        let value = node.childForFieldName("right");
        while (value?.type === "assignment") value = value.childForFieldName("right");
        if (left?.type === "identifier" && left.text === name && value) result.values.push({ stmt: node, value });
        else if (left && left.type !== "identifier" && left.type !== "attribute" && left.type !== "subscript" && mentions(left, name)) result.other = true;
        break;
      }
      case "augmented_assignment":
        if (node.childForFieldName("left")?.text === name) result.augmented = true;
        break;
      case "for_statement":
      case "for_in_clause":
      case "with_item":
      case "named_expression":
      case "global_statement":
      case "nonlocal_statement":
      case "import_statement":
      case "import_from_statement":
      case "except_clause": {
        const target =
          node.type === "for_statement" || node.type === "for_in_clause" ? node.childForFieldName("left")
          : node.type === "named_expression" ? node.childForFieldName("name")
          : node;
        if (node.type === "with_item" || node.type === "except_clause") {
          // only the `as` target binds: `with open(name) as f` does not rebind name
          if (node.descendantsOfType("as_pattern_target").some((t) => mentions(t, name))) result.other = true;
        } else if (target && mentions(target, name)) result.other = true;
        break;
      }
      default:
        break;
    }
    for (let i = node.namedChildCount - 1; i >= 0; i--) stack.push(node.namedChild(i)!);
  }
  return result;
}

/**
 * The values plain assignments bind `id` to before its use: the function's own (all of them, e.g. both branches
 * of an if), else the module's one constant. Null when the name is bound any other way (`+=` only with
 * allowAugmented: it appends to a list and leaves its head alone).
 */
function boundValues(id: SyntaxNode, allowAugmented = false): SyntaxNode[] | null {
  if (id.type !== "identifier") return null;
  const fn = enclosingFunction(id);
  if (fn) {
    const local = bindingsIn(fn, id.text);
    if (local.other || (local.augmented && !allowAugmented)) return null;
    if (local.values.length > 0) {
      const before = local.values.filter((v) => v.stmt.endIndex <= id.startIndex);
      return before.length > 0 ? before.map((v) => v.value) : null;
    }
  }
  const global = bindingsIn(rootOf(id), id.text);
  if (global.other || global.augmented || global.values.length !== 1) return null;
  const only = global.values[0]!;
  // Inside a function a module constant is bound by the time the function runs; at module level it must precede.
  return fn || only.stmt.endIndex <= id.startIndex ? [only.value] : null;
}

/** The one value a name is bound to (see boundValues), or null. */
function boundValue(id: SyntaxNode): SyntaxNode | null {
  const values = boundValues(id);
  return values?.length === 1 ? values[0]! : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Command strings as segments: literal text and interpolated values

interface Lit { lit: string }
interface Val { val: SyntaxNode; origin: "fstring" | "plus" | "percent" | "format" }
type Segment = Lit | Val;

interface ParseState {
  /** False once something the list form cannot reproduce was seen ({x!r}, {x:>3}, {x=}). */
  fixable: boolean;
  /** False when the string was reached through a variable (the fix edits only the call). */
  inline: boolean;
  /** Quote character of the first string literal, reused by the fix. */
  quote: string | null;
}

const isVal = (s: Segment): s is Val => "val" in s;

function decodeEscape(seq: string): string | null {
  const simple: Record<string, string> = {
    "\\\\": "\\", "\\'": "'", '\\"': '"', "\\n": "\n", "\\t": "\t", "\\r": "\r", "\\a": "\x07", "\\b": "\b",
    "\\f": "\f", "\\v": "\v", "\\\n": "", "\\\r\n": "",
  };
  if (seq in simple) return simple[seq]!;
  const hex = /^\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))$/.exec(seq);
  if (hex) return String.fromCodePoint(parseInt(hex[1] ?? hex[2] ?? hex[3]!, 16));
  const octal = /^\\([0-7]{1,3})$/.exec(seq);
  if (octal) return String.fromCharCode(parseInt(octal[1]!, 8));
  return null;
}

/** The value of a string_content node (escapes decoded unless raw, `{{` / `}}` of f-strings undoubled). */
function contentValue(content: SyntaxNode, raw: boolean): string | null {
  let out = "";
  let cursor = content.startIndex;
  const text = content.text;
  for (const child of content.namedChildren) {
    out += text.slice(cursor - content.startIndex, child.startIndex - content.startIndex);
    if (child.type === "escape_interpolation") out += child.text[0];
    else if (child.type === "escape_sequence") {
      const decoded = raw ? child.text : decodeEscape(child.text);
      if (decoded === null) return null;
      out += decoded;
    } else out += child.text;
    cursor = child.endIndex;
  }
  return out + text.slice(cursor - content.startIndex);
}

/** Segments of a plain (non-f) string literal, or null. */
function literalText(node: SyntaxNode, state: ParseState): string | null {
  const segs = segmentsOf(node, state, 0);
  if (!segs || segs.some(isVal)) return null;
  return segs.map((s) => (s as Lit).lit).join("");
}

function segmentsOf(raw: SyntaxNode, state: ParseState, depth: number): Segment[] | null {
  const node = unwrap(raw);
  switch (node.type) {
    case "string": {
      const prefix = stringPrefix(node);
      if (prefix.includes("b")) return null;
      const isRaw = prefix.includes("r");
      state.quote ??= (node.child(0)?.text ?? '"').replace(/^[a-zA-Z]*/, "")[0] ?? '"';
      const out: Segment[] = [];
      for (const child of node.namedChildren) {
        if (child.type === "string_content") {
          const value = contentValue(child, isRaw);
          if (value === null) return null;
          out.push({ lit: value });
        } else if (child.type === "escape_sequence") {
          const value = isRaw ? child.text : decodeEscape(child.text);
          if (value === null) return null;
          out.push({ lit: value });
        } else if (child.type === "interpolation") {
          const expr = child.namedChild(0);
          if (!expr) return null;
          if (child.namedChildCount > 1 || child.children.some((c) => c.type === "=")) state.fixable = false;
          out.push({ val: expr, origin: "fstring" });
        }
      }
      return out;
    }
    case "concatenated_string": {
      const out: Segment[] = [];
      for (const part of node.namedChildren) {
        if (part.type === "comment") continue;
        const segs = segmentsOf(part, state, depth);
        if (!segs) return null;
        out.push(...segs);
      }
      return out;
    }
    case "binary_operator": {
      const operator = node.childForFieldName("operator")?.text;
      const left = node.childForFieldName("left");
      const right = node.childForFieldName("right");
      if (!left || !right) return null;
      if (operator === "+") return plusSegments(node, state, depth);
      if (operator === "%") {
        const format = literalText(left, state);
        if (format === null) return null;
        const r = unwrap(right);
        const values = r.type === "tuple" ? r.namedChildren : [r];
        if (values.some((v) => v.type === "list_splat" || v.type === "comment")) return null;
        return percentSegments(format, values);
      }
      return null;
    }
    case "call": {
      const fn = node.childForFieldName("function");
      if (fn?.type !== "attribute" || fn.childForFieldName("attribute")?.text !== "format") return null;
      const receiver = fn.childForFieldName("object");
      const format = receiver ? literalText(receiver, state) : null;
      if (format === null) return null;
      const args = callArguments(node);
      if (args.hasSplat) return null;
      return formatSegments(format, args.positional, args.keywords);
    }
    case "identifier": {
      if (depth > 4) return null;
      const value = boundValue(node);
      if (!value) return null;
      const segs = segmentsOf(value, state, depth + 1);
      if (segs) state.inline = false;
      return segs;
    }
    default:
      return null;
  }
}

const isPlus = (node: SyntaxNode) => node.type === "binary_operator" && node.childForFieldName("operator")?.text === "+";

/**
 * The segments of `a + b`: each operand's own or, for an operand that has none, the operand as one value; null when
 * neither operand has segments or none of them is literal text. Nested `+` (a long concatenation is a deep left-nested
 * tree) are walked with a stack of their own, not by recursion, and every operand's segments go into one array that a
 * `+` turning out null is cut back from: linear, where recursion overflowed the stack on 10,000 terms and copying each
 * level's segments was quadratic.
 */
function plusSegments(root: SyntaxNode, state: ParseState, depth: number): Segment[] | null {
  interface Frame { left: SyntaxNode; right: SyntaxNode; depth: number; start: number; step: "left" | "right" | "done"; leftOk: boolean; leftLit: boolean }
  const out: Segment[] = [];
  const frames: Frame[] = [];
  // the outcome of the operand finished last: has it segments (they are at the end of `out`), is one of them literal
  let ok = false;
  let lit = false;
  /** Start on an operand: a nested `+` gets a frame (true); anything else is done here. */
  const begin = (raw: SyntaxNode, d: number): boolean => {
    const node = unwrap(raw);
    if (isPlus(node)) {
      const left = node.childForFieldName("left");
      const right = node.childForFieldName("right");
      if (left && right) {
        frames.push({ left, right, depth: d, start: out.length, step: "left", leftOk: false, leftLit: false });
        return true;
      }
      ok = lit = false;
      return false;
    }
    const segs = segmentsOf(node, state, d);
    ok = !!segs;
    lit = false;
    for (const s of segs ?? []) {
      out.push(s);
      if (!isVal(s)) lit = true;
    }
    return false;
  };
  begin(root, depth);
  while (frames.length > 0) {
    const frame = frames[frames.length - 1]!;
    if (frame.step === "left") {
      frame.step = "right";
      if (begin(frame.left, frame.depth + 1)) continue;
    }
    if (frame.step === "right") {
      frame.leftOk = ok;
      frame.leftLit = lit;
      if (!ok) out.push({ val: frame.left, origin: "plus" });
      frame.step = "done";
      if (begin(frame.right, frame.depth + 1)) continue;
    }
    if (!ok) out.push({ val: frame.right, origin: "plus" });
    frames.pop();
    const some: boolean = frame.leftOk || ok;
    const anyLit: boolean = (frame.leftOk && frame.leftLit) || (ok && lit);
    ok = lit = some && anyLit;
    if (!ok) out.length = frame.start;
  }
  return ok ? out : null;
}

function percentSegments(format: string, values: SyntaxNode[]): Segment[] | null {
  const out: Segment[] = [];
  let lit = "";
  let next = 0;
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c !== "%") {
      lit += c;
      continue;
    }
    const spec = format[i + 1];
    if (spec === "%") lit += "%";
    else if (spec === "s" && next < values.length) {
      out.push({ lit }, { val: values[next++]!, origin: "percent" });
      lit = "";
    } else return null;
    i++;
  }
  if (next !== values.length) return null;
  out.push({ lit });
  return out;
}

function formatSegments(format: string, positional: SyntaxNode[], keywords: Map<string, SyntaxNode>): Segment[] | null {
  const out: Segment[] = [];
  let lit = "";
  let auto = 0;
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if ((c === "{" || c === "}") && format[i + 1] === c) {
      lit += c;
      i++;
      continue;
    }
    if (c === "}") return null;
    if (c !== "{") {
      lit += c;
      continue;
    }
    const close = format.indexOf("}", i);
    if (close < 0) return null;
    const field = format.slice(i + 1, close);
    let value: SyntaxNode | undefined;
    if (field === "") value = positional[auto++];
    else if (/^\d+$/.test(field)) value = positional[Number(field)];
    else if (/^[A-Za-z_]\w*$/.test(field)) value = keywords.get(field);
    if (!value) return null; // conversions, format specs, attribute/index fields: not reproduced
    out.push({ lit }, { val: value, origin: "format" });
    lit = "";
    i = close;
  }
  out.push({ lit });
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Shell words: split literal parts the way sh would, refusing anything but plain words

type Piece = Lit | Val;
type Word = Piece[];

/** Characters with a meaning to sh outside quotes (operators, expansions, globs, comments, quoting). */
const SHELL_META = new Set([..."|&;<>()$`\\\"'*?[]#~{}!^\n\r"]);

function shellWords(segs: Segment[]): Word[] | null {
  const words: Word[] = [];
  let current: Word | null = null;
  let quote: "'" | '"' | null = null;
  const addChar = (ch: string) => {
    current ??= [];
    const last = current[current.length - 1];
    if (last && !isVal(last)) last.lit += ch;
    else current.push({ lit: ch });
  };
  for (const seg of segs) {
    if (isVal(seg)) {
      current ??= [];
      current.push(seg);
      continue;
    }
    for (const ch of seg.lit) {
      if (quote === "'") {
        if (ch === "'") quote = null;
        else addChar(ch);
      } else if (quote === '"') {
        if (ch === '"') quote = null;
        else if (ch === "$" || ch === "`" || ch === "\\") return null;
        else addChar(ch);
      } else if (ch === " " || ch === "\t") {
        if (current) words.push(current);
        current = null;
      } else if (ch === "'" || ch === '"') {
        quote = ch;
        current ??= [];
      } else if (SHELL_META.has(ch)) {
        return null;
      } else {
        addChar(ch);
      }
    }
  }
  if (quote) return null;
  if (current) words.push(current);
  return words;
}

/** Shell builtins and reserved words: they are no program a list form could run. */
const SHELL_BUILTINS = new Set([
  "cd", "source", ".", "export", "alias", "unalias", "set", "unset", "eval", "exec", "exit", "ulimit", "umask",
  "read", "type", "wait", "trap", "shift", "let", "declare", "local", "readonly", "return", "builtin", "hash",
  "history", "jobs", "fg", "bg", "getopts", "times", "typeset", "shopt", "pushd", "popd", "dirs", "if", "then",
  "else", "fi", "for", "while", "until", "do", "done", "case", "esac", "function", "select", "time", "command",
]);

// ---------------------------------------------------------------------------------------------------------------
// Rendering the argument list of the fix

const STR_METHODS = new Set([
  "strip", "lstrip", "rstrip", "lower", "upper", "title", "casefold", "capitalize", "replace", "removeprefix",
  "removesuffix", "zfill", "format", "join", "ljust", "rjust", "center",
]);
const STR_SOURCES = /^flask\.request\.(args|form|values|headers|cookies)$/;
const STR_FUNCTIONS = new Set(["str", "shlex.quote", "pipes.quote", "werkzeug.utils.secure_filename", "werkzeug.secure_filename", "os.path.basename"]);

/** Is the expression certainly a str (so a list element needs no str() around it)? */
function isKnownStr(raw: SyntaxNode | null, ctx: RuleContext, depth = 0): boolean {
  if (!raw || depth > 4) return false;
  const node = unwrap(raw);
  switch (node.type) {
    case "string":
      return !stringPrefix(node).includes("b");
    case "concatenated_string":
      return true;
    case "subscript": {
      const value = node.childForFieldName("value");
      return !!value && STR_SOURCES.test(ctx.resolve(value) ?? "");
    }
    case "call": {
      const fn = node.childForFieldName("function");
      const name = ctx.resolve(fn) ?? "";
      if (STR_FUNCTIONS.has(name)) return true;
      if (fn?.type !== "attribute") return false;
      const method = fn.childForFieldName("attribute")?.text ?? "";
      if (method === "get") {
        const receiver = fn.childForFieldName("object");
        if (!STR_SOURCES.test(ctx.resolve(receiver) ?? "")) return false;
        const args = callArguments(node);
        const type = args.keywords.get("type");
        if (type) return type.text === "str";
        const fallback = args.positional[1] ?? args.keywords.get("default");
        return !fallback || isKnownStr(fallback, ctx, depth + 1);
      }
      return STR_METHODS.has(method) && isKnownStr(fn.childForFieldName("object"), ctx, depth + 1);
    }
    case "identifier": {
      const value = boundValue(node);
      if (value) return isKnownStr(value, ctx, depth + 1);
      const fn = enclosingFunction(node);
      if (!fn || bindingsIn(fn, node.text).values.length > 0) return false;
      return routesOf(fn).some((r) => r.params.some((p) => p.name === node.text && ["string", "path", "default"].includes(p.converter)));
    }
    default:
      return false;
  }
}

interface ElementValue {
  text: string;
  knownStr: boolean;
}

/** How one interpolated value becomes (part of) a list element; null when the fix cannot be sure it is one word. */
function elementValue(piece: Val, ctx: RuleContext): ElementValue | null {
  const node = unwrap(piece.val);
  if (node.text.includes("\n")) return null;
  if (node.type === "call") {
    const name = ctx.resolve(node.childForFieldName("function"));
    const args = callArguments(node);
    // shlex.quote() protected the value from the shell; a list element must carry the value itself.
    if ((name === "shlex.quote" || name === "pipes.quote") && args.positional.length === 1 && !args.hasSplat && args.keywords.size === 0) {
      const inner = unwrap(args.positional[0]!);
      return inner.text.includes("\n") ? null : { text: inner.text, knownStr: true };
    }
    if (name === "int" || name === "float") return { text: node.text, knownStr: false };
  }
  // A user value is meant to be one argument: that is what the list form gives it.
  if (ctx.taint(node)) return { text: node.text, knownStr: piece.origin === "plus" || isKnownStr(node, ctx) };
  if (node.type === "integer") return { text: node.text, knownStr: false };
  if (node.type === "identifier") {
    const value = boundValue(node);
    if (value?.type === "integer") return { text: node.text, knownStr: false };
    const literal = value && value.type === "string" ? literalText(value, { fixable: true, inline: true, quote: null }) : null;
    if (literal !== null && literal.length > 0 && ![...literal].some((c) => c === " " || c === "\t" || SHELL_META.has(c))) {
      return { text: node.text, knownStr: true };
    }
  }
  return null; // an internal value may hold several words on purpose ("-c 1 -W 2")
}

function pyString(value: string, quote: string): string {
  let out = "";
  for (const ch of value) {
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f) out += `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${quote}${out}${quote}`;
}

/** The text of one list element for a shell word; null when it cannot be written safely. */
function renderWord(word: Word, quote: string, ctx: RuleContext): string | null {
  if (word.length === 0) return pyString("", quote);
  const values = new Map<Val, ElementValue>();
  for (const piece of word) {
    if (!isVal(piece)) continue;
    const value = elementValue(piece, ctx);
    if (!value) return null;
    values.set(piece, value);
  }
  if (values.size === 0) return pyString(word.map((p) => (p as Lit).lit).join(""), quote);
  if (word.length === 1) {
    const value = values.get(word[0] as Val)!;
    return value.knownStr ? value.text : `str(${value.text})`;
  }
  // A value glued to literal text (--author={name}): one f-string element.
  for (const q of [quote, quote === '"' ? "'" : '"']) {
    let body = "";
    let ok = true;
    for (const piece of word) {
      if (!isVal(piece)) {
        body += pyString(piece.lit, q).slice(1, -1).replace(/\{/g, "{{").replace(/\}/g, "}}");
        continue;
      }
      const text = values.get(piece)!.text;
      if (/[\\{}\n]/.test(text) || text.includes(q)) {
        ok = false;
        break;
      }
      body += /[:!=]/.test(text) ? `{(${text})}` : `{${text}}`; // a top-level : or ! would end the field
    }
    if (ok) return `f${q}${body}${q}`;
  }
  return null;
}

/** The argument list for a command string expression, or null when no safe mechanical rewrite exists. */
function argvFor(command: SyntaxNode, ctx: RuleContext): { elements: string[]; inline: boolean } | null {
  const state: ParseState = { fixable: true, inline: true, quote: null };
  const segs = segmentsOf(command, state, 0);
  if (!segs || !state.fixable) return null;
  const words = shellWords(segs);
  if (!words || words.length === 0) return null;
  const program = words[0]!;
  if (program.some(isVal)) return null; // the program itself is a value: a list form would still run anything
  const name = program.map((p) => (p as Lit).lit).join("");
  if (name === "" || /^[A-Za-z_]\w*=/.test(name) || SHELL_BUILTINS.has(name)) return null;
  const quote = state.quote === "'" ? "'" : '"';
  const elements: string[] = [];
  for (const word of words) {
    const element = renderWord(word, quote, ctx);
    if (element === null) return null;
    elements.push(element);
  }
  return { elements, inline: state.inline };
}

// ---------------------------------------------------------------------------------------------------------------
// Validation guards: `if x not in ALLOWED: abort(400)`, `if not HOST_RE.fullmatch(x): return ...`, `if x.isdigit():`

const VALIDATING_METHODS = new Set(["isdigit", "isdecimal", "isnumeric", "isalnum", "isalpha", "isidentifier"]);

/** A regex that only admits characters without meaning to a shell, anchored at both ends. */
function isStrictPattern(pattern: string, mode: "fullmatch" | "match" | "search"): boolean {
  let body = pattern;
  let start = mode !== "search";
  let end = mode === "fullmatch";
  if (body.startsWith("^")) (body = body.slice(1)), (start = true);
  else if (body.startsWith("\\A")) (body = body.slice(2)), (start = true);
  if (body.endsWith("\\Z")) (body = body.slice(0, -2)), (end = true);
  else if (body.endsWith("$") && !body.endsWith("\\$")) (body = body.slice(0, -1)), (end = true);
  if (!start || !end || body.length === 0) return false;
  const safeChar = /[A-Za-z0-9_,:@%=/-]/;
  const safeEscape = /[wd._-]/;
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === "\\") {
      if (!safeEscape.test(body[i + 1] ?? "")) return false;
      i++;
    } else if (c === "[") {
      const close = classEnd(body, i);
      if (close < 0) return false;
      i = close;
    } else if (c === "(") {
      if (body[i + 1] === "?") {
        if (body[i + 2] !== ":") return false;
        i += 2;
      }
      depth++;
    } else if (c === ")") {
      if (--depth < 0) return false;
    } else if (c === "|") {
      if (depth === 0) return false; // ^a|b$ anchors only one side
    } else if (c === "{") {
      const quantifier = /^\{\d+(,\d*)?\}/.exec(body.slice(i));
      if (!quantifier) return false;
      i += quantifier[0].length - 1;
    } else if (!"+*?".includes(c) && !safeChar.test(c)) {
      return false;
    }
  }
  return depth === 0;
}

/** Index of the `]` closing a safe character class opened at `open`, or -1. */
function classEnd(body: string, open: number): number {
  let i = open + 1;
  if (body[i] === "^" || body[i] === "]") return -1;
  const single = /[A-Za-z0-9_.,:@+=/%-]/;
  for (; i < body.length; i++) {
    const c = body[i]!;
    if (c === "]") return i > open + 1 ? i : -1;
    if (c === "\\") {
      if (!/[wd._-]/.test(body[i + 1] ?? "")) return -1;
      i++;
      continue;
    }
    if (body[i + 1] === "-" && body[i + 2] && body[i + 2] !== "]") {
      const to = body[i + 2]!;
      const sameRange = [/[a-z]/, /[A-Z]/, /[0-9]/].some((r) => r.test(c) && r.test(to));
      if (!sameRange) return -1;
      i += 2;
      continue;
    }
    if (!single.test(c)) return -1;
  }
  return -1;
}

function regexValidates(call: SyntaxNode, name: string, ctx: RuleContext): boolean {
  const fn = call.childForFieldName("function");
  const args = callArguments(call);
  const resolved = ctx.resolve(fn) ?? "";
  const module = /^re\.(fullmatch|match|search)$/.exec(resolved);
  const state: ParseState = { fixable: true, inline: true, quote: null };
  if (module) {
    const [pattern, subject] = args.positional;
    if (!pattern || unwrap(subject ?? pattern).text !== name) return false;
    const text = literalText(pattern, state);
    return text !== null && isStrictPattern(text, module[1] as "fullmatch");
  }
  if (fn?.type !== "attribute") return false;
  const method = fn.childForFieldName("attribute")?.text ?? "";
  const receiver = fn.childForFieldName("object");
  if (!["fullmatch", "match", "search"].includes(method) || receiver?.type !== "identifier") return false;
  if (args.positional.length !== 1 || unwrap(args.positional[0]!).text !== name) return false;
  const compiled = boundValue(receiver);
  if (compiled?.type !== "call" || ctx.resolve(compiled.childForFieldName("function")) !== "re.compile") return false;
  const pattern = callArguments(compiled).positional[0];
  const text = pattern ? literalText(pattern, state) : null;
  return text !== null && isStrictPattern(text, method as "fullmatch");
}

/** The condition holds only when `name` is validated. */
function validates(raw: SyntaxNode | null, name: string, ctx: RuleContext): boolean {
  if (!raw) return false;
  const cond = unwrap(raw);
  if (cond.type === "boolean_operator") {
    const operator = cond.childForFieldName("operator")?.text;
    if (operator !== "and") return false;
    return validates(cond.childForFieldName("left"), name, ctx) || validates(cond.childForFieldName("right"), name, ctx);
  }
  if (cond.type === "comparison_operator") {
    const operators = cond.children.filter((c) => !c.isNamed).map((c) => c.type);
    return operators.length === 1 && operators[0] === "in" && cond.namedChild(0)?.text === name;
  }
  if (cond.type === "call") {
    const fn = cond.childForFieldName("function");
    if (fn?.type === "attribute" && VALIDATING_METHODS.has(fn.childForFieldName("attribute")?.text ?? "")) {
      return fn.childForFieldName("object")?.text === name;
    }
    return regexValidates(cond, name, ctx);
  }
  return false;
}

/** The condition holds whenever `name` is NOT validated (so its branch rejects bad values). */
function rejects(raw: SyntaxNode | null, name: string, ctx: RuleContext): boolean {
  if (!raw) return false;
  const cond = unwrap(raw);
  if (cond.type === "boolean_operator") {
    if (cond.childForFieldName("operator")?.text !== "or") return false;
    return rejects(cond.childForFieldName("left"), name, ctx) || rejects(cond.childForFieldName("right"), name, ctx);
  }
  if (cond.type === "not_operator") {
    const arg = cond.childForFieldName("argument");
    return !!arg && validates(arg, name, ctx);
  }
  if (cond.type === "comparison_operator") {
    const operators = cond.children.filter((c) => !c.isNamed).map((c) => c.type);
    return operators.length === 1 && operators[0] === "not in" && cond.namedChild(0)?.text === name;
  }
  return false;
}

function terminates(block: SyntaxNode | null, ctx: RuleContext): boolean {
  const last = block?.namedChildren.filter((c) => c.type !== "comment").pop();
  if (!last) return false;
  if (last.type === "return_statement" || last.type === "raise_statement") return true;
  const call = last.type === "expression_statement" ? last.namedChild(0) : null;
  if (call?.type !== "call") return false;
  const name = ctx.resolve(call.childForFieldName("function")) ?? "";
  return /(^|\.)abort$/.test(name) || name === "sys.exit";
}

/** Is this use of a name dominated by a check that validates it (allowlist, strict regex, isdigit)? */
function isGuarded(id: SyntaxNode, ctx: RuleContext): boolean {
  if (!enclosingFunction(id)) return false;
  const name = id.text;
  const rejectsAndExits = (guard: SyntaxNode) => rejects(guard.childForFieldName("condition"), name, ctx) && terminates(guard.childForFieldName("consequence"), ctx);
  return guardedOnPath(id, {
    around(p, child) {
      if (p.type === "if_statement" && child === p.childForFieldName("consequence") && validates(p.childForFieldName("condition"), name, ctx)) return true;
      return p.type === "else_clause" && p.parent?.type === "if_statement" && rejectsAndExits(p.parent);
    },
    before: (statement) => statement.type === "if_statement" && rejectsAndExits(statement),
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Taint with guards

const QUOTING = new Set(["shlex.quote", "pipes.quote", "int", "float"]);

function taintOf(node: SyntaxNode, ctx: RuleContext): Taint | null {
  const n = unwrap(node);
  if (n.type === "identifier" && isGuarded(n, ctx)) return null;
  if (n.type === "call" && quotesEveryWord(n, ctx)) return null;
  return ctx.taint(n);
}

/**
 * shlex.join(argv) and " ".join([shlex.quote(a) for a in argv]) quote each word for the shell. The core taint
 * helper reads shlex.join as str.join, and gives a comprehension its iterable's taint whatever the body does.
 */
function quotesEveryWord(call: SyntaxNode, ctx: RuleContext): boolean {
  const fn = call.childForFieldName("function");
  if (ctx.resolve(fn) === "shlex.join") return true;
  if (fn?.type !== "attribute" || fn.childForFieldName("attribute")?.text !== "join") return false;
  const args = callArguments(call).positional;
  const parts = args.length === 1 ? unwrap(args[0]!) : null;
  if (!parts || !["generator_expression", "list_comprehension"].includes(parts.type)) return false;
  const body = parts.childForFieldName("body");
  if (body?.type !== "call" || !QUOTING.has(ctx.resolve(body.childForFieldName("function")) ?? "")) return false;
  return !ctx.taint(fn.childForFieldName("object"));
}

/** Taint of anything in a shell command string. */
function shellTaint(command: SyntaxNode, ctx: RuleContext): Taint | null {
  const segs = segmentsOf(command, { fixable: true, inline: true, quote: null }, 0);
  if (!segs) return taintOf(command, ctx);
  for (const seg of segs) {
    if (!isVal(seg)) continue;
    const t = taintOf(seg.val, ctx);
    if (t) return t;
  }
  return null;
}

/** Taint of the program word of a command line that no shell parses (its first whitespace-separated word). */
function programWordTaint(command: SyntaxNode, ctx: RuleContext): Taint | null {
  const segs = segmentsOf(command, { fixable: true, inline: true, quote: null }, 0);
  if (!segs) return taintOf(command, ctx);
  let started = false;
  for (const seg of segs) {
    if (isVal(seg)) {
      const t = taintOf(seg.val, ctx);
      if (t) return t;
      started = true;
      continue;
    }
    for (const ch of seg.lit) {
      if (ch === " " || ch === "\t") {
        if (started) return null;
      } else started = true;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Argument vectors: list literals, `+`, conditionals and locally bound lists

interface Entry {
  node: SyntaxNode;
  /** A whole sub-list whose elements are unknown (`*rest`, `base + [x]` with base opaque). */
  spread: boolean;
}

const MAX_ALTERNATIVES = 8;

function argvAlternatives(raw: SyntaxNode | null, depth = 0): Entry[][] | null {
  if (!raw || depth > 4) return null;
  const node = unwrap(raw);
  switch (node.type) {
    case "list":
    case "tuple": {
      let alts: Entry[][] = [[]];
      for (const el of node.namedChildren) {
        if (el.type === "comment") continue;
        let parts: Entry[][];
        if (el.type === "list_splat") {
          const inner = el.namedChild(0);
          if (!inner) return null;
          parts = argvAlternatives(inner, depth + 1) ?? [[{ node: inner, spread: true }]];
        } else {
          parts = [[{ node: el, spread: false }]];
        }
        if (parts.length === 1) {
          // one way to go on: extend every alternative where it is (each is an array of its own), not copy it per
          // element, which made a long list literal quadratic
          for (const alt of alts) for (const entry of parts[0]!) alt.push(entry);
          continue;
        }
        alts = alts.flatMap((a) => parts.map((p) => [...a, ...p])).slice(0, MAX_ALTERNATIVES);
      }
      return alts;
    }
    case "binary_operator": {
      if (node.childForFieldName("operator")?.text !== "+") return null;
      const left = node.childForFieldName("left");
      const right = node.childForFieldName("right");
      if (!left || !right) return null;
      const l = argvAlternatives(left, depth + 1);
      const r = argvAlternatives(right, depth + 1);
      if (!l && !r) return null;
      const ls = l ?? [[{ node: left, spread: true }]];
      const rs = r ?? [[{ node: right, spread: true }]];
      return ls.flatMap((a) => rs.map((b) => [...a, ...b])).slice(0, MAX_ALTERNATIVES);
    }
    case "conditional_expression": {
      const a = node.namedChild(0);
      const b = node.namedChild(2);
      if (!a || !b) return null;
      const as = argvAlternatives(a, depth + 1);
      const bs = argvAlternatives(b, depth + 1);
      if (!as && !bs) return null;
      return [...(as ?? [[{ node: a, spread: true }]]), ...(bs ?? [[{ node: b, spread: true }]])].slice(0, MAX_ALTERNATIVES);
    }
    case "identifier": {
      const values = boundValues(node, true);
      if (!values) return null;
      const alts: Entry[][] = [];
      for (const value of values) {
        const a = argvAlternatives(value, depth + 1);
        if (!a) return null;
        alts.push(...a);
      }
      return alts.slice(0, MAX_ALTERNATIVES);
    }
    default:
      return null;
  }
}

/** Literal text of an argv entry, or null. */
function entryText(entry: Entry | undefined): string | null {
  if (!entry || entry.spread) return null;
  return literalText(entry.node, { fixable: true, inline: true, quote: null });
}

/** The base name of a program path, lower-cased: "/bin/sh" -> "sh", "C:\\Windows\\cmd.exe" -> "cmd.exe". */
function programName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1).toLowerCase();
}

/** The string a `shlex.split(s)` / `s.split()` call splits into words, or null. */
function splitSubject(node: SyntaxNode, ctx: RuleContext): SyntaxNode | null {
  const call = unwrap(node);
  if (call.type !== "call") return null;
  const fn = call.childForFieldName("function");
  const args = callArguments(call);
  if (ctx.resolve(fn) === "shlex.split") return args.positional[0] ?? null;
  if (fn?.type === "attribute" && fn.childForFieldName("attribute")?.text === "split" && args.positional.length === 0) {
    return fn.childForFieldName("object");
  }
  return null;
}

function isSplitCall(node: SyntaxNode, ctx: RuleContext): boolean {
  return splitSubject(node, ctx) !== null;
}

/** Taint of the program an argv runs: a tainted element 0, or a wholly tainted argv (`shlex.split(q)`). */
function headTaint(entry: Entry | undefined, ctx: RuleContext): Taint | null {
  if (!entry) return null;
  if (!entry.spread) return taintOf(entry.node, ctx);
  const subject = splitSubject(entry.node, ctx);
  // shlex.split(q) and q.split() are user-controlled argvs: the taint helper stops at them (unknown calls).
  return subject ? programWordTaint(subject, ctx) : taintOf(entry.node, ctx);
}

interface TrampolineHit {
  shell: string;
  entry: Entry;
  taint: Taint;
  /** The POSIX shell's command string when argv is exactly [shell, "-c", command]. */
  simple: boolean;
  /** An interpreter's source code (python -c) rather than a shell command. */
  code?: boolean;
}

/**
 * `-c`, `-lc`, `-xec`: short options that include -c. /^-[A-Za-z]*c[A-Za-z]*$/ in linear time (that pattern
 * backtracks quadratically on a long run of letters that does not end the word).
 */
function isCommandFlag(text: string): boolean {
  return /^-[A-Za-z]*$/.test(text) && text.includes("c");
}

/** `[shell, ..., "-c", command, ...]` whose command part is tainted. `rest` is argv after the program. */
function trampoline(program: string | null, rest: Entry[], ctx: RuleContext): TrampolineHit | null {
  if (program === null) return null;
  let shell = programName(program).replace(/\.exe$/, "");
  let items = rest;
  if (shell === "ssh") return sshCommand(items, ctx);
  if (WRAPPERS.has(shell)) {
    // sudo -u app sh -c ..., docker exec web bash -c ..., env LANG=C sh -c ...: find the shell the wrapper starts.
    const at = items.findIndex((e, i) => POSIX_SHELLS.has(programName(entryText(e) ?? "")) && isCommandFlag(entryText(items[i + 1]) ?? ""));
    if (at < 0) return null;
    shell = programName(entryText(items[at])!);
    items = items.slice(at + 1);
  }
  const interpreter = INTERPRETERS.find(([name]) => name.test(shell));
  if (interpreter) {
    // python -c CODE, perl -e CODE, node -e CODE: options first; a script or -m module stops the search.
    for (let i = 0; i < items.length; i++) {
      const text = entryText(items[i]);
      if (text === null || !text.startsWith("-") || /^-m$/.test(text)) return null;
      if (!interpreter[1].test(text)) continue;
      const code = items[i + 1];
      const taint = code ? (code.spread ? headTaint(code, ctx) : taintOf(code.node, ctx)) : null;
      return taint && code ? { shell, entry: code, taint, simple: false, code: true } : null;
    }
    return null;
  }
  if (POSIX_SHELLS.has(shell)) {
    let sawC = false;
    for (let i = 0; i < items.length; i++) {
      const entry = items[i]!;
      const text = entryText(entry);
      if (text !== null && /^[-+]/.test(text) && !sawC) {
        if (isCommandFlag(text)) sawC = true;
        else if (/^[-+][oO]$/.test(text)) i++; // -o pipefail
        continue;
      }
      if (!sawC) return null; // a script file, not a command string
      if (text !== null && /^-/.test(text)) continue;
      const taint = entry.spread ? headTaint(entry, ctx) : taintOf(entry.node, ctx);
      if (!taint) return null; // later items are $0, $1...: data, not code
      // exactly [shell, "-c", command] (not -lc: a login shell may set up PATH) can become the command's own argv
      return { shell, entry, taint, simple: rest === items && items.length === 2 && entryText(items[0]) === "-c" };
    }
    return null;
  }
  const isCmd = WINDOWS_CMD.has(shell);
  if (!isCmd && !POWERSHELLS.has(shell)) return null;
  let commandFrom = -1;
  for (let i = 0; i < items.length && commandFrom < 0; i++) {
    const text = entryText(items[i]);
    if (text === null) return null;
    if (isCmd ? /^\/[ck]$/i.test(text) : /^[-/](c|command|e|ec|encodedcommand)$/i.test(text)) commandFrom = i + 1;
    else if (isCmd ? !text.startsWith("/") : !/^[-/]/.test(text)) return null; // a script or a positional: not a command string
    else if (!isCmd && POWERSHELL_VALUE_OPTIONS.test(text)) i++;
  }
  if (commandFrom < 0) return null;
  // cmd /c and powershell -Command join everything after the flag into the command line.
  for (const entry of items.slice(commandFrom)) {
    const taint = entry.spread ? headTaint(entry, ctx) : taintOf(entry.node, ctx);
    if (taint) return { shell, entry, taint, simple: false };
  }
  return null;
}

/** `ssh [options] destination command...`: the remote side runs the command words through the account's shell. */
function sshCommand(items: Entry[], ctx: RuleContext): TrampolineHit | null {
  let i = 0;
  for (; i < items.length; i++) {
    const text = entryText(items[i]);
    if (text === null) return null;
    if (text === "--") {
      i++;
      break;
    }
    if (!text.startsWith("-")) break;
    if (SSH_VALUE_OPTIONS.test(text)) i++;
  }
  // items[i] is the destination (a user value there is option injection, which the list form does not fix either)
  for (const entry of items.slice(i + 1)) {
    const taint = entry.spread ? headTaint(entry, ctx) : taintOf(entry.node, ctx);
    if (taint) return { shell: "the remote shell (ssh)", entry, taint, simple: false };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Messages

function sourceLabel(t: Taint): string {
  return t.level === "persisted" ? "A value loaded from the database" : t.source;
}

function confidenceOf(t: Taint): "high" | "medium" {
  return t.level === "direct" ? "high" : "medium";
}

function via(command: SyntaxNode): string {
  const n = unwrap(command);
  if (n.type === "string" && n.namedChildren.some((c) => c.type === "interpolation")) return " through an f-string";
  if (n.type === "concatenated_string" && n.descendantsOfType("interpolation").length > 0) return " through an f-string";
  if (n.type === "binary_operator") {
    const operator = n.childForFieldName("operator")?.text;
    if (operator === "+") return " through string concatenation";
    if (operator === "%") return " through %-formatting";
  }
  if (n.type === "call" && n.childForFieldName("function")?.type === "attribute" && n.childForFieldName("function")?.childForFieldName("attribute")?.text === "format") {
    return " through str.format()";
  }
  if (n.type === "identifier") return ` through the variable ${n.text}`;
  return "";
}

// ---------------------------------------------------------------------------------------------------------------
// Fixes

/** The local name `import subprocess [as x]` binds at module level, or null. */
function subprocessName(node: SyntaxNode): string | null {
  for (const stmt of rootOf(node).namedChildren) {
    if (stmt.type !== "import_statement") continue;
    for (const item of stmt.namedChildren) {
      if (item.type === "dotted_name" && item.text === "subprocess") return "subprocess";
      if (item.type === "aliased_import" && item.childForFieldName("name")?.text === "subprocess") {
        return item.childForFieldName("alias")?.text ?? null;
      }
    }
  }
  return null;
}

/** Lines after the first are re-indented by the engine relative to the anchor line: take that indent off. */
function relativeToAnchor(text: string, anchor: SyntaxNode, source: string): string | null {
  const lineStart = source.lastIndexOf("\n", anchor.startIndex - 1) + 1;
  const indent = /^[ \t]*/.exec(source.slice(lineStart))![0];
  const lines = text.split("\n");
  for (let i = 1; i < lines.length; i++) {
    if (lines[i]!.trim() === "") continue;
    if (!lines[i]!.startsWith(indent)) return null;
    lines[i] = lines[i]!.slice(indent.length);
  }
  return lines.join("\n");
}

/** subprocess.X(<string>, shell=True, ...) -> subprocess.X([...], ...): the argument list without `shell=True`. */
function dropShellFix(call: SyntaxNode, command: SyntaxNode, elements: string[], ctx: RuleContext): FixInput | null {
  const argList = call.childForFieldName("arguments");
  const shellArg = argList?.namedChildren.find((a) => a.type === "keyword_argument" && a.childForFieldName("name")?.text === "shell");
  if (!argList || !shellArg) return null;
  const prev = shellArg.previousSibling;
  const next = shellArg.nextSibling;
  const source = ctx.source;
  const lineStart = source.lastIndexOf("\n", shellArg.startIndex - 1) + 1;
  const end = next?.type === "," ? next.endIndex : shellArg.endIndex;
  const lineEnd = source.indexOf("\n", end);
  let removeFrom: number;
  let removeTo: number;
  if (lineEnd >= 0 && /^[ \t]*$/.test(source.slice(lineStart, shellArg.startIndex)) && /^[ \t]*$/.test(source.slice(end, lineEnd))) {
    [removeFrom, removeTo] = [lineStart, lineEnd + 1]; // `shell=True,` on a line of its own
  } else if (prev?.type === "comment" || next?.type === "comment" || next?.nextSibling?.type === "comment") {
    return null;
  } else if (prev?.type === ",") {
    [removeFrom, removeTo] = next?.type === "," ? [prev.endIndex, next.endIndex] : [prev.startIndex, shellArg.endIndex];
  } else if (next?.type === ",") {
    [removeFrom, removeTo] = [shellArg.startIndex, next.nextSibling?.startIndex ?? next.endIndex];
  } else {
    [removeFrom, removeTo] = [shellArg.startIndex, shellArg.endIndex];
  }
  const cuts = [
    { from: command.startIndex, to: command.endIndex, text: `[${elements.join(", ")}]` },
    { from: removeFrom, to: removeTo, text: "" },
  ].sort((a, b) => a.from - b.from);
  if (cuts[0]!.to > cuts[1]!.from) return null;
  let text = "";
  let cursor = argList.startIndex;
  for (const cut of cuts) {
    text += ctx.source.slice(cursor, cut.from) + cut.text;
    cursor = cut.to;
  }
  text += ctx.source.slice(cursor, argList.endIndex);
  const relative = relativeToAnchor(text, argList, ctx.source);
  if (relative === null) return null;
  return {
    safety: "safe",
    description: "pass the command as an argument list and drop shell=True",
    edits: [{ node: argList, text: relative }],
  };
}

function shellFix(call: SyntaxNode, callee: string, command: SyntaxNode, isKeyword: boolean, ctx: RuleContext): FixInput | undefined {
  const argv = argvFor(command, ctx);
  if (!argv || !argv.inline) return undefined;
  const list = `[${argv.elements.join(", ")}]`;
  const sub = subprocessName(call);
  const subName = sub ?? "subprocess";
  const needsImport = sub ? "" : " (and import subprocess)";
  if (SUBPROCESS_SINKS.has(callee)) {
    if (callArguments(call).keywords.has("executable")) return undefined; // executable= named the shell
    return dropShellFix(call, command, argv.elements, ctx) ?? undefined;
  }
  if (callee === "os.system") {
    const statement = call.parent?.type === "expression_statement" && call.parent.namedChildCount === 1;
    if (statement && sub) {
      return { safety: "safe", description: "run the program with an argument list instead of a shell", edits: [{ node: call, text: `${sub}.run(${list})` }] };
    }
    return {
      safety: "review",
      description: `run the program with an argument list instead of a shell${needsImport}; os.system() returned the wait status, subprocess.run() returns a CompletedProcess`,
      edits: [{ node: call, text: `${subName}.run(${list})${statement ? "" : ".returncode"}` }],
    };
  }
  if (callee.endsWith("create_subprocess_shell")) {
    const fn = call.childForFieldName("function");
    const name = fn?.type === "attribute" ? fn.childForFieldName("attribute") : null;
    if (!name || isKeyword) return undefined;
    return {
      safety: "safe",
      description: "start the program with create_subprocess_exec() and separate arguments instead of a shell",
      edits: [{ node: name, text: "create_subprocess_exec" }, { node: command, text: argv.elements.join(", ") }],
    };
  }
  if (callee === "os.popen") {
    return {
      safety: "review",
      description: `read the program's output through subprocess with an argument list${needsImport}`,
      edits: [{ node: call, text: `${subName}.Popen(${list}, stdout=${subName}.PIPE, text=True).stdout` }],
    };
  }
  if (callee === "subprocess.getoutput") {
    return {
      safety: "review",
      description: "capture the output with an argument list (getoutput() also merged stderr and stripped the last newline)",
      edits: [{ node: call, text: `${subName}.run(${list}, capture_output=True, text=True).stdout` }],
    };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// The check

function commandArg(call: SyntaxNode, index: number, keyword: string | null): { node: SyntaxNode; isKeyword: boolean } | null {
  const args = callArguments(call);
  const positional = args.positional[index];
  if (positional) return { node: positional, isKeyword: false };
  const kw = keyword ? args.keywords.get(keyword) : undefined;
  return kw ? { node: kw, isKeyword: true } : null;
}

/** Positional arguments, keeping `*args` as spread entries in their place. */
function positionalEntries(call: SyntaxNode): Entry[] {
  const args = call.childForFieldName("arguments");
  const out: Entry[] = [];
  for (const arg of args?.namedChildren ?? []) {
    if (arg.type === "keyword_argument" || arg.type === "dictionary_splat" || arg.type === "comment") continue;
    if (arg.type === "list_splat") {
      const inner = arg.namedChild(0);
      if (inner) out.push({ node: inner, spread: true });
    } else out.push({ node: arg, spread: false });
  }
  return out;
}

function reportShell(call: SyntaxNode, callee: string, command: SyntaxNode, isKeyword: boolean, ctx: RuleContext, what: string): void {
  const taint = shellTaint(command, ctx);
  if (!taint) return;
  const fix = shellFix(call, callee, command, isKeyword, ctx);
  ctx.report({
    node: command,
    message: `${sourceLabel(taint)} reaches ${what}${via(command)}; shell metacharacters in it (; | $(...)) run arbitrary commands.`,
    confidence: confidenceOf(taint),
    flow: taint.flow,
    ...(fix ? { fix } : {}),
  });
}

function reportProgram(node: SyntaxNode, callee: string, taint: Taint, ctx: RuleContext): void {
  ctx.report({
    node,
    message: `${sourceLabel(taint)} chooses the program ${callee}() runs, so a caller can execute any binary on the server.`,
    confidence: confidenceOf(taint),
    flow: taint.flow,
  });
}

function reportTrampoline(node: SyntaxNode, callee: string, hit: TrampolineHit, ctx: RuleContext, fix?: FixInput): void {
  ctx.report({
    node,
    message: `${sourceLabel(hit.taint)} reaches the ${hit.code ? "code" : "command string"} that ${callee}() hands to ${hit.shell}, which ${hit.code ? "executes it" : "runs it as shell code"}.`,
    confidence: confidenceOf(hit.taint),
    flow: hit.taint.flow,
    ...(fix ? { fix } : {}),
  });
}

/** Checks an argv (program + rest) for a tainted program or a tainted shell trampoline; true when reported. */
function checkArgv(alternatives: Entry[][], report: SyntaxNode, callee: string, ctx: RuleContext, listNode: SyntaxNode | null): boolean {
  for (const argv of alternatives) {
    const [program, ...rest] = argv;
    const head = headTaint(program, ctx);
    if (head) {
      reportProgram(report, callee, head, ctx);
      return true;
    }
    const hit = trampoline(entryText(program), rest, ctx);
    if (hit) {
      let fix: FixInput | undefined;
      if (hit.simple && listNode?.namedChildCount === 3 && alternatives.length === 1 && SUBPROCESS_SINKS.has(callee)) {
        const argvList = argvFor(hit.entry.node, ctx);
        if (argvList?.inline) {
          fix = { safety: "safe", description: `run the program with an argument list instead of ${hit.shell} -c`, edits: [{ node: listNode, text: `[${argvList.elements.join(", ")}]` }] };
        }
      }
      reportTrampoline(report, callee, hit, ctx, fix);
      return true;
    }
  }
  return false;
}

function checkSubprocess(call: SyntaxNode, callee: string, ctx: RuleContext): void {
  const arg = commandArg(call, 0, "args");
  if (!arg) return;
  const args = callArguments(call);
  const shell = args.keywords.get("shell");
  const alternatives = argvAlternatives(arg.node);
  if (shell && isTruthyLiteral(shell)) {
    if (!alternatives) {
      reportShell(call, callee, arg.node, arg.isKeyword, ctx, `${callee}(..., shell=True)`);
      return;
    }
    // With shell=True and a list, only the first item is the command string; the rest are the shell's $0, $1...
    for (const argv of alternatives) {
      const first = argv[0];
      const taint = first ? (first.spread ? headTaint(first, ctx) : shellTaint(first.node, ctx)) : null;
      if (!taint) continue;
      ctx.report({
        node: arg.node,
        message: `${sourceLabel(taint)} reaches the command string of ${callee}(..., shell=True); shell metacharacters in it run arbitrary commands.`,
        confidence: confidenceOf(taint),
        flow: taint.flow,
      });
      return;
    }
    return;
  }
  if (shell && !isFalsyLiteral(shell)) return; // shell=<expression>: unknown
  const executable = args.keywords.get("executable");
  const exeTaint = executable ? taintOf(executable, ctx) : null;
  if (executable && exeTaint) {
    reportProgram(executable, callee, exeTaint, ctx);
    return;
  }
  if (alternatives) {
    const listNode = ["list", "tuple"].includes(unwrap(arg.node).type) ? unwrap(arg.node) : null;
    checkArgv(alternatives, arg.node, callee, ctx, listNode);
    return;
  }
  // A string without a shell names the program (POSIX) or is a command line CreateProcess splits (Windows).
  const taint = isSplitCall(arg.node, ctx) ? headTaint({ node: arg.node, spread: true }, ctx) : programWordTaint(arg.node, ctx);
  if (taint) reportProgram(arg.node, callee, taint, ctx);
}

function checkExec(call: SyntaxNode, callee: string, spec: ExecSpec, ctx: RuleContext): void {
  const entries = positionalEntries(call);
  if (entries.slice(0, spec.program + 1).some((e) => e.spread)) return;
  const programKeyword = callArguments(call).keywords.get("program");
  const program = entries[spec.program] ?? (programKeyword ? { node: programKeyword, spread: false } : undefined);
  if (!program) return;
  const head = headTaint(program, ctx);
  if (head) {
    reportProgram(program.node, callee, head, ctx);
    return;
  }
  let rest: Entry[][];
  if (spec.argv === "list") {
    const list = entries[spec.program + 1];
    if (!list || list.spread) return;
    const alts = argvAlternatives(list.node);
    if (!alts) return;
    rest = alts.map((a) => a.slice(spec.skipArgv0 ? 1 : 0));
  } else {
    let items = entries.slice(spec.program + 1);
    if (spec.envLast) items = items.slice(0, -1);
    rest = [items.slice(spec.skipArgv0 ? 1 : 0)];
  }
  for (const items of rest) {
    const hit = trampoline(entryText(program), items, ctx);
    if (hit) {
      // Report on the call's own argument that carries the command.
      const carrier = spec.argv === "list" ? entries[spec.program + 1]!.node : hit.entry.node;
      reportTrampoline(carrier, callee, hit, ctx);
      return;
    }
  }
}

export default defineRule({
  id: "FLASK-INJECT-002",
  title: "OS command injection",
  severity: "critical",
  confidence: "high",
  cwe: ["CWE-78"],
  spec: "FLASK-INJECT-002",
  docs: {
    impact:
      "A request value that reaches a shell command string (os.system, os.popen, subprocess with shell=True, sh -c) " +
      "lets any caller append their own commands with ; | && or $(...), and run them with the web server's " +
      "privileges: read secrets and the database, pivot into the network, take over the host. A request value that " +
      "chooses the program of an exec-style call lets the caller run any binary on the server.",
    fix:
      "Prefer a Python library over a subprocess. If a subprocess is unavoidable, hard-code the program and pass " +
      "the arguments as a list without a shell: subprocess.run([\"ping\", \"-c\", \"1\", host]). Validate every variable " +
      "part against an allowlist or a strict pattern, and put user values after `--` when the program supports it " +
      "so they cannot be read as options.",
    mitigation:
      "If the shell string must stay for now, quote each value with shlex.quote() (outside any quotes of the " +
      "template) and validate it against a strict allowlist first. Run the app as an unprivileged user with a " +
      "read-only filesystem and restricted egress, so an injected command can do less.",
    falsePositives:
      "A value validated in a way the rule does not recognise (a custom validator, a check in another function) " +
      "may already be safe: verify that it can only hold allowed values. Values arriving from another function's " +
      "parameter are not followed (a possible false negative). Values loaded from the database are reported with " +
      "medium confidence: check whether users can write them. List arguments without a shell are not reported, " +
      "but a user value that starts with `-` can still act as an option (git's --upload-pack, tar's " +
      "--checkpoint-action): use `--` or validate it.",
    bad:
      "import subprocess\nfrom flask import Flask, request\n\napp = Flask(__name__)\n\n" +
      "@app.route(\"/ping\")\ndef ping():\n    host = request.args.get(\"host\", \"\")\n" +
      "    result = subprocess.run(f\"ping -c 1 {host}\", shell=True, capture_output=True, text=True)\n" +
      "    return result.stdout\n",
    good:
      "import subprocess\nfrom flask import Flask, request\n\napp = Flask(__name__)\n\n" +
      "@app.route(\"/ping\")\ndef ping():\n    host = request.args.get(\"host\", \"\")\n" +
      "    result = subprocess.run([\"ping\", \"-c\", \"1\", \"--\", host], capture_output=True, text=True)\n" +
      "    return result.stdout\n",
  },
  on: ["call"],
  names: { call: SINK_NAMES },
  check(call, ctx) {
    const callee = ctx.resolve(call.childForFieldName("function"));
    if (!callee) return;
    // own keys only: a call of `constructor` or `toString` is no sink (a plain index found Object.prototype's)
    const shellKeyword = Object.hasOwn(SHELL_SINKS, callee) ? SHELL_SINKS[callee] : undefined;
    if (shellKeyword) {
      const arg = commandArg(call, 0, shellKeyword);
      if (arg) reportShell(call, callee, arg.node, arg.isKeyword, ctx, `${callee}()`);
      return;
    }
    if (SUBPROCESS_SINKS.has(callee)) {
      checkSubprocess(call, callee, ctx);
      return;
    }
    const exec = Object.hasOwn(EXEC_SINKS, callee) ? EXEC_SINKS[callee] : undefined;
    if (exec) checkExec(call, callee, exec, ctx);
  },
});
