/**
 * Instrument processes that misbehave: one that kills itself with a signal mid-attempt, one that
 * hangs past its timeout, and children that ignore SIGTERM. Each ends in a defined, visible state
 * (attempts recorded, sheet and job statuses final, error shown) and leaves no process behind.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { counterEntries, expectEverySheetRanOnce, expectGapFreeLog } from "./support/checks.ts";
import {
  eventually,
  readEventLog,
  submitScore,
  waitForJob,
  type Endpoint,
} from "./support/client.ts";
import { groupMembers, processAlive, processGroupOf } from "./support/processes.ts";
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

function readPid(workspace: string, file: string): number {
  const full = path.join(workspace, file);
  if (!existsSync(full)) throw new Error(`the sheet did not write ${file}`);
  return Number(readFileSync(full, "utf8").trim());
}

describe("an instrument process that kills itself mid-attempt", () => {
  it("records the crashed attempt and retries it; the sheet then runs to completion once", async () => {
    const job = await submitScore(
      endpoint,
      counterScore({
        name: "crash-once",
        sheets: 3,
        maxRetries: 3,
        before: `{% if sheet_num == 2 %}
if [ ! -e crashed-once ]; then touch crashed-once; kill -KILL $$; fi
{% endif %}`,
      }),
    );
    const done = await waitForJob(endpoint, job.id, 60_000);
    expect(done.status).toBe("COMPLETED");
    const sheet2 = done.sheets.find((sheet) => sheet.num === 2)!;
    expect(sheet2.attempts).toHaveLength(2);
    expect(sheet2.attempts[0]!.executionSuccess).toBe(false);
    expect(
      sheet2.attempts[0]!.errorMessage ?? sheet2.attempts[0]!.errorClass,
      "why the first attempt failed",
    ).toBeTruthy();
    expect(sheet2.attempts[1]!.executionSuccess).toBe(true);
    expectEverySheetRanOnce(done.workspace, 3);
    expectGapFreeLog(await readEventLog(endpoint));
  });

  it("fails a sheet that always crashes after its retry budget, visibly, and skips its dependants", async () => {
    const job = await submitScore(
      endpoint,
      counterScore({
        name: "crash-always",
        sheets: 3,
        maxRetries: 2,
        before: "{% if sheet_num == 2 %}kill -SEGV $${% endif %}",
      }),
    );
    const done = await waitForJob(endpoint, job.id, 60_000);
    expect(done.status).toBe("FAILED");
    const [sheet1, sheet2, sheet3] = done.sheets;
    expect(sheet1!.status).toBe("COMPLETED");
    expect(sheet2!.status).toBe("FAILED");
    expect(sheet2!.attempts.length).toBe(2);
    expect(sheet2!.attempts.every((attempt) => !attempt.executionSuccess)).toBe(true);
    expect(sheet2!.errorCode).toBeTruthy();
    expect(sheet2!.errorMessage).toBeTruthy();
    expect(sheet3!.status).toBe("SKIPPED");
    expect(sheet3!.errorCode).toBe("E999");
    expect(counterEntries(done.workspace)).toEqual([1]);
  });
});

describe("an instrument process that hangs past its timeout", () => {
  it("is killed at the timeout, its attempt fails as a timeout and the sheet fails; nothing keeps running", async () => {
    const startedAt = Date.now();
    const job = await submitScore(
      endpoint,
      counterScore({
        name: "hang",
        sheets: 1,
        maxRetries: 1,
        timeoutSeconds: 2,
        before: "echo $$ > main.pid\nsleep 120",
      }),
    );
    const done = await waitForJob(endpoint, job.id, 60_000);
    expect(Date.now() - startedAt).toBeLessThan(50_000);
    expect(done.status).toBe("FAILED");
    const sheet = done.sheets[0]!;
    expect(sheet.status).toBe("FAILED");
    expect(sheet.attempts.length).toBeGreaterThanOrEqual(1);
    const attempt = sheet.attempts[0]!;
    expect(attempt.executionSuccess).toBe(false);
    expect(`${attempt.errorClass} ${attempt.errorMessage}`).toMatch(/time/i);
    const main = readPid(done.workspace, "main.pid");
    await eventually("the hung script to be gone", () => !processAlive(main), 10_000);
    expect(counterEntries(done.workspace)).toEqual([]);
  });
});

describe("a child process that ignores SIGTERM", () => {
  it("is killed with its whole process group when its sheet times out", async () => {
    const job = await submitScore(
      endpoint,
      counterScore({
        name: "stubborn-child-timeout",
        sheets: 1,
        maxRetries: 1,
        timeoutSeconds: 2,
        before: "echo $$ > main.pid\n( trap '' TERM; exec sleep 300 ) &\necho $! > child.pid\nwait",
      }),
    );
    // The pids are known only once the sheet has started; read them before the timeout fires.
    await eventually(
      "the sheet to record its child",
      () => existsSync(path.join(job.workspace, "child.pid")),
      30_000,
    );
    const child = readPid(job.workspace, "child.pid");
    const group = processGroupOf(child);
    expect(group, "the child's process group").not.toBeNull();
    const done = await waitForJob(endpoint, job.id, 60_000);
    expect(done.status).toBe("FAILED");
    await eventually(
      `process group ${group} to be empty`,
      () => groupMembers(group!).length === 0,
      10_000,
    );
    expect(processAlive(child)).toBe(false);
  });

  it("is killed with its process group when its sheet exits normally and leaves it behind", async () => {
    const job = await submitScore(
      endpoint,
      counterScore({
        name: "stubborn-child-leftover",
        sheets: 2,
        before:
          "( trap '' TERM; exec sleep 300 ) > /dev/null 2>&1 < /dev/null &\necho $! > child-{{ sheet_num }}.pid",
      }),
    );
    const done = await waitForJob(endpoint, job.id, 60_000);
    expect(done.status).toBe("COMPLETED");
    expectEverySheetRanOnce(done.workspace, 2);
    for (const sheet of [1, 2]) {
      const child = readPid(done.workspace, `child-${sheet}.pid`);
      await eventually(
        `the leftover child of sheet ${sheet} (pid ${child}) to be gone`,
        () => !processAlive(child),
        10_000,
      );
    }
  });
});
