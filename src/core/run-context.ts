// Where does a piece of code run: in tests, in development, in production, or only as a local entrypoint? Rules
// that judge settings (a dev key that production overrides is fine) read it from the file path, the enclosing
// class and function names, the branch of an `if` on the environment, `__main__` blocks, and TESTING/DEBUG flags.
//
// Three readings, each kept as the rules that use it were tuned on their fixtures:
// - contextOf():     word-based (FLASK-CSRF-001, FLASK-SESS-001, FLASK-SESS-002): names split into words;
//                    test beats dev beats prod; `not` / `!=` / `is None` flip an `if`'s meaning; a TESTING/DEBUG
//                    setting next to the node counts.
// - reachOf():       regex-based (FLASK-CONFIG-001, FLASK-DEPLOY-002): does the code run on import, in some
//                    function, only in a `__main__` entrypoint, or only in development?
// - inDevContext():  regex-based yes/no (FLASK-HEADERS-001, FLASK-HOST-001, FLASK-LIMITS-001).
// Deployment files (Dockerfile, compose, .env, units): isLocalDeploymentFile() and forEachProductionLine().
import type { SyntaxNode } from "tree-sitter";
import type { RuleContext, TextRuleContext } from "./define-rule.js";
import { assignmentsIn, className, enclosingFunction, inMainGuard, isMainGuardIf, isTruthyLiteral } from "./python.js";
import { settingsIn } from "./settings.js";

/** Development and test modules: config/development.py, settings_dev.py, local_settings.py, tests/. */
export const DEV_PATH = /(?:^|[/_.-])(?:dev|develop|development|local|tests?|testing|debug)(?:[/_.-]|$)/i;
/** Functions that configure development or tests only (`create_test_app`, `run_dev_server`). */
export const DEV_FUNCTION = /(?:^|_)(?:dev|develop|development|local|tests?|testing)(?:_|$)/i;

// ---------------------------------------------------------------------------------------------------------------
// Word-based: test, dev or prod

const TEST_WORDS = new Set(["test", "tests", "testing", "pytest", "unittest", "conftest"]);
const DEV_WORDS = new Set(["dev", "develop", "development", "local", "localhost", "debug"]);
const PROD_WORDS = new Set(["prod", "production", "live"]);

/** `SessionCookieSecure` / `session_cookie-secure` / "config/development.py" -> lower-case words. */
export function words(text: string): string[] {
  return text.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
}

export type RunContext = "test" | "dev" | "prod" | null;

/** What a name (file, class, function, condition text) says about where it runs: test beats dev beats prod. */
export function contextOfName(text: string): RunContext {
  const w = words(text);
  if (w.some((x) => TEST_WORDS.has(x))) return "test";
  if (w.some((x) => DEV_WORDS.has(x))) return "dev";
  return w.some((x) => PROD_WORDS.has(x)) ? "prod" : null;
}

/**
 * What an `if` condition selects (`negate` for its else branch). Negated (`not testing`, `env != "prod"`, the else),
 * a prod reading becomes dev and any other reading becomes prod.
 */
export function contextOfCondition(condition: SyntaxNode | null, negate: boolean): RunContext {
  if (!condition) return null;
  const text = condition.text;
  const kind = contextOfName(text);
  // `not testing`, `env != "dev"`, `test_config is None` turn the meaning around; `is not None` does not
  const inverted = /^\s*not\b|!=|\bnot in\b|\bis None\b|==\s*None\b/.test(text) || (/\bis not\b/.test(text) && !/\bis not None\b/.test(text));
  const negated = inverted !== negate;
  if (!negated || kind === null) return kind;
  return kind === "prod" ? "dev" : "prod";
}

function within(outer: SyntaxNode | null, node: SyntaxNode): boolean {
  return !!outer && outer.startIndex <= node.startIndex && node.endIndex <= outer.endIndex;
}

/**
 * The condition that selects the branch of `ifStatement` holding `node`: its own for the body of the `if` or an
 * `elif`, the last one (negated) for the `else`. Null when the node is in none of the branches.
 */
export function branchCondition(ifStatement: SyntaxNode, node: SyntaxNode): { condition: SyntaxNode | null; negated: boolean } | null {
  if (within(ifStatement.childForFieldName("consequence"), node)) return { condition: ifStatement.childForFieldName("condition"), negated: false };
  let last = ifStatement.childForFieldName("condition");
  for (const clause of ifStatement.childrenForFieldName("alternative")) {
    if (clause.type === "elif_clause") {
      if (within(clause.childForFieldName("consequence"), node)) return { condition: clause.childForFieldName("condition"), negated: false };
      last = clause.childForFieldName("condition");
    } else if (within(clause, node)) {
      return { condition: last, negated: true };
    }
  }
  return null;
}

