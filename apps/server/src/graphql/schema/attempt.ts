import type { AttemptRow } from "../../store/read-model.ts";
import { builder } from "../builder.ts";
import { ValidationDetailRef } from "./validation-detail.ts";

export const AttemptRef = builder.objectRef<AttemptRow>("Attempt").implement({
  description: "One play of a sheet by one instrument, as recorded when its result arrived.",
  fields: (t) => ({
    attemptNumber: t.exposeInt("attemptNumber"),
    mode: t.exposeString("mode", { description: "normal, completion or healing." }),
    instrument: t.exposeString("instrument"),
    model: t.exposeString("model", { nullable: true }),
    executionSuccess: t.exposeBoolean("executionSuccess"),
    exitCode: t.exposeInt("exitCode", { nullable: true }),
    durationMs: t.exposeInt("durationMs"),
    validationsPassed: t.exposeInt("validationsPassed"),
    validationsTotal: t.exposeInt("validationsTotal"),
    passRate: t.exposeFloat("passRate", { description: "0–100." }),
    validationDetails: t.field({
      type: [ValidationDetailRef],
      resolve: (attempt) => attempt.validationDetails,
    }),
    errorClass: t.exposeString("errorClass", { nullable: true }),
    errorMessage: t.exposeString("errorMessage", { nullable: true }),
    rateLimited: t.exposeBoolean("rateLimited"),
    costUsd: t.exposeFloat("costUsd"),
    inputTokens: t.exposeInt("inputTokens", { nullable: true }),
    outputTokens: t.exposeInt("outputTokens", { nullable: true }),
    stdoutTail: t.exposeString("stdoutTail", { nullable: true }),
    stderrTail: t.exposeString("stderrTail", { nullable: true }),
    startedAt: t.expose("startedAt", { type: "DateTime" }),
    finishedAt: t.expose("finishedAt", { type: "DateTime" }),
  }),
});
