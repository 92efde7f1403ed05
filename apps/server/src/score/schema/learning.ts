/** `learning` (§19), `grounding` (§20), `checkpoints` (§21). Accepted, not acted on by Podium. */
import { z } from "zod";
import { bool, float, int, list, oneOf, str, stringMap, withDefaults } from "./primitives.ts";

const unit = () => float({ gte: 0, lte: 1 });

const explorationBudgetSchema = z
  .strictObject({
    enabled: bool().default(false),
    floor: unit().default(0.05),
    ceiling: unit().default(0.5),
    decay_rate: unit().default(0.95),
    boost_amount: float({ gte: 0, lte: 0.5 }).default(0.1),
    initial_budget: unit().default(0.15),
  })
  .superRefine((budget, ctx) => {
    if (budget.floor > budget.ceiling) {
      ctx.addIssue({ code: "custom", message: "floor must be ≤ ceiling", path: ["floor"] });
    } else if (budget.initial_budget < budget.floor || budget.initial_budget > budget.ceiling) {
      ctx.addIssue({
        code: "custom",
        message: "initial_budget must lie within [floor, ceiling]",
        path: ["initial_budget"],
      });
    }
  });

const entropyResponseSchema = z.strictObject({
  enabled: bool().default(false),
  entropy_threshold: unit().default(0.3),
  cooldown_seconds: int({ gte: 60 }).default(3600),
  boost_budget: bool().default(true),
  revisit_quarantine: bool().default(true),
  max_quarantine_revisits: int({ gte: 0, lte: 10 }).default(3),
});

const autoApplySchema = z.strictObject({
  enabled: bool().default(false),
  trust_threshold: unit().default(0.85),
  max_patterns_per_sheet: int({ gte: 1, lte: 10 }).default(3),
  require_validated_status: bool().default(true),
  log_applications: bool().default(true),
});

export const learningSchema = z
  .strictObject({
    enabled: bool().default(true),
    outcome_store_type: oneOf(["json", "sqlite"]).default("json"),
    outcome_store_path: str().nullable().default(null),
    min_confidence_threshold: unit().default(0.3),
    high_confidence_threshold: unit().default(0.7),
    escalation_enabled: bool().default(false),
    use_global_patterns: bool().default(true),
    exploration_rate: unit().default(0.15),
    exploration_min_priority: unit().default(0.05),
    entropy_alert_threshold: unit().default(0.5),
    entropy_check_interval: int({ gte: 1 }).default(100),
    auto_apply_enabled: bool().default(false),
    auto_apply_trust_threshold: unit().default(0.85),
    exploration_budget: withDefaults(explorationBudgetSchema),
    entropy_response: withDefaults(entropyResponseSchema),
    auto_apply: autoApplySchema.nullable().default(null),
  })
  .superRefine((learning, ctx) => {
    if (learning.min_confidence_threshold >= learning.high_confidence_threshold) {
      ctx.addIssue({
        code: "custom",
        message: "min_confidence_threshold must be < high_confidence_threshold",
        path: ["min_confidence_threshold"],
      });
    }
  });

const groundingHookSchema = z.strictObject({
  type: oneOf(["file_checksum"]),
  name: str().nullable().default(null),
  expected_checksums: stringMap(str()).default(() => ({})),
  checksum_algorithm: oneOf(["md5", "sha256"]).default("sha256"),
});

export const groundingSchema = z
  .strictObject({
    enabled: bool().default(false),
    hooks: list(groundingHookSchema).default(() => []),
    fail_on_grounding_failure: bool().default(true),
    escalate_on_failure: bool().default(true),
    timeout_seconds: float({ gt: 0 }).default(30),
  })
  .superRefine((grounding, ctx) => {
    if (grounding.enabled && grounding.hooks.length === 0) {
      ctx.addIssue({
        code: "custom",
        message: "grounding is enabled but has no hooks",
        path: ["hooks"],
      });
    }
  });

const checkpointTriggerSchema = z
  .strictObject({
    name: str(),
    sheet_nums: list(int()).nullable().default(null),
    prompt_contains: list(str()).nullable().default(null),
    min_retry_count: int({ gte: 0 }).nullable().default(null),
    requires_confirmation: bool().default(true),
    message: str().default(""),
  })
  .superRefine((trigger, ctx) => {
    const hasCondition =
      (trigger.sheet_nums?.length ?? 0) > 0 ||
      (trigger.prompt_contains?.length ?? 0) > 0 ||
      trigger.min_retry_count !== null;
    if (!hasCondition) {
      ctx.addIssue({
        code: "custom",
        message: "a trigger needs sheet_nums, prompt_contains or min_retry_count",
        path: [],
      });
    }
  });

export const checkpointsSchema = z
  .strictObject({
    enabled: bool().default(false),
    triggers: list(checkpointTriggerSchema).default(() => []),
  })
  .superRefine((checkpoints, ctx) => {
    if (checkpoints.enabled && checkpoints.triggers.length === 0) {
      ctx.addIssue({
        code: "custom",
        message: "checkpoints are enabled but have no triggers",
        path: ["triggers"],
      });
    }
  });
