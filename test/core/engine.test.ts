import { describe, expect, it } from "vitest";
import { defineRule, type Rule } from "../../src/core/define-rule.js";
import { MAX_EVIDENCE_LINE_CHARS, scanFiles, scanSource } from "../../src/core/engine.js";
import { emptyProjectFacts } from "../../src/core/project.js";
import { stringValue } from "../../src/core/python.js";

const docs = { impact: "i", fix: "f", mitigation: "m", falsePositives: "fp", bad: "", good: "" };
const project = emptyProjectFacts();

/** A test rule: reports every call to `danger(...)`, with an optional fix replacing the call. */
function dangerRule(fixText?: string, safety: "safe" | "review" = "safe"): Rule {
  return defineRule({
    id: "FLASK-TEST-001", title: "danger", severity: "high", confidence: "high", cwe: ["CWE-1"], spec: "x", docs,
    on: ["call"],
    check(node, ctx) {
      if (node.childForFieldName("function")?.text !== "danger") return;
      ctx.report({ node, message: "danger called", fix: fixText === undefined ? undefined : { safety, description: "d", edits: [{ node, text: fixText }] } });
    },
  });
}

describe("engine", () => {
  it("contains a throwing rule, labels the error and keeps the other rules' findings", () => {
    const thrower = defineRule({
      id: "FLASK-TEST-002", title: "t", severity: "low", confidence: "low", cwe: [], spec: "x", docs, on: ["call"],
      check() { throw new Error("boom"); },
    });
    const scan = scanSource({ path: "a.py", content: "danger()\n" }, { rules: [thrower, dangerRule()], project });
    expect(scan.ruleErrors).toEqual([{ ruleId: "FLASK-TEST-002", file: "a.py", line: 1, message: "boom" }]);
    expect(scan.findings.map((f) => f.ruleId)).toEqual(["FLASK-TEST-001"]);
  });

  it("runs rules on the parts of a file that parsed and reports where parsing failed", () => {
    const scan = scanSource({ path: "a.py", content: "def broken(:\n    pass\n\ndanger()\n" }, { rules: [dangerRule()], project });
    expect(scan.parseErrorLine).toBe(1);
    expect(scan.findings.map((f) => f.span.startLine)).toEqual([4]);
  });

  it("reports 1-based lines and columns, the evidence and the enclosing route", () => {
    const source = `from flask import Flask\napp = Flask(__name__)\n@app.route("/x", methods=["POST"])\ndef view():\n    return danger()\n`;
    const [finding] = scanSource({ path: "a.py", content: source }, { rules: [dangerRule()], project }).findings;
    expect(finding?.span).toEqual({ startLine: 5, startColumn: 12, endLine: 5, endColumn: 20 });
    expect(finding?.evidence).toBe("    return danger()");
    expect(finding?.context).toBe("view() [POST /x]");
  });

  it("clips each evidence line of a huge minified line, and fingerprints the clipped text", () => {
    const padding = "x" + "1".repeat(100_000);
    const source = `value = [${padding}, danger(), danger(), ${padding}]\n`;
    const findings = scanSource({ path: "a.py", content: source }, { rules: [dangerRule()], project }).findings;
    expect(findings).toHaveLength(2);
    for (const finding of findings) {
      expect(finding.evidence).toBe(`${source.slice(0, MAX_EVIDENCE_LINE_CHARS)}…`);
    }
    // Same clipped evidence, so the second carries the repeat suffix, as for any repeated code.
    expect(findings[1]!.fingerprint).toBe(`${findings[0]!.fingerprint}:1`);
    expect(JSON.stringify(findings).length).toBeLessThan(3_000);
  });

  it("keeps fingerprints stable when lines move and distinct for repeated code", () => {
    const a = scanSource({ path: "a.py", content: "danger()\n" }, { rules: [dangerRule()], project }).findings;
    const b = scanSource({ path: "a.py", content: "import os\n\n\ndanger()\ndanger()\n" }, { rules: [dangerRule()], project }).findings;
    expect(b[0]?.fingerprint).toBe(a[0]?.fingerprint);
    expect(b[1]?.fingerprint).not.toBe(b[0]?.fingerprint);
  });

  it("turns node edits into whole-line fixes that keep indentation and surrounding text", () => {
    const source = "def f():\n    x = danger()  # note\n";
    const [finding] = scanSource({ path: "a.py", content: source }, { rules: [dangerRule("safe_call(\n    1)")], project }).findings;
    expect(finding?.fix).toEqual({
      safety: "safe", startLine: 2, endLine: 2, description: "d",
      replacement: "    x = safe_call(\n        1)  # note",
    });
  });

  it("drops a fix that would break the syntax of the file", () => {
    const [finding] = scanSource({ path: "a.py", content: "x = danger()\n" }, { rules: [dangerRule("danger(")], project }).findings;
    expect(finding).toBeDefined();
    expect(finding?.fix).toBeUndefined();
  });

  it("gives each rule a per-file memo", () => {
    let computed = 0;
    const counting = defineRule({
      id: "FLASK-TEST-008", title: "memo", severity: "low", confidence: "low", cwe: [], spec: "x", docs, on: ["call"],
      check(node, ctx) {
        const calls = ctx.memo("calls", () => {
          computed++;
          return node.tree.rootNode.descendantsOfType("call").length;
        });
        if (calls > 2) ctx.report({ node, message: `${calls} calls` });
      },
    });
    const result = scanFiles([{ path: "a.py", content: "f()\ng()\nh()\n" }, { path: "b.py", content: "f()\n" }], { rules: [counting], project });
    expect(result.findings).toHaveLength(3);
    expect(computed).toBe(2); // once per file
  });

  it("names the sink of a finding reported on an argument or a keyword value", () => {
    const onArgument = defineRule({
      id: "FLASK-TEST-009", title: "sink", severity: "low", confidence: "low", cwe: [], spec: "x", docs, on: ["call"],
      check(node, ctx) {
        if (node.childForFieldName("function")?.text !== "redirect") return;
        const arg = node.childForFieldName("arguments")!.namedChild(0)!;
        const reported = arg.type === "keyword_argument" ? arg.childForFieldName("value")! : arg;
        ctx.report({ node: reported, message: "m", flow: [{ line: 1, startColumn: 1, endColumn: 2, label: "source" }] });
      },
    });
    const findings = scanSource({ path: "a.py", content: "redirect(request.args.get('n'))\nredirect(location=x)\n" }, { rules: [onArgument], project }).findings;
    expect(findings.map((f) => f.flow?.at(-1)?.label)).toEqual(["reaches redirect()", "reaches redirect()"]);
  });

  it("hands a rule with name prefilters only the nodes named in them, and every node without a name", () => {
    const seen: string[] = [];
    const rule = defineRule({
      id: "FLASK-TEST-003", title: "t", severity: "low", confidence: "low", cwe: [], spec: "x", docs,
      on: ["call", "attribute", "keyword_argument", "assignment", "pair"],
      names: { call: ["text", "execute"], attribute: ["host"], keyword_argument: ["debug"], assignment: ["SECRET_KEY"], pair: ["SECRET_KEY"] },
      check(node) { seen.push(`${node.type}:${node.text}`); },
    });
    const source = [
      "from sqlalchemy import text as t",
      "t(q)", // resolves to sqlalchemy.text
      "cur.execute(q)", // written name
      "other(q)",
      "f()(x)", // no name: handed over (so is its inner call f(), whose name is f: not)
      "run(debug=True, port=1)",
      "request.host",
      "SECRET_KEY = 1",
      "app.config['SECRET_KEY'] = 2",
      "app.SECRET_KEY = 3",
      "a, b = 4, 5",
      "OTHER = 6",
      "{'SECRET_KEY': 7, 'OTHER': 8, k: 9}",
      "",
    ].join("\n");
    scanSource({ path: "a.py", content: source }, { rules: [rule], project });
    expect(seen).toEqual([
      "call:t(q)", "call:cur.execute(q)", "call:f()(x)", "keyword_argument:debug=True", "attribute:request.host",
      "assignment:SECRET_KEY = 1", "assignment:app.config['SECRET_KEY'] = 2", "assignment:app.SECRET_KEY = 3",
      "assignment:a, b = 4, 5", "pair:'SECRET_KEY': 7", "pair:k: 9",
    ]);
    // A call answering to two names reaches every rule that wants either, in rule order.
    const order: string[] = [];
    const wanting = (id: string, names: string[]) => defineRule({ ...rule, id, on: ["call"], names: { call: names }, check(node) { order.push(`${id} ${node.text}`); } });
    const plain = defineRule({ ...rule, id: "FLASK-TEST-007", on: ["call"], names: undefined, check(node) { order.push(`FLASK-TEST-007 ${node.text}`); } });
    scanSource({ path: "b.py", content: "from sqlalchemy import text as t\nt(q)\n" }, { rules: [wanting("FLASK-TEST-005", ["t"]), plain, wanting("FLASK-TEST-006", ["text"])], project });
    expect(order).toEqual(["FLASK-TEST-005 t(q)", "FLASK-TEST-007 t(q)", "FLASK-TEST-006 t(q)"]);
    expect(() => defineRule({ ...rule, id: "FLASK-TEST-004", on: ["call"], names: { attribute: ["x"] } })).toThrow(/not handed/);
    expect(() => defineRule({ ...rule, id: "FLASK-TEST-004", names: { string: ["x"] } as never })).toThrow(/can filter/);
  });

  it("scanFiles scans Python files only and counts them", () => {
    const result = scanFiles(
      [{ path: "a.py", content: "danger()\n" }, { path: "Dockerfile", content: "CMD danger()\n" }],
      { rules: [dangerRule()], project },
    );
    expect(result.filesScanned).toBe(1);
    expect(result.findings).toHaveLength(1);
  });
});

