/**
 * The persisted shape of a job's execution state: what the checkpoint store writes and what
 * recovery reads back. The baton's in-memory state is built from and reduced to these records.
 */
import type { AttemptMode, ErrorClass, ValidationDetail } from "./attempt.ts";
import type { JobStatus, PauseReason, SheetStatus } from "./status.ts";

export interface SheetRecord {
  jobId: string;
  num: number;
  status: SheetStatus;
  movement: number;
  voice: number | null;
  voiceCount: number;
  description: string | null;
  instrument: string;
  /** Primary instrument then fallbacks; `instrumentIndex` points at the one in use. */
  instrumentChain: string[];
  instrumentIndex: number;
  model: string | null;
  dependsOn: number[];
  normalAttempts: number;
  completionAttempts: number;
  healingAttempts: number;
  validationPassRate: number | null;
  costUsd: number;
  durationMs: number;
  errorCode: string | null;
  errorMessage: string | null;
  stdoutTail: string | null;
  stderrTail: string | null;
  prompt: string | null;
  dispatchToken: string | null;
  processGroup: number | null;
  processStartedAt: string | null;
  startedAt: number | null;
  completedAt: number | null;
  /**
   * When the sheet's pending timer comes due: the retry of a `retry_scheduled` sheet, the end of
   * the rate limit a `waiting` sheet waits out, the escalation deadline of a `fermata`. Null
   * otherwise. A restart re-arms the timer from it.
   */
  dueAt: number | null;
}

export interface JobRecord {
  id: string;
  status: JobStatus;
  /** The oldest reason in force (the one-value view of `pauseReasons`), or null. */
  pauseReason: PauseReason | null;
  /** Every reason holding the job, in the order they arose; empty when not paused. */
  pauseReasons: PauseReason[];
  totalSheets: number;
  completedSheets: number;
  costUsd: number;
  errorMessage: string | null;
  startedAt: number | null;
  completedAt: number | null;
}

export interface AttemptRecord {
  jobId: string;
  sheetNum: number;
  attemptNumber: number;
  mode: AttemptMode;
  instrument: string;
  model: string | null;
  dispatchToken: string;
  executionSuccess: boolean;
  exitCode: number | null;
  durationMs: number;
  validationsPassed: number;
  validationsTotal: number;
  passRate: number;
  validationDetails: ValidationDetail[];
  errorClass: ErrorClass | null;
  errorMessage: string | null;
  rateLimited: boolean;
  costUsd: number;
  inputTokens: number | null;
  outputTokens: number | null;
  stdoutTail: string | null;
  stderrTail: string | null;
  startedAt: number;
  finishedAt: number;
}
