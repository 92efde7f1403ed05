import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { SqliteCheckpointStore } from "../../../apps/server/src/store/checkpoint-store.ts";
import {
  attempt,
  draft,
  jobRecord,
  newJob,
  openTempDatabase,
  sheet,
  type TempDatabase,
} from "./support/fixtures.ts";

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

  it("inserts a job with its sheets and job.submitted, readable through Prisma", async () => {
    const { store, prisma } = await setup();
    const outcome = await store.insertJob(
      newJob("j1"),
      [sheet("j1", 1), sheet("j1", 2)],
      [draft("j1", "job.submitted")],
    );
    expect(outcome).toMatchObject({ created: true, jobId: "j1" });
    if (!outcome.created) throw new Error("unreachable");
    expect(outcome.events.map((e) => e.seq)).toEqual([1]);
    const job = await prisma.job.findUniqueOrThrow({
      where: { id: "j1" },
      include: { sheets: true },
    });
    expect(job.createdAt.getTime()).toBe(1_700_000_000_000);
    expect(job.sheets.map((s) => [s.num, s.status, JSON.parse(s.dependsOn)])).toEqual([
      [1, "pending", []],
      [2, "pending", [1]],
    ]);
    const [event] = await prisma.event.findMany();
    expect(event!.timestamp.getTime()).toBe(1_700_000_003_000);
  });

  it("gives one job for two concurrent inserts with the same idempotency key", async () => {
    const { store, prisma } = await setup();
    const [a, b] = await Promise.all([
      store.insertJob(
        newJob("first", { idempotencyKey: "k" }),
        [sheet("first", 1)],
        [draft("first", "job.submitted")],
      ),
      store.insertJob(
        newJob("second", { idempotencyKey: "k" }),
        [sheet("second", 1)],
        [draft("second", "job.submitted")],
      ),
    ]);
    expect(a).toMatchObject({ created: true, jobId: "first" });
    expect(b).toEqual({ created: false, jobId: "first" });
    expect(await prisma.job.count()).toBe(1);
    expect(await prisma.sheet.count()).toBe(1);
    expect(await prisma.event.count()).toBe(1);
  });

  it("commits job, sheets, attempts and events atomically and returns gap-free seqs", async () => {
    const { store, prisma } = await setup();
    await store.insertJob(
      newJob("j1"),
      [sheet("j1", 1), sheet("j1", 2)],
      [draft("j1", "job.submitted")],
    );
    const logged = await store.commit({
      jobs: [jobRecord("j1", { completedSheets: 1, costUsd: 0.01 })],
      sheets: [
        sheet("j1", 1, { status: "completed", completedAt: 1_700_000_002_120, normalAttempts: 1 }),
      ],
      attempts: [attempt("j1", 1)],
      events: [draft("j1", "sheet.completed", 1), draft("j1", "job.started")],
    });
    expect(logged.map((e) => [e.seq, e.event])).toEqual([
      [2, "sheet.completed"],
      [3, "job.started"],
    ]);
    const job = await prisma.job.findUniqueOrThrow({ where: { id: "j1" } });
    expect([job.status, job.completedSheets, job.costUsd, job.startedAt?.getTime()]).toEqual([
      "running",
      1,
      0.01,
      1_700_000_001_000,
    ]);
    const [row] = await prisma.attempt.findMany();
    expect(row!.executionSuccess).toBe(true);
    expect(row!.rateLimited).toBe(false);
    expect(row!.finishedAt.getTime()).toBe(1_700_000_002_120);
    expect(JSON.parse(row!.validationDetails)[0].passed).toBe(true);
  });

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

  it("fails a bad batch alone: its neighbours commit and no seq is lost", async () => {
    const { store } = await setup();
    await store.insertJob(newJob("j1"), [sheet("j1", 1)], []);
    const good1 = store.commit({
      jobs: [],
      sheets: [],
      attempts: [],
      events: [draft("j1", "job.started")],
    });
    const bad = store.commit({
      jobs: [jobRecord("missing")],
      sheets: [],
      attempts: [],
      events: [draft("missing", "job.started")],
    });
    const good2 = store.commit({
      jobs: [],
      sheets: [],
      attempts: [],
      events: [draft("j1", "job.paused")],
    });
    await expect(bad).rejects.toThrow(/job missing does not exist/);
    expect((await good1)[0]!.seq).toBe(1);
    expect((await good2)[0]!.seq).toBe(2);
    expect((await store.readEvents({ afterSeq: 0, limit: 10 })).map((e) => e.seq)).toEqual([1, 2]);
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

  it("keeps a recorded process group through upserts until the ledger clears it", async () => {
    const { store } = await setup();
    await store.insertJob(newJob("j1"), [sheet("j1", 1)], []);
    store.recordProcessGroup("j1", 1, 4242, "12345");
    const recorded = [{ jobId: "j1", sheetNum: 1, processGroup: 4242, processStartedAt: "12345" }];
    await store.commit({
      jobs: [],
      sheets: [sheet("j1", 1, { status: "in_progress" })],
      attempts: [],
      events: [],
    });
    expect(await store.listProcessGroups()).toEqual(recorded);
    // A cancelled sheet's group may still be dying: only the ledger forgets it.
    await store.commit({
      jobs: [],
      sheets: [sheet("j1", 1, { status: "cancelled" })],
      attempts: [],
      events: [],
    });
    expect(await store.listProcessGroups()).toEqual(recorded);
    await store.clearProcessGroup("j1", 1, 9999);
    expect(await store.listProcessGroups()).toEqual(recorded);
    await store.clearProcessGroup("j1", 1, 4242);
    expect(await store.listProcessGroups()).toEqual([]);
  });

  it("takes a process group from a record only while the sheet is playing", async () => {
    const { store } = await setup();
    await store.insertJob(newJob("j1"), [sheet("j1", 1)], []);
    await store.commit({
      jobs: [],
      sheets: [sheet("j1", 1, { status: "in_progress", processGroup: 77, processStartedAt: "5" })],
      attempts: [],
      events: [],
    });
    expect((await store.listProcessGroups()).map((g) => g.processGroup)).toEqual([77]);
    await store.clearProcessGroup("j1", 1, 77);
    // A stale group carried by a later record of a sheet no longer playing is not resurrected.
    await store.commit({
      jobs: [],
      sheets: [
        sheet("j1", 1, { status: "retry_scheduled", processGroup: 77, processStartedAt: "5" }),
      ],
      attempts: [],
      events: [],
    });
    expect(await store.listProcessGroups()).toEqual([]);
  });

  it("loads only non-terminal jobs, in submission order, with their sheets in number order", async () => {
    const { store } = await setup();
    for (const id of ["b", "a", "c"]) {
      await store.insertJob(newJob(id), [sheet(id, 2), sheet(id, 1)], []);
    }
    await store.commit({
      jobs: [jobRecord("a", { status: "completed", completedAt: 1 })],
      sheets: [],
      attempts: [],
      events: [],
    });
    const loaded = await store.loadRecoverableJobs();
    expect(loaded.map((j) => j.job.record.id)).toEqual(["b", "c"]);
    expect(loaded[0]!.sheets.map((s) => s.num)).toEqual([1, 2]);
    expect(loaded[0]!.job.scoreText).toBe("name: x\n");
    expect(loaded[0]!.sheets[1]!.dependsOn).toEqual([1]);
  });

  it("reads events after a cursor, for one job or all", async () => {
    const { store } = await setup();
    await store.insertJob(newJob("a"), [], [draft("a", "job.submitted")]);
    await store.insertJob(newJob("b"), [], [draft("b", "job.submitted")]);
    await store.commit({
      jobs: [],
      sheets: [],
      attempts: [],
      events: [draft("a", "job.started"), draft("b", "job.started")],
    });
    expect((await store.readEvents({ afterSeq: 1, limit: 10 })).map((e) => e.seq)).toEqual([
      2, 3, 4,
    ]);
    expect(
      (await store.readEvents({ jobId: "a", afterSeq: 0, limit: 10 })).map((e) => [e.seq, e.event]),
    ).toEqual([
      [1, "job.submitted"],
      [3, "job.started"],
    ]);
    expect((await store.readEvents({ afterSeq: 0, limit: 2 })).map((e) => e.seq)).toEqual([1, 2]);
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
