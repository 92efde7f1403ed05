/** `concert` (§12), `on_success[]` (§13), `notifications[]` (§14), `conductor` (§26),
 *  `spec` (§28), `techniques` (§29), `agent_card` (§30). */
import { z } from "zod";
import { bool, float, freeMap, int, list, oneOf, str, withDefaults } from "./primitives.ts";

export const concertSchema = z.strictObject({
  enabled: bool().default(false),
  max_chain_depth: int({ gte: 1, lte: 100 }).default(5),
  cooldown_between_jobs_seconds: float({ gte: 0 }).default(5),
  inherit_workspace: bool().default(true),
  concert_log_path: str().nullable().default(null),
  abort_concert_on_hook_failure: bool().default(false),
});

export const ON_SUCCESS_TYPES = ["run_job", "run_command", "run_script"] as const;

export const onSuccessHookSchema = z
  .strictObject({
    type: oneOf(ON_SUCCESS_TYPES),
    job_path: str().nullable().default(null),
    job_workspace: str().nullable().default(null),
    inherit_learning: bool().default(true),
    command: str().nullable().default(null),
    working_directory: str().nullable().default(null),
    description: str().nullable().default(null),
    on_failure: oneOf(["continue", "abort"]).default("continue"),
    timeout_seconds: float({ gt: 0 }).default(300),
    detached: bool().default(false),
    fresh: bool().default(false),
    pause_before_chain: bool().default(false),
  })
  .superRefine((hook, ctx) => {
    switch (hook.type) {
      case "run_job":
        if (hook.job_path === null)
          ctx.addIssue({
            code: "custom",
            message: "job_path is required for run_job",
            path: ["job_path"],
          });
        break;
      case "run_command":
      case "run_script":
        if (hook.command === null) {
          ctx.addIssue({
            code: "custom",
            message: `command is required for ${hook.type}`,
            path: ["command"],
          });
        }
        break;
      default: {
        const unreachable: never = hook.type;
        throw new Error(`unhandled hook type ${String(unreachable)}`);
      }
    }
  });

const NOTIFICATION_EVENTS = [
  "job_start",
  "sheet_start",
  "sheet_complete",
  "sheet_failed",
  "job_complete",
  "job_failed",
  "job_paused",
] as const;

export const notificationSchema = z
  .strictObject({
    type: oneOf(["desktop", "slack", "webhook", "email"]),
    on_events: list(oneOf(NOTIFICATION_EVENTS)).default(() => [
      "job_complete" as const,
      "job_failed" as const,
    ]),
    config: freeMap().default(() => ({})),
  })
  .superRefine((notification, ctx) => {
    const needs =
      notification.type === "webhook"
        ? ["url", "url_env"]
        : notification.type === "slack"
          ? ["webhook_url", "webhook_url_env"]
          : [];
    if (needs.length > 0 && !needs.some((key) => !!notification.config[key])) {
      ctx.addIssue({
        code: "custom",
        message: `${notification.type} needs config.${needs[0]} or config.${needs[1]}`,
        path: ["config"],
      });
    }
  });

const conductorPreferencesSchema = z.strictObject({
  prefer_minimal_output: bool().default(false),
  escalation_response_timeout_seconds: float({ gt: 0 }).default(300),
  auto_retry_on_transient_errors: bool().default(true),
  notification_channels: list(str()).default(() => []),
});

export const conductorSchema = z.strictObject({
  name: str()
    .min(1, { error: "must not be empty" })
    .max(100, { error: "must be at most 100 characters" })
    .default("default"),
  role: oneOf(["human", "ai", "hybrid"]).default("human"),
  identity_context: str()
    .max(500, { error: "must be at most 500 characters" })
    .nullable()
    .default(null),
  preferences: withDefaults(conductorPreferencesSchema),
});

const notBlank = str().refine((text) => text.trim().length > 0, { error: "must not be empty" });

const specFragmentSchema = z.strictObject({
  name: notBlank,
  content: notBlank,
  tags: list(str()).default(() => []),
  kind: oneOf(["text", "structured"]).default("text"),
  data: freeMap().nullable().default(null),
});

export const specSchema = z.strictObject({
  spec_dir: str().default(""),
  include_claude_md: bool().default(false),
  fragments: list(specFragmentSchema).default(() => []),
});

export const techniqueSchema = z.strictObject({
  kind: oneOf(["skill", "mcp", "protocol"]),
  phases: list(str()),
  config: freeMap().default(() => ({})),
});

export const agentCardSchema = z.strictObject({
  name: str(),
  description: str(),
  skills: list(z.strictObject({ id: str(), description: str() })).default(() => []),
});
