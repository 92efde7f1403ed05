/**
 * From a parsed score to what the baton is given (JobSpec, JobPolicy) and what the conductor
 * keeps for itself (hooks, concert settings). Every knob named in DESIGN.md §4 lands here.
 */
import path from "node:path";
import type { JobPolicy, JobSpec } from "../contracts/job-spec.ts";
import type { ScoreConfig } from "../score/config.ts";
import type { ScorePlan } from "../score/parse.ts";
import { resolvePromptTemplate } from "../score/template.ts";

/** What a job was submitted with, beyond the score; stored in the Job row's `options`. */
export interface JobOptions {
  selfHealing: boolean;
  escalation: boolean;
  /** Sheets before it are skipped deliberately. */
  startSheet: number;
  /** Wall-clock limit of the job from its submission; null for none. */
  jobTimeoutSeconds: number | null;
  /** Set on a job started by another job's run_job hook. */
  concert: { parentJobId: string; depth: number } | null;
}

export interface SpecContext {
  jobId: string;
  workspace: string;
  options: JobOptions;
  /** Where a relative `prompt.template_file` is looked up: the server's working directory. */
  cwd: string;
  /** Directories `prompt.template_file` may be read from; unrestricted when absent. */
  allowedRoots?: readonly string[];
}

export function buildPolicy(config: ScoreConfig, options: JobOptions): JobPolicy {
  const { retry, rate_limit, circuit_breaker, cost_limits, stale_detection, parallel } = config;
  return {
    retry: {
      maxRetries: retry.max_retries,
      baseDelaySeconds: retry.base_delay_seconds,
      maxDelaySeconds: retry.max_delay_seconds,
      exponentialBase: retry.exponential_base,
      jitter: retry.jitter,
      maxCompletionAttempts: retry.max_completion_attempts,
      completionDelaySeconds: retry.completion_delay_seconds,
      completionThresholdPercent: retry.completion_threshold_percent,
    },
    rateLimit: {
      detectionPatterns: rate_limit.detection_patterns ?? null,
      waitMinutes: rate_limit.wait_minutes,
      maxWaits: rate_limit.max_waits,
      maxQuotaWaits: rate_limit.max_quota_waits,
    },
    circuitBreaker: {
      enabled: circuit_breaker.enabled,
      failureThreshold: circuit_breaker.failure_threshold,
      recoveryTimeoutSeconds: circuit_breaker.recovery_timeout_seconds,
    },
    costLimits: {
      enabled: cost_limits.enabled,
      maxCostPerSheet: cost_limits.max_cost_per_sheet,
      maxCostPerJob: cost_limits.max_cost_per_job,
      costPer1kInputTokens: cost_limits.cost_per_1k_input_tokens,
      costPer1kOutputTokens: cost_limits.cost_per_1k_output_tokens,
      warnAtPercent: cost_limits.warn_at_percent,
    },
    staleDetection: {
      enabled: stale_detection.enabled,
      idleTimeoutSeconds: stale_detection.idle_timeout_seconds,
      checkIntervalSeconds: stale_detection.check_interval_seconds,
    },
    parallel: {
      enabled: parallel.enabled,
      maxConcurrent: parallel.max_concurrent,
      failFast: parallel.fail_fast,
      staggerDelayMs: parallel.stagger_delay_ms,
    },
    pauseBetweenSheetsSeconds: config.pause_between_sheets_seconds,
    selfHealing: options.selfHealing,
    escalation: options.escalation,
    escalationTimeoutSeconds: options.escalation
      ? config.conductor.preferences.escalation_response_timeout_seconds
      : null,
    jobTimeoutSeconds: options.jobTimeoutSeconds,
  };
}

export function buildJobSpec(
  plan: Pick<ScorePlan, "config" | "sheets" | "totalMovements" | "template">,
  context: SpecContext,
): { ok: true; spec: JobSpec } | { ok: false; message: string } {
  const { config, sheets, totalMovements } = plan;
  // Read by the parse when it knew where from; else relative to the server's working directory,
  // as Marianne's conductor opens it.
  const template =
    plan.template !== undefined
      ? { template: plan.template }
      : resolvePromptTemplate(config, context.cwd, context.allowedRoots);
  if ("problem" in template)
    return { ok: false, message: `${template.problem.path}: ${template.problem.message}` };
  const crossSheet = config.cross_sheet;
  return {
    ok: true,
    spec: {
      jobId: context.jobId,
      workspace: context.workspace,
      sheets,
      totalMovements,
      policy: buildPolicy(config, context.options),
      prompt: {
        template: template.template,
        // stakes and thinking_method are set last: they always win (SCORE-SCHEMA.md §33 A).
        variables: {
          ...config.prompt.variables,
          stakes: config.prompt.stakes ?? "",
          thinking_method: config.prompt.thinking_method ?? "",
        },
        injections: {
          prelude: config.sheet.prelude.map((item) => ({ ...item })),
          cadenzas: Object.fromEntries(
            Object.entries(config.sheet.cadenzas).map(([num, items]) => [
              Number(num),
              items.map((item) => ({ ...item })),
            ]),
          ),
        },
      },
      validations: config.validations.map((rule) => ({ ...rule }) as Record<string, unknown>),
      crossSheet:
        crossSheet === null
          ? null
          : {
              autoCaptureStdout: crossSheet.auto_capture_stdout,
              maxOutputChars: crossSheet.max_output_chars,
              captureFiles: [...crossSheet.capture_files],
              lookbackSheets: crossSheet.lookback_sheets,
            },
    },
  };
}

/** `workspace` of the submit input, else the score's (relative to the data dir), else the default. */
export function resolveWorkspace(args: {
  inputWorkspace: string | null | undefined;
  scoreWorkspace: string | null;
  scoreSetsWorkspace: boolean;
  dataDir: string;
  jobId: string;
}): string {
  if (args.inputWorkspace) return path.resolve(args.dataDir, args.inputWorkspace);
  if (args.scoreSetsWorkspace && args.scoreWorkspace)
    return path.resolve(args.dataDir, args.scoreWorkspace);
  return path.join(args.dataDir, "workspaces", args.jobId);
}
