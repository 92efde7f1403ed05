/**
 * Scale-out figures (docs/DESIGN.md §12): sheets/s with 1, 2 and 3 real Podium processes on one
 * PostgreSQL for 2,000 independent `true` sheets (40 jobs of 50, submitted round-robin to the
 * processes, default settings otherwise), each beside the single-process SQLite figure of the
 * same run; and the takeover time after the owner of a running job is SIGKILLed, beside the
 * lease time (a takeover cannot come sooner). Needs PODIUM_TEST_POSTGRES_URL.
 */
import path from "node:path";
import { performance } from "node:perf_hooks";
import { afterAll, describe, expect, it } from "vitest";
import { submitScore, type Endpoint } from "../reliability/support/client.ts";
import { TestCluster } from "../reliability/support/cluster.ts";
import {
  newDataDir,
  removeDataDir,
  startServerProcess,
} from "../reliability/support/server-process.ts";
import { createPostgresDatabase, testPostgresUrl } from "../support/databases.ts";
import { observeStore } from "../support/stored.ts";

const serverUrl = testPostgresUrl();
const JOBS = 40;
const SHEETS_PER_JOB = 50;
const TAKEOVER_LEASE_SECONDS = 5;

function bench(name: string, value: number, unit: string, baseline: number, baselineUnit = unit) {
  const ratio = baseline === 0 ? Number.NaN : value / baseline;
  console.log(
    `bench: ${name} ${value.toFixed(2)} ${unit} | baseline ${baseline.toFixed(2)} ${baselineUnit} | ratio ${ratio.toFixed(3)}`,
  );
}

function independent(name: string, sheets: number, workspace: string): string {
  return [
    `name: ${name}`,
    "instrument: cli",
    `workspace: ${workspace}`,
    "pause_between_sheets_seconds: 0",
    "parallel:",
    "  enabled: true",
    "  max_concurrent: 10",
    "sheet:",
    "  size: 1",
    `  total_items: ${sheets}`,
    "  dependencies:",
    "    2: [1]",
    "prompt:",
    '  template: "true"',
    "",
  ].join("\n");
}

/** Submits every job round-robin over the endpoints; resolves with sheets/s once all completed. */
async function throughput(
  endpoints: Endpoint[],
  databaseUrl: string,
  workspaceRoot: string,
): Promise<number> {
  const started = performance.now();
  const jobIds: string[] = [];
  for (let j = 0; j < JOBS; j++) {
    const endpoint = endpoints[j % endpoints.length]!;
    const workspace = path.join(workspaceRoot, `job-${j}`);
    jobIds.push(
      (await submitScore(endpoint, independent(`load-${j}`, SHEETS_PER_JOB, workspace))).id,
    );
  }
  const observer = await observeStore(databaseUrl);
  try {
    for (;;) {
      const jobs = await observer.prisma.job.findMany({
        where: { id: { in: jobIds } },
        select: { id: true, status: true },
      });
      if (jobs.length === JOBS && jobs.every((job) => job.status === "completed")) break;
      const failed = jobs.find((job) => job.status === "failed" || job.status === "cancelled");
      if (failed) throw new Error(`job ${failed.id} ended ${failed.status}`);
      if (performance.now() - started > 600_000) throw new Error("workload did not finish");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await observer.close();
  }
  return (JOBS * SHEETS_PER_JOB) / ((performance.now() - started) / 1000);
}

describe.runIf(serverUrl !== null)("scale-out on PostgreSQL", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("runs 2,000 sheets with 1, 2 and 3 processes, beside one SQLite process", async () => {
    const sqliteDir = newDataDir();
    const sqlite = await startServerProcess({ dataDir: sqliteDir });
    let sqliteRate: number;
    try {
      sqliteRate = await throughput(
        [{ url: sqlite.url, wsUrl: sqlite.wsUrl }],
        sqlite.databaseUrl,
        path.join(sqliteDir, "ws"),
      );
    } finally {
      await sqlite.stop();
      removeDataDir(sqliteDir);
    }
    bench("cluster-sqlite-1-process", sqliteRate, "sheets/s", sqliteRate);

    for (const processes of [1, 2, 3]) {
      const database = await createPostgresDatabase(serverUrl!);
      const cluster = new TestCluster(database.url, {});
      try {
        const names = Array.from({ length: processes }, (_, i) => `p${i + 1}`);
        await Promise.all(names.map((name) => cluster.start(name)));
        const endpoints = names.map((name) => cluster.endpoint(name));
        const rate = await throughput(endpoints, database.url, cluster.shared);
        bench(`cluster-postgresql-${processes}-process`, rate, "sheets/s", sqliteRate);
        expect(rate).toBeGreaterThan(0);
      } finally {
        await cluster.close();
        await database.drop();
      }
    }
  }, 1_800_000);

  it("takes over a SIGKILLed owner's job once its lease expires", async () => {
    const database = await createPostgresDatabase(serverUrl!);
    const cluster = new TestCluster(database.url, {
      PODIUM_LEASE_SECONDS: String(TAKEOVER_LEASE_SECONDS),
    });
    cleanups.push(async () => {
      await cluster.close();
      await database.drop();
    });
    await cluster.start("owner");
    await cluster.start("heir");
    const workspace = path.join(cluster.shared, "takeover");
    const score = independent("takeover", 200, workspace).replace('"true"', '"sleep 0.2"');
    const job = await submitScore(cluster.endpoint("owner"), score);
    const ownerOf = async () =>
      (await cluster.pool.query(`SELECT owner FROM "JobLease" WHERE "jobId" = $1`, [job.id]))
        .rows[0]?.owner as string | undefined;
    expect(await ownerOf()).toBe("owner");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await cluster.kill("owner");
    const killedAt = performance.now();
    for (;;) {
      const recovered = await cluster.pool.query(
        `SELECT 1 FROM "Event" WHERE "jobId" = $1 AND name = 'job.recovered'`,
        [job.id],
      );
      if (recovered.rows.length > 0) break;
      if (performance.now() - killedAt > 120_000) throw new Error("no takeover");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const takeoverMs = performance.now() - killedAt;
    expect(await ownerOf()).toBe("heir");
    bench(
      "cluster-takeover-after-sigkill",
      takeoverMs / 1000,
      "s",
      TAKEOVER_LEASE_SECONDS,
      "s (lease)",
    );
  }, 300_000);
});
