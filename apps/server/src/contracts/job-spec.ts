/**
 * What the baton is told about a job: the per-job knobs of the score (SCORE-SCHEMA.md §5–§10) in
 * camelCase, the registration spec the conductor builds from a parsed score, and the rows a
 * submission or a corrected score adds to the store.
 */
import type { SheetPlan } from "./plan.ts";
import type { JobStatus } from "./status.ts";

export interface RetryPolicy {
  /** Normal attempts allowed per instrument before the exhaustion ladder. */
  maxRetries: number;
  baseDelaySeconds: number;
  maxDelaySeconds: number;
  exponentialBase: number;
  jitter: boolean;
  maxCompletionAttempts: number;
  completionDelaySeconds: number;
  completionThresholdPercent: number;
}

export interface RateLimitPolicy {
  /** Used by the musician's detection; the baton waits what the result says, else 60 s. */
  detectionPatterns: string[] | null;
  waitMinutes: number;
  /** Consecutive rate-limit waits of one sheet before a hit counts as an ordinary failure. */
  maxWaits: number;
  maxQuotaWaits: number;
}

export interface CircuitBreakerPolicy {
  enabled: boolean;
  failureThreshold: number;
  /** Ceiling of the recovery timer, which starts at 30 s and doubles on every reopening. */
  recoveryTimeoutSeconds: number;
}

export interface CostLimitPolicy {
  enabled: boolean;
  maxCostPerSheet: number | null;
  maxCostPerJob: number | null;
  costPer1kInputTokens: number;
  costPer1kOutputTokens: number;
  warnAtPercent: number;
}

export interface StaleDetectionPolicy {
  enabled: boolean;
  idleTimeoutSeconds: number;
  checkIntervalSeconds: number;
}

export interface ParallelPolicy {
  /** When false the job plays one sheet at a time, as Marianne does. */
  enabled: boolean;
  maxConcurrent: number;
  failFast: boolean;
  staggerDelayMs: number;
}

export interface JobPolicy {
  retry: RetryPolicy;
  rateLimit: RateLimitPolicy;
  circuitBreaker: CircuitBreakerPolicy;
  costLimits: CostLimitPolicy;
  staleDetection: StaleDetectionPolicy;
  parallel: ParallelPolicy;
  pauseBetweenSheetsSeconds: number;
  selfHealing: boolean;
  escalation: boolean;
  /** How long a fermata waits for a person before it is failed; null waits forever. */
  escalationTimeoutSeconds: number | null;
  /** Wall-clock limit of the whole job from registration; null for none. */
  jobTimeoutSeconds: number | null;
}

export interface CrossSheetSpec {
  autoCaptureStdout: boolean;
  maxOutputChars: number;
  captureFiles: string[];
  /** 0 = every earlier sheet. */
  lookbackSheets: number;
}

/** A file or directory whose text is injected into a sheet's prompt (SCORE-SCHEMA.md §2a). */
export interface InjectionItem {
  /** A Jinja template; relative results are taken relative to the workspace. */
  file: string | null;
  directory: string | null;
  as: "context" | "skill" | "tool";
}

export interface JobSpec {
  jobId: string;
  /** Absolute path of the job's workspace. */
  workspace: string;
  sheets: SheetPlan[];
  totalMovements: number;
  policy: JobPolicy;
  prompt: {
    template: string | null;
    variables: Record<string, unknown>;
    /** `sheet.prelude` (every sheet) and `sheet.cadenzas` (by sheet number); absent in older specs. */
    injections?: { prelude: InjectionItem[]; cadenzas: Record<number, InjectionItem[]> };
  };
  /** The score's `validations` entries, snake_case as in the YAML. */
  validations: Record<string, unknown>[];
  crossSheet: CrossSheetSpec | null;
}

/**
 * The row a submission adds to the job table, inserted by the same commit that writes the job's
 * sheets and first events.
 */
export interface NewJob {
  id: string;
  name: string;
  status: JobStatus;
  scoreText: string;
  configHash: string;
  /** What the baton is given; recovery replays it. Null for dry runs. */
  spec: JobSpec | null;
  workspace: string;
  idempotencyKey: string | null;
  warnings: string[];
  options: Record<string, unknown>;
  totalSheets: number;
  concertDepth: number;
  parentJobId: string | null;
  /** True when the score has on_success hooks still to run once the job succeeds. */
  hooksPending: boolean;
  createdAt: number;
}

/** A paused or failed job's corrected score: its text and plan replace the stored ones. */
export interface ScoreReplacement {
  id: string;
  name: string;
  scoreText: string;
  configHash: string;
  spec: JobSpec;
}
