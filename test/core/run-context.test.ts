import { describe, expect, it } from "vitest";
import type { TextRuleContext } from "../../src/core/define-rule.js";
import { emptyProjectFacts } from "../../src/core/project.js";
import {
  DEV_PATH, branchCondition, branchKind, conditionKind, contextOf, contextOfBranch, contextOfCondition, contextOfName,
  forEachProductionLine, inDevBranch, inDevContext, isDevClassName, isLocalDeploymentFile, reachOf, words, type ReachOptions,
} from "../../src/core/run-context.js";
import { parse } from "./rule-context.js";

describe("word-based context", () => {
  it("splits names into words and reads test, dev or prod from them", () => {
    expect(words("SessionCookieSecure")).toEqual(["session", "cookie", "secure"]);
    expect(words("config/development.py")).toEqual(["config", "development", "py"]);
    expect(["TestingConfig", "local_settings", "ProductionConfig", "Config", "dev_test"].map(contextOfName)).toEqual(["test", "dev", "prod", null, "test"]);
  });

  it("turns a negated condition around", () => {
    const { find } = parse(`if not testing:\n    a\nif env != "production":\n    b\nif test_config is None:\n    c\nif test_config is not None:\n    d\n`);
    const cond = (text: string) => find("if_statement", text, true).childForFieldName("condition");
    expect(contextOfCondition(cond("if not testing"), false)).toBe("prod");
    expect(contextOfCondition(cond("if env"), false)).toBe("dev");
    expect(contextOfCondition(cond("if test_config is None"), false)).toBe("prod");
    expect(contextOfCondition(cond("if test_config is not"), false)).toBe("test");
    expect(contextOfCondition(cond("if test_config is not"), true)).toBe("prod");
  });

  it("finds the condition of the branch that holds a node", () => {
    const { find } = parse(`if production:\n    a = 1\nelif debug:\n    b = 2\nelse:\n    c = 3\nd = 4\n`);
    const ifStatement = find("if_statement", "if production", true);
    const at = (text: string) => find("assignment", text);
    expect(branchCondition(ifStatement, at("a = 1"))).toMatchObject({ condition: { text: "production" }, negated: false });
    expect(branchCondition(ifStatement, at("c = 3"))).toMatchObject({ condition: { text: "debug" }, negated: true });
    expect(branchCondition(ifStatement, at("d = 4"))).toBeNull();
    expect(["a = 1", "b = 2", "c = 3"].map((t) => contextOfBranch(ifStatement, at(t)))).toEqual(["prod", "dev", "prod"]);
  });

  it("reads where a setting applies: file, class, function, flags next to it, branches", () => {
    const { find, ctx } = parse(`class DevConfig:\n    A = 1\nclass Config:\n    TESTING = True\n    B = 2\nclass ProdConfig:\n    C = 3\nif not debug:\n    D = 4\nE = 5\n`);
    const where = (text: string) => {
      const node = find("assignment", text);
      return contextOf(node.parent!.parent, node, ctx);
    };
    expect(["A = 1", "B = 2", "C = 3", "D = 4", "E = 5"].map(where)).toEqual(["dev", "test", "prod", "prod", null]);
    expect(contextOf(null, find("assignment", "E = 5"), parse("", { file: "config/development.py" }).ctx)).toBe("dev");
    expect(contextOf(null, find("assignment", "E = 5"), parse("", { isTestFile: true }).ctx)).toBe("test");
  });
});

