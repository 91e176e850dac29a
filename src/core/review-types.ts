// The contract between the GitHub layer (src/github: gathers inputs, applies the plan) and the pure review planner
// (src/core/plan.ts: diff -> scan -> filter -> dedupe -> render). Plain data: no Octokit types here.
import type { Rule } from "./define-rule.js";
import type { ReviewConfig } from "./config.js";
import type { Finding, ScanResult, SourceFile } from "./types.js";

/** A file of the pull request, as `pulls.listFiles` reports it, with its head content when we fetched it. */
export interface PullFile {
  path: string;
  /** GitHub's file status. Removed and unchanged-renamed files are not scanned. */
  status: "added" | "modified" | "renamed" | "removed" | "copied" | "changed" | "unchanged";
  previousPath?: string;
  /** GitHub's per-file unified patch; absent for binaries and very large diffs (then the file is scanned whole). */
  patch?: string;
  /**
   * GitHub's count of added lines (`additions`). With no `patch`, 0 means nothing was added (a pure rename, a mode
   * change, a deletion-only diff too large to show): the file is then not treated as changed throughout.
   */
  additions?: number;
  /** Decoded head content, when fetched and decodable. */
  content?: string;
  /** Why the content is missing (too large, not UTF-8, binary, not a scanned kind, fetch failed). */
  skippedReason?: string;
}

/** One of our earlier inline review comments on this pull request, found by its hidden marker. */
export interface PriorComment {
  commentId: number;
  /** GraphQL node id of the review thread, when known (needed to resolve it). */
  threadId?: string;
  fingerprint: string;
  /** The rule id from the marker, when known: a thread of a rule now turned off is left alone, not "fixed". */
  ruleId?: string;
  path: string;
  isResolved: boolean;
  /** Someone other than the app replied: leave the thread alone. */
  hasHumanReplies: boolean;
}

export interface ReviewInput {
  owner: string;
  repo: string;
  pullNumber: number;
  headSha: string;
  files: PullFile[];
  /** Repository files at the head SHA that application facts need (app factory, Dockerfile, config...). */
  factFiles: SourceFile[];
  priorComments: PriorComment[];
  config: ReviewConfig;
  rules: Rule[];
  /** `pulls.listFiles` stops at 3000 files: say so in the summary. */
  truncatedFileList?: boolean;
}

export interface PlannedComment {
  path: string;
  /** RIGHT-side line the comment anchors on (the last line of a multi-line range). */
  line: number;
  /** First line of a multi-line range within one hunk. */
  startLine?: number;
  body: string;
  fingerprint: string;
}

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "notice" | "warning" | "failure";
  title: string;
  message: string;
  raw_details?: string;
}

export interface PlannedCheckRun {
  conclusion: "success" | "failure" | "neutral" | "action_required";
  title: string;
  /** Markdown, at most 65,535 characters. */
  summary: string;
  text?: string;
  /** All annotations; the gateway sends them in batches of at most 50. */
  annotations: CheckAnnotation[];
}

export interface ReviewPlan {
  /** New inline comments for ONE review (event COMMENT); empty means no review is posted. */
  comments: PlannedComment[];
  /** The review's own body (a short summary pointing at the check run). */
  reviewBody: string;
  /** Our earlier threads whose finding is gone at the head: resolve them (or reply when no thread id). */
  resolved: { commentId: number; threadId?: string; fingerprint: string; replyBody: string }[];
  checkRun: PlannedCheckRun;
  /** Everything the scan found on changed lines, inline or not (for logs and tests). */
  findings: Finding[];
  scan: ScanResult;
}
