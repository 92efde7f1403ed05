/**
 * The five validation kinds (DESIGN.md §6, SCORE-SCHEMA.md §4). Rules are the score's
 * `validations` entries as validated (snake_case). Relative paths resolve against the
 * workspace. A failing file or content check is retried `retry_count` times, `retry_delay_ms`
 * apart, as upstream does (files written by a just-exited agent may land a moment late); a
 * command runs once. Validated files are read only when regular and under a size cap, and
 * patterns match with RE2 in the score sandbox, so no file or pattern can stall the server.
 */
import { statSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { ValidationDetail } from "../contracts/attempt.ts";
import { readRegularFile } from "../files/regular-file.ts";
import { sharedSandbox, SandboxError, type ScoreSandbox } from "../sandbox/score-sandbox.ts";
import { compileLinearRegex, translatePythonRegexToRe2 } from "../score/regex.ts";
import { runCheckCommand } from "./command.ts";
import { conditionHolds, effectiveCondition } from "./condition.ts";
import {
  expandCommandPlaceholders,
  expandPathPlaceholders,
  type PlaceholderValues,
} from "./placeholders.ts";

export type ValidationRule = Readonly<Record<string, unknown>>;

export const VALIDATION_KINDS = [
  "file_exists",
  "file_modified",
  "content_contains",
  "content_regex",
  "command_succeeds",
] as const;
export type ValidationKind = (typeof VALIDATION_KINDS)[number];

const DEFAULT_COMMAND_TIMEOUT_SECONDS = 3600;
/** Largest file a content check reads. */
export const MAX_VALIDATED_FILE_BYTES = 16 * 1024 * 1024;

/** Modification times (ns) taken before the instrument runs; null = the file did not exist. */
export type MtimeSnapshot = Map<string, bigint | null>;

export interface ValidationRun {
  rules: ReadonlyArray<ValidationRule>;
  values: PlaceholderValues;
  workspace: string;
  snapshot: MtimeSnapshot;
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  /** Where content_regex patterns run. Default: the process's sandbox. */
  sandbox?: ScoreSandbox;
}

export interface ValidationSummary {
  details: ValidationDetail[];
  passed: number;
  applicable: number;
}

function stringField(rule: ValidationRule, key: string): string | null {
  const value = rule[key];
  return typeof value === "string" ? value : null;
}

function numberField(rule: ValidationRule, key: string, fallback: number): number {
  const value = rule[key];
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

export function resolveRulePath(
  rule: ValidationRule,
  values: PlaceholderValues,
  workspace: string,
): string | null {
  const raw = stringField(rule, "path");
  if (raw === null) return null;
  return path.resolve(workspace, expandPathPlaceholders(raw, values));
}

function mtimeOf(file: string): bigint | null {
  try {
    return statSync(file, { bigint: true }).mtimeNs;
  } catch {
    return null;
  }
}

/** Snapshot for `file_modified` rules; call before the instrument starts. */
export function snapshotModifiedTargets(
  rules: ReadonlyArray<ValidationRule>,
  values: PlaceholderValues,
  workspace: string,
): MtimeSnapshot {
  const snapshot: MtimeSnapshot = new Map();
  for (const rule of rules) {
    if (rule.type !== "file_modified") continue;
    try {
      const file = resolveRulePath(rule, values, workspace);
      if (file !== null) snapshot.set(file, mtimeOf(file));
    } catch {
      // An unknown placeholder fails the rule later, with its reason.
    }
  }
  return snapshot;
}

export function isApplicable(rule: ValidationRule, values: PlaceholderValues): boolean {
  return conditionHolds(effectiveCondition(rule), values);
}

function isSpecialFile(file: string): boolean {
  try {
    const stat = statSync(file);
    return !stat.isFile() && !stat.isDirectory();
  } catch {
    return false;
  }
}

async function regexFinds(
  pattern: string,
  text: string,
  run: ValidationRun,
): Promise<CheckOutcome | boolean> {
  let compiled: { source: string; flags: number };
  try {
    // Compiling here only parses (linear); the match runs in the sandbox.
    compileLinearRegex(pattern, "m");
    compiled = translatePythonRegexToRe2(pattern, "m");
  } catch (error) {
    return {
      passed: false,
      message: `invalid pattern ${JSON.stringify(pattern)}: ${(error as Error).message}`,
    };
  }
  try {
    return await (run.sandbox ?? sharedSandbox()).regexFinds(compiled.source, compiled.flags, text);
  } catch (error) {
    if (!(error instanceof SandboxError)) throw error;
    return {
      passed: false,
      message: `pattern ${JSON.stringify(pattern)} could not be matched: ${error.message}`,
    };
  }
}

type CheckOutcome = { passed: true } | { passed: false; message: string };

async function checkOnce(rule: ValidationRule, run: ValidationRun): Promise<CheckOutcome> {
  const kind = rule.type as ValidationKind;
  switch (kind) {
    case "file_exists": {
      const file = resolveRulePath(rule, run.values, run.workspace);
      if (file === null) return { passed: false, message: "rule has no path" };
      if (mtimeOf(file) === null) return { passed: false, message: `file not found: ${file}` };
      return isSpecialFile(file)
        ? { passed: false, message: `not a regular file: ${file}` }
        : { passed: true };
    }
    case "file_modified": {
      const file = resolveRulePath(rule, run.values, run.workspace);
      if (file === null) return { passed: false, message: "rule has no path" };
      const now = mtimeOf(file);
      if (now === null) return { passed: false, message: `file not found: ${file}` };
      const before = run.snapshot.has(file) ? run.snapshot.get(file)! : null;
      return before === null || now > before
        ? { passed: true }
        : { passed: false, message: `file not modified since the attempt started: ${file}` };
    }
    case "content_contains":
    case "content_regex": {
      const file = resolveRulePath(rule, run.values, run.workspace);
      if (file === null) return { passed: false, message: "rule has no path" };
      const pattern = stringField(rule, "pattern");
      if (pattern === null) return { passed: false, message: "rule has no pattern" };
      const read = await readRegularFile(file, MAX_VALIDATED_FILE_BYTES);
      if (!read.ok)
        return {
          passed: false,
          message: read.reason === "missing" ? `file not found: ${file}` : `${file} ${read.detail}`,
        };
      const content = read.text;
      if (kind === "content_contains") {
        return content.includes(pattern)
          ? { passed: true }
          : { passed: false, message: `${file} does not contain ${JSON.stringify(pattern)}` };
      }
      const found = await regexFinds(pattern, content, run);
      if (typeof found !== "boolean") return found;
      return found
        ? { passed: true }
        : { passed: false, message: `${file} does not match /${pattern}/` };
    }
    case "command_succeeds": {
      const command = stringField(rule, "command");
      if (command === null) return { passed: false, message: "rule has no command" };
      const workingDirectory = stringField(rule, "working_directory");
      const cwd =
        workingDirectory === null
          ? run.workspace
          : path.resolve(run.workspace, expandPathPlaceholders(workingDirectory, run.values));
      const timeout = numberField(rule, "timeout_seconds", DEFAULT_COMMAND_TIMEOUT_SECONDS);
      const outcome = await runCheckCommand(
        expandCommandPlaceholders(command, run.values),
        cwd,
        timeout,
        run.signal,
        run.env,
      );
      if (outcome.passed) return { passed: true };
      const output = outcome.output.trim();
      return {
        passed: false,
        message: `command ${outcome.reason}${output ? `: ${output.slice(-500)}` : ""}`,
      };
    }
    default: {
      const unknownKind: never = kind;
      return { passed: false, message: `unknown validation type ${JSON.stringify(unknownKind)}` };
    }
  }
}

async function checkWithRetries(rule: ValidationRule, run: ValidationRun): Promise<CheckOutcome> {
  // A command has its own timeout and may have side effects: it runs once, as upstream does.
  const retries =
    rule.type === "command_succeeds" ? 0 : Math.max(0, numberField(rule, "retry_count", 3));
  const delayMs = Math.max(0, numberField(rule, "retry_delay_ms", 200));
  let outcome: CheckOutcome = { passed: false, message: "not checked" };
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await sleep(delayMs);
    if (run.signal.aborted) return { passed: false, message: "cancelled" };
    try {
      outcome = await checkOnce(rule, run);
    } catch (error) {
      // An unknown placeholder cannot fix itself; do not retry.
      return { passed: false, message: (error as Error).message };
    }
    if (outcome.passed) return outcome;
  }
  return outcome;
}

/** Runs the applicable rules in order; rules whose condition excludes this sheet are left out. */
export async function runValidations(run: ValidationRun): Promise<ValidationSummary> {
  const details: ValidationDetail[] = [];
  for (const [index, rule] of run.rules.entries()) {
    if (!isApplicable(rule, run.values)) continue;
    const outcome = await checkWithRetries(rule, run);
    details.push({
      index,
      type: String(rule.type),
      description: stringField(rule, "description"),
      passed: outcome.passed,
      message: outcome.passed ? null : outcome.message,
    });
  }
  const passed = details.filter((detail) => detail.passed).length;
  return { details, passed, applicable: details.length };
}

/** A line for prompts and completion suffixes: the description, else what the rule checks. */
export function describeRule(rule: ValidationRule): string {
  const description = stringField(rule, "description");
  if (description) return description;
  const target = stringField(rule, "path") ?? stringField(rule, "command") ?? "";
  switch (rule.type) {
    case "file_exists":
      return `file exists: ${target}`;
    case "file_modified":
      return `file is modified: ${target}`;
    case "content_contains":
      return `${target} contains ${JSON.stringify(stringField(rule, "pattern") ?? "")}`;
    case "content_regex":
      return `${target} matches /${stringField(rule, "pattern") ?? ""}/`;
    case "command_succeeds":
      return `command succeeds: ${target}`;
    default:
      return `${String(rule.type)}: ${target}`;
  }
}
