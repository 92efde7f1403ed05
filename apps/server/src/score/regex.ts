/**
 * Python `re` syntax -> JavaScript RegExp. Scores are written for Python, so leading inline flag
 * groups (`(?i)`, `(?si)`), named groups `(?P<name>...)`, back-references `(?P=name)`, comments
 * `(?#...)` and the anchors `\A`/`\Z` are translated instead of rejected. Scoped flag groups
 * (`(?i:...)`) need a newer JavaScript engine than Node 20 and are reported as invalid.
 */

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

/** Rewrites the Python-only tokens of a pattern, leaving escapes and character classes alone. */
function rewriteTokens(pattern: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === "\\") {
      const next = pattern[i + 1] ?? "";
      i++;
      if (!inClass && next === "A") out += "(?<![\\s\\S])";
      else if (!inClass && next === "Z") out += "(?![\\s\\S])";
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
      out += "(?<";
      i += 3;
      continue;
    }
    if (pattern.startsWith("(?P=", i)) {
      const close = pattern.indexOf(")", i);
      if (close === -1) throw new PythonRegexError("unterminated (?P=name) back-reference");
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

export function translatePythonRegex(pattern: string): TranslatedRegex {
  let rest = pattern;
  const pythonFlags = new Set<string>();
  for (let match = LEADING_FLAGS.exec(rest); match; match = LEADING_FLAGS.exec(rest)) {
    for (const flag of match[1]!) pythonFlags.add(flag);
    rest = rest.slice(match[0].length);
  }
  if (pythonFlags.has("x")) rest = stripVerbose(rest);
  const source = rewriteTokens(rest);
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

/** `null` when the pattern compiles, otherwise the reason it does not. */
export function pythonRegexProblem(pattern: string): string | null {
  try {
    compilePythonRegex(pattern);
    return null;
  } catch (error) {
    return `invalid regular expression: ${(error as Error).message}`;
  }
}