describe("secrets are never echoed (spec section 0)", () => {
  const secretRule = defineRule({
    id: "FLASK-TEST-003", title: "s", severity: "high", confidence: "high", cwe: [], spec: "x", docs,
    on: ["assignment", "call"],
    check(node, ctx) {
      if (node.type === "assignment" || node.childForFieldName("function")?.text === "configure") {
        ctx.report({ node, message: "a secret" });
      }
    },
  });
  const source = [
    'SECRET_KEY = "s3cr3t-value-1"',
    'app.config["SECRET_KEY"] = \'s3cr3t-value-2\'',
    'configure(api_token="s3cr3t-value-3", name="visible")',
    'key = os.getenv("SECRET_KEY", "s3cr3t-value-4")',
    'DB_PASSWORD = b"s3cr3t-value-5"',
    'CONFIG = {"password": "s3cr3t-value-6", "user": "visible"}',
    'SECRET_KEY_FALLBACKS = ["s3cr3t-value-7"]',
    'x = app.config.setdefault("SECRET_KEY", "s3cr3t-value-8")',
    'app.config["SECRET_KEY"] = "s3cr3t-value-9".encode()',
    'signer = os.environ.get("SECRET_KEY") or "s3cr3t-value-10"',
    'title = "visible"',
  ].join("\n");

  it("redacts every literal bound to a secret-looking name in evidence", () => {
    const findings = scanSource({ path: "config.py", content: source }, { rules: [secretRule], project }).findings;
    const text = JSON.stringify(findings);
    expect(text).not.toMatch(/s3cr3t-value/);
    expect(findings.map((f) => f.evidence)).toEqual([
      "SECRET_KEY = '********'",
      "app.config[\"SECRET_KEY\"] = '********'",
      "configure(api_token='********', name=\"visible\")",
      "key = os.getenv(\"SECRET_KEY\", '********')",
      "DB_PASSWORD = '********'",
      "CONFIG = {\"password\": '********', \"user\": \"visible\"}",
      "SECRET_KEY_FALLBACKS = ['********']",
      "x = app.config.setdefault(\"SECRET_KEY\", '********')",
      "app.config[\"SECRET_KEY\"] = '********'.encode()",
      "signer = os.environ.get(\"SECRET_KEY\") or '********'",
      'title = "visible"',
    ]);
  });

  it("does not let a short key swallow messages that merely contain it as part of a word", () => {
    const talker = defineRule({
      id: "FLASK-TEST-007", title: "talk", severity: "high", confidence: "high", cwe: [], spec: "x", docs, on: ["assignment"],
      check(node, ctx) { ctx.report({ node, message: "debug is on outside development config" }); },
    });
    const [finding] = scanSource({ path: "c.py", content: 'SECRET_KEY = "dev"\n' }, { rules: [talker], project }).findings;
    expect(finding?.message).toBe("debug is on outside development config");
  });

  it("drops a message or fix that would quote a secret", () => {
    const leaky = defineRule({
      id: "FLASK-TEST-004", title: "leak", severity: "high", confidence: "high", cwe: [], spec: "x", docs, on: ["assignment"],
      check(node, ctx) {
        const value = stringValue(node.childForFieldName("right"));
        ctx.report({ node, message: `key is ${value}`, fix: { safety: "safe", description: "d", edits: [{ node, text: `KEY2 = "${value}"` }] } });
      },
    });
    const [finding] = scanSource({ path: "c.py", content: 'SECRET_KEY = "s3cr3t-value-1"\n' }, { rules: [leaky], project }).findings;
    expect(JSON.stringify(finding)).not.toMatch(/s3cr3t-value/);
    expect(finding?.fix).toBeUndefined();
  });
});

