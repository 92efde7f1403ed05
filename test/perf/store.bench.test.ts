/**
 * Checkpoint store throughput and latency, each figure beside raw better-sqlite3 doing the same
 * writes on the same file in the same run:
 *   - events per second through commit(), grouped (many commits in flight) and one at a time;
 *   - p99 latency of a single commit;
 *   - loading 10,000 sheets for boot recovery beside a raw SELECT of the same rows.
 * Targets: ≥ 50 % of raw grouped, ≥ 25 % of raw one-per-transaction, p99 ≤ 5 ms, load ≤ 2× raw.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventDraft } from "../../apps/server/src/contracts/event-log.ts";
import { openDatabase, type PodiumDatabase } from "../../apps/server/src/store/database.ts";
import { SqliteCheckpointStore } from "../../apps/server/src/store/checkpoint-store.ts";
import { toSqlTime } from "../../apps/server/src/store/sql-values.ts";
import { newJob, sheet } from "../integration/store/support/fixtures.ts";
import { createPodium } from "../../apps/server/src/app.ts";
import { parseScore } from "../../apps/server/src/score/parse.ts";
import { buildJobSpec } from "../../apps/server/src/conductor/job-spec.ts";
import { freshSheetRecord } from "../../apps/server/src/baton/core/registry.ts";
import type { SheetStatus } from "../../apps/server/src/contracts/status.ts";
import type pg from "pg";
import type { PodiumStore } from "../../apps/server/src/store/contract.ts";
import { openStore, type OpenedStore } from "../../apps/server/src/store/open-store.ts";
import type { PrismaClient as PrismaPostgresClient } from "../../apps/server/src/generated/prisma-postgresql/client.ts";
import {
  createPostgresDatabase,
  testPostgresUrl,
  type ThrowAwayDatabase,
} from "../support/databases.ts";

const GROUPED_EVENTS = 40_000;
const GROUPED_ROUNDS = 8;
const IN_FLIGHT = 500;
const SINGLE_EVENTS = 3_000;
const RECOVERY_JOBS = 100;
const SHEETS_PER_JOB = 100;
const P99_TARGET_MS = 5;

function bench(name: string, value: number, unit: string, baseline: number, ratio: number): void {
  console.log(
    `bench: ${name} ${value.toFixed(2)} ${unit} | baseline ${baseline.toFixed(2)} ${unit} | ratio ${ratio.toFixed(2)}`,
  );
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function draft(i: number): EventDraft {
  return {
    jobId: "bench-job",
    sheetNum: (i % 50) + 1,
    event: "sheet.dispatched",
    data: { i, instrument: "cli" },
    timestamp: 1_700_000_000_000 + i,
  };
}

describe("checkpoint store benchmark", () => {
  let dir: string;
  let db: PodiumDatabase;
  let store: SqliteCheckpointStore;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "podium-bench-"));
    db = await openDatabase(`file:${path.join(dir, "bench.db")}`);
    store = new SqliteCheckpointStore(db.writer);
    await store.insertJob(newJob("bench-job"), [], []);
  });
  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const rawInsert = () =>
    db.writer.prepare(
      `INSERT INTO "Event" ("jobId", "sheetNum", "name", "data", "timestamp") VALUES (?, ?, ?, ?, ?)`,
    );
  const rawRow = (event: EventDraft) =>
    [
      event.jobId,
      event.sheetNum,
      event.event,
      JSON.stringify(event.data),
      toSqlTime(event.timestamp),
    ] as const;

  it("commits grouped events at ≥ 50 % of raw grouped inserts", async () => {
    const insert = rawInsert();
    // Raw and store waves alternate, so both see the same machine noise; the figure is the
    // median over rounds, so one stall (a WAL checkpoint, a GC pause) does not decide it.
    const rounds: { raw: number; ours: number }[] = [];
    const before = store.stats.transactions;
    const perRound = GROUPED_EVENTS / GROUPED_ROUNDS;
    for (let round = 0; round < GROUPED_ROUNDS; round += 1) {
      let rawMs = 0;
      let storeMs = 0;
      for (let offset = round * perRound; offset < (round + 1) * perRound; offset += IN_FLIGHT) {
        let t = performance.now();
        db.writer.transaction(() => {
          for (let i = offset; i < offset + IN_FLIGHT; i += 1) insert.run(...rawRow(draft(i)));
        })();
        rawMs += performance.now() - t;
        t = performance.now();
        const commits = [];
        for (let i = offset; i < offset + IN_FLIGHT; i += 1) {
          commits.push(store.commit({ jobs: [], sheets: [], attempts: [], events: [draft(i)] }));
        }
        await Promise.all(commits);
        storeMs += performance.now() - t;
      }
      rounds.push({ raw: perRound / (rawMs / 1000), ours: perRound / (storeMs / 1000) });
    }
    const median = (values: number[]) =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const rawRate = median(rounds.map((r) => r.raw));
    const rate = median(rounds.map((r) => r.ours));
    const ratio = median(rounds.map((r) => r.ours / r.raw));
    const transactions = store.stats.transactions - before;
    bench("store.commit grouped", rate, "events/s", rawRate, ratio);
    console.log(`store.commit grouped: ${GROUPED_EVENTS} commits in ${transactions} transactions`);
    expect(transactions).toBeLessThan(GROUPED_EVENTS / 10);
    expect(ratio).toBeGreaterThanOrEqual(0.5);
  });

  it("commits one event per transaction at ≥ 25 % of raw, with p99 ≤ 5 ms", async () => {
    const insert = rawInsert();
    // Raw and store samples alternate, so both see the same machine noise.
    const rawLatencies: number[] = [];
    const latencies: number[] = [];
    for (let i = 0; i < SINGLE_EVENTS; i += 1) {
      let t = performance.now();
      db.writer.transaction(() => insert.run(...rawRow(draft(i))))();
      rawLatencies.push(performance.now() - t);
      t = performance.now();
      await store.commit({ jobs: [], sheets: [], attempts: [], events: [draft(i)] });
      latencies.push(performance.now() - t);
    }
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    const rawRate = SINGLE_EVENTS / (sum(rawLatencies) / 1000);
    const rate = SINGLE_EVENTS / (sum(latencies) / 1000);
    bench("store.commit one per transaction", rate, "events/s", rawRate, rate / rawRate);
    latencies.sort((a, b) => a - b);
    rawLatencies.sort((a, b) => a - b);
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    const rawP99 = percentile(rawLatencies, 99);
    bench(
      "store.commit p50 latency",
      p50,
      "ms",
      percentile(rawLatencies, 50),
      p50 / percentile(rawLatencies, 50),
    );
    bench("store.commit p99 latency", p99, "ms", rawP99, p99 / rawP99);
    expect(rate / rawRate).toBeGreaterThanOrEqual(0.25);
    if (rawP99 <= P99_TARGET_MS) {
      expect(p99).toBeLessThanOrEqual(P99_TARGET_MS);
    } else {
      // The machine itself misses the target (raw SQLite alone is slower): judge the store by
      // what it adds instead, and say so.
      console.warn(
        `bench: p99 target ${P99_TARGET_MS} ms not judged: raw SQLite p99 is ${rawP99.toFixed(2)} ms on this machine now`,
      );
      expect(p99 / rawP99).toBeLessThanOrEqual(2);
    }
  });

  it(`loads ${RECOVERY_JOBS * SHEETS_PER_JOB} sheets for recovery within 2× a raw SELECT`, async () => {
    for (let j = 0; j < RECOVERY_JOBS; j += 1) {
      const id = `recover-${j}`;
      const sheets = Array.from({ length: SHEETS_PER_JOB }, (_, n) =>
        sheet(id, n + 1, {
          status: n % 3 === 0 ? "completed" : n % 3 === 1 ? "in_progress" : "pending",
          stdoutTail: "x".repeat(200),
        }),
      );
      await store.insertJob(newJob(id, { totalSheets: SHEETS_PER_JOB }), sheets, []);
    }
    const rawJobs = db.writer.prepare(
      `SELECT * FROM "Job" WHERE "status" NOT IN ('completed','failed','cancelled')`,
    );
    const rawSheets = db.writer.prepare(
      `SELECT "Sheet".* FROM "Sheet" JOIN "Job" ON "Job"."id" = "Sheet"."jobId" WHERE "Job"."status" NOT IN ('completed','failed','cancelled')`,
    );
    const runs = 7;
    const rawTimes: number[] = [];
    const storeTimes: number[] = [];
    let loadedSheets = 0;
    for (let r = 0; r < runs; r += 1) {
      let t = performance.now();
      const rows = rawSheets.all();
      rawJobs.all();
      rawTimes.push(performance.now() - t);
      t = performance.now();
      const loaded = await store.loadRecoverableJobs();
      storeTimes.push(performance.now() - t);
      loadedSheets = loaded.reduce((sum, job) => sum + job.sheets.length, 0);
      expect(loadedSheets).toBe(rows.length);
    }
    rawTimes.sort((a, b) => a - b);
    storeTimes.sort((a, b) => a - b);
    const raw = rawTimes[Math.floor(runs / 2)]!;
    const ours = storeTimes[Math.floor(runs / 2)]!;
    bench(`recovery load ${loadedSheets} sheets`, ours, "ms", raw, ours / raw);
    expect(loadedSheets).toBe(RECOVERY_JOBS * SHEETS_PER_JOB);
    expect(ours / raw).toBeLessThanOrEqual(2);
  });

  it(`boots a conductor over ${RECOVERY_JOBS * SHEETS_PER_JOB} unfinished sheets (reported beside the raw SELECT)`, async () => {
    // The whole boot: orphan check, load, re-parse every score, rebuild the baton's state, and
    // commit the reset sheets and job.recovered events. Reported, not held to the 2× target,
    // which applies to loading the checkpoint (above).
    const bootDir = mkdtempSync(path.join(tmpdir(), "podium-bench-boot-"));
    const databaseUrl = `file:${path.join(bootDir, "boot.db")}`;
    try {
      const seedDb = await openDatabase(databaseUrl);
      const seedStore = new SqliteCheckpointStore(seedDb.writer);
      const scoreText = `name: bench\ninstrument: cli\nsheet: {size: 1, total_items: ${SHEETS_PER_JOB}}\nprompt: {template: "true"}\n`;
      const parsed = parseScore(scoreText);
      if (!parsed.ok) throw new Error(parsed.message);
      for (let j = 0; j < RECOVERY_JOBS; j += 1) {
        const id = `boot-${j}`;
        const sheets = parsed.sheets.map((plan) => ({
          ...freshSheetRecord(id, plan),
          status: (plan.num <= 2
            ? "completed"
            : plan.num === 3
              ? "in_progress"
              : "pending") as SheetStatus,
        }));
        const options = {
          selfHealing: false,
          escalation: false,
          startSheet: 1,
          jobTimeoutSeconds: null,
          concert: null,
        };
        const built = buildJobSpec(parsed, {
          jobId: id,
          workspace: path.join(bootDir, id),
          options,
          cwd: bootDir,
        });
        if (!built.ok) throw new Error(built.message);
        await seedStore.insertJob(
          newJob(id, {
            scoreText,
            spec: built.spec,
            totalSheets: SHEETS_PER_JOB,
            status: "running",
          }),
          sheets,
          [],
        );
      }
      const rawSheets = seedDb.writer.prepare(
        `SELECT "Sheet".* FROM "Sheet" JOIN "Job" ON "Job"."id" = "Sheet"."jobId" WHERE "Job"."status" NOT IN ('completed','failed','cancelled')`,
      );
      const rawTimes: number[] = [];
      let rows: unknown[] = [];
      for (let r = 0; r < 5; r += 1) {
        const t = performance.now();
        rows = rawSheets.all();
        rawTimes.push(performance.now() - t);
      }
      const raw = rawTimes.sort((a, b) => a - b)[2]!;
      await seedDb.close();
      const podium = await createPodium({
        databaseUrl,
        dataDir: path.join(bootDir, "data"),
        instrumentDirs: [],
        maxConcurrentSheets: 1,
      });
      try {
        expect(podium.recovery.recoveredJobs).toHaveLength(RECOVERY_JOBS);
        bench(
          `conductor boot recovery ${rows.length} sheets`,
          podium.recovery.durationMs,
          "ms",
          raw,
          podium.recovery.durationMs / raw,
        );
      } finally {
        await podium.close();
      }
    } finally {
      rmSync(bootDir, { recursive: true, force: true });
    }
  });
});

/**
 * The same workloads on PostgreSQL, each beside raw `pg` doing the same writes in the same run
 * (one INSERT per event, seq computed by the client; a plain SELECT of the same rows), plus the
 * writer Prisma would give (an interactive transaction of raw statements) for the choice of
 * layer in DESIGN.md §7. Reported, not held to SQLite's targets: the server's round trip decides.
 */
