// The App's own secrets never reach a log line or a text posted on GitHub: the redactor by shape and by value, the
// production logger (output captured) with an error carrying a token and the private key, and the real server, whose
// scan fails with an error message that quotes an installation token.
import { createHmac } from "node:crypto";
import { Writable } from "node:stream";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildPullModel } from "../../src/github/fake/pull-model.js";
import { createAppLogger, REDACTED, redactSecrets, secretRedactor } from "../../src/github/secrets.js";
import { startServer, type RunningServer } from "../../src/server.js";
import { APP_ID, GitHubMock, HEAD_SHA, PRIVATE_KEY, REPO_PATH, TestOctokit, payload } from "./helpers.js";

const TOKEN = "ghs_16C7e42F292c6912E7710c838347Ae178B4a";
const PAT = "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ";
const JWT = "eyJhbGciOiJSUzI1NiJ9.eyJpYXQiOjE3MDAwMDAwMDAsImlzcyI6IjEyMzQ1NiJ9.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU";
const WEBHOOK_SECRET = "s3cr3t-webhook-value-91f2";
/** A line from the middle of the key: if any part of the PEM leaks, this does. */
const KEY_LINE = PRIVATE_KEY.split("\n")[5]!;

class Capture extends Writable {
  readonly chunks: string[] = [];
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.chunks.push(chunk.toString());
    callback();
  }
  get text(): string {
    return this.chunks.join("");
  }
}

function expectNoSecrets(text: string): void {
  for (const secret of [TOKEN, PAT, JWT, WEBHOOK_SECRET, KEY_LINE, "PRIVATE KEY-----\n", "PRIVATE KEY-----\\n"]) expect(text).not.toContain(secret);
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 20));

describe("secretRedactor", () => {
  it("removes private-key blocks, GitHub tokens and JWTs by shape, and configured values verbatim or JSON-escaped", () => {
    const redact = secretRedactor([WEBHOOK_SECRET, PRIVATE_KEY]);
    const text = `token ${TOKEN}; pat=${PAT}; Bearer ${JWT}; secret ${WEBHOOK_SECRET}; key ${PRIVATE_KEY}; json ${JSON.stringify({ key: PRIVATE_KEY })}`;
    const redacted = redact(text);
    expectNoSecrets(redacted);
    expect(redacted).toContain(`token ${REDACTED};`);
    // Shapes alone, for texts built where the configured values are unknown (a truncated key still goes).
    expectNoSecrets(redactSecrets(`${TOKEN} ${PRIVATE_KEY.slice(0, 400)} "v1.${"a1".repeat(20)}"`));
    expect(redactSecrets(`"v1.${"a1".repeat(20)}"`)).toBe(`"${REDACTED}"`);
    // Ordinary text, short values and Probot's public default secret are left alone.
    expect(secretRedactor(["short", "development"])("a short development note about ghs_ and eyJ")).toBe("a short development note about ghs_ and eyJ");
  });

  it("keeps a JSON line valid when it redacts inside a string (the logger's streamWrite contract)", () => {
    const line = JSON.stringify({ msg: `a "quoted" key ${PRIVATE_KEY.slice(0, 300)}\\" and ${TOKEN}`, n: 1 });
    const redacted = secretRedactor([WEBHOOK_SECRET])(line);
    expect(() => JSON.parse(redacted)).not.toThrow();
    expectNoSecrets(redacted);
  });

  it("runs in linear time on adversarial input (no catastrophic backtracking)", () => {
    const redact = secretRedactor([WEBHOOK_SECRET]);
    const inputs = [
      "eyJ".repeat(700_000),
      `eyJ${"a".repeat(1_000_000)}.${"b".repeat(1_000_000)}`,
      "ghs_".repeat(500_000),
      `gh${"p_".repeat(500_000)}`,
      "-----BEGIN RSA PRIVATE KEY-----".repeat(60_000),
      `-----BEGIN ${"A".repeat(1_000_000)}`,
      `-----BEGIN PRIVATE KEY-----${"\\n".repeat(1_000_000)}`,
    ];
    // A catastrophic pattern would not finish within the test's timeout; these take milliseconds.
    for (const input of inputs) expect(typeof redact(input)).toBe("string");
  });
});

