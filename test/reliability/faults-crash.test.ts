/**
 * The server SIGKILLed again and again while a job commits (several sheets finish every second,
 * each finish one transaction), then restarted on the same database. After the last restart the
 * job completes; the event log has no gap and no duplicate; a subscriber that resumed from its
 * last cursor after every crash received exactly the log; no sheet whose completion was committed
 * ever started again; and only sheets caught in flight by a kill ran more than once.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { counterEntries, expectGapFreeLog, expectSameEvents, tallyRuns } from "./support/checks.ts";
import {
  eventually,
  readEventLog,
  readJob,
  sleep,
  submitScore,
  waitForJob,
  wsClient,
  type Endpoint,
  type LoggedEvent,
} from "./support/client.ts";
import { EventFollower } from "./support/follower.ts";
import { MODE, scaled } from "./support/mode.ts";
import { counterScore } from "./support/scores.ts";
import {
  newDataDir,
  removeDataDir,
  startServerProcess,
  type ServerProcess,
} from "./support/server-process.ts";

// Sheets take 0.3–0.7 s, at most MAX_CONCURRENT at once: the job outlasts the kills by design,
// so every kill lands while it is unfinished and every restart has to recover it.
const SHEETS = scaled({ full: 240, short: 80 });
const KILLS = scaled({ full: 8, short: 3 });
const MAX_CONCURRENT = 4;

describe(`the server SIGKILLed during commits (${MODE}: ${KILLS} kills, ${SHEETS} sheets)`, () => {
  const dataDir = newDataDir();
  let server: ServerProcess | null = null;
  afterAll(async () => {
    await server?.stop();
    removeDataDir(dataDir);
  });

  it("restarts with no gap, no duplicate and nothing committed run twice", async () => {
    server = await startServerProcess({ dataDir });
    let endpoint: Endpoint = { url: server.url, wsUrl: server.wsUrl };
    const startedAt = Date.now();
    const job = await submitScore(
      endpoint,
      counterScore({
        name: "crash-restart",
        sheets: SHEETS,
        independent: true,
        maxConcurrent: MAX_CONCURRENT,
        maxRetries: 5,
        // Start time of every run, to compare with the commit of the sheet's completion.
        before:
          'echo "{{ sheet_num }} $(date +%s%3N)" >> starts.log\nsleep 0.$(( 3 + RANDOM % 5 ))',
      }),
    );

    const received: LoggedEvent[] = [];
    let follower = new EventFollower(wsClient(endpoint), { after: null }).start();
    let kills = 0;
    while (kills < KILLS) {
      const before = await readJob(endpoint, job.id);
      // Stop killing near the end, so that every kill lands while the job is still unfinished.
      if (SHEETS - before.completedSheets < 4 * MAX_CONCURRENT) break;
      // Kill while sheets are finishing: a few more completions show commits are under way.
      const target = Math.min(before.completedSheets + 3, SHEETS);
      await eventually(
        `sheets to keep completing after restart ${kills} (from ${before.completedSheets})`,
        async () => (await readJob(endpoint, job.id)).completedSheets >= target,
        60_000,
      );
      await sleep(100 + Math.floor(Math.random() * 700));
      server.kill("SIGKILL");
      await server.exited;
      kills += 1;
      follower.stop();
      received.push(...follower.received);
      server = await startServerProcess({ dataDir });
      endpoint = { url: server.url, wsUrl: server.wsUrl };
      // Resume exactly where the previous connection stopped.
      follower = new EventFollower(wsClient(endpoint), {
        after: received.at(-1)?.cursor ?? null,
      }).start();
    }

    expect(kills, "kills that landed while the job ran").toBeGreaterThan(0);
    const done = await waitForJob(endpoint, job.id, 180_000);
    expect(done.status, server.output().slice(-3_000)).toBe("COMPLETED");
    const log = await readEventLog(endpoint);
    expectGapFreeLog(log);
    const resumedFrom = received.at(-1)?.seq ?? 0;
    if (log.at(-1)!.seq > resumedFrom) await follower.reach(log.at(-1)!.seq, 30_000);
    await sleep(200);
    follower.stop();
    received.push(...follower.received);
    expectSameEvents(received, log, "subscriber resumed after every crash");

    const jobEvents = log.filter((event) => event.jobId === job.id);
    const completedAt = new Map<number, number>();
    for (const event of jobEvents.filter((entry) => entry.event === "sheet.completed")) {
      expect(completedAt.has(event.sheetNum), `sheet ${event.sheetNum} completed twice`).toBe(
        false,
      );
      completedAt.set(event.sheetNum, Date.parse(event.timestamp));
    }
    expect(completedAt.size).toBe(SHEETS);
    // Every restart found the job unfinished, so every restart recovered it.
    expect(jobEvents.filter((event) => event.event === "job.recovered").length).toBe(kills);

    const starts = readFileSync(path.join(done.workspace, "starts.log"), "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => line.split(" ").map(Number) as [number, number]);
    const lateStarts = starts.filter(([sheet, at]) => at > completedAt.get(sheet)!);
    expect(lateStarts, "runs started after the sheet's completion was committed").toEqual([]);

    const tally = tallyRuns(counterEntries(done.workspace), SHEETS);
    expect(tally.missing).toEqual([]);
    expect(tally.foreign).toEqual([]);
    // A kill can catch at most MAX_CONCURRENT sheets in flight; only those may run again.
    expect(tally.repeated.length).toBeLessThanOrEqual(kills * MAX_CONCURRENT);
    console.log(
      `reliability crash: ${kills} SIGKILLs in ${((Date.now() - startedAt) / 1000).toFixed(1)} s during commits, ${SHEETS} sheets, ${log.length} events; ` +
        `re-run after a kill (uncommitted, in flight): ${tally.repeated.length}; committed and run again: ${lateStarts.length}; lost: ${tally.missing.length}`,
    );
  });
});