/** How the branch of an `if` holding `node` is gated: the `else` of `if production:` is development. */
export function contextOfBranch(ifStatement: SyntaxNode, node: SyntaxNode): RunContext {
  const branch = branchCondition(ifStatement, node);
  return branch ? contextOfCondition(branch.condition, branch.negated) : null;
}

/**
 * Where a setting (or any node) applies: test files; test/dev/prod-named modules, classes and functions; a
 * TESTING/DEBUG flag set next to it (in `container`, or in an enclosing class body); the branch of an `if`.
 */
export function contextOf(container: SyntaxNode | null, node: SyntaxNode, ctx: RuleContext): RunContext {
  if (ctx.isTestFile) return "test";
  const found: RunContext[] = [contextOfName(ctx.file.replace(/\.py$/, ""))];
  const flags = (settings: SyntaxNode | null) => {
    if (!settings) return;
    const s = settingsIn(settings, ctx);
    if (isTruthyLiteral(s.get("TESTING"))) found.push("test");
    if (isTruthyLiteral(s.get("DEBUG"))) found.push("dev");
  };
  flags(container);
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === "if_statement") found.push(contextOfBranch(p, node));
    else if (p.type === "class_definition") {
      found.push(contextOfName(className(p)));
      flags(p.childForFieldName("body"));
    } else if (p.type === "function_definition") found.push(contextOfName(p.childForFieldName("name")?.text ?? ""));
  }
  return found.includes("test") ? "test" : found.includes("dev") ? "dev" : found.includes("prod") ? "prod" : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Reach: on import, in a function, in a __main__ entrypoint, or in development only

const DEV_CLASS_WORDS = new Set(["dev", "develop", "development", "local", "test", "tests", "testing", "debug"]);

/** Config classes meant for development or tests, by the words of their name: DevConfig, LocalConfig, UnitTestConfig. */
export function isDevClassName(name: string): boolean {
  // HTTPServer -> HTTP_Server with a lookahead: `([A-Z]+)([A-Z][a-z])` rescanned a long run of capitals from each one
  const parts = name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/([A-Z])(?=[A-Z][a-z])/g, "$1_").toLowerCase().split("_");
  return parts.some((word) => DEV_CLASS_WORDS.has(word));
}

/** dev/prod: the condition names the environment; gate: it reads the environment or the command line. */
export type ConditionKind = "dev" | "prod" | "gate" | null;

/** What an `if` condition tests; `gates` also classifies environment/argv reads (`if os.environ.get(...)`). */
export function conditionKind(condition: SyntaxNode | null, gates: boolean): ConditionKind {
  if (!condition) return null;
  const text = condition.text;
  const negated = /^\s*not\b|!=|\bis not\b|\bnot in\b/.test(text);
  if (/develop|\bdev\b|_dev\b|\bdev_|debug|testing|\btests?\b|\blocal/i.test(text)) return negated ? "prod" : "dev";
  if (/prod|\blive\b/i.test(text)) return negated ? "dev" : "prod";
  if (gates && /environ|getenv|\benv\b|_env\b|\benv_|argv|\bargs\b|\boptions\b/i.test(text)) return "gate";
  return null;
}

/** How the branch of `ifStatement` that holds `node` is gated (an else branch flips dev and prod). */
export function branchKind(ifStatement: SyntaxNode, node: SyntaxNode, gates: boolean): ConditionKind {
  const branch = branchCondition(ifStatement, node);
  const kind = branch ? conditionKind(branch.condition, gates) : null;
  if (!branch?.negated) return kind;
  return kind === "dev" ? "prod" : kind === "prod" ? "dev" : kind;
}

export type Reach =
  /** runs whenever the module is imported (module level, class body, a function called at module level) */
  | "import"
  /** runs when some function runs (app factory, init_app): production code unless named for dev/test */
  | "function"
  /** a `__main__` block or a function only it calls: a dev entrypoint unless deployment runs the file directly */
  | "entry"
  /** gated on a dev/debug/testing setting (or the environment), or in a dev/test-named class or function */
  | "dev";

export interface ReachOptions {
  /** An `if` on the environment or the command line gates the code like a dev condition (FLASK-DEPLOY-002). */
  gates: boolean;
  /** A class whose body sets TESTING to a true value is a test config (FLASK-CONFIG-001). */
  testingFlag: boolean;
  /** Classify the elif/else branches of a `__main__` guard like any other `if` (FLASK-DEPLOY-002). */
  mainGuardElse: boolean;
}

function returnsValue(fn: SyntaxNode): boolean {
  return fn.descendantsOfType("return_statement").some((r) => r.namedChildCount > 0 && enclosingFunction(r)?.id === fn.id);
}

/** Calls of a top-level function by name, split into module-level (outside a main guard) and main-guard calls. */
function callSites(root: SyntaxNode, name: string): { atImport: boolean; inGuard: boolean } {
  const sites = { atImport: false, inGuard: false };
  for (const call of root.descendantsOfType("call")) {
    const fn = call.childForFieldName("function");
    if (fn?.type !== "identifier" || fn.text !== name || enclosingFunction(call)) continue;
    if (inMainGuard(call)) sites.inGuard = true;
    else sites.atImport = true;
  }
  return sites;
}

