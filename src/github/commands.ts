// `/flask-audit ...` comment commands: what a comment asks for, and who may ask. Pure.

export type Command = { name: "rescan" } | { name: "help" } | { name: "unknown"; text: string };

const COMMAND = /^\/flask-audit(?:[ \t]+([A-Za-z-]+))?[ \t]*$/;

/** The command a comment body is (the whole trimmed body), or null when it is not one of ours. */
export function parseCommand(body: string | null | undefined): Command | null {
  const text = (body ?? "").trim();
  if (!/^\/flask-audit\b/.test(text)) return null;
  const match = COMMAND.exec(text);
  const verb = match?.[1]?.toLowerCase();
  if (verb === "rescan") return { name: "rescan" };
  if (verb === "help" || (match && verb === undefined)) return { name: "help" };
  return { name: "unknown", text: text.split("\n", 1)[0]!.slice(0, 100) };
}

/**
 * Associations that may hold write access: the cheap first filter before asking GitHub for the permission. A
 * CONTRIBUTOR, FIRST_TIMER or NONE never has write access through the association alone.
 */
const MAYBE_WRITERS = new Set(["OWNER", "MEMBER", "COLLABORATOR"]);

export function mayHaveWriteAccess(authorAssociation: string | undefined): boolean {
  return MAYBE_WRITERS.has(authorAssociation ?? "");
}

export function hasWriteAccess(permission: string): boolean {
  return permission === "admin" || permission === "write";
}

export function isBotUser(user: { type?: string; login?: string } | null | undefined): boolean {
  return user?.type === "Bot" || (user?.login ?? "").endsWith("[bot]");
}

export const HELP_TEXT = [
  "**flask-audit** reviews the lines a pull request changes for Flask security problems and reports on the **flask-audit** check run.",
  "",
  "| Command | What it does | Who |",
  "|---|---|---|",
  "| `/flask-audit rescan` | Scan this pull request's head again (👀 when received, 🚀 when done, 😕 if it failed) | users with write access |",
  "| `/flask-audit help` | This message | anyone |",
  "",
  "The **Re-run** button on the check does the same as `rescan`. Configure the app in `.github/flask-audit.yml` on the default branch",
  "(`fail_on`, `max_inline_comments`, `paths.include` / `paths.exclude`, `rules`, `scan_drafts`), and silence one finding with",
  "`# flask-audit: ignore[RULE-ID] reason` on its line or the line above.",
].join("\n");
