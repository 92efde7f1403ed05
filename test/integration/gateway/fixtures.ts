/**
 * A real store for gateway tests: a temporary SQLite file, the checkpoint store that writes the
 * event log, and the event bus that publishes what was committed (as the engine does).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type {
  EventDraft,
  EventName,
  EventRecord,
} from "../../../apps/server/src/contracts/event-log.ts";
import { EventBus } from "../../../apps/server/src/bus/event-bus.ts";
import { openDatabase, type PodiumDatabase } from "../../../apps/server/src/store/database.ts";
import { SqliteCheckpointStore } from "../../../apps/server/src/store/checkpoint-store.ts";
import { createReadModel, type ReadModel } from "../../../apps/server/src/store/read-model.ts";

export interface EventLogFixture {
  dir: string;
  db: PodiumDatabase;
  store: SqliteCheckpointStore;
  bus: EventBus;
  readModel: ReadModel;
  /** Commits drafts to the log, then publishes them, as the engine does. */
  commit(drafts: EventDraft[]): Promise<EventRecord[]>;
  close(): Promise<void>;
}

export async function openEventLogFixture(): Promise<EventLogFixture> {
  const dir = mkdtempSync(path.join(tmpdir(), "podium-gateway-"));
  const db = await openDatabase(`file:${path.join(dir, "podium.db")}`);
  const store = new SqliteCheckpointStore(db.writer);
  const bus = new EventBus();
  return {
    dir,
    db,
    store,
    bus,
    readModel: createReadModel(db.prisma),
    async commit(drafts) {
      const records = await store.appendEvents(drafts);
      bus.publish(records);
      return records;
    },
    async close() {
      await store.drain();
      store.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function draft(
  jobId: string,
  sheetNum: number,
  event: EventName,
  data: Record<string, unknown> = {},
): EventDraft {
  return { jobId, sheetNum, event, data, timestamp: Date.now() };
}
