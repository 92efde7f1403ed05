import type { EventRecord } from "../../contracts/event-log.ts";
import type { JobRow } from "../../store/read-model.ts";
import { builder } from "../builder.ts";
import { decodeEventCursor } from "../cursor.ts";
import { gatewayError } from "../errors.ts";
import { SlowConsumerError, StreamFailure } from "../subscriptions/channel.ts";
import { openEventStream } from "../subscriptions/event-stream.ts";
import { openJobStream } from "../subscriptions/job-stream.ts";
import { JobRef } from "./job.ts";
import { SheetEventRef } from "./sheet-event.ts";

/**
 * A stream's failure becomes this field's error (the client gets one error result, then the
 * subscription completes). A client that fell too far behind is told to resume from its cursor.
 */
function valueOrFailure<T>(value: T | StreamFailure): T {
  if (!(value instanceof StreamFailure)) return value;
  if (value.error instanceof SlowConsumerError)
    throw gatewayError("SUBSCRIBER_TOO_SLOW", value.error.message);
  throw value.error;
}

builder.subscriptionType({
  description: "Live streams over WebSocket (graphql-ws) or SSE, both at /graphql.",
  fields: (t) => ({
    sheetEvents: t.field({
      type: SheetEventRef,
      description:
        "Every event after the `after` cursor (from the start when omitted), in seq order, then live events as they commit, with no gap and no duplicate. `jobId` omitted means every job. After a disconnect, resubscribe with the last received `cursor`. A client that falls 50,000 events behind gets one error with extensions.code SUBSCRIBER_TOO_SLOW and the subscription completes; resubscribe from the last cursor.",
      args: { jobId: t.arg.id(), after: t.arg.string() },
      subscribe: (_root, args, { services, subscriptions }) =>
        openEventStream({
          readModel: services.readModel,
          liveEvents: services.liveEvents,
          tracker: subscriptions,
          jobId: args.jobId == null ? null : String(args.jobId),
          afterSeq: decodeEventCursor(args.after),
        }),
      resolve: (event: EventRecord | StreamFailure) => valueOrFailure(event),
    }),
    jobUpdated: t.field({
      type: JobRef,
      description:
        "The job (or, `id` omitted, any job) as committed, each time one of its events commits. Bursts are coalesced into one update.",
      args: { id: t.arg.id() },
      subscribe: (_root, args, { services, subscriptions }) =>
        openJobStream({
          readModel: services.readModel,
          liveEvents: services.liveEvents,
          tracker: subscriptions,
          jobId: args.id == null ? null : String(args.id),
        }),
      resolve: (job: JobRow | StreamFailure) => valueOrFailure(job),
    }),
  }),
});
