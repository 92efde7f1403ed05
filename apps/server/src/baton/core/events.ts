/**
 * Everything that can change the baton's state arrives as one of these events (DESIGN.md §5):
 * musician results, timer firings and commands. The core handles them one at a time, in order.
 */
import type { AttemptResult } from "../../contracts/attempt.ts";
import type { JobPolicy, JobSpec, NewJob, ScoreReplacement } from "./policy.ts";
import type { SheetPlan } from "../../contracts/plan.ts";
import type { JobRecord, SheetRecord } from "../../contracts/records.ts";
import type { PauseReason } from "../../contracts/status.ts";
import type { EventData } from "../../contracts/event-log.ts";

export type FermataDecision = "retry" | "skip" | "accept" | "fail";

/** A musician's report for one attempt. */
export interface SheetAttemptResult {
  kind: "SheetAttemptResult";
  result: AttemptResult;
}

/** A deliberate skip (skip_when_command, start_sheet): it satisfies dependents. */
export interface SheetSkipped {
  kind: "SheetSkipped";
  jobId: string;
  sheetNum: number;
  reason: string;
}

/** The musician of a dispatch has started its process. */
export interface SheetDispatched {
  kind: "SheetDispatched";
  jobId: string;
  sheetNum: number;
  dispatchToken: string;
  processGroup: number | null;
  processStartedAt: string | null;
}

/**
 * Progress a playing musician's instrument reported (text, tool calls, tokens so far), already
 * coalesced and bounded. Nothing changes; it is logged and published as `sheet.output`.
 */
export interface SheetOutput {
  kind: "SheetOutput";
  jobId: string;
  sheetNum: number;
  dispatchToken: string;
  text: string;
  inputTokens: number | null;
  outputTokens: number | null;
  truncated: boolean;
}

export interface RateLimitHit {
  kind: "RateLimitHit";
  instrument: string;
  waitSeconds: number;
  /** Who hit it, for the event log; optional for hits reported from outside a sheet. */
  jobId: string | null;
  sheetNum: number | null;
}

export interface RateLimitExpired {
  kind: "RateLimitExpired";
  instrument: string;
  /** The hit this expiry belongs to; an expiry of a superseded hit is ignored. */
  generation: number;
}

export interface RetryDue {
  kind: "RetryDue";
  jobId: string;
  sheetNum: number;
}

export interface StaleCheck {
  kind: "StaleCheck";
  jobId: string;
  sheetNum: number;
  dispatchToken: string;
  /** Filled in by the runtime when the check fires: is the musician task still running? */
  musicianAlive: boolean;
}

export interface PacingComplete {
  kind: "PacingComplete";
  jobId: string;
  generation: number;
}

export interface EscalationNeeded {
  kind: "EscalationNeeded";
  jobId: string;
  sheetNum: number;
  reason: string;
}

export interface EscalationResolved {
  kind: "EscalationResolved";
  jobId: string;
  sheetNum: number;
  decision: FermataDecision;
}

export interface EscalationTimeout {
  kind: "EscalationTimeout";
  jobId: string;
  sheetNum: number;
  /** Which fermata this timeout belongs to (the sheet's fermata count at the time). */
  generation: number;
}

export interface PauseJob {
  kind: "PauseJob";
  jobId: string;
  reason: PauseReason;
}

export interface ResumeJob {
  kind: "ResumeJob";
  jobId: string;
  /** Failed sheets and the sheets they blocked go back to pending with fresh budgets. */
  retryFailed: boolean;
}

export interface CancelJob {
  kind: "CancelJob";
  jobId: string;
}

export interface ShutdownRequested {
  kind: "ShutdownRequested";
}

export interface ProcessExited {
  kind: "ProcessExited";
  jobId: string;
  sheetNum: number;
  dispatchToken: string;
  exitCode: number | null;
}

/** Move a sheet that is not playing to its next instrument (e.g. its instrument is unknown). */
export interface InstrumentFallback {
  kind: "InstrumentFallback";
  jobId: string;
  sheetNum: number;
  reason: string;
}

/** Nothing changes; the runtime runs a dispatch pass (e.g. after a limit was raised). */
export interface DispatchRetry {
  kind: "DispatchRetry";
}

