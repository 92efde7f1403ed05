import { JOB_STATUSES } from "../../store/read-model.ts";
import { builder } from "../builder.ts";
import { decodeJobCursor, encodeJobCursor, pageSize } from "../cursor.ts";
import { LIMITS, scoreSizeProblem } from "../limits.ts";
import { eventConnection } from "./connections.ts";
import { ExampleScoreRef } from "./example-score.ts";
import { HealthRef } from "./health.ts";
import { InstrumentRef } from "./instrument.ts";
import { JobConnectionRef, JobRef } from "./job.ts";
import { JobStatusEnum } from "./job-status.ts";
import { describeProcess, PodiumProcessRef } from "./podium-process.ts";
import { ScoreValidationRef } from "./score-validation.ts";
import { EventConnectionRef } from "./sheet-event.ts";

builder.queryType({
  description:
    "Reads. Bad arguments (a malformed cursor, `first` over 500) fail with extensions.code BAD_USER_INPUT.",
  fields: (t) => ({
    jobs: t.field({
      type: JobConnectionRef,
      description:
        "Jobs, newest first, optionally only those in the given statuses. `first` ≤ 500 (default 50).",
      args: {
        first: t.arg.int(),
        after: t.arg.string(),
        status: t.arg({ type: [JobStatusEnum] }),
      },
      resolve: async (_root, args, { services }) => {
        const first = pageSize(args.first, LIMITS.defaultPageSize, LIMITS.maxPageSize);
        const after = decodeJobCursor(args.after);
        const statuses = args.status?.filter((status) => JOB_STATUSES.includes(status)) ?? null;
        const page = await services.readModel.listJobs({ first, after, statuses });
        const edges = page.rows.map((node) => ({ cursor: encodeJobCursor(node), node }));
        return {
          edges,
          pageInfo: {
            hasNextPage: page.hasNextPage,
            hasPreviousPage: after !== null,
            startCursor: edges[0]?.cursor ?? null,
            endCursor: edges.at(-1)?.cursor ?? null,
          },
        };
      },
    }),
    job: t.field({
      type: JobRef,
      nullable: true,
      description: "The job with this id, or null.",
      args: { id: t.arg.id({ required: true }) },
      resolve: (_root, { id }, { services }) => services.readModel.getJob(String(id)),
    }),
    events: t.field({
      type: EventConnectionRef,
      description:
        "The event log in `seq` order, for one job or (jobId omitted) all jobs. `first` ≤ 500 (default 50). When no event follows, `endCursor` repeats `after` so that it can be polled.",
      args: { jobId: t.arg.id(), after: t.arg.string(), first: t.arg.int() },
      resolve: (_root, args, { services }) =>
        eventConnection(services.readModel, {
          jobId: args.jobId == null ? null : String(args.jobId),
          after: args.after,
          first: args.first,
        }),
    }),
    validateScore: t.field({
      type: ScoreValidationRef,
      description:
        'Checks a score without running it. Scores over 1 MB are reported as a problem at path "".',
      args: { score: t.arg.string({ required: true }) },
      resolve: (_root, { score }, { services }) => {
        const tooLarge = scoreSizeProblem(score);
        if (tooLarge) return { valid: false, problems: [tooLarge], warnings: [], sheetCount: null };
        return services.conductor.validateScore(score);
      },
    }),
    instruments: t.field({
      type: [InstrumentRef],
      description: "Every instrument profile the server knows, built-in and user.",
      resolve: async (_root, _args, { services }) => [...(await services.listInstruments())],
    }),
    examples: t.field({
      type: [ExampleScoreRef],
      description: "The example scores shipped with Podium, with their text.",
      resolve: async (_root, _args, { services }) => [...(await services.listExamples())],
    }),
    processes: t.field({
      type: [PodiumProcessRef],
      description:
        "Every Podium process known to the database, the living first: what each can take, what it plays, and how old its lease is.",
      resolve: async (_root, _args, { services }) => {
        const { cluster } = services;
        const now = Date.now();
        return (await cluster.processes()).map((record) =>
          describeProcess(record, cluster.self, now),
        );
      },
    }),
    health: t.field({
      type: HealthRef,
      resolve: async (_root, _args, { services, subscriptions }) => {
        const database = await services.checkDatabase().catch(() => false);
        return {
          ok: database,
          database,
          version: services.version,
          startedAt: services.startedAt,
          uptimeSeconds: (Date.now() - services.startedAt.getTime()) / 1000,
          activeSubscriptions: subscriptions.active,
          draining: services.draining?.() ?? false,
        };
      },
    }),
  }),
});
