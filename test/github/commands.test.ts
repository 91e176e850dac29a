import { describe, expect, it } from "vitest";
import { hasWriteAccess, isBotUser, mayHaveWriteAccess, parseCommand } from "../../src/github/commands.js";

describe("parseCommand", () => {
  it.each([
    ["/flask-audit rescan", { name: "rescan" }],
    ["  /flask-audit   rescan \n", { name: "rescan" }],
    ["/flask-audit RESCAN", { name: "rescan" }],
    ["/flask-audit help", { name: "help" }],
    ["/flask-audit", { name: "help" }],
    ["/flask-audit frobnicate", { name: "unknown", text: "/flask-audit frobnicate" }],
    ["/flask-audit rescan please\nthanks", { name: "unknown", text: "/flask-audit rescan please" }],
    ["please /flask-audit rescan", null],
    ["/flask-auditor rescan", null],
    ["", null],
  ])("%j -> %j", (body, expected) => {
    expect(parseCommand(body)).toEqual(expected);
  });
});

describe("who may rescan", () => {
  it("filters by association first, then by permission", () => {
    expect(["OWNER", "MEMBER", "COLLABORATOR"].every(mayHaveWriteAccess)).toBe(true);
    expect(["CONTRIBUTOR", "FIRST_TIME_CONTRIBUTOR", "FIRST_TIMER", "NONE", "MANNEQUIN", undefined].some(mayHaveWriteAccess)).toBe(false);
    expect(["admin", "write"].every(hasWriteAccess)).toBe(true);
    expect(["read", "none"].some(hasWriteAccess)).toBe(false);
  });

  it("recognises bots by type or login", () => {
    expect(isBotUser({ type: "Bot", login: "dependabot[bot]" })).toBe(true);
    expect(isBotUser({ type: "User", login: "renovate[bot]" })).toBe(true);
    expect(isBotUser({ type: "User", login: "mona" })).toBe(false);
  });
});
