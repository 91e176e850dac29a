// Gathering the ReviewInput through the gateway: which blobs are fetched, what is skipped and why.
import { describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";
import { DEFAULT_CONFIG, parseConfig } from "../../src/core/config.js";
import { buildPullModel, gitBlobSha } from "../../src/github/fake/pull-model.js";
import { DEFAULT_LIMITS, NO_RULE_READS_KIND, gatherReviewInput } from "../../src/github/gather.js";
import { FakeGateway } from "./fake-gateway.js";
import { BASE, HEAD } from "./sample.js";

const target = { owner: "octo-org", repo: "flask-shop", pullNumber: 7, headSha: "6dcb09b5b57875f334f61aebed695e2e4193db5e" };
const fetched = (gh: FakeGateway) => gh.log.filter((l) => l.startsWith("getBlob ")).map((l) => l.slice(8));
const shaOf = (content: string) => gitBlobSha(content);

describe("gatherReviewInput", () => {
  it("fetches changed files a rule reads and the fact files, each blob once; never removed files or other kinds", async () => {
    const base = { ...BASE, "shop/old.py": "x = 1\n" };
    const head = { ...HEAD, "README.md": "# shop\n\nmore\n", "static/logo.png": new Uint8Array([137, 80, 78, 71, 0, 1]) };
    delete (head as Record<string, unknown>)["shop/old.py"];
    const gh = new FakeGateway(buildPullModel(base, head));
    const { input, notes } = await gatherReviewInput(gh, target, DEFAULT_CONFIG, allRules);

    expect(fetched(gh).sort()).toEqual([HEAD["shop/views.py"], HEAD["shop/app.py"], HEAD["shop/__init__.py"], HEAD["wsgi.py"]].map((c) => shaOf(c as string)).sort());
    const byPath = new Map(input.files.map((f) => [f.path, f]));
    expect(byPath.get("shop/views.py")!.content).toBe(HEAD["shop/views.py"]);
    expect(byPath.get("README.md")).toMatchObject({ skippedReason: NO_RULE_READS_KIND });
    expect(byPath.get("static/logo.png")).toMatchObject({ skippedReason: NO_RULE_READS_KIND });
    expect(byPath.get("shop/old.py")).toEqual({ path: "shop/old.py", status: "removed", additions: 0, patch: expect.any(String) });
    expect(input.factFiles.map((f) => f.path).sort()).toEqual(["shop/__init__.py", "shop/app.py", "wsgi.py"]);
    expect(notes).toEqual([]);
    expect(gh.log.filter((l) => l === "getTree")).toHaveLength(1);
  });

  it("skips a file over the size limit from its tree size, without fetching it, and says why", async () => {
    const big = `X = "${"a".repeat(3 * 1024 * 1024)}"\n`;
    const gh = new FakeGateway(buildPullModel(BASE, { ...BASE, "shop/big.py": big }));
    const { input } = await gatherReviewInput(gh, target, DEFAULT_CONFIG, allRules);
    expect(fetched(gh)).not.toContain(shaOf(big));
    expect(input.files.find((f) => f.path === "shop/big.py")!.skippedReason).toMatch(/^too large: 3\.0 MiB \(\d+ bytes\) is over the 2 MiB limit/);
  });

  it("reports undecodable files and blobs GitHub cannot return; a server error fails the gathering", async () => {
    const latin1 = new Uint8Array([...new TextEncoder().encode("# -*- coding: latin-1 -*-\nname = '"), 0xe9, 0x27, 0x0a]);
    const model = buildPullModel(BASE, { ...BASE, "shop/latin.py": latin1, "shop/gone.py": "y = 2\n" });
    const gh = new FakeGateway(model);
    gh.failures.set(`getBlob ${shaOf("y = 2\n")}`, Object.assign(new Error("Not Found"), { status: 404 }));
    const { input } = await gatherReviewInput(gh, target, DEFAULT_CONFIG, allRules);
    const byPath = new Map(input.files.map((f) => [f.path, f]));
    expect(byPath.get("shop/latin.py")!.skippedReason).toMatch(/not valid UTF-8 .*latin-1/);
    expect(byPath.get("shop/gone.py")!.skippedReason).toBe("GitHub could not return its content (HTTP 404); not scanned");

    const failing = new FakeGateway(model);
    failing.failures.set(`getBlob ${shaOf("y = 2\n")}`, Object.assign(new Error("Server Error"), { status: 500 }));
    await expect(gatherReviewInput(failing, target, DEFAULT_CONFIG, allRules)).rejects.toMatchObject({ status: 500 });
  });

  it("does not fetch files excluded by paths.exclude (the planner says why)", async () => {
    const parsed = parseConfig({ paths: { exclude: ["shop/**"] } });
    if (!parsed.ok) throw new Error(parsed.error);
    const gh = new FakeGateway(buildPullModel(BASE, HEAD));
    const { input } = await gatherReviewInput(gh, target, parsed.config, allRules);
    expect(fetched(gh)).toEqual([]);
    expect(gh.log).not.toContain("getTree");
    expect(input.files.map((f) => f.path)).toEqual(["shop/views.py"]);
    expect(input.files[0]).not.toHaveProperty("content");
    expect(input.files[0]).not.toHaveProperty("skippedReason");
  });

  it("reads facts from the shallowest fact files within the cap, leaves vendored code out, and notes a partial tree", async () => {
    const head = { ...HEAD, "venv/lib/site.py": "", "node_modules/x/app.py": "", "deep/a/b/c/config.py": "DEBUG = False\n" };
    const gh = new FakeGateway(buildPullModel(BASE, head));
    gh.treeTruncated = true;
    const { input, notes } = await gatherReviewInput(gh, target, DEFAULT_CONFIG, allRules, { ...DEFAULT_LIMITS, maxFactFiles: 3 });
    expect(input.factFiles.map((f) => f.path)).toEqual(["wsgi.py", "shop/__init__.py", "shop/app.py"]);
    expect(notes).toEqual([
      "Application facts were read from the 3 shallowest of 4 configuration and entrypoint files in the repository.",
      expect.stringContaining("The repository tree is larger than GitHub returns in one call"),
    ]);
  });
});
