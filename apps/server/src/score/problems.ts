/** Turning zod issues and located findings into `ScoreProblem`s with YAML lines. */
import type { z } from "zod";
import type { ScoreProblem } from "./types.ts";
import { allowedKeysAt, closestKey } from "./schema/introspect.ts";
import { keyKindsOf, type LineIndex } from "./yaml.ts";

/** A problem found after validation, placed on a line later from its path. */
export type Located = Omit<ScoreProblem, "line">;

/** Root keys people try that belong elsewhere (SCORE-SCHEMA.md §1). */
const MISPLACED_ROOT_KEYS: Record<string, string> = {
  preflight: "preflight is a conductor setting, not a score key",
  total_sheets: "total_sheets is computed; it is tolerated only inside sheet",
  type: "type is not a score key (type: fleet marks a fleet file, which is not a score)",
  scheduler: "scheduler is a conductor setting, not a score key",
};

const EXPECTED_NAMES: Record<string, string> = {
  object: "a mapping",
  record: "a mapping",
  array: "a list",
  string: "a string",
  number: "a number",
  boolean: "a boolean",
};

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (value instanceof Date) return "a date (quote it to make it a string)";
  if (typeof value === "object") return "a mapping";
  return `${typeof value} ${JSON.stringify(value)}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[String(key)];
  }
  return current;
}

function unknownKeyMessage(
  container: unknown,
  key: string,
  allowed: readonly string[] | undefined,
  atRoot: boolean,
): string {
  const misplaced = atRoot ? MISPLACED_ROOT_KEYS[key] : undefined;
  if (misplaced) return `unknown key '${key}': ${misplaced}`;
  const kind =
    container && typeof container === "object" ? keyKindsOf(container)?.[key] : undefined;
  if (kind === "boolean") {
    return `unknown key '${key}' (YAML 1.1 reads on/off/yes/no as booleans: quote the key)`;
  }
  const suggestion = allowed ? closestKey(key, allowed) : undefined;
  return suggestion
    ? `unknown key '${key}' (did you mean '${suggestion}'?)`
    : `unknown key '${key}'`;
}

/**
 * How many problems are described one by one. Describing one costs a typo suggestion and a line
 * look-up; a hostile score with tens of thousands of bad keys would otherwise hold the server.
 */
export const MAX_DESCRIBED_PROBLEMS = 200;

export function problemsFromIssues(
  issues: readonly z.core.$ZodIssue[],
  raw: unknown,
  lines: LineIndex,
  schema: z.ZodType,
): ScoreProblem[] {
  const problems: ScoreProblem[] = [];
  let undescribed = 0;
  for (const issue of issues) {
    const path = issue.path.map(String);
    const room = MAX_DESCRIBED_PROBLEMS - problems.length;
    if (room <= 0 || (issue.code === "unrecognized_keys" && issue.keys.length > room)) {
      const keys = issue.code === "unrecognized_keys" ? issue.keys.length : 1;
      undescribed += keys - Math.max(0, room);
      if (room <= 0) continue;
    }
    if (issue.code === "unrecognized_keys") {
      const container = valueAt(raw, issue.path);
      const allowed = allowedKeysAt(schema, path);
      for (const key of issue.keys.slice(0, room)) {
        const keyPath = [...path, key];
        problems.push({
          path: keyPath.join("."),
          message: unknownKeyMessage(container, key, allowed, path.length === 0),
          line: lines.lineOf(keyPath),
        });
      }
      continue;
    }
    let message = issue.message;
    if (issue.code === "invalid_type") {
      const input = "input" in issue ? issue.input : valueAt(raw, issue.path);
      if (input === undefined) message = "required key is missing";
      else if (input === null) message = "must not be null";
      else if (/^Invalid input/.test(message))
        message = `expected ${EXPECTED_NAMES[issue.expected] ?? issue.expected}, got ${describe(input)}`;
      else message = `${message}, got ${describe(input)}`;
    }
    if (issue.code === "invalid_value") {
      message = `${message}, got ${describe("input" in issue ? issue.input : valueAt(raw, issue.path))}`;
    }
    problems.push({ path: path.join("."), message, line: lines.lineOf(path) });
  }
  if (undescribed > 0) {
    problems.push({
      path: "",
      message: `${undescribed} more problems not listed (only the first ${MAX_DESCRIBED_PROBLEMS} are described)`,
    });
  }
  return problems;
}

export function placeProblems(found: readonly Located[], lines: LineIndex): ScoreProblem[] {
  return found.map((problem) => ({
    ...problem,
    line: lines.lineOf(problem.path === "" ? [] : problem.path.split(".")),
  }));
}

/** "sheet.dependencies.3: sheet 7 does not exist (line 12)" */
export function formatProblem(problem: ScoreProblem): string {
  const where = problem.path === "" ? "" : `${problem.path}: `;
  const line = problem.line === undefined ? "" : ` (line ${problem.line})`;
  return `${where}${problem.message}${line}`;
}

export function summarizeProblems(problems: readonly ScoreProblem[]): string {
  const first = problems[0];
  if (!first) return "the score is invalid";
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  return `the score is invalid (${count}): ${formatProblem(first)}`;
}
