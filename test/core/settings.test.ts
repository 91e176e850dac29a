import { describe, expect, it } from "vitest";
import {
  configUpdateEntries, isOffLiteral, isPydanticSettings, overriddenInFile, settingAt, settingKeyOfTarget, settingsIn, subclassesOf,
} from "../../src/core/settings.js";
import { parse } from "./rule-context.js";

describe("settingAt", () => {
  const { root, ctx } = parse(`import os
from flask import Flask
app = Flask(__name__)

class ProdConfig(Config):
    SESSION_COOKIE_SECURE = True

DEBUG = False
app.secret_key = key
app.config["TESTING"] = True
app.config.update(MAX_CONTENT_LENGTH=10, **extra)
settings = {"SERVER_NAME": "example.com"}
os.environ["SECRET_KEY"] = "x"
a = b = 1

def create_app():
    local = 1
`);
  const read = (node: Parameters<typeof settingAt>[0]) => {
    const s = settingAt(node, ctx);
    return s && { key: s.key, value: s.value.text, label: s.label, container: s.container.type };
  };

  it("reads every form of a setting, with a label that names it in code", () => {
    const found = root.descendantsOfType(["assignment", "keyword_argument", "pair"]).map(read).filter(Boolean);
    expect(found).toEqual([
      { key: "app", value: "Flask(__name__)", label: "app", container: "module" },
      { key: "SESSION_COOKIE_SECURE", value: "True", label: "ProdConfig.SESSION_COOKIE_SECURE", container: "block" },
      { key: "DEBUG", value: "False", label: "DEBUG", container: "module" },
      { key: "secret_key", value: "key", label: "app.secret_key", container: "module" },
      { key: "TESTING", value: "True", label: 'app.config["TESTING"]', container: "module" },
      { key: "MAX_CONTENT_LENGTH", value: "10", label: "MAX_CONTENT_LENGTH in app.config.update()", container: "argument_list" },
      // any module-level name is a setting (config modules are plain modules)
      { key: "settings", value: '{"SERVER_NAME": "example.com"}', label: "settings", container: "module" },
      { key: "SERVER_NAME", value: '"example.com"', label: '"SERVER_NAME"', container: "dictionary" },
      // `a = b = 1`: the outer assignment is skipped, the inner one is read
      { key: "b", value: "1", label: "b", container: "expression_statement" },
    ]);
  });

  it("skips the process environment, chained assignments and function locals", () => {
    const skipped = root.descendantsOfType("assignment").filter((a) => /environ|^a = |^local/.test(a.text));
    expect(skipped.map((a) => settingAt(a, ctx))).toEqual([null, null, null]);
    expect(settingKeyOfTarget(skipped[0]!.childForFieldName("left")!, ctx)).toBeNull();
  });
});

describe("settingsIn and configUpdateEntries", () => {
  it("collects the settings made directly in a container, once per file", () => {
    const { find, ctx } = parse(`class TestConfig:\n    TESTING = True\n    DEBUG = 1\n    def f(self):\n        SECRET = 2\n`);
    const body = find("class_definition", "class TestConfig", true).childForFieldName("body")!;
    const settings = settingsIn(body, ctx);
    expect([...settings].map(([k, v]) => `${k}=${v.text}`)).toEqual(["TESTING=True", "DEBUG=1"]);
    expect(settingsIn(body, ctx)).toBe(settings);
  });

  it("reads keywords, dict literals and dict() of a config update", () => {
    const { find } = parse(`app.config.update({"DEBUG": True}, dict(TESTING=False), SECRET_KEY=k)\n`);
    const entries = configUpdateEntries(find("call", "app.config.update", true));
    expect([...entries].map(([k, v]) => `${k}=${v.text}`)).toEqual(["SECRET_KEY=k", "DEBUG=True", "TESTING=False"]);
  });
});

describe("setting values and classes", () => {
  it("knows a switched-off literal", () => {
    const { root } = parse(`x = [False, None, 0, (0), "", True, 1, "False"]\n`);
    const values = root.descendantsOfType("list")[0]!.namedChildren.map((v) => isOffLiteral(v));
    expect(values).toEqual([true, true, true, true, false, false, false, false]);
  });

  it("knows pydantic settings classes and subclasses in the file", () => {
    const { find } = parse(`class Settings(pydantic_settings.BaseSettings):\n    pass\nclass Base:\n    pass\nclass Prod(Base):\n    pass\nclass Live(mod.Prod):\n    pass\nclass Other:\n    pass\n`);
    expect(isPydanticSettings(find("class_definition", "class Settings", true))).toBe(true);
    expect(isPydanticSettings(find("class_definition", "class Base", true))).toBe(false);
    expect(subclassesOf(find("class_definition", "class Base", true)).map((c) => c.childForFieldName("name")!.text)).toEqual(["Prod", "Live"]);
  });
});

describe("overriddenInFile", () => {
  const { find } = parse(`class Config:
    LIMIT = None

class ProductionConfig(Config):
    LIMIT = 10

class Unrelated:
    OTHER = None

OTHER = 5

def create_app():
    app.config["LIMIT"] = None
    if production:
        app.config["LIMIT"] = 16

LATE = None
table = {"LATE": 1}
`);
  const limitOf = (other: Parameters<typeof settingAt>[0]) => {
    const left = other.type === "assignment" ? other.childForFieldName("left") : null;
    const named = left?.type === "subscript" ? left.childForFieldName("subscript")?.text.replace(/"/g, "") : left?.text;
    return named === "LIMIT" ? other.childForFieldName("right") : null;
  };

  it("sees a subclass or a later setting in the same scope replace a None", () => {
    expect(overriddenInFile(find("assignment", "LIMIT = None"), limitOf)).toBe(true);
    expect(overriddenInFile(find("assignment", 'app.config["LIMIT"] = None'), limitOf)).toBe(true);
  });

  it("does not count another class, another scope, or a dict literal elsewhere", () => {
    const otherOf = (o: Parameters<typeof settingAt>[0]) => (o.type === "assignment" && o.childForFieldName("left")?.text === "OTHER" ? o.childForFieldName("right") : null);
    expect(overriddenInFile(find("assignment", "OTHER = None"), otherOf)).toBe(false);
    const lateOf = (o: Parameters<typeof settingAt>[0]) => (o.type === "pair" || o.childForFieldName("left")?.text === "LATE" ? o.childForFieldName("value") ?? o.childForFieldName("right") : null);
    expect(overriddenInFile(find("assignment", "LATE = None"), lateOf)).toBe(false);
  });
});
