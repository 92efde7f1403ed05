/**
 * Why a CLI run failed, read from its output with the profile's error patterns. Patterns are
 * consulted only for failed runs: a successful agent may well talk about "rate limits" in its
 * answer. Order: rate limit, auth, capacity, timeout, crash, then the exit itself.
 */
import type { ErrorClass } from "../contracts/attempt.ts";
import { compilePatterns, firstMatch, type CompiledPatterns } from "./patterns.ts";
import type { CliProfile } from "./profile-schema.ts";
import { parseRateLimitWait } from "./rate-limit-wait.ts";
import { eventMatches } from "./output-parse.ts";

type ErrorsConfig = CliProfile["errors"];

export interface CompiledErrorPatterns {
  rateLimit: CompiledPatterns;
  auth: CompiledPatterns;
  capacity: CompiledPatterns;
  timeout: CompiledPatterns;
  crash: CompiledPatterns;
}

export function compileErrorPatterns(errors: ErrorsConfig): CompiledErrorPatterns {
  return {
    rateLimit: compilePatterns(errors.rate_limit_patterns),
    auth: compilePatterns(errors.auth_error_patterns),
    capacity: compilePatterns(errors.capacity_patterns),
    timeout: compilePatterns(errors.timeout_patterns),
    crash: compilePatterns(errors.crash_patterns),
  };
}

export interface FailedRunFacts {
  exitCode: number | null;
  exitSignal: string | null;
  stderr: string;
  stdout: string;
  /** The text at the profile's error_path, when the output parsed. */
  structuredError: string | null;
  /** Whether stdout parsed as the structured format the profile declares. */
  structured: boolean;
  events: unknown[];
  nowMs: number;
}

export interface Classification {
  errorClass: ErrorClass;
  errorMessage: string;
  rateLimited: boolean;
  rateLimitWaitSeconds: number | null;
  plainFailure: boolean;
}

const MAX_MESSAGE_LINE = 300;

function clip(line: string): string {
  return line.length > MAX_MESSAGE_LINE ? `${line.slice(0, MAX_MESSAGE_LINE)}…` : line;
}

function lastLine(text: string): string {
  const lines = text.trim().split("\n");
  return clip(lines[lines.length - 1] ?? "");
}

/** The whole line of `text` that holds the match. */
function matchedLine(text: string, match: RegExpExecArray): string {
  const start = text.lastIndexOf("\n", match.index) + 1;
  const end = text.indexOf("\n", match.index + Math.max(match[0].length, 1) - 1);
  return clip(text.slice(start, end === -1 ? undefined : end).trim());
}

export function classifyFailedRun(
  errors: ErrorsConfig,
  patterns: CompiledErrorPatterns,
  facts: FailedRunFacts,
): Classification {
  const scanStdout = errors.scan_stdout ?? !facts.structured;
  const haystack = [facts.stderr, facts.structuredError ?? "", scanStdout ? facts.stdout : ""]
    .filter((part) => part !== "")
    .join("\n");
  const exitText =
    facts.exitSignal !== null
      ? `killed by ${facts.exitSignal}`
      : `exited with code ${facts.exitCode}`;
  const detail = (match: RegExpExecArray | null) => {
    const where = match ? matchedLine(haystack, match) : "";
    return where !== "" ? `${exitText}: ${where}` : exitText;
  };

  const rateLimitEvent =
    errors.rate_limit_event_type !== null &&
    facts.events.some((event) =>
      eventMatches(event, errors.rate_limit_event_type, errors.rate_limit_event_filter),
    );
  const rateLimitMatch = firstMatch(patterns.rateLimit, haystack);
  if (rateLimitEvent || rateLimitMatch) {
    // Null when the output names no reset time: the engine then applies its default wait.
    const wait = parseRateLimitWait(haystack, facts.nowMs);
    return {
      errorClass: "RATE_LIMIT",
      errorMessage: `rate limited (${detail(rateLimitMatch)}); ${wait === null ? "the output names no reset time" : `the provider asks for ${wait} s`}`,
      rateLimited: true,
      rateLimitWaitSeconds: wait,
      plainFailure: false,
    };
  }
  const ordered: [ErrorClass, CompiledPatterns, string][] = [
    ["AUTH_FAILURE", patterns.auth, "authentication failed"],
    ["CAPACITY", patterns.capacity, "instrument over capacity"],
    ["TIMEOUT", patterns.timeout, "instrument reported a timeout"],
    ["CRASH", patterns.crash, "instrument crashed"],
  ];
  for (const [errorClass, compiled, label] of ordered) {
    const match = firstMatch(compiled, haystack);
    if (match) {
      return {
        errorClass,
        errorMessage: `${label} (${detail(match)})`,
        rateLimited: false,
        rateLimitWaitSeconds: null,
        plainFailure: false,
      };
    }
  }
  if (facts.exitSignal !== null) {
    return {
      errorClass: "CRASH",
      errorMessage: exitText,
      rateLimited: false,
      rateLimitWaitSeconds: null,
      plainFailure: false,
    };
  }
  const tail = lastLine(facts.structuredError ?? facts.stderr);
  return {
    errorClass: "EXECUTION_ERROR",
    errorMessage: tail !== "" ? `${exitText}: ${tail}` : exitText,
    rateLimited: false,
    rateLimitWaitSeconds: null,
    plainFailure: true,
  };
}
