/**
 * A real store for gateway tests: a temporary SQLite file (or PostgreSQL database, see
 * test/support/databases.ts), the store that writes the event log, and the event bus that
 * publishes what was committed (as the engine does).
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
import type { ReadModel } from "../../../apps/server/src/store/read-model.ts";
import type { PodiumStore } from "../../../apps/server/src/store/contract.ts";
import { openStore, type OpenedStore } from "../../../apps/server/src/store/open-store.ts";
import { suiteDatabase } from "../../support/databases.ts";

export interface EventLogFixture {
  dir: string;
  db: OpenedStore["db"];
  store: PodiumStore;
  bus: EventBus;
  readModel: ReadModel;
  /** Commits drafts to the log, then publishes them, as the engine does. */
  commit(drafts: EventDraft[]): Promise<EventRecord[]>;
  close(): Promise<void>;
}

export async function openEventLogFixture(): Promise<EventLogFixture> {
  const dir = mkdtempSync(path.join(tmpdir(), "podium-gateway-"));
  const database = await suiteDatabase(dir);
  const opened = await openStore(database.url);
  const { db, store } = opened;
  const bus = new EventBus();
  return {
    dir,
    db,
    store,
    bus,
    readModel: store.readModel,
    async commit(drafts) {
      const records = await store.appendEvents(drafts);
      bus.publish(records);
      return records;
    },
    async close() {
      await store.drain();
      await opened.close();
      await database.drop();
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