describe("checkpoint store benchmark on PostgreSQL", () => {
  const serverUrl = testPostgresUrl();
  if (serverUrl === null) console.log("bench: PostgreSQL figures NOT RUN (no server)");
  let database: ThrowAwayDatabase;
  let opened: OpenedStore;
  let store: PodiumStore;
  let pool: pg.Pool;
  let nextRawSeq = 1_000_000_000;

  beforeAll(async () => {
    if (serverUrl === null) return;
    database = await createPostgresDatabase(serverUrl);
    opened = await openStore(database.url);
    if (opened.db.kind !== "postgresql") throw new Error("expected PostgreSQL");
    pool = opened.db.pool;
    store = opened.store;
    await store.insertJob(newJob("bench-job"), [], []);
  });
  afterAll(async () => {
    if (serverUrl === null) return;
    await opened.close();
    await database.drop();
  });

  const RAW_INSERT = `INSERT INTO "Event" ("seq", "jobId", "sheetNum", "name", "data", "timestamp")
    VALUES ($1, $2, $3, $4, $5, $6)`;
  const rawParams = (event: EventDraft) => [
    nextRawSeq++,
    event.jobId,
    event.sheetNum,
    event.event,
    JSON.stringify(event.data),
    new Date(event.timestamp).toISOString(),
  ];
  const PG_GROUPED_EVENTS = 10_000;
  const PG_SINGLE_EVENTS = 1_000;

  it.skipIf(serverUrl === null)("reports grouped commits beside raw pg", async () => {
    const prisma = (opened.db as { prismaPostgres: PrismaPostgresClient }).prismaPostgres;
    let rawMs = 0;
    let storeMs = 0;
    let prismaMs = 0;
    for (let offset = 0; offset < PG_GROUPED_EVENTS; offset += IN_FLIGHT) {
      let t = performance.now();
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        for (let i = offset; i < offset + IN_FLIGHT; i += 1)
          await client.query(RAW_INSERT, rawParams(draft(i)));
        await client.query("COMMIT");
      } finally {
        client.release();
      }
      rawMs += performance.now() - t;
      t = performance.now();
      const commits = [];
      for (let i = offset; i < offset + IN_FLIGHT; i += 1)
        commits.push(store.commit({ jobs: [], sheets: [], attempts: [], events: [draft(i)] }));
      await Promise.all(commits);
      storeMs += performance.now() - t;
      t = performance.now();
      await prisma.$transaction(async (tx) => {
        for (let i = offset; i < offset + IN_FLIGHT; i += 1)
          await tx.$executeRawUnsafe(RAW_INSERT, ...rawParams(draft(i)));
      });
      prismaMs += performance.now() - t;
    }
    const rate = (ms: number) => PG_GROUPED_EVENTS / (ms / 1000);
    bench("postgres store.commit grouped", rate(storeMs), "events/s", rate(rawMs), rawMs / storeMs);
    bench(
      "postgres prisma interactive transaction grouped",
      rate(prismaMs),
      "events/s",
      rate(rawMs),
      rawMs / prismaMs,
    );
    expect(await store.lastSeq()).toBe(PG_GROUPED_EVENTS);
  });

  it.skipIf(serverUrl === null)("reports one commit per transaction beside raw pg", async () => {
    const raw: number[] = [];
    const ours: number[] = [];
    for (let i = 0; i < PG_SINGLE_EVENTS; i += 1) {
      let t = performance.now();
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        await client.query(RAW_INSERT, rawParams(draft(i)));
        await client.query("COMMIT");
      } finally {
        client.release();
      }
      raw.push(performance.now() - t);
      t = performance.now();
      await store.commit({ jobs: [], sheets: [], attempts: [], events: [draft(i)] });
      ours.push(performance.now() - t);
    }
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    const rate = (values: number[]) => values.length / (sum(values) / 1000);
    bench(
      "postgres store.commit one per transaction",
      rate(ours),
      "events/s",
      rate(raw),
      rate(ours) / rate(raw),
    );
    raw.sort((a, b) => a - b);
    ours.sort((a, b) => a - b);
    for (const p of [50, 99]) {
      const value = percentile(ours, p);
      const baseline = percentile(raw, p);
      bench(`postgres store.commit p${p} latency`, value, "ms", baseline, value / baseline);
    }
  });

  it.skipIf(serverUrl === null)(
    `reports loading ${RECOVERY_JOBS * SHEETS_PER_JOB} sheets for recovery beside raw pg`,
    async () => {
      for (let j = 0; j < RECOVERY_JOBS; j += 1) {
        const id = `recover-${j}`;
        const sheets = Array.from({ length: SHEETS_PER_JOB }, (_, n) =>
          sheet(id, n + 1, {
            status: n % 2 === 0 ? "completed" : "pending",
            stdoutTail: "x".repeat(200),
          }),
        );
        await store.insertJob(newJob(id, { totalSheets: SHEETS_PER_JOB }), sheets, []);
      }
      const rawTimes: number[] = [];
      const storeTimes: number[] = [];
      let loadedSheets = 0;
      for (let r = 0; r < 7; r += 1) {
        let t = performance.now();
        const rows = await pool.query(
          `SELECT "Sheet".* FROM "Sheet" JOIN "Job" ON "Job"."id" = "Sheet"."jobId"
           WHERE "Job"."status" NOT IN ('completed','failed','cancelled')`,
        );
        await pool.query(
          `SELECT * FROM "Job" WHERE "status" NOT IN ('completed','failed','cancelled')`,
        );
        rawTimes.push(performance.now() - t);
        t = performance.now();
        const loaded = await store.loadRecoverableJobs();
        storeTimes.push(performance.now() - t);
        loadedSheets = loaded.reduce((total, job) => total + job.sheets.length, 0);
        expect(loadedSheets).toBe(rows.rowCount);
      }
      const median = (values: number[]) => [...values].sort((a, b) => a - b)[3]!;
      const raw = median(rawTimes);
      const oursMs = median(storeTimes);
      bench(`postgres recovery load ${loadedSheets} sheets`, oursMs, "ms", raw, oursMs / raw);
      expect(loadedSheets).toBe(RECOVERY_JOBS * SHEETS_PER_JOB);
    },
  );
});
