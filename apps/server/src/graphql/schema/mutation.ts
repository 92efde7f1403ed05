import type { CommandOutcome } from "../../contracts/commands.ts";
import type { JobRow, SheetRow } from "../../store/read-model.ts";
import type { GatewayServices } from "../context.ts";
import { builder } from "../builder.ts";
import { fromCommandError, notFound } from "../errors.ts";
import { scoreSizeProblem } from "../limits.ts";
import { FermataDecisionEnum } from "./fermata-decision.ts";
import { JobRef } from "./job.ts";
import type { ScoreInvalidShape } from "./score-invalid.ts";
import { SheetRef } from "./sheet.ts";
import { SubmitJobInputRef, SubmitJobResultRef, type SubmitJobSuccessShape } from "./submit-job.ts";

async function jobAfter(
  services: GatewayServices,
  id: string,
  outcome: CommandOutcome,
): Promise<JobRow> {
  if (!outcome.ok) throw fromCommandError(outcome.error);
  const job = await services.readModel.getJob(id);
  if (!job) throw notFound(`job ${id}`);
  return job;
}

builder.mutationType({
  description:
    "Commands to the conductor. An unknown job or sheet fails with extensions.code NOT_FOUND, a command the job's or sheet's state does not allow (e.g. resolveFermata on a sheet not at a fermata) with INVALID_STATE, a bad argument with BAD_USER_INPUT. A score that cannot run is a ScoreInvalid result.",
  fields: (t) => ({
    submitJob: t.field({
      type: SubmitJobResultRef,
      args: { input: t.arg({ type: SubmitJobInputRef, required: true }) },
      resolve: async (
        _root,
        { input },
        { services },
      ): Promise<SubmitJobSuccessShape | ScoreInvalidShape> => {
        const tooLarge = scoreSizeProblem(input.score);
        if (tooLarge) return { kind: "invalid", message: tooLarge.message, problems: [tooLarge] };
        const outcome = await services.conductor.submitJob({
          score: input.score,
          workspace: input.workspace ?? null,
          idempotencyKey: input.idempotencyKey ?? null,
          selfHealing: input.selfHealing ?? null,
          escalation: input.escalation ?? null,
          startSheet: input.startSheet ?? null,
          dryRun: input.dryRun ?? null,
        });
        if (!outcome.ok)
          return { kind: "invalid", message: outcome.message, problems: outcome.problems };
        const job = await services.readModel.getJob(outcome.jobId);
        if (!job) throw new Error(`submitted job ${outcome.jobId} is not in the store`);
        return { kind: "success", job, warnings: outcome.warnings };
      },
    }),
    pauseJob: t.field({
      type: JobRef,
      description: "Stops dispatching new sheets; running ones finish.",
      args: { id: t.arg.id({ required: true }) },
      resolve: async (_root, { id }, { services }) =>
        jobAfter(services, String(id), await services.conductor.pauseJob(String(id))),
    }),
    resumeJob: t.field({
      type: JobRef,
      description:
        "Clears a pause. With retryFailed, failed sheets are given a fresh budget and run again. With score, a paused or failed job continues under a corrected score, validated like a submit (SCORE_INVALID with its problems): sheets that have not completed take its prompts, validations, instruments and budgets; a score that changes the sheet structure (count, dependencies, fan-out) is refused (BAD_USER_INPUT).",
      args: {
        id: t.arg.id({ required: true }),
        retryFailed: t.arg.boolean(),
        score: t.arg.string({ description: "The corrected score (YAML)." }),
      },
      resolve: async (_root, { id, retryFailed, score }, { services }) =>
        jobAfter(
          services,
          String(id),
          await services.conductor.resumeJob(String(id), {
            retryFailed: retryFailed ?? false,
            score: score ?? null,
          }),
        ),
    }),
    cancelJob: t.field({
      type: JobRef,
      description: "Cancels every sheet that has not finished and kills their processes.",
      args: { id: t.arg.id({ required: true }) },
      resolve: async (_root, { id }, { services }) =>
        jobAfter(services, String(id), await services.conductor.cancelJob(String(id))),
    }),
    resolveFermata: t.field({
      type: SheetRef,
      description: "Decides the fate of a sheet held at a fermata (INVALID_STATE when it is not).",
      args: {
        jobId: t.arg.id({ required: true }),
        sheetNum: t.arg.int({ required: true }),
        decision: t.arg({ type: FermataDecisionEnum, required: true }),
      },
      resolve: async (_root, { jobId, sheetNum, decision }, { services }): Promise<SheetRow> => {
        const outcome = await services.conductor.resolveFermata(String(jobId), sheetNum, decision);
        if (!outcome.ok) throw fromCommandError(outcome.error);
        const sheet = await services.readModel.getSheet(String(jobId), sheetNum);
        if (!sheet) throw notFound(`sheet ${sheetNum} of job ${String(jobId)}`);
        return sheet;
      },
    }),
    clearRateLimit: t.int({
      description:
        "Clears the rate limit of one instrument (all when omitted); returns how many were cleared.",
      args: { instrument: t.arg.string() },
      resolve: (_root, { instrument }, { services }) =>
        services.conductor.clearRateLimit(instrument ?? null),
    }),
  }),
});
