// Writes that must happen once: a lost answer is looked up, never repeated blind.
import { describe, expect, it } from "vitest";
import { outcomeUnknown, tokenMarker, writeOnce, writeToken } from "../../src/github/write-once.js";

const fast = { delayMs: () => 1 };

function httpError(status: number): Error & { status: number } {
  return Object.assign(new Error(`HTTP ${status}`), { status });
}

describe("writeOnce", () => {
  it("returns the first answer and never looks anything up", async () => {
    let lookups = 0;
    await expect(writeOnce(async () => 7, async () => (lookups++, undefined), fast)).resolves.toBe(7);
    expect(lookups).toBe(0);
  });

  it("after a 502 whose write landed, returns what the lookup found without writing again", async () => {
    const written: number[] = [];
    const write = async () => {
      written.push(written.length + 1);
      throw httpError(502);
    };
    await expect(writeOnce(write, async () => (written.length > 0 ? 41 : undefined), fast)).resolves.toBe(41);
    expect(written).toEqual([1]);
  });

  it("after a 502 whose write did not land, writes again", async () => {
    let calls = 0;
    const write = async () => {
      calls++;
      if (calls === 1) throw httpError(502);
      return "second";
    };
    await expect(writeOnce(write, async () => undefined, fast)).resolves.toBe("second");
    expect(calls).toBe(2);
  });

  it("a 4xx is an answer: thrown at once, no lookup, no retry", async () => {
    let lookups = 0;
    let calls = 0;
    const write = async () => {
      calls++;
      throw httpError(422);
    };
    await expect(writeOnce(write, async () => (lookups++, undefined), fast)).rejects.toMatchObject({ status: 422 });
    expect([calls, lookups]).toEqual([1, 0]);
  });

  it("while the lookup itself fails, it waits and asks again instead of writing blind", async () => {
    let calls = 0;
    let lookups = 0;
    const write = async () => {
      calls++;
      throw httpError(503);
    };
    const applied = async () => {
      lookups++;
      if (lookups < 3) throw httpError(502);
      return "found";
    };
    await expect(writeOnce(write, applied, fast)).resolves.toBe("found");
    expect(calls).toBe(1);
  });

  it("gives up after its attempts with the last error, having checked the last write too", async () => {
    let calls = 0;
    let lookups = 0;
    const write = async () => {
      calls++;
      throw httpError(500);
    };
    await expect(writeOnce(write, async () => (lookups++, undefined), { ...fast, attempts: 3 })).rejects.toMatchObject({ status: 500 });
    expect([calls, lookups]).toEqual([3, 3]);
  });

  it("treats a failure without a status (a reset connection) as an unknown outcome", () => {
    expect(outcomeUnknown(new Error("socket hang up"))).toBe(true);
    expect(outcomeUnknown(httpError(500))).toBe(true);
    expect(outcomeUnknown(httpError(404))).toBe(false);
  });

  it("tokens are distinct and hide in an HTML comment", () => {
    const tokens = new Set(Array.from({ length: 100 }, writeToken));
    expect(tokens.size).toBe(100);
    expect(tokenMarker("abc")).toBe("<!-- flask-audit:write=abc -->");
  });
});
