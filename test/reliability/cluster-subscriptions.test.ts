/**
 * Subscriptions among several processes on one PostgreSQL: `sheetEvents` on any process streams
 * every job's events, whichever process plays them; a subscriber whose process is SIGKILLed
 * reconnects to another with its cursor and, put together, sees the whole log — no gap, no
 * duplicate — including the events of the killed process's jobs once another took them over.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  eventually,
  readEventLog,
  readJob,
  submitScore,
  wsClient,
  type SubmittedJob,
} from "./support/client.ts";
import { expectSameEvents } from "./support/checks.ts";
import { TestCluster } from "./support/cluster.ts";
import { EventFollower } from "./support/follower.ts";
import {
  createPostgresDatabase,
  testPostgresUrl,
  type ThrowAwayDatabase,
} from "../support/databases.ts";

const serverUrl = testPostgresUrl();

function score(name: string, workspace: string): string {
  return `name: ${name}
instrument: cli
workspace: ${workspace}
pause_between_sheets_seconds: 0
sheet:
  size: 1
  total_items: 8
prompt:
  template: "sleep 0.5; echo {{ sheet_num }} >> counter.txt"
`;
}

describe.runIf(serverUrl !== null)("subscriptions across processes", () => {
  let database: ThrowAwayDatabase;
  let cluster: TestCluster;

  beforeAll(async () => {
    database = await createPostgresDatabase(serverUrl!);
    cluster = new TestCluster(database.url, { PODIUM_LEASE_SECONDS: "2" });
    await cluster.start("p1");
    await cluster.start("p2");
  });

  afterAll(async () => {
    await cluster?.close();
    await database?.drop();
  });

  it("streams every process's events, and resumes on another process from the cursor", async () => {
    const first = new EventFollower(wsClient(cluster.endpoint("p1")), {}).start();
    const jobs: SubmittedJob[] = [];
    for (const [index, via] of ["p1", "p2", "p1", "p2"].entries()) {
      const workspace = path.join(cluster.shared, `job-${index}`);
      jobs.push(await submitScore(cluster.endpoint(via), score(`follow-${index}`, workspace)));
    }
    const owners = await cluster.pool.query<{ jobId: string; owner: string }>(
      `SELECT "jobId", owner FROM "JobLease"`,
    );
    const ownedBy = new Map(owners.rows.map((row) => [row.jobId, row.owner]));
    expect(new Set(ownedBy.values())).toEqual(new Set(["p1", "p2"]));

    await eventually(
      "the first subscriber sees work of both processes",
      () => {
        const seen = new Set(first.received.map((event) => ownedBy.get(event.jobId)));
        return seen.has("p1") && seen.has("p2") && first.received.length >= 20;
      },
      30_000,
    );
    await cluster.kill("p1");
    await eventually(
      "the first subscription ends",
      () => first.error !== null || first.completed,
      10_000,
    );
    const cursor = first.received.at(-1)!.cursor;

    const second = new EventFollower(wsClient(cluster.endpoint("p2")), { after: cursor }).start();
    await eventually(
      "every job completes on the surviving process",
      async () => {
        const views = await Promise.all(jobs.map((job) => readJob(cluster.endpoint("p2"), job.id)));
        return views.every((view) => view.status === "COMPLETED");
      },
      120_000,
    );
    const log = await readEventLog(cluster.endpoint("p2"));
    await second.reach(log.at(-1)!.seq, 10_000);
    second.stop();
    expect(second.received.some((event) => event.event === "job.recovered")).toBe(true);
    expectSameEvents([...first.received, ...second.received], log, "first then second subscriber");
  }, 300_000);
});
