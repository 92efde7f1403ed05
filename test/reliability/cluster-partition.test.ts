/**
 * A partitioned owner: the process playing a job loses the database (its connection hangs, as
 * in a network partition) while it stays alive. Before its lease can expire it ends the job's
 * running attempts and forgets the job (self-fencing); the other process takes the job over once
 * the lease expired; when the partition heals, the old owner commits nothing for the job (its
 * fencing token is stale) and carries on as a member. No two attempts of a sheet overlap and
 * the job completes.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, query, readJob, submitScore } from "./support/client.ts";
import { linesOf, lockedScore, TestCluster } from "./support/cluster.ts";
import { TcpProxy } from "./support/tcp-proxy.ts";
import {
  createPostgresDatabase,
  testPostgresUrl,
  type ThrowAwayDatabase,
} from "../support/databases.ts";

const serverUrl = testPostgresUrl();
const LEASE_SECONDS = 3;

describe.runIf(serverUrl !== null)("a partitioned owner", () => {
  let database: ThrowAwayDatabase;
  let cluster: TestCluster;
  let proxy: TcpProxy;

  beforeAll(async () => {
    database = await createPostgresDatabase(serverUrl!);
    const relayed = await TcpProxy.start(database.url);
    proxy = relayed.proxy;
    cluster = new TestCluster(database.url, { PODIUM_LEASE_SECONDS: String(LEASE_SECONDS) });
    await cluster.start("cut-off", { DATABASE_URL: relayed.url });
    await cluster.start("survivor");
  });

  afterAll(async () => {
    proxy?.thaw();
    await cluster?.close();
    await proxy?.close();
    await database?.drop();
  });

  it("stops its attempts before the takeover and can commit nothing after it", async () => {
    const workspace = path.join(cluster.shared, "partitioned");
    const job = await submitScore(
      cluster.endpoint("cut-off"),
      lockedScore("partitioned", workspace, 4, 6),
    );
    const ownerOf = async () =>
      (await cluster.pool.query(`SELECT owner FROM "JobLease" WHERE "jobId" = $1`, [job.id]))
        .rows[0]?.owner as string | undefined;
    expect(await ownerOf()).toBe("cut-off");
    await eventually(
      "a sheet runs on the owner",
      () => linesOf(workspace, "started.txt").length > 0,
      20_000,
    );

    proxy.freeze();
    const frozenAt = Date.now();
    await eventually(
      "the survivor takes the job over",
      async () => (await ownerOf()) === "survivor",
      30_000,
    );
    const takenOverAfter = Date.now() - frozenAt;
    expect(takenOverAfter).toBeGreaterThanOrEqual(LEASE_SECONDS * 1000 - 500);
    const startsAtTakeover = linesOf(workspace, "started.txt").length;
    await eventually(
      "the survivor starts a sheet (or finds one still held)",
      () =>
        linesOf(workspace, "started.txt").length > startsAtTakeover ||
        linesOf(workspace, "overlaps.txt").length > 0,
      20_000,
    );
    proxy.thaw();
    await eventually(
      "the job completes on the survivor",
      async () => (await readJob(cluster.endpoint("survivor"), job.id)).status === "COMPLETED",
      120_000,
    );
    expect(linesOf(workspace, "overlaps.txt")).toEqual([]);
    expect(new Set(linesOf(workspace, "counter.txt").map(Number)).size).toBe(4);
    const cutOff = cluster.members.get("cut-off")!.server!;
    expect(cutOff.output()).toMatch(/no lease renewal for \d+ ms: ending 1 job/);
    // Still a member: alive, serving, and it sees the job as the survivor finished it.
    await eventually(
      "the cut-off process is alive again",
      async () => {
        const data = await query<{ processes: { name: string; alive: boolean }[] }>(
          cluster.endpoint("cut-off"),
          "{ processes { name alive } }",
        );
        return data.processes.every((p) => p.alive);
      },
      20_000,
    );
    expect((await readJob(cluster.endpoint("cut-off"), job.id)).status).toBe("COMPLETED");
  }, 300_000);
});
