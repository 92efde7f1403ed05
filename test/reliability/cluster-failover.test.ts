/**
 * Three real Podium processes on one PostgreSQL. The process holding the most running jobs is
 * SIGKILLed again and again — sometimes restarted at once (it takes its own jobs back), sometimes
 * only after its leases expired (the others take them over). Every job still completes; no
 * sheet runs again once completed; no two attempts of one sheet ever run at once (each holds a
 * `flock` the kernel drops when its holder dies); the event log has no gap, and no sheet
 * completes twice in it.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  eventually,
  readEventLog,
  readJob,
  sleep,
  submitScore,
  type SubmittedJob,
} from "./support/client.ts";
import { expectGapFreeLog } from "./support/checks.ts";
import { linesOf, lockedScore, TestCluster } from "./support/cluster.ts";
import {
  createPostgresDatabase,
  testPostgresUrl,
  type ThrowAwayDatabase,
} from "../support/databases.ts";

const serverUrl = testPostgresUrl();
const LEASE_SECONDS = 2;
const SHEET_SECONDS = 4;
const JOBS = 8;
const SHEETS = 6;

describe.runIf(serverUrl !== null)("three processes on one PostgreSQL, owners SIGKILLed", () => {
  let database: ThrowAwayDatabase;
  let cluster: TestCluster;

  beforeAll(async () => {
    database = await createPostgresDatabase(serverUrl!);
    cluster = new TestCluster(database.url, {
      PODIUM_LEASE_SECONDS: String(LEASE_SECONDS),
      PODIUM_MAX_CONCURRENT_SHEETS: "3",
    });
    await Promise.all(["p1", "p2", "p3"].map((name) => cluster.start(name)));
  });

  afterAll(async () => {
    await cluster?.close();
    await database?.drop();
  });

  it("completes every job with no repeated, overlapping or lost work", async () => {
    const jobs: SubmittedJob[] = [];
    const names = ["p1", "p2", "p3"];
    for (let j = 0; j < JOBS; j++) {
      const workspace = path.join(cluster.shared, `job-${j}`);
      const via = cluster.endpoint(names[j % names.length]);
      jobs.push(
        await submitScore(via, lockedScore(`failover-${j}`, workspace, SHEETS, SHEET_SECONDS)),
      );
    }
    // Submissions spread over the processes (placement by load).
    const owners = await cluster.pool.query<{ owner: string }>(
      `SELECT DISTINCT owner FROM "JobLease"`,
    );
    expect(owners.rows.length).toBeGreaterThan(1);

    const killed: string[] = [];
    for (let round = 0; round < 4; round++) {
      await sleep(2_500);
      const victim = await cluster.busiestOwner();
      if (victim === null) break;
      await cluster.kill(victim);
      killed.push(victim);
      // Odd rounds: back at once (takes its own jobs back); even rounds: after its leases expired.
      await sleep(round % 2 === 1 ? 200 : LEASE_SECONDS * 1000 + 2_500);
      await cluster.start(victim);
    }
    expect(killed.length).toBeGreaterThanOrEqual(3);

    await eventually(
      "every job completes",
      async () => {
        const views = await Promise.all(jobs.map((job) => readJob(cluster.endpoint(), job.id)));
        return views.every((view) => view.status === "COMPLETED");
      },
      240_000,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${cluster.output().slice(-8_000)}`);
    });

    for (const job of jobs) {
      expect(linesOf(job.workspace, "overlaps.txt"), `overlapping attempts in ${job.id}`).toEqual(
        [],
      );
      const completedAt = new Map(
        (
          await cluster.pool.query<{ num: number; completedAt: Date }>(
            `SELECT num, "completedAt" FROM "Sheet" WHERE "jobId" = $1`,
            [job.id],
          )
        ).rows.map((row) => [row.num, row.completedAt.getTime()]),
      );
      for (const line of linesOf(job.workspace, "started.txt")) {
        const [sheet, startedAt] = line.split(" ").map(Number) as [number, number];
        expect(
          startedAt,
          `sheet ${sheet} of ${job.id} started again after it completed`,
        ).toBeLessThanOrEqual(completedAt.get(sheet)!);
      }
      const finished = new Set(linesOf(job.workspace, "counter.txt").map(Number));
      expect([...finished].sort()).toEqual(Array.from({ length: SHEETS }, (_, i) => i + 1));
    }

    const log = await readEventLog(cluster.endpoint());
    expectGapFreeLog(log);
    const completions = log
      .filter((event) => event.event === "sheet.completed")
      .map((event) => `${event.jobId}#${event.sheetNum}`);
    expect(new Set(completions).size, "a sheet completed twice in the log").toBe(
      completions.length,
    );
    expect(completions).toHaveLength(JOBS * SHEETS);
  }, 400_000);
});
