/**
 * One suite over every implementation of the store contract (store/contract.ts): the in-memory
 * oracle for the baton's commit port, SQLite and PostgreSQL for all of it. PostgreSQL runs when
 * PODIUM_TEST_POSTGRES_URL names a server (.ci/run starts one) and says plainly when it did not.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type {
  CheckpointCommit,
  CheckpointStore,
} from "../../../apps/server/src/baton/runtime/ports.ts";
import { MemoryCheckpointStore } from "../../../apps/server/src/store/memory-store.ts";
import type { ReplacedScore } from "../../../apps/server/src/store/contract.ts";
import type { JobRecord, SheetRecord } from "../../../apps/server/src/contracts/records.ts";
import { storeBackends, type OpenedSubject } from "./support/backends.ts";
import { attempt, draft, jobRecord, newJob, sheet } from "./support/fixtures.ts";

const backends = storeBackends();
for (const backend of backends) {
  if (backend.unavailable)
    console.log(`store contract on ${backend.name} NOT RUN: ${backend.unavailable}`);
}

const onlyEvents = (events: CheckpointCommit["events"]): CheckpointCommit => ({
  jobs: [],
  sheets: [],
  attempts: [],
  events,
});

describe.each([
  { name: "in-memory", unavailable: null as string | null, backend: null },
  ...backends.map((backend) => ({ name: backend.name, unavailable: backend.unavailable, backend })),
])("the baton's commit port on $name", ({ unavailable, backend }) => {
  let opened: OpenedSubject | null = null;
  let memory: MemoryCheckpointStore | null = null;
  beforeAll(async () => {
    if (!unavailable) await backend?.setUp();
  });
  afterAll(async () => {
    if (!unavailable) await backend?.tearDown();
  });
  afterEach(async () => {
    await opened?.close();
    opened = null;
    memory = null;
  });
  async function open(): Promise<CheckpointStore> {
    if (backend === null) return (memory = new MemoryCheckpointStore());
    opened = await backend.open();
    await opened.store.insertJob(newJob("j1"), [sheet("j1", 1)], []);
    return opened.store;
  }
  /** A job's committed record and sheets, as recovery would read them back. */
  async function checkpoint(
    jobId: string,
  ): Promise<{ job: JobRecord | null; sheets: SheetRecord[] }> {
    if (memory !== null) return memory.checkpoint(jobId) ?? { job: null, sheets: [] };
    const loaded = await opened!.store.loadJob(jobId);
    return { job: loaded?.job.record ?? null, sheets: loaded?.sheets ?? [] };
  }
  async function loggedEvents(): Promise<[number, string, string][]> {
    const events =
      memory !== null
        ? memory.events
        : await opened!.store.readEvents({ afterSeq: 0, limit: 1_000 });
    return events.map((e) => [e.seq, e.jobId, e.event]);
  }

  it.skipIf(unavailable)("logs events with gap-free seqs in call order", async () => {
    const store = await open();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.commit(onlyEvents([draft("j1", "sheet.dispatched", 1, { i })])),
      ),
    );
    expect(results.map((r) => [r[0]!.seq, r[0]!.data.i])).toEqual(
      Array.from({ length: 20 }, (_, i) => [i + 1, i]),
    );
    const next = await store.commit(
      onlyEvents([draft("j1", "job.paused"), draft("j1", "job.resumed")]),
    );
    expect(next.map((e) => e.seq)).toEqual([21, 22]);
  });

  it.skipIf(unavailable)(
    "writes a new job's row first, with its sheets, record and events in the same commit",
    async () => {
      const store = await open();
      const logged = await store.commit({
        newJobs: [newJob("n1", { idempotencyKey: "key-n1" })],
        jobs: [jobRecord("n1", { status: "running" })],
        sheets: [sheet("n1", 1), sheet("n1", 2)],
        attempts: [],
        events: [draft("n1", "job.submitted"), draft("n1", "job.started")],
      });
      expect(logged.map((e) => [e.seq, e.event])).toEqual([
        [1, "job.submitted"],
        [2, "job.started"],
      ]);
      const { job, sheets } = await checkpoint("n1");
      expect(job).toEqual(jobRecord("n1", { status: "running" }));
      expect(sheets.map((s) => [s.num, s.status, s.dependsOn])).toEqual([
        [1, "pending", []],
        [2, "pending", [1]],
      ]);
    },
  );

  it.skipIf(unavailable)(
    "rejects a whole commit whose new job's idempotency key is taken, and writes none of it",
    async () => {
      const store = await open();
      await store.commit({
        newJobs: [newJob("first", { idempotencyKey: "k" })],
        jobs: [],
        sheets: [sheet("first", 1)],
        attempts: [],
        events: [draft("first", "job.submitted")],
      });
      const taken = store.commit({
        // The first new job is fine on its own; the second's key makes the commit fail whole.
        newJobs: [
          newJob("fresh", { idempotencyKey: "other" }),
          newJob("second", { idempotencyKey: "k" }),
        ],
        jobs: [jobRecord("fresh")],
        sheets: [sheet("fresh", 1), sheet("second", 1)],
        attempts: [],
        events: [draft("fresh", "job.submitted"), draft("second", "job.submitted")],
      });
      await expect(taken).rejects.toThrow(/idempotency key of job second already names job first/);
      expect(await checkpoint("fresh")).toEqual({ job: null, sheets: [] });
      expect(await checkpoint("second")).toEqual({ job: null, sheets: [] });
      expect((await checkpoint("first")).sheets.map((s) => s.jobId)).toEqual(["first"]);
      // No seq was used up, and the key of the rejected first new job was not kept either.
      const after = await store.commit({
        newJobs: [newJob("third", { idempotencyKey: "other" })],
        jobs: [],
        sheets: [],
        attempts: [],
        events: [draft("third", "job.submitted")],
      });
      expect(after.map((e) => e.seq)).toEqual([2]);
      expect(await loggedEvents()).toEqual([
        [1, "first", "job.submitted"],
        [2, "third", "job.submitted"],
      ]);
    },
  );
});