describe("reach", () => {
  const DEPLOY: ReachOptions = { gates: true, testingFlag: false, mainGuardElse: true };
  const CONFIG: ReachOptions = { gates: false, testingFlag: true, mainGuardElse: false };
  const { find } = parse(`import os
A = 1

def create_app():
    B = 2
    return app

def main():
    C = 3

def helper():
    H = 8

helper()

class LocalConfig:
    D = 4

class Config:
    TESTING = True
    E = 5

if os.environ.get("FEATURE_FLAG"):
    F = 6

if __name__ == "__main__":
    G = 7
    main()
elif debug:
    I = 9
`);
  const reach = (text: string, options: ReachOptions) => reachOf(find("assignment", text), options);

  it("says when code runs: on import, in a function, in an entrypoint, or in development", () => {
    expect(["A = 1", "B = 2", "C = 3", "H = 8", "D = 4", "G = 7"].map((t) => reach(t, DEPLOY))).toEqual(["import", "function", "entry", "import", "dev", "entry"]);
  });

  it("takes each rule's options", () => {
    expect([reach("E = 5", DEPLOY), reach("E = 5", CONFIG)]).toEqual(["import", "dev"]);
    expect([reach("F = 6", DEPLOY), reach("F = 6", CONFIG)]).toEqual(["dev", "import"]);
    expect([reach("I = 9", DEPLOY), reach("I = 9", CONFIG)]).toEqual(["dev", "import"]);
  });

  it("classifies conditions and else branches, with environment gates on request", () => {
    const { find: at } = parse(`if os.environ.get("X"):\n    a = 1\nelse:\n    b = 2\nif not production:\n    c = 3\n`);
    const envIf = at("if_statement", "if os.environ", true);
    expect([conditionKind(envIf.childForFieldName("condition"), true), conditionKind(envIf.childForFieldName("condition"), false)]).toEqual(["gate", null]);
    expect(branchKind(envIf, at("assignment", "b = 2"), true)).toBe("gate");
    expect(branchKind(at("if_statement", "if not production", true), at("assignment", "c = 3"), false)).toBe("dev");
  });

  it("reads dev class names by their words", () => {
    expect(["DevConfig", "UnitTestConfig", "LOCALSettings", "Developer", "ProductionConfig"].map(isDevClassName)).toEqual([true, true, true, false, false]);
  });
});

describe("inDevContext", () => {
  const source = `if DEBUG:\n    a = 1\nif production:\n    b = 2\nelse:\n    c = 3\nclass TestSettings:\n    d = 4\ndef run_dev_server():\n    e = 5\nif __name__ == "__main__":\n    f = 6\ng = 7\n`;

  it("knows development and test code", () => {
    const { find, ctx } = parse(source);
    const dev = ["a = 1", "b = 2", "c = 3", "d = 4", "e = 5", "f = 6", "g = 7"].map((t) => inDevContext(find("assignment", t), ctx));
    expect(dev).toEqual([true, false, true, true, true, true, false]);
    expect(inDevBranch(find("if_statement", "if production", true), find("assignment", "c = 3"))).toBe(true);
  });

  it("counts a __main__ block that deployment runs as production, and dev paths and tests as development", () => {
    const deployed = parse(source, { project: { ...emptyProjectFacts(), directlyRunInProduction: new Set(["app.py"]) } });
    expect(inDevContext(deployed.find("assignment", "f = 6"), deployed.ctx)).toBe(false);
    expect(inDevContext(parse(source, { file: "settings_dev.py" }).find("assignment", "g = 7"), parse("", { file: "settings_dev.py" }).ctx)).toBe(true);
    expect(["config/development.py", "local_settings.py", "tests/conftest.py", "app/devices.py"].map((p) => DEV_PATH.test(p))).toEqual([true, true, true, false]);
  });
});

describe("deployment files", () => {
  const text = (file: string, content: string, kind: TextRuleContext["kind"]): TextRuleContext => ({
    file, source: content, lines: content.split("\n"), kind, project: emptyProjectFacts(), isTestFile: false, report: () => undefined,
  });

  it("skips local tooling files", () => {
    expect(isLocalDeploymentFile(text("docker-compose.override.yml", "", "compose"))).toBe(true);
    expect(isLocalDeploymentFile(text("Dockerfile.dev", "", "dockerfile"))).toBe(true);
    expect(isLocalDeploymentFile(text("Dockerfile", "", "dockerfile"))).toBe(false);
  });

  it("visits the lines production reads: no comments, no development stages", () => {
    const content = "FROM python AS dev\nENV A=1\nFROM python:3.12 AS runtime\n# ENV B=2\nENV C=3";
    const seen: string[] = [];
    forEachProductionLine(text("Dockerfile", content, "dockerfile"), (line, index) => seen.push(`${index}:${line}`));
    expect(seen).toEqual(["2:FROM python:3.12 AS runtime", "4:ENV C=3"]);
  });
});
