import type { JobRow } from "../../store/read-model.ts";
import { builder } from "../builder.ts";
import { chargeListLength } from "../resolved-cost.ts";
import { eventConnection } from "./connections.ts";
import { EventConnectionRef } from "./sheet-event.ts";
import { JobStatusEnum } from "./job-status.ts";
import { SheetRef } from "./sheet.ts";

export const JobRef = builder.objectRef<JobRow>("Job").implement({
  description: "One run of a score.",
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    status: t.expose("status", { type: JobStatusEnum }),
    pauseReason: t.exposeString("pauseReason", {
      nullable: true,
      description:
        "Why a PAUSED job is paused: user, cost_limit or escalation (the oldest of `pauseReasons`).",
    }),
    pauseReasons: t.exposeStringList("pauseReasons", {
      description:
        "Every reason holding the job, oldest first: user, cost_limit, escalation. Each is lifted on its own (resume lifts user and cost_limit, resolving the last fermata lifts escalation); the job runs again once none is left.",
    }),
    score: t.exposeString("scoreText", { description: "The submitted score YAML, as sent." }),
    workspace: t.exposeString("workspace", {
      description: "Absolute path of the job's workspace.",
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    startedAt: t.expose("startedAt", { type: "DateTime", nullable: true }),
    completedAt: t.expose("completedAt", { type: "DateTime", nullable: true }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    totalSheets: t.exposeInt("totalSheets"),
    completedSheets: t.exposeInt("completedSheets"),
    costUsd: t.exposeFloat("costUsd"),
    errorMessage: t.exposeString("errorMessage", { nullable: true }),
    parentJobId: t.exposeID("parentJobId", {
      nullable: true,
      description: "The job whose success chained this one (concerts).",
    }),
    warnings: t.exposeStringList("warnings", {
      description: "Keys of the score that Podium accepts but does not act on, and similar notes.",
    }),
    owner: t.loadable({
      type: "String",
      nullable: true,
      description:
        "The name of the process holding this job's lease (see `processes`); null when none does, as for a job that has ended.",
      // Batches the owners of every job in one query; never cached, since a subscription keeps
      // its context while owners change.
      loaderOptions: { cache: false },
      load: async (jobIds: string[], { services }) => {
        const owners = await services.cluster.ownersOf(jobIds);
        return jobIds.map((jobId) => owners.get(jobId) ?? null);
      },
      resolve: (job) => job.id,
    }),
    sheets: t.field({
      type: [SheetRef],
      description: "Every sheet, in number order.",
      // The estimate assumes 10 sheets; the real count is charged before the rows are read.
      resolve: (job, _args, context, info) => {
        chargeListLength(context, info, job.totalSheets);
        return context.services.readModel.listSheets(job.id);
      },
    }),
    sheet: t.field({
      type: SheetRef,
      nullable: true,
      args: { num: t.arg.int({ required: true }) },
      resolve: (job, { num }, { services }) => services.readModel.getSheet(job.id, num),
    }),
    events: t.field({
      type: EventConnectionRef,
      description: "This job's event log, oldest first. `first` is at most 500 (default 50).",
      args: { after: t.arg.string(), first: t.arg.int() },
      resolve: (job, args, { services }) =>
        eventConnection(services.readModel, {
          jobId: job.id,
          after: args.after,
          first: args.first,
        }),
    }),
  }),
});

export const JobConnectionRef = builder.connectionObject({
  type: JobRef,
  name: "JobConnection",
  description: "Jobs, newest first. Page forward with `after: pageInfo.endCursor`.",
});