export interface CircuitBreakerRecovery {
  kind: "CircuitBreakerRecovery";
  instrument: string;
  generation: number;
}

export interface JobTimeout {
  kind: "JobTimeout";
  jobId: string;
}

export interface ClearRateLimit {
  kind: "ClearRateLimit";
  /** null clears every instrument. */
  instrument: string | null;
}

export interface RegisterJob {
  kind: "RegisterJob";
  spec: JobSpec;
}

/** Rebuild a job from its checkpoint after a restart (DESIGN.md §7). */
export interface RecoverJob {
  kind: "RecoverJob";
  spec: JobSpec;
  job: JobRecord;
  sheets: SheetRecord[];
}

export interface DeregisterJob {
  kind: "DeregisterJob";
  jobId: string;
}

/**
 * A new job: its row, sheets and `job.submitted` are committed together. A dry run stores its
 * sheets cancelled and is never registered; any other job is registered at once, with the
 * sheets before `startSheet` skipped deliberately.
 */
export interface SubmitJob {
  kind: "SubmitJob";
  job: NewJob;
  /** The planned sheets (the spec's, or the dry run's plan). */
  sheets: SheetPlan[];
  /** Why nothing runs, for a dry run; null otherwise. */
  dryRunReason: string | null;
  startSheet: number;
}

/** A stored job that cannot be handed back is failed visibly, without being registered. */
export interface FailUnrecoverable {
  kind: "FailUnrecoverable";
  job: JobRecord;
  sheets: SheetRecord[];
  message: string;
}

export const HOOK_EVENT_NAMES = [
  "hook.started",
  "hook.completed",
  "hook.failed",
  "concert.chained",
  "concert.refused",
] as const;
export type HookEventName = (typeof HOOK_EVENT_NAMES)[number];

/** What an on_success hook or a chained concert did, for the job's log. */
export type HookReported = {
  [E in HookEventName]: { kind: "HookReported"; jobId: string; event: E; data: EventData<E> };
}[HookEventName];

/** A job's on_success hooks are over (run, refused or abandoned): a restart does not rerun them. */
export interface HooksFinished {
  kind: "HooksFinished";
  jobId: string;
}

/**
 * A paused or failed job takes a corrected score: the job leaves the baton, its score, plan and
 * replanned sheets are stored with `job.rescored`; the conductor then hands it back.
 */
export interface ReplaceScore {
  kind: "ReplaceScore";
  score: ScoreReplacement;
  sheets: SheetRecord[];
}

export type BatonEvent =
  | SheetAttemptResult
  | SheetSkipped
  | SheetDispatched
  | SheetOutput
  | RateLimitHit
  | RateLimitExpired
  | RetryDue
  | StaleCheck
  | PacingComplete
  | EscalationNeeded
  | EscalationResolved
  | EscalationTimeout
  | PauseJob
  | ResumeJob
  | CancelJob
  | ShutdownRequested
  | ProcessExited
  | InstrumentFallback
  | DispatchRetry
  | CircuitBreakerRecovery
  | JobTimeout
  | ClearRateLimit
  | RegisterJob
  | RecoverJob
  | DeregisterJob
  | SubmitJob
  | FailUnrecoverable
  | HookReported
  | HooksFinished
  | ReplaceScore;

export type BatonEventKind = BatonEvent["kind"];

export const BATON_EVENT_KINDS: readonly BatonEventKind[] = [
  "SheetAttemptResult",
  "SheetSkipped",
  "SheetDispatched",
  "SheetOutput",
  "RateLimitHit",
  "RateLimitExpired",
  "RetryDue",
  "StaleCheck",
  "PacingComplete",
  "EscalationNeeded",
  "EscalationResolved",
  "EscalationTimeout",
  "PauseJob",
  "ResumeJob",
  "CancelJob",
  "ShutdownRequested",
  "ProcessExited",
  "InstrumentFallback",
  "DispatchRetry",
  "CircuitBreakerRecovery",
  "JobTimeout",
  "ClearRateLimit",
  "RegisterJob",
  "RecoverJob",
  "DeregisterJob",
  "SubmitJob",
  "FailUnrecoverable",
  "HookReported",
  "HooksFinished",
  "ReplaceScore",
];

export type { JobPolicy };
