/** Execution knobs: SCORE-SCHEMA.md §4–§10 and §2b. */
import { z } from "zod";
import { pythonRegexProblem } from "../regex.ts";
import { bool, float, int, list, oneOf, str, withDefaults } from "./primitives.ts";

export const VALIDATION_TYPES = [
  "file_exists",
  "file_modified",
  "content_contains",
  "content_regex",
  "command_succeeds",
] as const;

export const validationRuleSchema = z
  .strictObject({
    type: oneOf(VALIDATION_TYPES),
    path: str().nullable().default(null),
    pattern: str().nullable().default(null),
    description: str().nullable().default(null),
    command: str().nullable().default(null),
    working_directory: str().nullable().default(null),
    stage: int({ gte: 1, lte: 10 }).default(1),
    condition: str().nullable().default(null),
    retry_count: int({ gte: 0, lte: 10 }).default(3),
    timeout_seconds: float({ gt: 0 }).nullable().default(null),
    retry_delay_ms: int({ gte: 0, lte: 5000 }).default(200),
    sheet: int({ gte: 1 }).nullable().default(null),
  })
  .transform((rule, ctx) => {
    // `mzt validate` (V008) is stricter than the model: blank required fields are errors too.
    const requireText = (key: "path" | "pattern" | "command") => {
      const value = rule[key];
      if (value === null || value.trim() === "") {
        ctx.issues.push({
          code: "custom",
          message: `${key} is required for type ${rule.type}`,
          path: [key],
          input: rule,
        });
      }
    };
    switch (rule.type) {
      case "file_exists":
      case "file_modified":
        requireText("path");
        break;
      case "content_contains":
        requireText("path");
        requireText("pattern");
        break;
      case "content_regex": {
        requireText("path");
        requireText("pattern");
        const problem = rule.pattern ? pythonRegexProblem(rule.pattern) : null;
        if (problem)
          ctx.issues.push({ code: "custom", message: problem, path: ["pattern"], input: rule });
        break;
      }
      case "command_succeeds":
        requireText("command");
        break;
      default: {
        const unreachable: never = rule.type;
        throw new Error(`unhandled validation type ${String(unreachable)}`);
      }
    }
    const condition = rule.condition ?? (rule.sheet !== null ? `sheet_num == ${rule.sheet}` : null);
    return { ...rule, condition };
  });

export const retrySchema = z
  .strictObject({
    max_retries: int({ gte: 0 }).default(3),
    base_delay_seconds: float({ gt: 0 }).default(10),
    max_delay_seconds: float({ gt: 0 }).default(3600),
    exponential_base: float({ gt: 1 }).default(2),
    jitter: bool().default(true),
    max_completion_attempts: int({ gte: 0 }).default(5),
    completion_delay_seconds: float({ gte: 0 }).default(5),
    completion_threshold_percent: float({ gt: 0, lte: 100 }).default(50),
  })
  .superRefine((retry, ctx) => {
    if (retry.base_delay_seconds > retry.max_delay_seconds) {
      ctx.addIssue({
        code: "custom",
        message: `base_delay_seconds (${retry.base_delay_seconds}) must be ≤ max_delay_seconds (${retry.max_delay_seconds})`,
        path: ["base_delay_seconds"],
      });
    }
  });

export const DEFAULT_RATE_LIMIT_PATTERNS = [
  "rate.?limit",
  "usage.?limit",
  "quota",
  "too many requests",
  "429",
  "capacity",
  "try again later",
];

const compilingPattern = str().superRefine((pattern, ctx) => {
  const problem = pythonRegexProblem(pattern);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

export const rateLimitSchema = z.strictObject({
  detection_patterns: list(compilingPattern).default(() => [...DEFAULT_RATE_LIMIT_PATTERNS]),
  wait_minutes: int({ gte: 1 }).default(60),
  max_waits: int({ gte: 1 }).default(24),
  max_quota_waits: int({ gte: 1 }).default(48),
});

export const circuitBreakerSchema = z
  .strictObject({
    enabled: bool().default(true),
    failure_threshold: int({ gte: 1, lte: 100 }).default(5),
    recovery_timeout_seconds: float({ gt: 0, lte: 3600 }).default(300),
    cross_workspace_coordination: bool().default(true),
    honor_other_jobs_rate_limits: bool().default(true),
  })
  .transform((breaker) => ({
    ...breaker,
    honor_other_jobs_rate_limits:
      breaker.cross_workspace_coordination && breaker.honor_other_jobs_rate_limits,
  }));

export const costLimitsSchema = z
  .strictObject({
    enabled: bool().optional(),
    max_cost_per_sheet: float({ gt: 0 }).nullable().default(null),
    max_cost_per_job: float({ gt: 0 }).nullable().default(null),
    cost_per_1k_input_tokens: float({ gt: 0 }).default(0.003),
    cost_per_1k_output_tokens: float({ gt: 0 }).default(0.015),
    warn_at_percent: float({ gt: 0, lte: 100 }).default(80),
  })
  .transform((limits, ctx) => {
    const hasLimit = limits.max_cost_per_sheet !== null || limits.max_cost_per_job !== null;
    const enabled = limits.enabled ?? hasLimit;
    if (enabled && !hasLimit) {
      ctx.issues.push({
        code: "custom",
        message:
          "cost limits are enabled but neither max_cost_per_sheet nor max_cost_per_job is set",
        path: ["enabled"],
        input: limits,
      });
    }
    return { ...limits, enabled };
  });

export const staleDetectionSchema = z
  .strictObject({
    enabled: bool().default(false),
    idle_timeout_seconds: float({ gt: 0 }).default(300),
    check_interval_seconds: float({ gt: 0 }).default(30),
  })
  .superRefine((stale, ctx) => {
    if (stale.check_interval_seconds >= stale.idle_timeout_seconds) {
      ctx.addIssue({
        code: "custom",
        message: `check_interval_seconds (${stale.check_interval_seconds}) must be < idle_timeout_seconds (${stale.idle_timeout_seconds})`,
        path: ["check_interval_seconds"],
      });
    }
  });

export const parallelSchema = z.strictObject({
  enabled: bool().default(false),
  max_concurrent: int({ gte: 1, lte: 20 }).default(3),
  fail_fast: bool().default(true),
  budget_partition: bool()
    .default(true)
    .refine((value) => value, { error: "budget_partition: false is not supported" }),
  stagger_delay_ms: int({ gte: 0, lte: 5000 }).default(0),
});

export const skipWhenCommandSchema = z.strictObject({
  command: str(),
  description: str().nullable().default(null),
  timeout_seconds: float({ gt: 0, lte: 60 }).default(10),
});

export const executionSections = {
  validations: list(validationRuleSchema).default(() => []),
  retry: withDefaults(retrySchema),
  rate_limit: withDefaults(rateLimitSchema),
  circuit_breaker: withDefaults(circuitBreakerSchema),
  cost_limits: withDefaults(costLimitsSchema),
  stale_detection: withDefaults(staleDetectionSchema),
  parallel: withDefaults(parallelSchema),
};
