// Text helpers for rules that read names and configuration lines: linear-time stand-ins for regular expressions
// that backtrack quadratically on hostile input (a long word, a line of many " #").

/**
 * Does one run of word characters in `text` hold one of `firsts` and, after it, one of `seconds` (lowercase words;
 * ASCII letters compared case-insensitively, as /i does without the u flag)? What /(?:first)\w*(?:second)/i tells,
 * in linear time: that pattern backtracks quadratically on a long word with many `firsts` and no `second` after them.
 */
export function wordsInOrder(text: string, firsts: string[], seconds: string[]): boolean {
  const lower = text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
  for (const [run] of lower.matchAll(/\w+/g)) {
    let end = Infinity;
    for (const word of firsts) {
      const at = run.indexOf(word);
      if (at >= 0) end = Math.min(end, at + word.length);
    }
    if (seconds.some((word) => run.lastIndexOf(word) >= end)) return true;
  }
  return false;
}

/**
 * `text` without its trailing comment: .replace(/(?:^|\s)#.*$/, "") (/\s#.*$/ when `atStart` is false) in linear time.
 * `.` stops at a line terminator, so only a "#" after the last one counts; those patterns rescanned up to it from
 * every " #" before (quadratic).
 */
export function withoutComment(text: string, atStart = true): string {
  let from = 0;
  for (const terminator of ["\n", "\r", "\u2028", "\u2029"]) from = Math.max(from, text.lastIndexOf(terminator) + 1);
  for (let at = text.indexOf("#", from); at >= 0; at = text.indexOf("#", at + 1)) {
    if (at === 0 && atStart) return "";
    if (at > 0 && /\s/.test(text[at - 1]!)) return text.slice(0, at - 1);
  }
  return text;
}