describe.each(backends)("the store contract on $name", (backend) => {
  let subject: OpenedSubject | null = null;
  const extra: { close(): Promise<void> }[] = [];
  beforeAll(async () => {
    if (!backend.unavailable) await backend.setUp();
  });
  afterAll(async () => {
    if (!backend.unavailable) await backend.tearDown();
  });
  afterEach(async () => {
    for (const other of extra.splice(0)) await other.close();
    await subject?.close();
    subject = null;
  });
  async function open(options: Parameters<typeof backend.open>[0] = {}): Promise<OpenedSubject> {
    subject = await backend.open(options);
    return subject;
  }
  const test = it.skipIf(backend.unavailable);

  test("inserts a job with its sheets and first events, read back by every reader", async () => {
    const { store, prisma } = await open();
    const outcome = await store.insertJob(
      newJob("j1"),
      [sheet("j1", 1), sheet("j1", 2)],
      [draft("j1", "job.submitted")],
    );
    expect(outcome).toMatchObject({ created: true, jobId: "j1" });
    if (!outcome.created) throw new Error("unreachable");
    expect(outcome.events.map((e) => e.seq)).toEqual([1]);
    const loaded = await store.loadJob("j1");
    expect(loaded!.job).toMatchObject({ name: "job j1", createdAt: 1_700_000_000_000 });
    expect(loaded!.sheets.map((s) => [s.num, s.status, s.dependsOn])).toEqual([
      [1, "pending", []],
      [2, "pending", [1]],
    ]);
    const row = await store.readModel.getJob("j1");
    expect(row).toMatchObject({ name: "job j1", status: "pending", warnings: [] });
    expect(row!.createdAt.getTime()).toBe(1_700_000_000_000);
    expect(row!.updatedAt).toBeInstanceOf(Date);
    expect(Number.isNaN(row!.updatedAt.getTime())).toBe(false);
    expect(await store.readModel.getJob("nobody")).toBeNull();
    const [event] = (await store.readModel.listEvents({ afterSeq: 0, limit: 10 })).rows;
    expect([event!.seq, event!.event, event!.timestamp]).toEqual([
      1,
      "job.submitted",
      1_700_000_003_000,
    ]);
    expect(await prisma.sheet.count()).toBe(2);
  });

  test("gives one job for two concurrent inserts with the same idempotency key", async () => {
    const { store, prisma } = await open();
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
    expect((await store.findJobByIdempotencyKey("k"))!.record.id).toBe("first");
    expect(await store.findJobByIdempotencyKey("other")).toBeNull();
    expect([
      await prisma.job.count(),
      await prisma.sheet.count(),
      await prisma.event.count(),
    ]).toEqual([1, 1, 1]);
  });

  test("commits job, sheets, attempts and events atomically", async () => {
    const { store } = await open();
    await store.insertJob(
      newJob("j1"),
      [sheet("j1", 1), sheet("j1", 2)],
      [draft("j1", "job.submitted")],
    );
    const logged = await store.commit({
      jobs: [
        jobRecord("j1", {
          completedSheets: 1,
          costUsd: 0.01,
          pauseReasons: ["user"],
          pauseReason: "user",
        }),
      ],
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
    const { job, sheets } = (await store.loadJob("j1"))!;
    expect(job.record).toEqual(
      jobRecord("j1", {
        completedSheets: 1,
        costUsd: 0.01,
        pauseReasons: ["user"],
        pauseReason: "user",
      }),
    );
    expect(sheets[0]).toEqual(
      sheet("j1", 1, { status: "completed", completedAt: 1_700_000_002_120, normalAttempts: 1 }),
    );
    const [row] = await store.readModel.listAttempts("j1", 1);
    const { dispatchToken: _token, startedAt, finishedAt, ...rest } = attempt("j1", 1);
    expect(row).toEqual({
      ...rest,
      startedAt: new Date(startedAt),
      finishedAt: new Date(finishedAt),
    });
  });

  test("fails a bad batch alone: its neighbours commit and no seq is lost", async () => {
    const { store } = await open();
    await store.insertJob(newJob("j1"), [sheet("j1", 1)], []);
    const good1 = store.commit(onlyEvents([draft("j1", "job.started")]));
    const bad = store.commit({
      ...onlyEvents([draft("missing", "job.started")]),
      jobs: [jobRecord("missing")],
    });
    const good2 = store.commit(onlyEvents([draft("j1", "job.paused")]));
    await expect(bad).rejects.toThrow(/job missing does not exist/);
    expect((await good1)[0]!.seq).toBe(1);
    expect((await good2)[0]!.seq).toBe(2);
    expect((await store.readEvents({ afterSeq: 0, limit: 10 })).map((e) => e.seq)).toEqual([1, 2]);
    expect(await store.lastSeq()).toBe(2);
  });

  test("commits a resumed job's corrected score with the sheets still to run and its events", async () => {
    const { store } = await open();
    await store.insertJob(
      newJob("j1"),
      [sheet("j1", 1), sheet("j1", 2)],
      [draft("j1", "job.submitted")],
    );
    const spec = { sheets: [] } as unknown as ReplacedScore["spec"];
    const logged = await store.commit({
      ...onlyEvents([draft("j1", "job.rescored")]),
      sheets: [sheet("j1", 2, { prompt: "corrected" })],
      rescored: [{ id: "j1", name: "renamed", scoreText: "name: y\n", configHash: "h2", spec }],
    });
    expect(logged.map((e) => e.seq)).toEqual([2]);
    const { job, sheets } = (await store.loadJob("j1"))!;
    expect([job.name, job.scoreText, job.configHash, job.spec]).toEqual([
      "renamed",
      "name: y\n",
      "h2",
      spec,
    ]);
    expect(sheets.map((s) => s.prompt)).toEqual([null, "corrected"]);
  });

  test("commits a new job in one transaction with the rest: when any part fails, none of it is stored", async () => {
    const { store, prisma } = await open();
    const failing = store.commit({
      newJobs: [newJob("n1", { idempotencyKey: "key-n1" })],
      jobs: [jobRecord("missing")],
      sheets: [sheet("n1", 1)],
      attempts: [],
      events: [draft("n1", "job.submitted")],
    });
    await expect(failing).rejects.toThrow(/job missing does not exist/);
    expect([
      await prisma.job.count(),
      await prisma.sheet.count(),
      await prisma.event.count(),
    ]).toEqual([0, 0, 0]);
    expect(await store.findJobByIdempotencyKey("key-n1")).toBeNull();

    await store.commit({
      newJobs: [newJob("n1", { idempotencyKey: "key-n1" })],
      jobs: [],
      sheets: [sheet("n1", 1)],
      attempts: [],
      events: [draft("n1", "job.submitted")],
    });
    expect((await store.findJobByIdempotencyKey("key-n1"))!.record.id).toBe("n1");
    expect(await store.readModel.getJob("n1")).toMatchObject({ name: "job n1", status: "pending" });
    expect((await store.readModel.listSheets("n1")).map((s) => s.num)).toEqual([1]);
    expect((await store.readEvents({ afterSeq: 0, limit: 10 })).map((e) => e.seq)).toEqual([1]);
  });

  test("keeps the stored score and pending hooks of a commit that fails, and applies both once one succeeds", async () => {
    const { store } = await open();
    await store.insertJob(newJob("j1", { hooksPending: true }), [sheet("j1", 1)], []);
    await store.commit({
      ...onlyEvents([]),
      jobs: [jobRecord("j1", { status: "completed", completedAt: 5 })],
    });
    const spec = { sheets: [] } as unknown as ReplacedScore["spec"];
    const corrected = { id: "j1", name: "renamed", scoreText: "name: y\n", configHash: "h2", spec };
    const failing = store.commit({
      ...onlyEvents([draft("j1", "job.rescored")]),
      jobs: [jobRecord("missing")],
      rescored: [corrected],
      hooksFinished: ["j1"],
    });
    await expect(failing).rejects.toThrow(/job missing does not exist/);
    const kept = (await store.loadJob("j1"))!.job;
    expect([kept.name, kept.scoreText, kept.configHash, kept.hooksPending]).toEqual([
      "job j1",
      "name: x\n",
      "hash",
      true,
    ]);
    expect((await store.loadJobsWithPendingHooks()).map((j) => j.record.id)).toEqual(["j1"]);

    await store.commit({ ...onlyEvents([]), rescored: [corrected], hooksFinished: ["j1"] });
    const changed = (await store.loadJob("j1"))!.job;
    expect([changed.name, changed.scoreText, changed.configHash, changed.hooksPending]).toEqual([
      "renamed",
      "name: y\n",
      "h2",
      false,
    ]);
    expect(await store.readModel.getJob("j1")).toMatchObject({
      name: "renamed",
      scoreText: "name: y\n",
    });
    expect(await store.loadJobsWithPendingHooks()).toEqual([]);
    expect(await store.readEvents({ afterSeq: 0, limit: 10 })).toEqual([]);
  });

  test("loads only non-terminal jobs, in submission order, with their sheets in number order", async () => {
    const { store } = await open();
    for (const id of ["b", "a", "c"])
      await store.insertJob(newJob(id), [sheet(id, 2), sheet(id, 1)], []);
    await store.commit({
      ...onlyEvents([]),
      jobs: [jobRecord("a", { status: "completed", completedAt: 1 })],
    });
    const loaded = await store.loadRecoverableJobs();
    expect(loaded.map((j) => j.job.record.id)).toEqual(["b", "c"]);
    expect(loaded[0]!.sheets.map((s) => s.num)).toEqual([1, 2]);
    expect(loaded[0]!.sheets[1]!.dependsOn).toEqual([1]);
  });

  test("finds completed jobs with hooks pending until they are marked done, and child jobs", async () => {
    const { store } = await open();
    await store.insertJob(newJob("parent", { hooksPending: true }), [], []);
    await store.insertJob(newJob("child2", { parentJobId: "parent" }), [], []);
    await store.insertJob(newJob("child1", { parentJobId: "parent" }), [], []);
    expect(await store.loadJobsWithPendingHooks()).toEqual([]);
    await store.commit({
      ...onlyEvents([]),
      jobs: [jobRecord("parent", { status: "completed", completedAt: 5 })],
    });
    expect((await store.loadJobsWithPendingHooks()).map((j) => j.record.id)).toEqual(["parent"]);
    await store.commit({ ...onlyEvents([]), hooksFinished: ["parent"] });
    expect(await store.loadJobsWithPendingHooks()).toEqual([]);
    expect(await store.childJobIds("parent")).toEqual(["child2", "child1"]);
  });

  test("replays events after a cursor, for one job or all, and pages them", async () => {
    const { store } = await open();
    await store.insertJob(newJob("a"), [], [draft("a", "job.submitted")]);
    await store.insertJob(newJob("b"), [], [draft("b", "job.submitted")]);
    await store.commit(onlyEvents([draft("a", "job.started"), draft("b", "job.started")]));
    expect((await store.readEvents({ afterSeq: 1, limit: 10 })).map((e) => e.seq)).toEqual([
      2, 3, 4,
    ]);
    expect(
      (await store.readEvents({ jobId: "a", afterSeq: 0, limit: 10 })).map((e) => [e.seq, e.event]),
    ).toEqual([
      [1, "job.submitted"],
      [3, "job.started"],
    ]);
    const page = await store.readModel.listEvents({ afterSeq: 0, limit: 2 });
    expect([page.rows.map((e) => e.seq), page.hasNextPage]).toEqual([[1, 2], true]);
    const ofJob = await store.readModel.listEvents({ jobId: "a", afterSeq: 1, limit: 5 });
    expect([ofJob.rows.map((e) => e.seq), ofJob.hasNextPage]).toEqual([[3], false]);
    expect(await store.readModel.lastEventSeq()).toBe(4);
  });

  test("keeps a recorded process group through upserts until the ledger clears it", async () => {
    const { store } = await open();
    await store.insertJob(newJob("j1"), [sheet("j1", 1)], []);
    store.recordProcessGroup("j1", 1, 4242, "12345");
    const recorded = [{ jobId: "j1", sheetNum: 1, processGroup: 4242, processStartedAt: "12345" }];
    await store.commit({ ...onlyEvents([]), sheets: [sheet("j1", 1, { status: "in_progress" })] });
    expect(await store.listProcessGroups()).toEqual(recorded);
    await store.commit({ ...onlyEvents([]), sheets: [sheet("j1", 1, { status: "cancelled" })] });
    expect(await store.listProcessGroups()).toEqual(recorded);
    await store.clearProcessGroup("j1", 1, 9999);
    expect(await store.listProcessGroups()).toEqual(recorded);
    await store.clearProcessGroup("j1", 1, 4242);
    expect(await store.listProcessGroups()).toEqual([]);
    store.recordProcessGroup("j1", 1, 7, null);
    await store.forgetProcessGroups();
    expect(await store.listProcessGroups()).toEqual([]);
  });

  test("takes a process group from a record only while the sheet is playing", async () => {
    const { store } = await open();
    await store.insertJob(newJob("j1"), [sheet("j1", 1)], []);
    const playing = sheet("j1", 1, {
      status: "in_progress",
      processGroup: 77,
      processStartedAt: "5",
    });
    await store.commit({ ...onlyEvents([]), sheets: [playing] });
    expect((await store.listProcessGroups()).map((g) => g.processGroup)).toEqual([77]);
    await store.clearProcessGroup("j1", 1, 77);
    await store.commit({ ...onlyEvents([]), sheets: [{ ...playing, status: "retry_scheduled" }] });
    expect(await store.listProcessGroups()).toEqual([]);
  });

  test("redacts secrets from everything it stores", async () => {
    const redact = (text: string) => text.split("hunter2").join("[REDACTED]");
    const { store, prisma } = await open({ redact });
    await store.insertJob(
      newJob("j1"),
      [sheet("j1", 1, { prompt: "pw hunter2" })],
      [draft("j1", "job.submitted", 0, { note: "hunter2" })],
    );
    await store.commit({
      jobs: [jobRecord("j1", { errorMessage: "failed with hunter2" })],
      sheets: [sheet("j1", 1, { stdoutTail: "echo hunter2" })],
      attempts: [attempt("j1", 1, { stderrTail: "hunter2!" })],
      events: [draft("j1", "sheet.failed", 1, { message: "hunter2" })],
    });
    await store.appendEvents([draft("j1", "job.paused", 0, { why: "hunter2" })]);
    const stored = JSON.stringify(
      [
        await prisma.job.findMany(),
        await prisma.sheet.findMany(),
        await prisma.attempt.findMany(),
        await prisma.event.findMany(),
      ],
      (_key, value: unknown) => (typeof value === "bigint" ? Number(value) : value),
    );
    expect(stored).not.toContain("hunter2");
    expect(stored).toContain("[REDACTED]");
  });

  test("allocates seqs in commit order across concurrent writers, so a cursor reader misses none", async () => {
    const { store } = await open();
    await store.insertJob(newJob("j1"), [sheet("j1", 1)], []);
    const other = await subject!.secondWriter();
    extra.push(other);
    const writers = [store, other.store];
    const perWriter = 60;
    let writing = true;
    const seen: number[] = [];
    const reader = (async () => {
      let cursor = 0;
      for (;;) {
        const done = !writing;
        const page = await store.readEvents({ afterSeq: cursor, limit: 1_000 });
        for (const event of page) seen.push(event.seq);
        if (page.length > 0) cursor = page[page.length - 1]!.seq;
        if (done && page.length === 0) return;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await Promise.all(
      writers.map(async (writer, w) => {
        for (let i = 0; i < perWriter; i += 1) {
          // Separate transactions: each waits for its commit before the next.
          await writer.commit(
            onlyEvents([
              draft("j1", "sheet.dispatched", 1, { w, i }),
              draft("j1", "sheet.output", 1),
            ]),
          );
        }
      }),
    );
    writing = false;
    await reader;
    const total = writers.length * perWriter * 2;
    expect(seen).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  });
});