describe("createAppLogger", () => {
  it("redacts an error carrying an installation token and the private key, in JSON and pretty output alike", async () => {
    for (const format of ["json", "pretty"]) {
      const out = new Capture();
      const log = await createAppLogger({ level: "info", format, secrets: [WEBHOOK_SECRET, PRIVATE_KEY], destination: out });
      const error = Object.assign(new Error(`Bad credentials for ${TOKEN} (signed with ${PRIVATE_KEY})`), {
        status: 401,
        request: { method: "GET", url: "https://api.github.com/repos/o/r", headers: { authorization: `token ${TOKEN}` } },
        response: { data: { token: TOKEN, expires_at: "2030-01-01T00:00:00Z" } },
      });
      log.error({ err: error, deliveryId: "d-1" }, "scan failed");
      log.info({ privateKey: PRIVATE_KEY, secret: WEBHOOK_SECRET, installation: { token: TOKEN }, jwt: JWT }, `webhook secret is ${WEBHOOK_SECRET}`);
      log.child({ name: "octokit" }).warn(`retrying with ${PAT}`);
      await flush();

      const text = out.text;
      expect(text).toContain("scan failed");
      expect(text).toContain(REDACTED);
      expectNoSecrets(text);
      if (format === "json") {
        const lines = text.trim().split("\n").map((line) => JSON.parse(line));
        expect(lines).toHaveLength(3);
        expect(lines[0].err.request.headers.authorization).toBe(REDACTED);
        expect(lines[1].privateKey).toBe(REDACTED);
      }
    }
  });
});

describe("the server's logs and check runs", () => {
  let running: RunningServer | undefined;
  beforeAll(() => {
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
  });
  afterEach(async () => {
    await running?.stop(1_000);
    running = undefined;
    nock.cleanAll();
  });
  afterAll(() => nock.enableNetConnect());

  it("a scan failing with an error that quotes a token logs it redacted, and posts the failure on the check run redacted", async () => {
    const out = new Capture();
    running = await startServer({
      env: { APP_ID: String(APP_ID), PRIVATE_KEY, WEBHOOK_SECRET, LOG_LEVEL: "info", LOG_FORMAT: "json", FLASK_AUDIT_SCAN_ATTEMPTS: "1" },
      port: 0,
      host: "127.0.0.1",
      Octokit: TestOctokit,
      logDestination: out,
    });
    const model = buildPullModel({ "app.py": "x = 1\n" }, { "app.py": "x = 2\n" });
    const github = new GitHubMock();
    github
      .token()
      .checkRunCreate()
      .noConfig()
      .files(7, model)
      .on("GET", `${REPO_PATH}/git/trees/${HEAD_SHA}?recursive=1`, () => [404, { message: `Not Found for ${TOKEN} / ${JWT}` }])
      .checkRunUpdate();

    const body = JSON.stringify(payload("pull_request.opened"));
    const signature = `sha256=${createHmac("sha256", WEBHOOK_SECRET).update(body).digest("hex")}`;
    const response = await fetch(`${running.url}/api/github/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "pull_request", "x-github-delivery": "d-secret", "x-hub-signature-256": signature },
      body,
    });
    expect(response.status).toBe(200);
    await running.queue.onIdle();
    await flush();

    expect(github.unmatched).toEqual([]);
    const [completed] = github.bodies("PATCH", `${REPO_PATH}/check-runs/4242`);
    expect(completed.conclusion).toBe("failure");
    expect(completed.output.summary).toContain(`Not Found for ${REDACTED}`);
    expectNoSecrets(JSON.stringify(completed));
    expect(out.text).toContain("scan failed");
    expectNoSecrets(out.text);
    github.dispose();
  });
});
