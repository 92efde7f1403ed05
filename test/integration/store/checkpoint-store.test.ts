import Database from "better-sqlite3";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  PROCESS_LEDGER_DELAY_MS,
  SqliteCheckpointStore,
} from "../../../apps/server/src/store/checkpoint-store.ts";
import { draft, newJob, openTempDatabase, sheet, type TempDatabase } from "./support/fixtures.ts";

// What only the SQLite backend has; the rest of the contract is in contract.test.ts.
describe("SqliteCheckpointStore", () => {
  const temps: TempDatabase[] = [];
  afterEach(async () => {
    for (const temp of temps.splice(0)) await temp.dispose();
  });
  async function setup() {
    const temp = await openTempDatabase();
    temps.push(temp);
    return { temp, store: new SqliteCheckpointStore(temp.db.writer), prisma: temp.db.prisma };
  }

  it("merges commits made in the same turn into one transaction, in call order", async () => {
    const { store } = await setup();
    await store.insertJob(newJob("j1"), [sheet("j1", 1)], []);
    const before = store.stats.transactions;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.commit({
          jobs: [],
          sheets: [],
          attempts: [],
          events: [draft("j1", "sheet.dispatched", 1, { i })],
        }),
      ),
    );
    expect(store.stats.transactions - before).toBe(1);
    expect(results.map((r) => [r[0]!.seq, r[0]!.data.i])).toEqual(
      Array.from({ length: 20 }, (_, i) => [i + 1, i]),
    );
  });

  it("writes a process-group record with the next commit, not in a transaction of its own", async () => {
    const { store, temp } = await setup();
    await store.insertJob(newJob("j1"), [sheet("j1", 1), sheet("j1", 2)], []);
    const before = store.stats.transactions;
    store.recordProcessGroup("j1", 1, 4242, "7");
    void store.clearProcessGroup("j1", 2, 99);
    await store.commit({
      jobs: [],
      sheets: [],
      attempts: [],
      events: [draft("j1", "sheet.dispatched", 2)],
    });
    expect(store.stats.transactions - before).toBe(1);
    const other = new Database(temp.file, { readonly: true });
    try {
      expect(
        other.prepare(`SELECT processGroup FROM Sheet WHERE jobId='j1' AND num=1`).pluck().get(),
      ).toBe(4242);
    } finally {
      other.close();
    }
  });

  it("writes a process-group record on its own once it has waited PROCESS_LEDGER_DELAY_MS", async () => {
    const { store, temp } = await setup();
    await store.insertJob(newJob("j1"), [sheet("j1", 1)], []);
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      store.recordProcessGroup("j1", 1, 4242, "7");
      const stored = () => {
        const other = new Database(temp.file, { readonly: true });
        try {
          return other.prepare(`SELECT processGroup FROM Sheet WHERE num=1`).pluck().get();
        } finally {
          other.close();
        }
      };
      await vi.advanceTimersByTimeAsync(PROCESS_LEDGER_DELAY_MS - 1);
      expect(stored()).toBeNull();
      await vi.advanceTimersByTimeAsync(1);
      expect(stored()).toBe(4242);
    } finally {
      vi.useRealTimers();
    }
  });

  it("has committed rows on disk by the time the promise resolves", async () => {
    const { store, temp } = await setup();
    await store.insertJob(newJob("j1"), [sheet("j1", 1)], []);
    await store.commit({
      jobs: [],
      sheets: [sheet("j1", 1, { status: "dispatched" })],
      attempts: [],
      events: [draft("j1", "sheet.dispatched", 1)],
    });
    const other = new Database(temp.file, { readonly: true });
    try {
      expect(other.prepare(`SELECT status FROM Sheet WHERE jobId='j1'`).pluck().get()).toBe(
        "dispatched",
      );
      expect(other.prepare(`SELECT COUNT(*) FROM Event`).pluck().get()).toBe(1);
    } finally {
      other.close();
    }
  });

  it("waits out a write lock held by another process without failing or blocking the event loop", async () => {
    const { store, temp } = await setup();
    await store.insertJob(newJob("j1"), [sheet("j1", 1)], []);
    const outside = new Database(temp.file);
    outside.exec("BEGIN IMMEDIATE");
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 20);
    try {
      const pending = store.commit({
        jobs: [],
        sheets: [sheet("j1", 1, { status: "dispatched" })],
        attempts: [],
        events: [draft("j1", "sheet.dispatched", 1)],
      });
      store.recordProcessGroup("j1", 1, 777, "1");
      let settled = false;
      void pending.then(() => (settled = true));
      await new Promise((r) => setTimeout(r, 700));
      expect(settled).toBe(false);
      expect(ticks).toBeGreaterThan(10);
      outside.exec("COMMIT");
      const logged = await pending;
      expect(logged.map((e) => e.seq)).toEqual([1]);
      expect(store.stats.busyRetries).toBeGreaterThan(0);
      await store.drain();
      expect(await store.listProcessGroups()).toEqual([
        { jobId: "j1", sheetNum: 1, processGroup: 777, processStartedAt: "1" },
      ]);
    } finally {
      clearInterval(ticker);
      if (outside.inTransaction) outside.exec("ROLLBACK");
      outside.close();
    }
  });
});
