/**
 * Boot recovery of every status a crash can leave a sheet in (DESIGN.md §7): sheets whose musician
 * the crash interrupted go back to pending with their budgets kept, terminal sheets stay, the cascade re-runs, a
 * job.recovered event is written, and completed sheets never run again.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { SheetStatus } from "../../../apps/server/src/contracts/status.ts";
import type { JobRecord, SheetRecord } from "../../../apps/server/src/contracts/records.ts";
import { createPodium, type Podium } from "../../../apps/server/src/app.ts";
import { parseScore } from "../../../apps/server/src/score/parse.ts";
import { freshSheetRecord } from "../../../apps/server/src/baton/core/registry.ts";
import { openStore } from "../../../apps/server/src/store/open-store.ts";
import { suiteDatabase, type ThrowAwayDatabase } from "../../support/databases.ts";
import { allEvents, cliScore, waitForJob } from "../conductor/support/podium-harness.ts";
import { watchConsistency } from "../conductor/support/consistency.ts";

const SCORE = cliScore({ sheets: 2, body: "echo {{ sheet_num }} >> ran.txt" });
const JOB = "job-under-test";
/** Made by `crashedCheckpoint`, dropped after each test. */
const databases: ThrowAwayDatabase[] = [];

/** Writes the checkpoint a crash would have left: sheet 1 as `first`, sheet 2 as `second`. */
async function crashedCheckpoint(
  dir: string,
  first: Partial<SheetRecord>,
  second: Partial<SheetRecord>,
  job: Partial<JobRecord> = {},
  scoreText = SCORE,
): Promise<string> {
  const database = await suiteDatabase(dir);
  databases.push(database);
  const databaseUrl = database.url;
  const opened = await openStore(databaseUrl);
  const store = opened.store;
  const parsed = parseScore(SCORE);
  if (!parsed.ok) throw new Error(parsed.message);
  const sheets = parsed.sheets.map((plan) => freshSheetRecord(JOB, plan));
  await store.insertJob(
    {
      id: JOB,
      name: "crashed",
      status: "pending",
      scoreText,
      configHash: parsed.hash,
      // No stored spec: this checkpoint takes the path of rows planned again from their score.
      spec: null,
      workspace: path.join(dir, "ws"),
      idempotencyKey: null,
      warnings: [],
      options: {},
      totalSheets: 2,
      concertDepth: 0,
      parentJobId: null,
      hooksPending: false,
      createdAt: Date.now() - 5_000,
    },
    sheets,
    [{ jobId: JOB, sheetNum: 0, event: "job.submitted", data: {}, timestamp: Date.now() - 5_000 }],
  );
  await store.commit({
    jobs: [
      {
        id: JOB,
        status: "running",
        pauseReason: null,
        pauseReasons: [],
        totalSheets: 2,
        completedSheets: first.status === "completed" ? 1 : 0,
        costUsd: 0,
        errorMessage: null,
        startedAt: Date.now() - 4_000,
        completedAt: null,
        ...job,
      },
    ],
    sheets: [
      { ...sheets[0]!, ...first },
      { ...sheets[1]!, ...second },
    ],
    attempts: [],
    events: [],
  });
  await opened.close();
  return databaseUrl;
}

describe("boot recovery", () => {
  const dirs: string[] = [];
  const podiums: Podium[] = [];
  afterEach(async () => {
    for (const podium of podiums.splice(0)) await podium.close();
    for (const database of databases.splice(0)) await database.drop();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  async function boot(databaseUrl: string, dir: string) {
    const podium = await createPodium({
      databaseUrl,
      dataDir: path.join(dir, "data"),
      instrumentDirs: [],
      cwd: dir,
    });
    podiums.push(podium);
    return podium;
  }

  // A sheet left waiting, retry_scheduled or at a fermata keeps its place and due time: see
  // test/regression/issue-restart-forgets-decided-sheets.test.ts.
  const interrupted: SheetStatus[] = ["ready", "dispatched", "in_progress"];
  for (const status of interrupted) {
    it(`puts a sheet left "${status}" back to pending with its budget kept, and never re-runs a completed one`, async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "podium-recover-"));
      dirs.push(dir);
      const databaseUrl = await crashedCheckpoint(
        dir,
        { status: "completed", completedAt: Date.now() - 3_000, normalAttempts: 0 },
        {
          status,
          normalAttempts: 2,
          completionAttempts: 1,
          dispatchToken: `${JOB}:2:3`,
          startedAt: Date.now() - 2_000,
        },
      );
      const podium = await boot(databaseUrl, dir);
      const problems = watchConsistency(podium).problems;
      expect(podium.recovery.recoveredJobs).toEqual([JOB]);
      const recovered = (await allEvents(podium, JOB)).find((e) => e.event === "job.recovered");
      expect(recovered?.data).toMatchObject({ resetSheets: [2] });
      expect(await waitForJob(podium, JOB)).toBe("completed");
      const { sheets } = (await podium.store.loadJob(JOB))!;
      expect(sheets[1]!.normalAttempts).toBeGreaterThanOrEqual(2);
      expect(sheets[1]!.completionAttempts).toBeGreaterThanOrEqual(1);
      expect(readFileSync(path.join(dir, "ws", "ran.txt"), "utf8")).toBe("2\n");
      expect(problems).toEqual([]);
    });
  }

  it("re-runs the cascade: a pending sheet behind a failed one is skipped and the job fails", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "podium-recover-"));
    dirs.push(dir);
    const databaseUrl = await crashedCheckpoint(
      dir,
      { status: "failed", errorMessage: "boom", normalAttempts: 3 },
      { status: "pending" },
    );
    const podium = await boot(databaseUrl, dir);
    expect(await waitForJob(podium, JOB)).toBe("failed");
    const { sheets } = (await podium.store.loadJob(JOB))!;
    expect(sheets.map((s) => [s.status, s.errorCode])).toEqual([
      ["failed", null],
      ["skipped", "E999"],
    ]);
    expect(existsSync(path.join(dir, "ws", "ran.txt"))).toBe(false);
  });

  it("fails, visibly, a stored job whose score can no longer be planned", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "podium-recover-"));
    dirs.push(dir);
    const databaseUrl = await crashedCheckpoint(
      dir,
      { status: "completed" },
      { status: "in_progress" },
      {},
      "name: broken\n",
    );
    const podium = await boot(databaseUrl, dir);
    expect(podium.recovery.failedToRecover.map((f) => f.jobId)).toEqual([JOB]);
    const { job, sheets } = (await podium.store.loadJob(JOB))!;
    expect(job.record.status).toBe("failed");
    expect(job.record.errorMessage).toMatch(/no longer parses/);
    expect(sheets.map((s) => s.status)).toEqual(["completed", "failed"]);
    expect((await allEvents(podium, JOB)).at(-1)!.event).toBe("job.failed");
  });

  it("recovers nothing twice: a second boot after completion finds no job to recover", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "podium-recover-"));
    dirs.push(dir);
    const databaseUrl = await crashedCheckpoint(
      dir,
      { status: "completed", completedAt: Date.now() },
      { status: "in_progress" },
    );
    const first = await boot(databaseUrl, dir);
    await waitForJob(first, JOB);
    await first.close();
    podiums.pop();
    const second = await boot(databaseUrl, dir);
    expect(second.recovery.recoveredJobs).toEqual([]);
    expect(readFileSync(path.join(dir, "ws", "ran.txt"), "utf8")).toBe("2\n");
  });
});
