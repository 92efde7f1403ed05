/**
 * The contract between the baton and a musician: what one attempt is asked to do, and the one
 * result it always reports (DESIGN.md §5, §6). Both sides import these types; neither imports
 * the other's implementation.
 */
import type { SheetPlan } from "./plan.ts";
import type { InjectionItem } from "./job-spec.ts";

export type AttemptMode = "normal" | "completion" | "healing";

/**
 * Why an attempt failed. Rate limits and auth failures drive the baton's ladder; the rest are
 * recorded for people to read and count as ordinary failures.
 */
export type ErrorClass =
  | "RATE_LIMIT"
  | "AUTH_FAILURE"
  | "CAPACITY"
  | "TIMEOUT"
  | "CRASH"
  | "STALE"
  | "EXECUTION_ERROR"
  | "VALIDATION_FAILED"
  | "UNKNOWN_INSTRUMENT"
  | "CANCELLED"
  | "DISPATCH_FAILED"
  | "WORKSPACE_ERROR";

/** Stable error codes shown to people (Marianne-compatible where Marianne has one). */
export const ErrorCodes = {
  AUTH_FAILURE: "E502",
  UNKNOWN_INSTRUMENT: "E505",
  BLOCKED_BY_DEPENDENCY: "E999",
  COST_LIMIT: "E801",
  EXHAUSTED: "E601",
  STALE: "E603",
  JOB_TIMEOUT: "E604",
  FERMATA_FAILED: "E701",
} as const;

export interface ValidationDetail {
  /** Index of the rule in the score's `validations` list. */
  index: number;
  type: string;
  description: string | null;
  passed: boolean;
  /** Why it failed (or was not applicable), for the completion prompt and for people. */
  message: string | null;
}

/** Inputs the musician needs to render a prompt; the template text is already resolved. */
export interface PromptInputs {
  template: string | null;
  variables: Record<string, unknown>;
  /** Stdout of earlier sheets by sheet number, already limited by cross_sheet settings. */
  previousOutputs: Record<number, string>;
  /** Captured files of earlier sheets: path -> content, already limited. */
  previousFiles: Record<string, string>;
  /** Failed validation descriptions from the previous attempt, for the completion suffix. */
  failedValidations: string[];
  /** Set on retries: a short note telling the agent this is attempt N and why. */
  retryNotice: string | null;
  /** Prelude then this sheet's cadenza items, resolved and read by the prompt renderer. */
  injections?: InjectionItem[];
  /** Whether other sheets of the job may play at the same time as this one. */
  concurrentSheets?: boolean;
}

export interface AttemptRequest {
  jobId: string;
  sheetNum: number;
  /** 1-based count of attempts of this sheet so far, including this one. */
  attemptNumber: number;
  /** Unique per dispatch; a result carrying another token is dropped by the baton. */
  dispatchToken: string;
  mode: AttemptMode;
  instrument: string;
  model: string | null;
  timeoutSeconds: number;
  /**
   * Score `stale_detection` when enabled: the instrument is killed and the attempt fails as
   * STALE after this many seconds without output. Null or absent: no idle limit.
   */
  idleTimeoutSeconds?: number | null;
  /** Absolute path; created if missing. */
  workspace: string;
  sheet: SheetPlan;
  totalSheets: number;
  totalMovements: number;
  prompt: PromptInputs;
  /** The score's `validations` entries as validated (snake_case keys, as in the YAML). */
  validations: ReadonlyArray<Record<string, unknown>>;
}

/** What every result names: the dispatch it answers. */
interface AttemptIdentity {
  jobId: string;
  sheetNum: number;
  instrument: string;
  attemptNumber: number;
  dispatchToken: string;
  mode: AttemptMode;
  startedAt: number;
  finishedAt: number;
}

/**
 * The one result a musician reports for a dispatch: the attempt was played (successfully or
 * not), or the sheet's `skip_when_command` said it need not be, so nothing was played.
 */
export type AttemptResult = PlayedAttempt | SkippedAttempt;

export interface SkippedAttempt extends AttemptIdentity {
  outcome: "skipped";
  /** Why the sheet is skipped (shown on the sheet and in `sheet.skipped`). */
  reason: string;
}

