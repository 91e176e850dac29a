import { describe, expect, it } from "vitest";
import type { SyntaxNode } from "tree-sitter";
import type { Checks } from "../../src/core/guards.js";
import { OPAQUE, absoluteControl, hitFlow, spellings, urlHit, type Control, type Piece } from "../../src/core/url.js";
import { parse } from "./rule-context.js";

const noChecks: Checks = () => false;
const header = `from flask import Flask, request\nimport requests\napp = Flask(__name__)\nBASE = "https://api.example.com/"\n\n@app.route("/p")\ndef view():\n    u = request.args["u"]\n`;

/** The spellings of the argument of `requests.get(...)` in the view, pieces as text (expressions as `{text}`). */
function spelled(body: string, checks: Checks = noChecks): string[] {
  const { find, ctx } = parse(`${header}${body}`);
  const url = find("call", "requests.get", true).childForFieldName("arguments")!.namedChild(0)!;
  const show = (p: Piece) => (typeof p === "string" ? p : `{${p.node.text}}`);
  return spellings(url, ctx, checks).map((s) => s.map(show).join(""));
}

describe("spellings", () => {
  it("follows f-strings, +, %, .format() and local assignments", () => {
    expect(spelled(`    requests.get(f"https://{u}/x")\n`)).toEqual(["https://{request.args[\"u\"]}/x"]);
    expect(spelled(`    requests.get("http://" + u)\n`)).toEqual(["http://{request.args[\"u\"]}"]);
    expect(spelled(`    requests.get("%s/%%/%s" % (BASE, u))\n`)).toEqual(["https://api.example.com//%/{request.args[\"u\"]}"]);
    expect(spelled(`    requests.get("{0}{path}".format(BASE, path=u))\n`)).toEqual(["https://api.example.com/{request.args[\"u\"]}"]);
    expect(spelled(`    target = BASE\n    target += u\n    requests.get(target)\n`)).toEqual(["https://api.example.com/{request.args[\"u\"]}"]);
  });

  it("lists alternatives of `or` and conditionals, minus a branch its own condition checks", () => {
    expect(spelled(`    requests.get(u or BASE)\n`)).toEqual(["{request.args[\"u\"]}", "https://api.example.com/"]);
    const checksU: Checks = (cond, names) => /is_safe/.test(cond.text) && names.has("u");
    expect(spelled(`    requests.get(u if is_safe(u) else BASE)\n`, checksU)).toEqual(["https://api.example.com/"]);
    expect(spelled(`    requests.get(BASE if not is_safe(u) else u)\n`, checksU)).toEqual(["https://api.example.com/"]);
  });

  it("leaves names bound some other way to the caller", () => {
    expect(spelled(`    for x in xs:\n        requests.get(x)\n`)).toEqual(["{x}"]);
  });
});

describe("who picks the destination", () => {
  it("reads an absolute prefix", () => {
    expect(["", "https://", "https://host/", "https://ho", `https://${OPAQUE}`, `https://${OPAQUE}/x`, "/path/"].map(absoluteControl))
      .toEqual(["full", "full", "none", "full", "unknown", "none", null]);
  });

  const control = (prefix: string): Control => absoluteControl(prefix) ?? (prefix.startsWith(OPAQUE) ? "unknown" : "none");
  const hitOf = (body: string) => {
    const { find, ctx } = parse(`${header}${body}`);
    const url = find("call", "requests.get", true).childForFieldName("arguments")!.namedChild(0)!;
    return urlHit(url, ctx, { checks: noChecks, taint: (n: SyntaxNode) => ctx.taint(n), control });
  };

  it("finds the strongest untrusted piece over all spellings", () => {
    expect(hitOf(`    requests.get(f"https://api.example.com/{u}")\n`)).toBeNull();
    expect(hitOf(`    requests.get(u)\n`)).toMatchObject({ control: "full", whole: true, taint: { level: "direct" } });
    expect(hitOf(`    requests.get(f"https://{u}/x")\n`)).toMatchObject({ control: "full", whole: false });
    expect(hitOf(`    requests.get(config.base + u)\n`)).toMatchObject({ control: "unknown" });
  });

  it("adds the assignments it read through to the flow", () => {
    const hit = hitOf(`    target = "http://" + u\n    requests.get(target)\n`)!;
    expect(hit.hops.map((h) => h.text)).toEqual(['target = "http://" + u', 'u = request.args["u"]']);
    expect(hitFlow(hit).map((s) => s.label).slice(-2)).toEqual(["assigned to u", "assigned to target"]);
    expect(hitFlow(hit).at(-1)).toMatchObject({ line: 9, startColumn: 5 });
  });
});
