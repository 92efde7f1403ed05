/** Error patterns of a profile, compiled once (Python syntax, matched case-insensitively). */
import { compilePythonRegex } from "../score/regex.ts";

export interface CompiledPatterns {
  regexes: RegExp[];
  /** Patterns that could not be compiled, with the reason; they never match. */
  invalid: { pattern: string; reason: string }[];
}

export function compilePatterns(patterns: readonly string[]): CompiledPatterns {
  const regexes: RegExp[] = [];
  const invalid: { pattern: string; reason: string }[] = [];
  for (const pattern of patterns) {
    try {
      regexes.push(compilePythonRegex(pattern, "i"));
    } catch (error) {
      invalid.push({ pattern, reason: (error as Error).message });
    }
  }
  return { regexes, invalid };
}

export function firstMatch(compiled: CompiledPatterns, text: string): RegExpExecArray | null {
  for (const regex of compiled.regexes) {
    regex.lastIndex = 0;
    const match = regex.exec(text);
    if (match) return match;
  }
  return null;
}
