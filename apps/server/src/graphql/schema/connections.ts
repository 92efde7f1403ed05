/** Builds connection results for event pages; shared by `Query.events` and `Job.events`. */
import type { EventRecord } from "../../contracts/event-log.ts";
import type { ReadModel } from "../../store/read-model.ts";
import { decodeEventCursor, encodeEventCursor, pageSize } from "../cursor.ts";
import { LIMITS } from "../limits.ts";

export async function eventConnection(
  readModel: ReadModel,
  args: { jobId?: string | null; after?: string | null; first?: number | null },
) {
  const afterSeq = decodeEventCursor(args.after);
  const limit = pageSize(args.first, LIMITS.defaultPageSize, LIMITS.maxPageSize);
  const page = await readModel.listEvents({ jobId: args.jobId ?? null, afterSeq, limit });
  const edges = page.rows.map((node: EventRecord) => ({
    cursor: encodeEventCursor(node.seq),
    node,
  }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: afterSeq > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? (args.after || null),
    },
  };
}