describe("other file kinds, suppressions and advisories", () => {
  const dockerRule = defineRule({
    id: "FLASK-TEST-005", title: "docker", severity: "high", confidence: "high", cwe: [], spec: "x", docs,
    kinds: ["dockerfile"],
    checkText(ctx) {
      ctx.lines.forEach((line, i) => {
        if (line.startsWith("CMD")) ctx.report({ line: i + 1, message: "cmd" });
      });
    },
    advise: (facts) => (facts.securityHeaders ? null : "no security headers anywhere"),
  });

  it("hands non-Python files of the rule's kinds to checkText and redacts env secrets in evidence", () => {
    const result = scanFiles(
      [{ path: "Dockerfile", content: "FROM python\nENV API_TOKEN=abc123\nCMD flask run # API_TOKEN=abc123 ${DB_PASSWORD:-hunter22} ${HOME}\n" }, { path: "a.py", content: "x = 1\n" }],
      { rules: [dockerRule], project },
    );
    expect(result.findings.map((f) => [f.file, f.span.startLine, f.evidence])).toEqual([
      ["Dockerfile", 3, "CMD flask run # API_TOKEN='********' ${DB_PASSWORD:-'********'} ${HOME}"],
    ]);
    expect(result.advisories).toEqual([{ ruleId: "FLASK-TEST-005", title: "docker", severity: "high", message: "no security headers anywhere" }]);
  });

  it("marks findings covered by an ignore comment on the line or the line above, keeping them", () => {
    const source = [
      "danger()  # flask-audit: ignore[FLASK-TEST-001] reviewed: constant input",
      "# flask-audit: ignore[FLASK-OTHER-001, FLASK-TEST-001]",
      "danger()",
      "# flask-audit: ignore[FLASK-OTHER-001] wrong rule",
      "danger()",
    ].join("\n");
    const findings = scanSource({ path: "a.py", content: source }, { rules: [dangerRule()], project }).findings;
    expect(findings.map((f) => [f.span.startLine, f.suppressed])).toEqual([
      [1, { reason: "reviewed: constant input", line: 1 }],
      [3, { reason: "", line: 2 }],
      [5, undefined],
    ]);
  });

  it("honours the template comment form", () => {
    const rule = defineRule({
      id: "FLASK-TEST-006", title: "tpl", severity: "high", confidence: "high", cwe: [], spec: "x", docs, kinds: ["template"],
      checkText(ctx) { ctx.report({ line: 2, message: "m" }); },
    });
    const [finding] = scanFiles([{ path: "templates/a.html", content: "{# flask-audit: ignore[FLASK-TEST-006] sanitized upstream #}\n{{ x|safe }}\n" }], { rules: [rule], project }).findings;
    expect(finding?.suppressed).toEqual({ reason: "sanitized upstream", line: 1 });
  });
});
