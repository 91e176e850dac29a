// `npm run demo`: the real app (the same server `npm start` runs, through Probot) reviewing the sample pull request
// in examples/demo-pr against a fake GitHub on 127.0.0.1. No GitHub App, no network: it generates a private key,
// points GHE_HOST at the fake, sends signed webhooks over HTTP and prints what the app posted.
//
//   1. pull_request.opened  -> one review with inline comments, a failing check run
//   2. a second push fixes the command injection (pull_request.synchronize)
//                           -> no new comment for the findings still there; the fixed thread is resolved
import { generateKeyPairSync } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startServer, type RunningServer } from "../server.js";
import { FakeGitHub, type FakeCheckRun } from "./fake/fake-github.js";
import { readSnapshot } from "./fake/pull-model.js";

const SECRET = "demo-webhook-secret";
const SECOND_PUSH_SHA = "7e1a4c2f0b9d8e3a6c5b4f1e2d3c4b5a69788796";

/** The repository root: the nearest folder with package.json, from wherever this file was compiled to. */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("cannot find the project root (package.json)");
    dir = parent;
  }
  return dir;
}

async function deliver(app: RunningServer, fake: FakeGitHub, action: "opened" | "synchronize"): Promise<void> {
  const { headers, body } = fake.webhook("pull_request", action, SECRET);
  const started = Date.now();
  const response = await fetch(`${app.url}/api/github/webhooks`, { method: "POST", headers, body });
  console.log(`→ pull_request.${action} delivered: HTTP ${response.status} in ${Date.now() - started} ms (the scan runs after the response)`);
  if (!response.ok) throw new Error(`the app refused the webhook: HTTP ${response.status} ${await response.text()}`);
}

async function waitForCheckRun(fake: FakeGitHub, count: number, timeoutMs = 60_000): Promise<FakeCheckRun> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = fake.checkRuns[count - 1];
    if (run?.status === "completed") return run;
    if (Date.now() > deadline) throw new Error("timed out waiting for the check run to complete");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const rule = (title: string) => `\n${"═".repeat(100)}\n${title}\n${"═".repeat(100)}`;

function printCheckRun(run: FakeCheckRun): void {
  console.log(rule(`CHECK RUN "${run.name}" on ${run.head_sha.slice(0, 7)}: ${run.conclusion?.toUpperCase()} — ${run.output.title}`));
  console.log(run.output.summary);
  if (run.annotations.length > 0) {
    console.log(`\nAnnotations (${run.annotations.length}):`);
    for (const a of run.annotations) console.log(`  ${a.path}:${a.start_line} [${a.annotation_level}] ${a.title}`);
  }
}

export async function runDemo(): Promise<void> {
  const root = projectRoot();
  const sample = join(root, "examples", "demo-pr");
  const base = readSnapshot(join(sample, "base"));
  const head = readSnapshot(join(sample, "head"));
  const fake = new FakeGitHub({ base, head });
  await fake.start();
  const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } }).privateKey;
  const app = await startServer({
    env: {
      APP_ID: "1",
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: SECRET,
      GHE_HOST: fake.host,
      GHE_PROTOCOL: "http",
      LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
      NODE_ENV: "development",
    },
    port: 0,
    host: "127.0.0.1",
  });
  try {
    console.log(`flask-audit is listening on ${app.url}; the fake GitHub API is at ${fake.baseUrl}`);
    console.log(`Sample pull request: ${relative(root, sample)} (base/ -> head/), ${fake.owner}/${fake.repo}#${fake.pullNumber}\n`);

    await deliver(app, fake, "opened");
    const first = await waitForCheckRun(fake, 1);
    const review = fake.reviews.find((r) => r.state === "COMMENTED");
    console.log(rule(`REVIEW (event COMMENT) with ${review?.comments.length ?? 0} inline comments`));
    console.log(review?.body ?? "(no review)");
    for (const comment of review?.comments ?? []) {
      const lines = comment.start_line !== undefined ? `${comment.start_line}-${comment.line}` : `${comment.line}`;
      console.log(`\n${"─".repeat(100)}\n${comment.path}:${lines}\n${"─".repeat(100)}\n${comment.body}`);
    }
    printCheckRun(first);

    console.log(rule("SECOND PUSH: the command injection is fixed"));
    const fixed = { ...head, ...readSnapshot(join(sample, "second-push")) };
    fake.push(fixed, SECOND_PUSH_SHA);
    const commentsBefore = fake.reviewComments.length;
    await deliver(app, fake, "synchronize");
    const second = await waitForCheckRun(fake, 2);
    const replies = fake.reviewComments.slice(commentsBefore);
    console.log(`New inline comments: ${fake.reviews.filter((r) => r.state === "COMMENTED").length - 1} (the remaining findings were commented on already)`);
    console.log(`Threads resolved: ${fake.resolvedThreads.size}${replies.length > 0 ? `; replies: ${replies.map((r) => JSON.stringify(r.body)).join(", ")}` : ""}`);
    printCheckRun(second);

    const errors = fake.calls.filter((c) => c.status >= 400);
    console.log(`\nGitHub API calls made: ${fake.calls.length}, of which ${errors.length} answered with an error status:`);
    for (const c of errors) console.log(`  ${c.method} ${c.path} -> ${c.status}`);
    console.log("  (404 on flask-audit.yml: the repository and its organisation's .github repository have no config, so the defaults apply)");
  } finally {
    await app.stop(5_000);
    await fake.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runDemo().catch((error: unknown) => {
    console.error(`demo failed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exitCode = 1;
  });
}
