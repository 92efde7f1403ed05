/**
 * Every process's bus follows the shared event log on PostgreSQL (store/postgres/log-tail.ts):
 * two writers commit concurrently on one throw-away database while a third process's tail feeds
 * its EventBus, which must receive every logged event exactly once, in seq order, whether the
 * wake-ups arrive, are lost, or the notification connection is killed. Runs when
 * PODIUM_TEST_POSTGRES_URL names a server; says plainly when it did not.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import pg from "pg";
import type { EventRecord } from "../../../apps/server/src/contracts/event-log.ts";
import type { ReadEventsQuery } from "../../../apps/server/src/store/contract.ts";
import { EventBus } from "../../../apps/server/src/bus/event-bus.ts";
import {
  openPostgresDatabase,
  type PostgresDatabase,
} from "../../../apps/server/src/store/postgres/database.ts";
import { PostgresStore } from "../../../apps/server/src/store/postgres/store.ts";
import { PgNotifier } from "../../../apps/server/src/store/postgres/notifier.ts";
import { LogTail, LogTailClosedError } from "../../../apps/server/src/store/postgres/log-tail.ts";
import {
  createPostgresDatabase,
  testPostgresUrl,
  type ThrowAwayDatabase,
} from "../../support/databases.ts";
import { draft, jobRecord, newJob, sheet } from "./support/fixtures.ts";

const serverUrl = testPostgresUrl();

const EMPTY_LOG = `TRUNCATE "Event", "Attempt", "Sheet", "Job" RESTART IDENTITY CASCADE;
  UPDATE "EventSeq" SET "last" = 0`;

async function eventually(what: string, check: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One process's view of the database: its own pool, Prisma client and store. */
interface Process {
  db: PostgresDatabase;
  store: PostgresStore;
}

async function openProcess(url: string): Promise<Process> {
  const db = await openPostgresDatabase(url, { maxConnections: 3 });
  return { db, store: new PostgresStore(db) };
}

/** The store's reads, counted (the database is the real one). */
function countingReads(store: PostgresStore) {
  const queries: ReadEventsQuery[] = [];
  const returned: number[] = [];
  return {
    queries,
    returned,
    async readEvents(query: ReadEventsQuery): Promise<EventRecord[]> {
      queries.push(query);
      const events = await store.readEvents(query);
      returned.push(events.length);
      return events;
    },
  };
}

async function wholeLog(store: PostgresStore): Promise<EventRecord[]> {
  const all: EventRecord[] = [];
  for (;;) {
    const batch = await store.readEvents({ afterSeq: all.at(-1)?.seq ?? 0, limit: 1000 });
    all.push(...batch);
    if (batch.length < 1000) return all;
  }
}

/** Commits from one writer: single events, pairs, and checkpoints carrying events. */
async function writeConcurrently(store: PostgresStore, jobId: string, rounds: number) {
  for (let round = 0; round < rounds; round += 1) {
    await Promise.all([
      store.appendEvents([draft(jobId, "sheet.dispatched", 1, { round })]),
      store.appendEvents([
        draft(jobId, "sheet.output", 1, { round, part: 1 }),
        draft(jobId, "sheet.output", 1, { round, part: 2 }),
      ]),
      store.commit({
        jobs: [jobRecord(jobId)],
        sheets: [],
        attempts: [],
        events: [draft(jobId, "sheet.completed", 1, { round })],
      }),
    ]);
  }
}

/** A reader: its bus, what the bus delivered, and a subscriber check of order and uniqueness. */
function busWithRecorder(afterSeq = 0) {
  const gaps: [number, number][] = [];
  const bus = new EventBus({
    startAfterSeq: afterSeq,
    onSequenceGap: (expected, published) => gaps.push([expected, published]),
  });
  const received: EventRecord[] = [];
  bus.subscribe((event) => void received.push(event));
  return { bus, received, gaps };
}

