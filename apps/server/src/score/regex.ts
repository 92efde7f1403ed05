/**
 * Python `re` syntax -> RE2 (linear-time matching, what score-provided patterns run on) and ->
 * JavaScript RegExp (for patterns the server itself ships). Scores are written for Python, so
 * leading inline flag groups (`(?i)`, `(?si)`), named groups `(?P<name>...)`, comments `(?#...)`
 * and the anchors `\A`/`\Z` are translated instead of rejected. Back-references `(?P=name)` and
 * look-around exist only in the JavaScript translation: RE2 cannot match them in linear time.
 */

import { RE2JS } from "re2js";

export interface TranslatedRegex {
  source: string;
  flags: string;
}

export class PythonRegexError extends Error {
  override name = "PythonRegexError";
}

const LEADING_FLAGS = /^\(\?([aiLmsux]+)\)/;

/** Python verbose mode: drop unescaped whitespace and `#` comments outside character classes. */
function stripVerbose(pattern: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === "\\") {
      out += char + (pattern[i + 1] ?? "");
      i++;
    } else if (inClass) {
      if (char === "]") inClass = false;
      out += char;
    } else if (char === "[") {
      inClass = true;
      out += char;
    } else if (char === "#") {
      while (i < pattern.length && pattern[i] !== "\n") i++;
    } else if (!/\s/.test(char)) {
      out += char;
    }
  }
  return out;
}

type Target = "js" | "re2";

/** Rewrites the Python-only tokens of a pattern, leaving escapes and character classes alone. */
function rewriteTokens(pattern: string, target: Target): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === "\\") {
      const next = pattern[i + 1] ?? "";
      i++;
      if (!inClass && next === "A") out += target === "js" ? "(?<![\\s\\S])" : "\\A";
      else if (!inClass && next === "Z") out += target === "js" ? "(?![\\s\\S])" : "\\z";
      else out += char + next;
      continue;
    }
    if (inClass) {
      if (char === "]") inClass = false;
      out += char;
      continue;
    }
    if (char === "[") {
      inClass = true;
      out += char;
      // A `]` right after `[` or `[^` is a literal in Python.
      if (pattern[i + 1] === "^") out += pattern[++i];
      if (pattern[i + 1] === "]") {
        out += "\\]";
        i++;
      }
      continue;
    }
    if (pattern.startsWith("(?#", i)) {
      const close = pattern.indexOf(")", i);
      if (close === -1) throw new PythonRegexError("unterminated (?#...) comment");
      i = close;
      continue;
    }
    if (pattern.startsWith("(?P<", i)) {
      out += target === "js" ? "(?<" : "(?P<";
      i += 3;
      continue;
    }
    if (pattern.startsWith("(?P=", i)) {
      const close = pattern.indexOf(")", i);
      if (close === -1) throw new PythonRegexError("unterminated (?P=name) back-reference");
      if (target === "re2") throw new PythonRegexError(BACKTRACKING_ONLY);
      out += `\\k<${pattern.slice(i + 4, close)}>`;
      i = close;
      continue;
    }
    if (LEADING_FLAGS.test(pattern.slice(i)) && i > 0) {
      throw new PythonRegexError(
        `global flags not at the start of the expression at position ${i}`,
      );
    }
    out += char;
  }
  return out;
}

const BACKTRACKING_ONLY =
  "back-references and look-around need backtracking; score patterns are matched in linear time (RE2) and cannot use them";

function leadingFlags(pattern: string): { rest: string; pythonFlags: Set<string> } {
  let rest = pattern;
  const pythonFlags = new Set<string>();
  for (let match = LEADING_FLAGS.exec(rest); match; match = LEADING_FLAGS.exec(rest)) {
    for (const flag of match[1]!) pythonFlags.add(flag);
    rest = rest.slice(match[0].length);
  }
  if (pythonFlags.has("x")) rest = stripVerbose(rest);
  return { rest, pythonFlags };
}

export interface Re2Regex {
  source: string;
  /** re2js flag bits. */
  flags: number;
}

/** Python syntax -> RE2 syntax and flag bits; `extraFlags` are Python flag letters (i, m, s). */
export function translatePythonRegexToRe2(pattern: string, extraFlags = ""): Re2Regex {
  const { rest, pythonFlags } = leadingFlags(pattern);
  for (const flag of extraFlags) pythonFlags.add(flag);
  const source = rewriteTokens(rest, "re2");
  let flags = 0;
  if (pythonFlags.has("i")) flags |= RE2JS.CASE_INSENSITIVE;
  if (pythonFlags.has("m")) flags |= RE2JS.MULTILINE;
  if (pythonFlags.has("s")) flags |= RE2JS.DOTALL;
  return { source, flags };
}

/** A linear-time matcher (RE2); throws PythonRegexError with a readable reason. */
export function compileLinearRegex(pattern: string, extraFlags = ""): RE2JS {
  const { source, flags } = translatePythonRegexToRe2(pattern, extraFlags);
  try {
    return RE2JS.compile(source, flags);
  } catch (error) {
    const reason = (error as Error).message.replace(/^error parsing regexp: /, "");
    const backtracking = /\(\?<?[=!]/.test(source) || /escape sequence: `\\[1-9]/.test(reason);
    throw new PythonRegexError(backtracking ? BACKTRACKING_ONLY : reason);
  }
}

export function translatePythonRegex(pattern: string): TranslatedRegex {
  const { rest, pythonFlags } = leadingFlags(pattern);
  const source = rewriteTokens(rest, "js");
  // a, L and u change only Unicode/locale matching details; JavaScript's defaults are close enough.
  const flags = ["i", "m", "s"].filter((flag) => pythonFlags.has(flag)).join("");
  return { source, flags };
}

/** Translates and compiles; throws PythonRegexError with a readable reason when it cannot. */
export function compilePythonRegex(pattern: string, extraFlags = ""): RegExp {
  const { source, flags } = translatePythonRegex(pattern);
  const merged = [...new Set((flags + extraFlags).split(""))].join("");
  try {
    return new RegExp(source, merged);
  } catch (error) {
    throw new PythonRegexError(
      (error as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, ""),
    );
  }
}

/** `null` when the pattern compiles for linear-time matching, otherwise the reason it does not. */
export function pythonRegexProblem(pattern: string): string | null {
  try {
    compileLinearRegex(pattern);
    return null;
  } catch (error) {
    return `invalid regular expression: ${(error as Error).message}`;
  }
}
