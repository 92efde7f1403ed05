/**
 * Any process serves any client: two Podium instances on one real PostgreSQL database, each
 * with its own name. New jobs are placed by load and by the instruments a process offers;
 * pause, resume and cancel sent to either process reach the one playing the job; a job whose
 * process left is taken by the process a command reaches; clearing rate limits reaches all.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPodium, type Podium } from "../../../apps/server/src/app.ts";
import {
  createPostgresDatabase,
  testPostgresUrl,
  type ThrowAwayDatabase,
} from "../../support/databases.ts";
import { cliScore, waitFor, waitForJob } from "../conductor/support/podium-harness.ts";

const serverUrl = testPostgresUrl();

describe.runIf(serverUrl !== null)("commands among processes", () => {
  let database: ThrowAwayDatabase;
  let dir: string;
  const podiums: Podium[] = [];

  async function member(name: string, instruments: string[] | "any" = "any"): Promise<Podium> {
    const podium = await createPodium({
      databaseUrl: database.url,
      dataDir: path.join(dir, name),
      instrumentDirs: [],
      cluster: { processName: name, instruments, leaseSeconds: 2 },
    });
    podiums.push(podium);
    return podium;
  }

  async function ownerOf(podium: Podium, jobId: string): Promise<string | undefined> {
    return (await podium.membership!.view.ownersOf([jobId])).get(jobId);
  }

  beforeEach(async () => {
    database = await createPostgresDatabase(serverUrl!);
    dir = mkdtempSync(path.join(tmpdir(), "podium-routing-"));
  });

  afterEach(async () => {
    for (const podium of podiums.splice(0)) await podium.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const slow = cliScore({ sheets: 3, body: "sleep 1" });

  async function submit(podium: Podium, score: string): Promise<string> {
    const outcome = await podium.commands.submitJob({ score });
    if (!outcome.ok) throw new Error(outcome.message);
    return outcome.jobId;
  }

  it("places jobs by load, and pauses, resumes and cancels them from either process", async () => {
    const a = await member("a");
    const b = await member("b");
    const first = await submit(b, slow);
    const second = await submit(b, slow);
    // The receiving process keeps the first (a tie); the second goes to the less loaded one.
    expect(await ownerOf(a, first)).toBe("b");
    expect(await ownerOf(a, second)).toBe("a");
    expect(a.baton.getJob(second)).not.toBeNull();
    expect(b.baton.getJob(second)).toBeNull();

    expect(await b.commands.pauseJob(second)).toEqual({ ok: true });
    await waitForJob(a, second, (status) => status === "paused");
    expect(a.baton.getJob(second)?.status).toBe("paused");
    expect(await b.commands.pauseJob("no-such-job")).toMatchObject({
      ok: false,
      error: { code: "NOT_FOUND" },
    });
    expect(await b.commands.resumeJob(second)).toEqual({ ok: true });
    expect(await b.commands.cancelJob(first)).toEqual({ ok: true });
    expect(await a.commands.cancelJob(first)).toMatchObject({
      ok: false,
      error: { code: "INVALID_STATE", message: `job ${first} is already cancelled` },
    });
    expect(await waitForJob(b, second)).toBe("completed");
    expect(await b.commands.clearRateLimit()).toBe(0);
  });

  it("places a job only on a process that offers all its instruments", async () => {
    const onlyCli = await member("only-cli", ["cli"]);
    const any = await member("any");
    const busy = await submit(any, slow);
    expect(await ownerOf(any, busy)).toBe("any");
    // By load the cli-only process would be chosen, but it does not offer claude-code.
    const agent = await submit(
      onlyCli,
      cliScore({ sheets: 1, body: "hello" }).replace("instrument: cli", "instrument: claude-code"),
    );
    expect(await ownerOf(onlyCli, agent)).toBe("any");
    const cli = await submit(any, slow);
    expect(await ownerOf(any, cli)).toBe("only-cli");
  });

  it("a command for a job whose process left is run by the process it reached", async () => {
    const a = await member("a");
    const b = await member("b");
    const jobId = await submit(a, cliScore({ sheets: 4, body: "sleep 0.5" }));
    expect(await ownerOf(b, jobId)).toBe("a");
    await a.close();
    podiums.splice(podiums.indexOf(a), 1);
    expect(await b.commands.pauseJob(jobId)).toEqual({ ok: true });
    expect(await ownerOf(b, jobId)).toBe("b");
    await waitFor(() => b.baton.getJob(jobId)?.status === "paused", "the job paused on b");
    expect(await b.commands.resumeJob(jobId)).toEqual({ ok: true });
    expect(await waitForJob(b, jobId)).toBe("completed");
  });

  it("takes over the jobs of a process that stopped renewing, once their leases expired", async () => {
    const a = await member("a");
    const jobId = await submit(a, cliScore({ sheets: 6, body: "sleep 0.3" }));
    const b = await member("b");
    // Not a graceful close: a's heartbeat stops, its leases stay until they expire.
    await a.membership!.stop();
    await a.baton.shutdown();
    const startedAt = Date.now();
    await waitFor(async () => (await ownerOf(b, jobId)) === "b", "b to claim the job", 20_000);
    expect(Date.now() - startedAt).toBeGreaterThan(1_000);
    expect(await waitForJob(b, jobId)).toBe("completed");
    const events = await b.store.readEvents({ jobId, afterSeq: 0, limit: 1000 });
    expect(events.filter((e) => e.event === "job.recovered")).toHaveLength(1);
  });
});