const seqs = (events: readonly EventRecord[]) => events.map((event) => event.seq);
const comparable = (events: readonly EventRecord[]) =>
  events.map(({ seq, jobId, sheetNum, event, data }) => ({ seq, jobId, sheetNum, event, data }));

describe.skipIf(serverUrl === null)("the event-log tail on PostgreSQL", () => {
  let database: ThrowAwayDatabase;
  let writerA: Process;
  let writerB: Process;
  let reader: Process;
  let admin: pg.Client;
  const closing: (() => Promise<void>)[] = [];
  const errors: unknown[] = [];

  beforeAll(async () => {
    database = await createPostgresDatabase(serverUrl!);
    writerA = await openProcess(database.url);
    writerB = await openProcess(database.url);
    reader = await openProcess(database.url);
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    for (const process of [writerA, writerB, reader]) {
      await process?.store.close();
      await process?.db.close();
    }
    await database?.drop();
  });
  beforeEach(async () => {
    await admin.query(EMPTY_LOG);
    await writerA.store.insertJob(newJob("a"), [sheet("a", 1)], []);
    await writerB.store.insertJob(newJob("b"), [sheet("b", 1)], []);
  });
  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close();
    errors.length = 0;
  });

  async function startedNotifier(reconnectDelayMs = 20): Promise<PgNotifier> {
    const notifier = new PgNotifier({
      connectionString: database.url,
      onError: (error) => errors.push(error),
      reconnectDelayMs,
    });
    closing.push(() => notifier.close());
    await notifier.start();
    return notifier;
  }

  /** Resolves once the notifier's LISTENs so far are in effect (they are issued in order). */
  async function listening(notifier: PgNotifier): Promise<void> {
    let heard = false;
    const stop = notifier.listen("probe", () => (heard = true));
    for (let i = 0; !heard && i < 1000; i += 1) {
      await PgNotifier.notify(admin, "probe", "");
      await sleep(10);
    }
    stop();
    expect(heard).toBe(true);
  }

  function tail(options: Omit<ConstructorParameters<typeof LogTail>[0], "onError">): LogTail {
    const created = new LogTail({ ...options, onError: (error) => errors.push(error) });
    closing.push(() => created.close());
    return created;
  }

  it("notifies the last seq of each commit that logged events, in the same transaction", async () => {
    const notifier = await startedNotifier();
    const payloads: string[] = [];
    notifier.listen("podium_events", (payload) => payloads.push(payload));
    await listening(notifier);

    await writerA.store.insertJob(newJob("quiet"), [sheet("quiet", 1)], []);
    await writerA.store.appendEvents([draft("a", "job.started"), draft("a", "job.paused")]);
    // One group: the second piece fails alone (no such job), the first is still logged.
    const [logged, refused] = await Promise.allSettled([
      writerB.store.appendEvents([draft("b", "job.started")]),
      writerB.store.commit({
        jobs: [jobRecord("missing")],
        sheets: [],
        attempts: [],
        events: [draft("missing", "job.started")],
      }),
    ]);
    expect(logged.status).toBe("fulfilled");
    expect(refused.status).toBe("rejected");
    await eventually("two notifications", () => payloads.length >= 2);
    await sleep(100);
    expect(payloads).toEqual(["2", "3"]);
    expect(await reader.store.lastSeq()).toBe(3);
  });

  it("feeds a third process's bus every event of two concurrent writers once, in seq order", async () => {
    const notifier = await startedNotifier();
    const { bus, received, gaps } = busWithRecorder();
    // No poll: the notifications alone must bring every commit.
    tail({ store: reader.store, sink: bus, afterSeq: 0, notifier, pollIntervalMs: 0 });
    await listening(notifier);

    await Promise.all([
      writeConcurrently(writerA.store, "a", 40),
      writeConcurrently(writerB.store, "b", 40),
    ]);
    const log = await wholeLog(reader.store);
    expect(log).toHaveLength(2 * 40 * 4);
    // The writers' commits interleave in the log (they really were concurrent).
    const switches = log.filter((event, i) => i > 0 && event.jobId !== log[i - 1]!.jobId);
    expect(switches.length).toBeGreaterThan(10);
    await eventually("every event on the bus", () => received.length >= log.length);
    await sleep(100);
    expect(comparable(received)).toEqual(comparable(log));
    expect(seqs(received)).toEqual(log.map((_, index) => index + 1));
    expect(gaps).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("hands the local commits on at once, reading the log only for other processes' commits", async () => {
    const { bus, received, gaps } = busWithRecorder();
    const counted = countingReads(reader.store);
    // Neither notifications nor a poll: only the local commits and pokes move this tail.
    const local = tail({ store: counted, sink: bus, afterSeq: 0, pollIntervalMs: 0 });
    await local.whenCaughtUp(0);
    await eventually("the first read", () => counted.returned.length === 1);

    const own = await reader.store.appendEvents([draft("a", "job.started")]);
    local.publishCommitted(own);
    // At once, with no read: the commit continues the tail.
    expect(bus.lastPublishedSeq).toBe(1);
    expect(local.lastSeq).toBe(1);
    expect(counted.queries).toHaveLength(1);
    await eventually("the subscriber", () => received.length === 1);

    // Another process commits between two local commits: its events are read, not skipped.
    await writerB.store.appendEvents([draft("b", "job.started"), draft("b", "job.paused")]);
    const later = await reader.store.appendEvents([draft("a", "job.paused")]);
    local.publishCommitted(later);
    await local.whenCaughtUp(4);
    // The same events published again are dropped.
    local.publishCommitted(later);
    await sleep(20);
    expect(seqs(received)).toEqual([1, 2, 3, 4]);

    // Local and remote commits racing.
    const localCommits = (async () => {
      for (let i = 0; i < 60; i += 1) {
        local.publishCommitted(
          await reader.store.appendEvents([draft("a", "sheet.output", 1, { i })]),
        );
      }
    })();
    await Promise.all([localCommits, writeConcurrently(writerB.store, "b", 20)]);
    const log = await wholeLog(reader.store);
    await local.whenCaughtUp(log.at(-1)!.seq);
    await eventually("the subscriber", () => received.length === log.length);
    expect(comparable(received)).toEqual(comparable(log));
    expect(gaps).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("still delivers everything by polling when the notifications never arrive", async () => {
    // A notifier that was never started never LISTENs: every wake-up is lost.
    const deaf = new PgNotifier({ connectionString: database.url, onError: () => undefined });
    const { bus, received, gaps } = busWithRecorder();
    tail({ store: reader.store, sink: bus, afterSeq: 0, notifier: deaf, pollIntervalMs: 50 });

    await Promise.all([
      writeConcurrently(writerA.store, "a", 10),
      writeConcurrently(writerB.store, "b", 10),
    ]);
    const log = await wholeLog(reader.store);
    await eventually("every event on the bus", () => received.length >= log.length);
    await sleep(150);
    expect(comparable(received)).toEqual(comparable(log));
    expect(gaps).toEqual([]);
  });

  it("catches up with no gap after its notification connection is killed", async () => {
    const notifier = await startedNotifier(1500);
    let reconnects = 0;
    notifier.onReconnect(() => (reconnects += 1));
    const { bus, received, gaps } = busWithRecorder();
    // No poll: what was committed while disconnected can only come through the reconnect.
    tail({ store: reader.store, sink: bus, afterSeq: 0, notifier, pollIntervalMs: 0 });
    await listening(notifier);

    await writeConcurrently(writerA.store, "a", 5);
    await eventually("the first events", () => received.length === 20);
    await admin.query("SELECT pg_terminate_backend($1)", [notifier.backendPid]);
    await eventually("the loss to be noticed", () => !notifier.connected);
    // Committed while nobody listens: these notifications are lost for good.
    await Promise.all([
      writeConcurrently(writerA.store, "a", 3),
      writeConcurrently(writerB.store, "b", 3),
    ]);
    expect(reconnects).toBe(0);
    expect(received).toHaveLength(20);
    await eventually("the reconnect", () => reconnects === 1);
    const log = await wholeLog(reader.store);
    await eventually("the missed events", () => received.length >= log.length);
    expect(comparable(received)).toEqual(comparable(log));

    // Listening again: later commits arrive by notification.
    await writeConcurrently(writerB.store, "b", 2);
    const longer = await wholeLog(reader.store);
    await eventually("the later events", () => received.length >= longer.length);
    await sleep(100);
    expect(comparable(received)).toEqual(comparable(longer));
    expect(seqs(received)).toEqual(longer.map((_, index) => index + 1));
    expect(gaps).toEqual([]);
  });

  it("reads a long log in bounded batches, from where the bus starts", async () => {
    for (let chunk = 0; chunk < 6; chunk += 1)
      await writerA.store.appendEvents(
        Array.from({ length: 250 }, (_, i) =>
          draft("a", "sheet.output", 1, { i: chunk * 250 + i }),
        ),
      );
    const { bus, received, gaps } = busWithRecorder(100);
    const counted = countingReads(reader.store);
    const following = tail({
      store: counted,
      sink: bus,
      afterSeq: 100,
      pollIntervalMs: 0,
      batchSize: 200,
    });
    await following.whenCaughtUp(1500);
    await eventually("the subscriber", () => received.length === 1400);
    expect(seqs(received)).toEqual(Array.from({ length: 1400 }, (_, i) => i + 101));
    expect(Math.max(...counted.queries.map((query) => query.limit))).toBe(200);
    expect(Math.max(...counted.returned)).toBe(200);
    expect(counted.queries.map((query) => query.afterSeq)).toEqual([
      100, 300, 500, 700, 900, 1100, 1300, 1500,
    ]);
    expect(gaps).toEqual([]);
  });

  it("reports failed reads and resumes on the next poll", async () => {
    const { bus, received } = busWithRecorder();
    const following = tail({ store: reader.store, sink: bus, afterSeq: 0, pollIntervalMs: 30 });
    await writerA.store.appendEvents([draft("a", "job.started")]);
    await following.whenCaughtUp(1);

    await admin.query(`ALTER TABLE "Event" RENAME TO "EventAway"`);
    try {
      await eventually("a reported read error", () => errors.length > 0);
    } finally {
      await admin.query(`ALTER TABLE "EventAway" RENAME TO "Event"`);
    }
    await writerA.store.appendEvents([draft("a", "job.paused"), draft("a", "job.resumed")]);
    await following.whenCaughtUp(3);
    await eventually("the subscriber", () => received.length === 3);
    expect(seqs(received)).toEqual([1, 2, 3]);
    expect(String(errors[0])).toMatch(/EventAway|Event/);
  });

  it("refuses a bad start and rejects waiters when closed", async () => {
    const { bus } = busWithRecorder();
    expect(
      () => new LogTail({ store: reader.store, sink: bus, afterSeq: -1, onError: () => undefined }),
    ).toThrow(/afterSeq must be a seq/);
    const following = tail({ store: reader.store, sink: bus, afterSeq: 0, pollIntervalMs: 0 });
    const waiting = expect(following.whenCaughtUp(99)).rejects.toThrow(LogTailClosedError);
    await following.close();
    await waiting;
    await expect(following.whenCaughtUp(100)).rejects.toThrow(/closed before it reached seq 100/);
    await writerA.store.appendEvents([draft("a", "job.started")]);
    following.poke();
    following.publishCommitted(await writerA.store.readEvents({ afterSeq: 0, limit: 10 }));
    expect(following.lastSeq).toBe(0);
  });
});
