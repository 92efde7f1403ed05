import type { JobRow } from "../../store/read-model.ts";
import { builder } from "../builder.ts";
import { JobRef } from "./job.ts";
import { ScoreInvalidRef, type ScoreInvalidShape } from "./score-invalid.ts";

export const SubmitJobInputRef = builder.inputType("SubmitJobInput", {
  description: "A score to run and how to run it.",
  fields: (t) => ({
    score: t.string({ required: true, description: "The score YAML (at most 1 MB)." }),
    workspace: t.string({ description: "Overrides the score's workspace." }),
    idempotencyKey: t.string({
      description: "Submitting again with the same key returns the first job instead of a new one.",
    }),
    selfHealing: t.boolean(),
    escalation: t.boolean({ description: "Hold exhausted sheets at a fermata for a decision." }),
    startSheet: t.int({ description: "Treat sheets before this one as already completed." }),
    dryRun: t.boolean({ description: "Validate and plan only; nothing is executed." }),
  }),
});

export interface SubmitJobSuccessShape {
  kind: "success";
  job: JobRow;
  warnings: string[];
}

export const SubmitJobSuccessRef = builder
  .objectRef<SubmitJobSuccessShape>("SubmitJobSuccess")
  .implement({
    description: "The job was accepted (or, for a repeated idempotency key, found).",
    fields: (t) => ({
      job: t.field({ type: JobRef, resolve: (success) => success.job }),
      warnings: t.exposeStringList("warnings"),
    }),
  });

export const SubmitJobResultRef = builder.unionType("SubmitJobResult", {
  description: "A score that cannot run is a ScoreInvalid result, not an error.",
  types: [SubmitJobSuccessRef, ScoreInvalidRef],
  resolveType: (result: SubmitJobSuccessShape | ScoreInvalidShape) =>
    result.kind === "success" ? SubmitJobSuccessRef : ScoreInvalidRef,
});