/** When the code at `node` runs (see Reach). */
export function reachOf(node: SyntaxNode, options: ReachOptions): Reach {
  let guarded = false;
  let outermostFunction: SyntaxNode | null = null;
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === "if_statement") {
      const mainGuard = isMainGuardIf(p);
      if (mainGuard && within(p.childForFieldName("consequence"), node)) guarded = true;
      else if (!mainGuard || options.mainGuardElse) {
        const kind = branchKind(p, node, options.gates);
        if (kind === "dev" || kind === "gate") return "dev";
      }
    } else if (p.type === "class_definition") {
      if (isDevClassName(className(p))) return "dev";
      const body = p.childForFieldName("body");
      if (options.testingFlag && body && assignmentsIn(body, "TESTING").some((a) => isTruthyLiteral(a.childForFieldName("right")))) return "dev";
    } else if (p.type === "function_definition") {
      if (DEV_FUNCTION.test(p.childForFieldName("name")?.text ?? "")) return "dev";
      outermostFunction = p;
    }
  }
  if (guarded) return "entry";
  if (!outermostFunction) return "import";
  // A top-level function: what calls it decides when it runs.
  const isTopLevel = (outermostFunction.parent?.type === "decorated_definition" ? outermostFunction.parent : outermostFunction).parent?.type === "module";
  if (!isTopLevel) return "function";
  const name = outermostFunction.childForFieldName("name")?.text ?? "";
  const sites = callSites(node.tree.rootNode, name);
  if (sites.atImport) return "import";
  // an app factory called from the __main__ block is also what gunicorn calls: only value-less functions are entries
  if ((sites.inGuard || name === "main") && !returnsValue(outermostFunction)) return "entry";
  return "function";
}

// ---------------------------------------------------------------------------------------------------------------
// Development or test code, yes or no

const DEV_CLASS = /dev|local|test|debug/i;

/** Is `node` in the development branch of `ifStatement` (the body of `if DEBUG:`, the else of `if production:`)? */
export function inDevBranch(ifStatement: SyntaxNode, node: SyntaxNode): boolean {
  const condition = ifStatement.childForFieldName("condition")?.text ?? "";
  const dev = /develop|\bdev\b|debug|testing|\btests?\b|\blocal\b/i.test(condition);
  const prod = /prod|\blive\b/i.test(condition);
  if (!dev && !prod) return false;
  const negated = /^\s*not\b|!=|\bis not\b|\bnot in\b/.test(condition);
  const inBody = within(ifStatement.childForFieldName("consequence"), node);
  return inBody === (dev !== negated);
}

/**
 * Development or test code: a test file, a dev/test module path, a `__main__` block of a file no deployment runs
 * directly, a dev/test/local/debug-named class or dev/test-named function, or the development branch of an `if`.
 */
export function inDevContext(node: SyntaxNode, ctx: RuleContext): boolean {
  if (ctx.isTestFile || DEV_PATH.test(ctx.file)) return true;
  if (inMainGuard(node) && !ctx.project.directlyRunInProduction.has(ctx.file)) return true;
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === "class_definition" && DEV_CLASS.test(className(p))) return true;
    if (p.type === "function_definition" && DEV_FUNCTION.test(p.childForFieldName("name")?.text ?? "")) return true;
    if (p.type === "if_statement" && inDevBranch(p, node)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// Deployment files: which of them, and which of their lines, configure production

/** Dockerfile stages built for development (`FROM python:3.12 AS dev`). */
const DEV_STAGE = /^(?:dev|develop|development|local|debug|tests?|testing)$|[-_](?:dev|debug|test)$/i;
const COMPOSE_OVERRIDE = /(?:^|\/)(?:docker-)?compose\.override\.ya?ml$/i;

/** A test file, a dev/test-named file, or a compose override (local tooling by convention): not production's. */
export function isLocalDeploymentFile(ctx: TextRuleContext): boolean {
  return ctx.isTestFile || DEV_PATH.test(ctx.file) || COMPOSE_OVERRIDE.test(ctx.file);
}

/** Each line of a deployment file except comments and the lines of a development Dockerfile stage (0-based index). */
export function forEachProductionLine(ctx: TextRuleContext, visit: (line: string, index: number) => void): void {
  let devStage = false;
  ctx.lines.forEach((line, index) => {
    if (ctx.kind === "dockerfile") {
      const from = /^\s*FROM\s+\S+(?:\s+AS\s+(\S+))?/i.exec(line);
      if (from) devStage = DEV_STAGE.test(from[1] ?? "");
    }
    if (devStage || /^\s*#/.test(line)) return;
    visit(line, index);
  });
}
