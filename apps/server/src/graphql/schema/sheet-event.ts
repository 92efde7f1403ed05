import type { EventRecord } from "../../contracts/event-log.ts";
import { builder } from "../builder.ts";
import { encodeEventCursor } from "../cursor.ts";

export const SheetEventRef = builder.objectRef<EventRecord>("SheetEvent").implement({
  description:
    "One committed event of the log (DESIGN §8). `seq` is global and gap-free; `cursor` resumes right after this event.",
  fields: (t) => ({
    cursor: t.string({ resolve: (event) => encodeEventCursor(event.seq) }),
    seq: t.exposeInt("seq"),
    jobId: t.exposeID("jobId"),
    sheetNum: t.exposeInt("sheetNum", { description: "0 for job-level events." }),
    event: t.exposeString("event", { description: "e.g. job.started, sheet.completed." }),
    data: t.field({ type: "JSON", resolve: (event) => event.data }),
    timestamp: t.field({ type: "DateTime", resolve: (event) => new Date(event.timestamp) }),
  }),
});

export const EventConnectionRef = builder.connectionObject({
  type: SheetEventRef,
  name: "EventConnection",
  description: "Events in `seq` order. Page forward with `after: pageInfo.endCursor`.",
});
