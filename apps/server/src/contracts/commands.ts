/**
 * What the outside (GraphQL, scripts) may ask of the conductor. Expected failures are typed
 * values, never exceptions (DESIGN.md §9: "expected ones are typed results").
 */
import type { ScoreProblem } from "./plan.ts";

export type FermataDecision = "retry" | "skip" | "accept" | "fail";

export interface SubmitJobOptions {
  score: string;
  workspace?: string | null;
  idempotencyKey?: string | null;
  selfHealing?: boolean | null;
  escalation?: boolean | null;
  startSheet?: number | null;
  dryRun?: boolean | null;
}

export type SubmitJobOutcome =
  | { ok: true; jobId: string; warnings: string[]; created: boolean }
  | { ok: false; message: string; problems: ScoreProblem[] };

export type CommandErrorCode = "NOT_FOUND" | "INVALID_STATE" | "INVALID_INPUT" | "SCORE_INVALID";

export interface CommandError {
  code: CommandErrorCode;
  message: string;
  /** SCORE_INVALID: every problem of the score, as submitJob reports them. */
  problems?: ScoreProblem[];
}

export type CommandOutcome = { ok: true } | { ok: false; error: CommandError };

export interface ScoreValidationResult {
  valid: boolean;
  problems: ScoreProblem[];
  warnings: string[];
  sheetCount: number | null;
}

export interface ConductorCommands {
  submitJob(options: SubmitJobOptions): Promise<SubmitJobOutcome>;
  validateScore(score: string): ScoreValidationResult;
  pauseJob(jobId: string): Promise<CommandOutcome>;
  /** With `score`, a paused or failed job continues under a corrected score (see rescore.ts). */
  resumeJob(
    jobId: string,
    options?: { retryFailed?: boolean; score?: string | null },
  ): Promise<CommandOutcome>;
  cancelJob(jobId: string): Promise<CommandOutcome>;
  resolveFermata(
    jobId: string,
    sheetNum: number,
    decision: FermataDecision,
  ): Promise<CommandOutcome>;
  /** Clears one instrument's rate limit, or all when omitted; returns how many were cleared. */
  clearRateLimit(instrument?: string | null): Promise<number>;
}
