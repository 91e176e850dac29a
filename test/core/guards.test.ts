import { describe, expect, it } from "vitest";
import type { SyntaxNode } from "tree-sitter";
import { checkedBefore, guardedOnPath, literalArgs, localNames, mentions, trackedNames, type Checks } from "../../src/core/guards.js";
import { parse } from "./rule-context.js";

/** A check as SSRF counts one: a call of a validator, or `in` on one of the names. */
const allowlisted: Checks = (cond, names) =>
  cond.descendantsOfType(["call", "comparison_operator"]).some((n) =>
    n.type === "call" ? /allowed|safe/.test(n.childForFieldName("function")?.text ?? "") && mentions(n, names) : / in /.test(n.text) && mentions(n.namedChild(0), names));

describe("names", () => {
  const { find, ctx } = parse(`import requests
from flask import request
from urllib.parse import urlparse

def view():
    url = request.args["u"]
    parsed = urlparse(url)
    host = parsed.hostname
    other = 1
    requests.get(url, timeout=other.limit)
`);

  it("reads the local names of an expression (not imports, attributes or keyword names)", () => {
    expect([...localNames(find("call", "requests.get", true), ctx)].sort()).toEqual(["other", "url"]);
    expect(mentions(find("assignment", "host = parsed.hostname"), new Set(["parsed"]))).toBe(true);
    // every identifier counts, attribute names included (localNames is the stricter reading)
    expect(mentions(find("assignment", "host = parsed.hostname"), "hostname")).toBe(true);
    expect(mentions(find("assignment", "host = parsed.hostname"), "url")).toBe(false);
    expect(mentions(null, "x")).toBe(false);
  });

  it("tracks the names derived from a value and the ones it came from", () => {
    const url = find("call", "requests.get", true).childForFieldName("arguments")!.namedChild(0)!;
    expect([...trackedNames(url, ctx)].sort()).toEqual(["host", "parsed", "url"]);
  });

  it("reads literal arguments, spreading a tuple", () => {
    const { find: at } = parse(`u.startswith(("https://a/", "https://b/"), x)\n`);
    expect(literalArgs(at("call", "u.startswith", true))).toEqual(["https://a/", "https://b/", null]);
  });
});

describe("checkedBefore", () => {
  const sinkIn = (body: string) => {
    const { find, ctx } = parse(`from flask import request, abort\nimport requests\n\ndef view():\n    url = request.args["u"]\n${body}`);
    const sink = find("call", "requests.get", true);
    return checkedBefore(sink, trackedNames(sink.childForFieldName("arguments")!.namedChild(0)!, ctx), allowlisted);
  };

  it("sees an early exit, a reassignment, an assert, a bare validator and an enclosing branch", () => {
    expect(sinkIn(`    if urlparse(url).hostname not in ALLOWED:\n        abort(400)\n    requests.get(url)\n`)).toBe(true);
    expect(sinkIn(`    if not is_allowed(url):\n        url = DEFAULT\n    requests.get(url)\n`)).toBe(true);
    expect(sinkIn(`    assert is_safe(url)\n    requests.get(url)\n`)).toBe(true);
    expect(sinkIn(`    ensure_allowed(url)\n    requests.get(url)\n`)).toBe(true);
    expect(sinkIn(`    if is_allowed(url):\n        requests.get(url)\n`)).toBe(true);
    expect(sinkIn(`    x = requests.get(url) if is_safe(url) else None\n`)).toBe(true);
  });

  it("ignores checks after the sink, checks that do not exit, and checks of other values", () => {
    expect(sinkIn(`    requests.get(url)\n    if not is_allowed(url):\n        abort(400)\n`)).toBe(false);
    expect(sinkIn(`    if not is_allowed(url):\n        log(url)\n    requests.get(url)\n`)).toBe(false);
    expect(sinkIn(`    if not is_allowed(other):\n        abort(400)\n    requests.get(url)\n`)).toBe(false);
  });
});

describe("guardedOnPath", () => {
  const source = `CHECK = 1\nsink(a)\n\ndef f():\n    if ok:\n        early()\n        sink(b)\n`;

  it("asks about each enclosing node and each earlier statement, up to the function", () => {
    const { find } = parse(source);
    const around: string[] = [];
    const before: string[] = [];
    const walk = { around: (p: SyntaxNode) => (around.push(p.type), false), before: (s: SyntaxNode) => (before.push(s.text), false) };
    expect(guardedOnPath(find("call", "sink(b)"), walk)).toBe(false);
    expect(around).toEqual(["expression_statement", "block", "if_statement", "block"]);
    expect(before).toEqual(["early()"]);
    expect(guardedOnPath(find("call", "sink(b)"), { before: (s) => s.text === "early()" })).toBe(true);
  });

  it("reads module statements unless told not to", () => {
    const { find } = parse(source);
    const before = (s: SyntaxNode) => s.text === "CHECK = 1";
    expect(guardedOnPath(find("call", "sink(a)"), { before })).toBe(true);
    expect(guardedOnPath(find("call", "sink(a)"), { before, moduleLevel: false })).toBe(false);
  });
});
