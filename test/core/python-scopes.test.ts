// The python.ts helpers for scopes, module-level bindings, views and application objects.
import { describe, expect, it } from "vitest";
import {
  assignmentsIn, bindsModule, constantValue, decoratorsOf, isAppFactoryCall, isAppObject, isMainGuardCondition, isMainGuardIf,
  isView, lastSegment, moduleConstant, nearestBlock, rootOf, scopeAssignments, topLevelDefinition, visibleScopes,
} from "../../src/core/python.js";
import { parse } from "./rule-context.js";

describe("main guard", () => {
  it("knows the guard itself, either way round, and nothing else", () => {
    const { root } = parse(`if __name__ == "__main__":\n    a\nif "__main__" == __name__:\n    b\nif __name__ != "__main__":\n    c\nif name == "__main__":\n    d\n`);
    const ifs = root.descendantsOfType("if_statement");
    expect(ifs.map(isMainGuardIf)).toEqual([true, true, false, false]);
    expect(isMainGuardCondition(null)).toBe(false);
  });
});

describe("scopes and module bindings", () => {
  const { root, find } = parse(`import os.path
from os import environ
KEY = "a"
KEY = "b"
LIMIT = 10
try:
    OPTIONAL = 1
except ImportError:
    OPTIONAL = None

@decorator
def helper():
    LIMIT = 20
    def inner():
        return LIMIT + OTHER
    return inner

class Settings:
    pass
`);

  it("reads the root, the enclosing block and an attribute's last segment", () => {
    const use = find("binary_operator", "LIMIT + OTHER");
    expect(rootOf(use)).toBe(root);
    expect(nearestBlock(use).parent?.type).toBe("function_definition");
    const chain = parse("app.config.update\n").find("attribute", "app.config.update");
    expect([lastSegment(chain), lastSegment(chain.childForFieldName("object")!.childForFieldName("object")!)]).toEqual(["update", "app"]);
  });

  it("finds module constants bound exactly once, and top-level definitions", () => {
    expect(assignmentsIn(root, "KEY").map((a) => a.text)).toEqual(['KEY = "a"', 'KEY = "b"']);
    expect(moduleConstant(find("identifier", "KEY"))).toBeNull();
    expect(moduleConstant(find("identifier", "LIMIT"))?.text).toBe("10");
    // A bare annotation binds nothing: the one assignment with a value is the constant.
    const annotated = parse('ORIGINS: list[str]\nORIGINS = ["*"]\nuse(ORIGINS)\n');
    expect(moduleConstant(annotated.find("identifier", "ORIGINS"))?.text).toBe('["*"]');
    expect(assignmentsIn(root, "OPTIONAL")).toEqual([]); // nested in try: not a plain statement of the module
    expect(topLevelDefinition(root, "helper", "function_definition")?.type).toBe("function_definition");
    expect(topLevelDefinition(root, "Settings", "class_definition")).not.toBeNull();
    expect(topLevelDefinition(root, "inner", "function_definition")).toBeNull();
  });

  it("walks a scope's assignments (blocks included, nested functions not) and the scopes a use sees", () => {
    expect([...scopeAssignments(root)].map((a) => a.text)).toEqual(['KEY = "a"', 'KEY = "b"', "LIMIT = 10", "OPTIONAL = 1", "OPTIONAL = None"]);
    const use = find("binary_operator", "LIMIT + OTHER").namedChild(0)!;
    expect([...visibleScopes(use)].map((s) => s.parent?.childForFieldName("name")?.text ?? s.type)).toEqual(["inner", "helper", "module"]);
    expect(constantValue(use)?.text).toBe("20");
    expect(constantValue(find("identifier", "KEY"))).toBeNull();
  });

  it("knows whether `import os` binds the module name at module level", () => {
    expect(bindsModule(root, "os")).toBe(true);
    expect(bindsModule(parse("from os import environ\ndef f():\n    import os\n").root, "os")).toBe(false);
  });
});

describe("views", () => {
  it("knows routes, error handlers and View methods, and reads decorators", () => {
    const { root } = parse(`@app.route("/")\n@login_required\ndef index():\n    pass\n@app.errorhandler(404)\ndef missing(e):\n    pass\nclass Items(MethodView):\n    def get(self):\n        pass\n    def helper(self):\n        pass\ndef plain():\n    pass\n`);
    const fns = root.descendantsOfType("function_definition");
    expect(fns.map(isView)).toEqual([true, true, true, false, false]);
    expect(decoratorsOf(fns[0]!).map((d) => d.text)).toEqual(['@app.route("/")', "@login_required"]);
    expect(decoratorsOf(fns[4]!)).toEqual([]);
  });
});

describe("application objects", () => {
  const { find } = parse(`application = Flask(__name__)
socketio = SocketIO(application)
server = create_app()
twice = make_app()
twice = other()

def run():
    web = build_app()
    web.run()
    twice.run()
    socketio.run(application)
    helper.run()
`);
  const receiver = (call: string) => find("call", call).childForFieldName("function")!.childForFieldName("object");

  it("knows factory calls and app-like names", () => {
    expect(isAppFactoryCall(find("call", "Flask(__name__)"))).toBe(true);
    expect(isAppFactoryCall(find("call", "SocketIO(application)"))).toBe(false);
    expect(isAppFactoryCall(find("call", "SocketIO(application)"), { socketio: true })).toBe(true);
    expect(isAppObject(receiver("socketio.run(application)"))).toBe(false);
    expect(isAppObject(receiver("socketio.run(application)"), { socketio: true })).toBe(true);
    expect(isAppObject(receiver("helper.run()"))).toBe(false);
  });

  it("follows a name to a factory call: the one binding of its scope, or any visible binding", () => {
    expect(isAppObject(receiver("web.run()"))).toBe(true);
    expect(isAppObject(receiver("twice.run()"))).toBe(false);
    expect(isAppObject(receiver("twice.run()"), { binding: "any" })).toBe(true);
  });
});
