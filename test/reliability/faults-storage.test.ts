/**
 * Storage faults: a workspace that cannot be created, and a SQLite database whose write lock an
 * outside process holds for a while. Each ends in a defined, visible state and loses nothing.
 * SQLite only, by nature: the fault is another process holding the file's write lock, which has
 * no counterpart on a PostgreSQL server (whose rows lock one by one), so the `postgresql`
 * project does not run this file.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { counterEntries, expectEverySheetRanOnce, expectGapFreeLog } from "./support/checks.ts";
import {
  eventually,
  query,
  readEventLog,
  readJob,
  sleep,
  submitScore,
  waitForJob,
  type Endpoint,
} from "./support/client.ts";
import { counterScore } from "./support/scores.ts";
import { removeDataDir, startServerProcess, type ServerProcess } from "./support/server-process.ts";

let server: ServerProcess;
let endpoint: Endpoint;

beforeAll(async () => {
  server = await startServerProcess();
  endpoint = { url: server.url, wsUrl: server.wsUrl };
});

afterAll(async () => {
  await server?.stop();
  if (server) removeDataDir(server.dataDir);
});

async function expectHealthy(): Promise<void> {
  const data = await query<{ health: { ok: boolean; database: boolean } }>(
    endpoint,
    "{ health { ok database } }",
  );
  expect(data.health).toEqual({ ok: true, database: true });
}

describe("a workspace that cannot be written", () => {
  // Tests run as root, so permissions cannot stop a write; a file where a directory must be can.
  it.each([
    ["is a file", (file: string) => file],
    ["is under a file", (file: string) => path.join(file, "sub")],
  ])(
    "fails the job visibly when the workspace %s, and leaves the file alone",
    async (_label, workspaceFor) => {
      const blocker = path.join(server.dataDir, `blocker-${Math.random().toString(36).slice(2)}`);
      writeFileSync(blocker, "not a directory\n");
      const workspace = workspaceFor(blocker);
      const job = await submitScore(endpoint, counterScore({ name: "bad-workspace", sheets: 2 }), {
        workspace,
      });
      const done = await waitForJob(endpoint, job.id, 30_000);
      expect(done.status).toBe("FAILED");
      const [first, second] = done.sheets;
      expect(first!.status).toBe("FAILED");
      expect(first!.errorMessage).toContain(workspace);
      expect(first!.attempts[0]!.errorClass).toBe("WORKSPACE_ERROR");
      expect(second!.status).toBe("SKIPPED");
      expect(readFileSync(blocker, "utf8")).toBe("not a directory\n");
      await expectHealthy();
    },
  );
});

describe("an outside writer holding SQLite's write lock", () => {
  it.each([
    ["shorter than the busy timeout", 2_000],
    ["longer than the busy timeout", 8_000],
  ])("makes the server wait, not lose anything, when held %s", async (_label, holdMs) => {
    const sheets = 30;
    const job = await submitScore(
      endpoint,
      counterScore({
        name: `busy-${holdMs}`,
        sheets,
        independent: true,
        maxConcurrent: 3,
        before: "sleep 0.2",
      }),
    );
    await eventually(
      "a few sheets to complete",
      async () => (await readJob(endpoint, job.id)).completedSheets >= 3,
      30_000,
    );

    const outside = new Database(server.dbPath, { timeout: 10_000 });
    outside.exec("BEGIN IMMEDIATE");
    outside.prepare("CREATE TABLE IF NOT EXISTS outside_writer (at INTEGER)").run();
    outside.prepare("INSERT INTO outside_writer (at) VALUES (?)").run(Date.now());
    // While the lock is held, a client submits another job: it must wait or fail typed, never vanish.
    const duringLock = submitScore(
      endpoint,
      counterScore({ name: `busy-late-${holdMs}`, sheets: 3 }),
    ).then(
      (submitted) => ({ submitted, error: null as unknown }),
      (error: unknown) => ({ submitted: null, error }),
    );
    await sleep(holdMs);
    outside.exec("COMMIT");
    outside.close();

    const done = await waitForJob(endpoint, job.id, 120_000);
    expect(done.status, server.output().slice(-3_000)).toBe("COMPLETED");
    expectEverySheetRanOnce(done.workspace, sheets);
    const late = await duringLock;
    console.log(
      `reliability busy lock held ${holdMs} ms: submit during the lock ${late.submitted ? "waited and succeeded" : `failed: ${String(late.error)}`}`,
    );
    if (late.submitted) {
      const lateDone = await waitForJob(endpoint, late.submitted.id, 60_000);
      expect(lateDone.status).toBe("COMPLETED");
      expectEverySheetRanOnce(lateDone.workspace, 3);
    } else {
      expect(String(late.error)).not.toMatch(/\bat .+:\d+/);
    }
    const log = await readEventLog(endpoint);
    expectGapFreeLog(log);
    const completions = log.filter(
      (event) => event.jobId === job.id && event.event === "sheet.completed",
    );
    expect(completions).toHaveLength(sheets);
    expect(counterEntries(done.workspace)).toHaveLength(sheets);
    await expectHealthy();
  });
});
