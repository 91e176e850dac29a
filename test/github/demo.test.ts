// `npm run demo` end to end: the real server and app against the fake GitHub on 127.0.0.1 (no nock interception).
import nock from "nock";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { runDemo } from "../../src/github/demo.js";

beforeAll(() => {
  nock.enableNetConnect("127.0.0.1");
});
afterAll(() => {
  vi.restoreAllMocks();
});

it("reviews the sample pull request, then resolves the thread a second push fixes", async () => {
  const lines: string[] = [];
  vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void lines.push(args.join(" ")));
  await runDemo();
  const output = lines.join("\n");
  expect(output).toContain("REVIEW (event COMMENT) with 5 inline comments");
  expect(output).toContain("```suggestion");
  expect(output).toMatch(/CHECK RUN "flask-audit" on 6dcb09b: FAILURE — 5 findings \(3 critical, 2 high\)/);
  expect(output).toContain("New inline comments: 0");
  expect(output).toContain("Threads resolved: 1");
  expect(output).toMatch(/CHECK RUN "flask-audit" on 7e1a4c2: FAILURE — 4 findings/);
}, 60_000);
