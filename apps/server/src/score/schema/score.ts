/** The score root (§1): every key Marianne accepts, and nothing else. */
import { z } from "zod";
import { backendSchema, bridgeSchema } from "./backend.ts";
import { executionSections } from "./execution.ts";
import { checkpointsSchema, groundingSchema, learningSchema } from "./learning.ts";
import {
  agentCardSchema,
  concertSchema,
  conductorSchema,
  notificationSchema,
  onSuccessHookSchema,
  specSchema,
  techniqueSchema,
} from "./orchestration.ts";
import { int, list, oneOf, str, stringMap, withDefaults } from "./primitives.ts";
import { sheetSections } from "./sheet.ts";
import {
  aiReviewSchema,
  crossSheetSchema,
  feedbackSchema,
  isolationSchema,
  loggingSchema,
  workspaceLifecycleSchema,
} from "./workspace.ts";

export const scoreSchema = z
  .strictObject({
    name: str(),
    description: str().nullable().default(null),
    // Marianne defaults to "./workspace"; Podium gives each job its own workspace unless the
    // score names one, so an absent key stays null for the conductor to fill in.
    workspace: str()
      .optional()
      .transform((workspace) => workspace ?? null),
    backend: withDefaults(backendSchema),
    ...sheetSections,
    spec: withDefaults(specSchema),
    ...executionSections,
    learning: withDefaults(learningSchema),
    grounding: withDefaults(groundingSchema),
    ai_review: withDefaults(aiReviewSchema),
    logging: withDefaults(loggingSchema),
    workspace_lifecycle: withDefaults(workspaceLifecycleSchema),
    isolation: withDefaults(isolationSchema),
    conductor: withDefaults(conductorSchema),
    checkpoints: withDefaults(checkpointsSchema),
    bridge: bridgeSchema.nullable().default(null),
    cross_sheet: crossSheetSchema.nullable().default(null),
    feedback: withDefaults(feedbackSchema),
    techniques: stringMap(techniqueSchema).default(() => ({})),
    agent_card: agentCardSchema.nullable().default(null),
    notifications: list(notificationSchema).default(() => []),
    on_success: list(onSuccessHookSchema).default(() => []),
    concert: withDefaults(concertSchema),
    state_backend: oneOf(["json", "sqlite"]).default("sqlite"),
    state_path: str().nullable().default(null),
    pause_between_sheets_seconds: int({ gte: 0 }).default(2),
  })
  .superRefine((score, ctx) => {
    if (score.instrument !== null && score.backend.type !== "claude_cli") {
      ctx.addIssue({
        code: "custom",
        message: `instrument '${score.instrument}' cannot be combined with backend.type '${score.backend.type}'`,
        path: ["instrument"],
      });
    }
  });
