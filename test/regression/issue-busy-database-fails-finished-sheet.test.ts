/**
 * An outside process holding SQLite's write lock longer than the busy timeout (5 s) failed sheets
 * that had run fine: guarded-musician.ts wrote the sheet's process group straight to the database
 * (`ledger.clearProcessGroup` after the attempt, `recordProcessGroup` at spawn, in
 * checkpoint-store.ts) outside the store's retried write path; SQLITE_BUSY escaped `play`, the
 * finished attempt's result was lost, and the sheet was failed (or run again) instead of completed.
 */
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  eventually,
  readJob,
  sleep,
  submitScore,
  waitForJob,
  type Endpoint,
} from "../reliability/support/client.ts";
import { counterScore } from "../reliability/support/scores.ts";
import {
  removeDataDir,
  startServerProcess,
  type ServerProcess,
} from "../reliability/support/server-process.ts";

const SHEETS = 12;
const HOLD_MS = 8_000;

describe("a write lock held past the busy timeout", () => {
  let server: ServerProcess;
  let endpoint: Endpoint;
  beforeAll(async () => {
    server = await startServerProcess();
    endpoint = { url: server.url, wsUrl: server.wsUrl };
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    if (server) removeDataDir(server.dataDir);
  });

  it("delays sheets but fails none and runs none twice", async () => {
    const job = await submitScore(
      endpoint,
      counterScore({
        name: "busy",
        sheets: SHEETS,
        independent: true,
        maxConcurrent: 3,
        maxRetries: 1,
        before: "sleep 0.3",
      }),
    );
    await eventually(
      "a first sheet to complete",
      async () => (await readJob(endpoint, job.id)).completedSheets >= 1,
      30_000,
    );
    const outside = new Database(server.dbPath, { timeout: 10_000 });
    outside.exec("BEGIN IMMEDIATE");
    await sleep(HOLD_MS);
    outside.exec("COMMIT");
    outside.close();
    const done = await waitForJob(endpoint, job.id, 60_000);
    const failures = done.sheets
      .filter((sheet) => sheet.status !== "COMPLETED" || sheet.attempts.length !== 1)
      .map(
        (sheet) => `${sheet.num} ${sheet.status} ×${sheet.attempts.length}: ${sheet.errorMessage}`,
      );
    expect(failures).toEqual([]);
    expect(done.status).toBe("COMPLETED");
  }, 90_000);
});