export interface PlayedAttempt {
  outcome: "played";
  jobId: string;
  sheetNum: number;
  instrument: string;
  attemptNumber: number;
  dispatchToken: string;
  mode: AttemptMode;
  executionSuccess: boolean;
  exitCode: number | null;
  durationMs: number;
  validationsPassed: number;
  validationsTotal: number;
  /** 0–100; success with no applicable validations counts as 100. */
  passRate: number;
  validationDetails: ValidationDetail[];
  errorClass: ErrorClass | null;
  errorMessage: string | null;
  rateLimited: boolean;
  rateLimitWaitSeconds: number | null;
  costUsd: number;
  /** True when tokens were used but the model's price is unknown (cost then 0). */
  costUncertain: boolean;
  inputTokens: number | null;
  outputTokens: number | null;
  modelUsed: string | null;
  /** Tails are redacted of secrets before they leave the musician. */
  stdoutTail: string;
  stderrTail: string;
  /** The full rendered prompt (redacted), stored with the sheet for people to read. */
  renderedPrompt: string | null;
  startedAt: number;
  finishedAt: number;
}

export interface PlayHooks {
  signal: AbortSignal;
  /** Called once the instrument's process group exists, so a crash can clean it up later. */
  onSpawn?: (processGroup: number, processStartedAt: string | null) => void;
  /** Live progress of the instrument, already coalesced and bounded (a few a second at most). */
  onOutput?: (output: LiveOutputBatch) => void;
}

export interface LiveOutputBatch {
  text: string;
  inputTokens: number | null;
  outputTokens: number | null;
  truncated: boolean;
}

/**
 * The pass rate an attempt counts with: a successful execution with no applicable validation
 * counts as 100 %, whatever the musician reported.
 */
export function effectivePassRate(
  result: Pick<PlayedAttempt, "executionSuccess" | "validationsTotal" | "passRate">,
): number {
  return result.executionSuccess && result.validationsTotal === 0 ? 100 : result.passRate;
}

/** The share of applicable validations that passed, 0–100 (0 when none applied). */
export function validationShare(passed: number, applicable: number): number {
  return applicable === 0 ? 0 : (passed / applicable) * 100;
}

/**
 * The result of an attempt that failed without a usable run (it could not start, was stopped,
 * went stale, or crashed): the one place such results are built.
 */
export function failedAttempt(
  identity: Omit<AttemptIdentity, "startedAt" | "finishedAt">,
  failure: {
    errorClass: ErrorClass;
    message: string;
    startedAt: number;
    finishedAt: number;
    stdoutTail?: string;
    stderrTail?: string;
    durationMs?: number;
  },
): PlayedAttempt {
  return {
    outcome: "played",
    jobId: identity.jobId,
    sheetNum: identity.sheetNum,
    instrument: identity.instrument,
    attemptNumber: identity.attemptNumber,
    dispatchToken: identity.dispatchToken,
    mode: identity.mode,
    executionSuccess: false,
    exitCode: null,
    durationMs: failure.durationMs ?? Math.max(0, failure.finishedAt - failure.startedAt),
    validationsPassed: 0,
    validationsTotal: 0,
    passRate: 0,
    validationDetails: [],
    errorClass: failure.errorClass,
    errorMessage: failure.message,
    rateLimited: false,
    rateLimitWaitSeconds: null,
    costUsd: 0,
    costUncertain: false,
    inputTokens: null,
    outputTokens: null,
    modelUsed: null,
    stdoutTail: failure.stdoutTail ?? "",
    stderrTail: failure.stderrTail ?? "",
    renderedPrompt: null,
    startedAt: failure.startedAt,
    finishedAt: failure.finishedAt,
  };
}

/** Plays exactly one attempt and always resolves with exactly one result; it never rejects. */
export interface MusicianPort {
  play(request: AttemptRequest, hooks: PlayHooks): Promise<AttemptResult>;
}

/** A musician that always plays (skip_when_command is decided around it). */
export interface PlayingMusician extends MusicianPort {
  play(request: AttemptRequest, hooks: PlayHooks): Promise<PlayedAttempt>;
}
