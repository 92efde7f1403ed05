/** The port every instrument backend implements, and the outcome of one run. */
import type { ErrorClass, LiveOutputBatch } from "../contracts/attempt.ts";
import type { InstrumentProfile } from "./profile-schema.ts";

export interface BackendRunRequest {
  prompt: string;
  /** Null: the profile's default model (or the CLI's own default). */
  model: string | null;
  /** Absolute path; it exists. The process's cwd. */
  workspace: string;
  timeoutSeconds: number;
  /**
   * Score `stale_detection`: the process is killed and the run reported STALE after this many
   * seconds without any output on stdout or stderr. Null or absent: no idle limit.
   */
  idleTimeoutSeconds?: number | null;
  signal: AbortSignal;
  onSpawn?: (processGroup: number, processStartedAt: string | null) => void;
  /** Live progress parsed from the output as it arrives (profile `output.progress`). */
  onOutput?: (output: LiveOutputBatch) => void;
}

export interface BackendRunResult {
  executionSuccess: boolean;
  exitCode: number | null;
  /** Signal that ended the process, when one did. */
  exitSignal: string | null;
  /**
   * True when the instrument ran to its own end and failed with a plain exit code (no timeout,
   * signal, rate limit or auth problem): its work may still be there, so validations run.
   */
  plainFailure: boolean;
  errorClass: ErrorClass | null;
  errorMessage: string | null;
  rateLimited: boolean;
  rateLimitWaitSeconds: number | null;
  /** The answer: the result text of structured output, or stdout. */
  resultText: string;
  stdoutTail: string;
  stderrTail: string;
  inputTokens: number | null;
  outputTokens: number | null;
  /** What the instrument itself says the run cost, when it says. */
  reportedCostUsd: number | null;
  modelUsed: string | null;
}

export interface InstrumentBackend {
  readonly profile: InstrumentProfile;
  run(request: BackendRunRequest): Promise<BackendRunResult>;
  /** Ends every run still in flight (their process groups are killed). */
  close(): Promise<void>;
}

export function failedRun(
  errorClass: ErrorClass,
  errorMessage: string,
  extra: Partial<BackendRunResult> = {},
): BackendRunResult {
  return {
    executionSuccess: false,
    exitCode: null,
    exitSignal: null,
    plainFailure: false,
    errorClass,
    errorMessage,
    rateLimited: errorClass === "RATE_LIMIT",
    rateLimitWaitSeconds: null,
    resultText: "",
    stdoutTail: "",
    stderrTail: "",
    inputTokens: null,
    outputTokens: null,
    reportedCostUsd: null,
    modelUsed: null,
    ...extra,
  };
}
