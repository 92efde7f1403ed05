/**
 * Job leases on a real PostgreSQL: one holder at a time, claimed only once expired, and fenced —
 * a process whose lease was taken over can no longer commit anything for that job, while the
 * new holder can. Also: a process name cannot be used twice at once, and placement keeps to
 * the processes that offer a job's instruments.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LeaseLostError } from "../../../apps/server/src/contracts/cluster.ts";
import {
  openPostgresDatabase,
  type PostgresDatabase,
} from "../../../apps/server/src/store/postgres/database.ts";
import {
  PgLeases,
  ProcessNameInUseError,
  type ProcessAnnouncement,
} from "../../../apps/server/src/store/postgres/leases.ts";
import { PostgresStore } from "../../../apps/server/src/store/postgres/store.ts";
import { placementOrder } from "../../../apps/server/src/cluster/placement.ts";
import {
  createPostgresDatabase,
  testPostgresUrl,
  type ThrowAwayDatabase,
} from "../../support/databases.ts";
import { draft, newJob, sheet } from "../store/support/fixtures.ts";

const serverUrl = testPostgresUrl();
const TTL_MS = 400;

function announcement(name: string, overrides: Partial<ProcessAnnouncement> = {}) {
  return {
    name,
    host: "host-a",
    pid: 1000,
    incarnation: `${name}-1`,
    capacity: 4,
    instruments: null,
    ...overrides,
  };
}

describe.runIf(serverUrl !== null)("job leases on PostgreSQL", () => {
  let database: ThrowAwayDatabase;
  let dbA: PostgresDatabase;
  let dbB: PostgresDatabase;
  let storeA: PostgresStore;
  let storeB: PostgresStore;
  let leasesA: PgLeases;
  let leasesB: PgLeases;

  beforeEach(async () => {
    database = await createPostgresDatabase(serverUrl!);
    dbA = await openPostgresDatabase(database.url, { maxConnections: 3 });
    dbB = await openPostgresDatabase(database.url, { maxConnections: 3 });
    storeA = new PostgresStore(dbA);
    storeB = new PostgresStore(dbB);
    leasesA = new PgLeases(dbA.pool, "a", TTL_MS);
    leasesB = new PgLeases(dbB.pool, "b", TTL_MS);
    storeA.useLeases(leasesA);
    storeB.useLeases(leasesB);
    const onBash = { instrument: "bash" };
    await storeA.insertJob(newJob("j1"), [sheet("j1", 1, onBash), sheet("j1", 2, onBash)], []);
  });

  afterEach(async () => {
    await storeA.close();
    await storeB.close();
    await dbA.close();
    await dbB.close();
    await database.drop();
  });

  const eventFor = (jobId: string, note: string) => ({
    jobs: [],
    sheets: [],
    attempts: [],
    events: [draft(jobId, "sheet.output", 1, { note })],
  });

  it("gives a job to one process at a time, and to another only once the lease expired", async () => {
    expect(await leasesA.claim("j1")).toBe(true);
    expect(await leasesB.claim("j1")).toBe(false);
    expect(await leasesB.claimUnheld(10, null)).toEqual([]);
    await sleep(TTL_MS + 100);
    expect((await leasesB.claimUnheld(10, null)).map((c) => c.jobId)).toEqual(["j1"]);
    expect(await leasesA.ownerOf("j1")).toEqual({ owner: "b", expired: false });
  });

  it("a heartbeat keeps the lease, and tells the old holder what it lost", async () => {
    await leasesA.claim("j1");
    for (let i = 0; i < 4; i++) {
      await sleep(TTL_MS / 2);
      expect(await leasesA.heartbeat(0)).toEqual([]);
    }
    expect(await leasesB.claim("j1")).toBe(false);
    await sleep(TTL_MS + 100);
    expect(await leasesB.claim("j1")).toBe(true);
    expect(await leasesA.heartbeat(0)).toEqual(["j1"]);
    expect(leasesA.holds("j1")).toBe(false);
  });

  it("fences a partitioned holder: after a takeover its commits are refused, the new holder's land", async () => {
    await leasesA.claim("j1");
    await storeA.commit(eventFor("j1", "a before"));
    // A stops renewing (cut off from the database) while it still believes it holds the job.
    await sleep(TTL_MS + 100);
    expect(await leasesB.claim("j1")).toBe(true);
    const refused = await storeA.commit(eventFor("j1", "a after")).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LeaseLostError);
    expect((refused as LeaseLostError).jobIds).toEqual(["j1"]);
    await storeB.commit(eventFor("j1", "b after"));
    const notes = (await storeB.readEvents({ jobId: "j1", afterSeq: 0, limit: 100 })).map(
      (e) => (e.data as { note: string }).note,
    );
    expect(notes).toEqual(["a before", "b after"]);
  });

  it("refuses a commit for a job the process never held", async () => {
    await expect(storeB.commit(eventFor("j1", "stray"))).rejects.toBeInstanceOf(LeaseLostError);
  });

  it("a claim waits for a commit in progress of the old holder (the lease row is share-locked)", async () => {
    await leasesA.claim("j1");
    await sleep(TTL_MS + 100);
    // Both at once: either A's commit lands before B's claim, or it is refused; never after it.
    const [committed, claimed] = await Promise.allSettled([
      storeA.commit(eventFor("j1", "racing")),
      leasesB.claim("j1"),
    ]);
    expect(claimed).toEqual({ status: "fulfilled", value: true });
    const events = await storeB.readEvents({ jobId: "j1", afterSeq: 0, limit: 10 });
    if (committed.status === "fulfilled") expect(events).toHaveLength(1);
    else {
      expect(committed.reason).toBeInstanceOf(LeaseLostError);
      expect(events).toHaveLength(0);
    }
  });

  it("leases a new job to the process whose commit creates it, needing its sheets' instruments", async () => {
    await storeB.commit({
      newJobs: [newJob("j2")],
      jobs: [],
      sheets: [sheet("j2", 1, { instrument: "codex" }), sheet("j2", 2, { instrument: "bash" })],
      attempts: [],
      events: [draft("j2", "job.submitted")],
    });
    expect(leasesB.holds("j2")).toBe(true);
    expect(await leasesA.ownerOf("j2")).toEqual({ owner: "b", expired: false });
    const needs = await dbA.pool.query(`SELECT needs FROM "JobLease" WHERE "jobId" = 'j2'`);
    expect(needs.rows[0].needs).toEqual(["bash", "codex"]);
    // Expired: only a process offering both instruments takes it.
    await sleep(TTL_MS + 100);
    expect(await leasesA.claimUnheld(10, ["bash"])).toEqual([
      expect.objectContaining({ jobId: "j1" }),
    ]);
    expect((await leasesA.claimUnheld(10, ["bash", "codex"])).map((c) => c.jobId)).toEqual(["j2"]);
  });

  it("a heartbeat during the commit creating a job does not count the job as lost", async () => {
    await storeA.insertJob(newJob("j3"), [sheet("j3", 1, { instrument: "bash" })], []);
    const client = await dbA.pool.connect();
    try {
      await client.query("BEGIN");
      await leasesA.leaseNew(client, ["j3"]);
      // The lease row is not committed yet: the heartbeat cannot see it.
      expect(await leasesA.heartbeat(0)).toEqual([]);
      await client.query("COMMIT");
    } finally {
      client.release();
    }
    leasesA.holdNew(["j3"]);
    expect(await leasesA.heartbeat(0)).toEqual([]);
    expect(leasesA.holds("j3")).toBe(true);
  });

  it("a heartbeat answered after a claim does not count the claimed job as lost", async () => {
    const beat = leasesA.heartbeat(0);
    await leasesA.claim("j1");
    expect(await beat).toEqual([]);
    expect(leasesA.holds("j1")).toBe(true);
  });

  it("refuses a second living process of the same name, and lets a restarted one in", async () => {
    await leasesA.announce(announcement("a"), () => true);
    const twin = leasesB.announce(announcement("a", { pid: 2000, incarnation: "a-2" }), () => true);
    await expect(twin).rejects.toBeInstanceOf(ProcessNameInUseError);
    await expect(twin).rejects.toThrow(/PODIUM_PROCESS_NAME/);
    // Same host, and the old pid is gone: the process restarted.
    await leasesB.announce(announcement("a", { pid: 2000, incarnation: "a-2" }), () => false);
    const processes = await leasesB.processes();
    expect(processes).toEqual([expect.objectContaining({ name: "a", pid: 2000, alive: true })]);
  });

  it("shows processes as dead once their heartbeat is older than the lease", async () => {
    await leasesA.announce(announcement("a"), () => true);
    await leasesB.announce(announcement("b", { pid: 1001 }), () => true);
    await leasesA.claim("j1");
    await sleep(TTL_MS / 2);
    await leasesB.heartbeat(3);
    await sleep(TTL_MS / 2 + 100);
    await leasesB.heartbeat(3);
    const processes = await leasesB.processes();
    expect(processes.map((p) => [p.name, p.alive, p.runningSheets])).toEqual([
      ["b", true, 3],
      ["a", false, 0],
    ]);
    expect(processes.find((p) => p.name === "a")?.ownedJobs).toBe(0);
  });
});

describe("placing a new job", () => {
  const process = (name: string, over: Record<string, unknown> = {}) => ({
    name,
    host: "h",
    pid: 1,
    capacity: 10,
    instruments: null as string[] | null,
    runningSheets: 0,
    ownedJobs: 0,
    startedAt: 0,
    heartbeatAt: 0,
    alive: true,
    ...over,
  });

  it("goes to the least loaded living process that offers every instrument, self on a tie", () => {
    const order = (needs: string[]) =>
      placementOrder(
        [
          process("a", { ownedJobs: 2 }),
          process("b", { ownedJobs: 1, instruments: ["bash"] }),
          process("c", { ownedJobs: 1 }),
          process("d", { alive: false }),
        ],
        needs,
        "c",
      ).map((p) => p.name);
    expect(order(["bash"])).toEqual(["c", "b", "a"]);
    expect(order(["codex"])).toEqual(["c", "a"]);
  });

  it("is empty when no living process can play it", () => {
    const order = placementOrder(
      [process("a", { instruments: ["bash"] }), process("b", { alive: false })],
      ["codex"],
      "a",
    );
    expect(order).toEqual([]);
  });
});
