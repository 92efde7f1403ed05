/**
 * Load: many jobs of many tiny `cli` sheets at once, with live graphql-ws subscribers, against a
 * real server process. Every job completes, every sheet runs exactly once (its counter file),
 * every subscriber receives exactly the event log (same seqs, no gap, no duplicate), and the
 * server's peak RSS is reported beside its idle RSS.
 */
import { afterAll, describe, expect, it } from "vitest";
import {
  readEventLog,
  readJob,
  sleep,
  submitScore,
  waitForJob,
  wsClient,
  type SubmittedJob,
} from "./support/client.ts";
import { EventFollower } from "./support/follower.ts";
import { expectEverySheetRanOnce, expectGapFreeLog, expectSameEvents } from "./support/checks.ts";
import { MODE, scaled } from "./support/mode.ts";
import { counterScore } from "./support/scores.ts";
import {
  MB,
  removeDataDir,
  RssSampler,
  startServerProcess,
  type ServerProcess,
} from "./support/server-process.ts";

const JOBS = scaled({ full: 20, short: 5 });
const SHEETS = scaled({ full: 200, short: 40 });
const SUBSCRIBERS = scaled({ full: 20, short: 5 });
const JOB_TIMEOUT_MS = scaled({ full: 25 * 60_000, short: 3 * 60_000 });

describe(`load (${MODE}: ${JOBS} jobs × ${SHEETS} sheets, ${SUBSCRIBERS} subscribers)`, () => {
  let server: ServerProcess | null = null;
  afterAll(async () => {
    await server?.stop();
    if (server) removeDataDir(server.dataDir);
  });

  it(
    "completes every job, runs every sheet once and delivers every event to every subscriber",
    async () => {
      server = await startServerProcess();
      const endpoint = { url: server.url, wsUrl: server.wsUrl };
      const live = server;

      // Idle baseline: the server after start-up, before any job or subscriber.
      await readEventLog(endpoint);
      await sleep(1_000);
      const idle = new RssSampler(() => live.rssBytes(), 100).start();
      await sleep(1_000);
      const baselineBytes = idle.stop().peakBytes;
      const sampler = new RssSampler(() => live.rssBytes(), 100).start();
      const startedAt = Date.now();

      // Half the subscribers follow every job from before the first submit (the live path) ...
      const followers: { follower: EventFollower; jobIndex: number | null }[] = [];
      const globalCount = Math.ceil(SUBSCRIBERS / 2);
      for (let index = 0; index < globalCount; index += 1) {
        followers.push({
          follower: new EventFollower(wsClient(endpoint), { jobId: null }).start(),
          jobIndex: null,
        });
      }
      await sleep(500);

      const jobs: SubmittedJob[] = await Promise.all(
        Array.from({ length: JOBS }, (_, index) =>
          submitScore(
            endpoint,
            counterScore({
              name: `load-${index + 1}`,
              sheets: SHEETS,
              independent: true,
              maxConcurrent: 4,
            }),
          ),
        ),
      );
      // ... the other half follow one job each, subscribing after it started (replay, then live).
      for (let index = globalCount; index < SUBSCRIBERS; index += 1) {
        const jobIndex = index % JOBS;
        followers.push({
          follower: new EventFollower(wsClient(endpoint), { jobId: jobs[jobIndex]!.id }).start(),
          jobIndex,
        });
      }

      const finished = await Promise.all(
        jobs.map((job) => waitForJob(endpoint, job.id, JOB_TIMEOUT_MS)),
      );
      const elapsedMs = Date.now() - startedAt;

      const log = await readEventLog(endpoint);
      expectGapFreeLog(log);
      const lastSeq = log.at(-1)!.seq;
      for (const { follower, jobIndex } of followers) {
        const expected =
          jobIndex === null ? log : log.filter((event) => event.jobId === jobs[jobIndex]!.id);
        await follower.reach(expected.at(-1)!.seq, 60_000);
        // Give a stray duplicate or late event a moment to show up before comparing.
        await sleep(200);
        expect(follower.error, "subscriber error").toBeNull();
        expectSameEvents(
          follower.received,
          expected,
          `subscriber ${jobIndex === null ? "(all jobs)" : `job ${jobIndex + 1}`}`,
        );
        follower.stop();
      }
      const { peakBytes } = sampler.stop();

      for (const [index, job] of finished.entries()) {
        expect(job.status, `job ${index + 1} (${job.id})`).toBe("COMPLETED");
        expect(job.completedSheets).toBe(SHEETS);
        const unusual = job.sheets.filter(
          (sheet) => sheet.status !== "COMPLETED" || sheet.attempts.length !== 1,
        );
        expect(
          unusual.map((sheet) => ({
            num: sheet.num,
            status: sheet.status,
            attempts: sheet.attempts.length,
          })),
        ).toEqual([]);
        expectEverySheetRanOnce(job.workspace, SHEETS);
        const completions = log.filter(
          (event) => event.jobId === job.id && event.event === "sheet.completed",
        );
        expect(new Set(completions.map((event) => event.sheetNum)).size).toBe(SHEETS);
        expect(completions).toHaveLength(SHEETS);
      }
      // The server still answers after the load.
      expect((await readJob(endpoint, jobs[0]!.id)).status).toBe("COMPLETED");

      const sheetsRun = JOBS * SHEETS;
      console.log(
        `reliability load: ${JOBS} jobs × ${SHEETS} sheets = ${sheetsRun} sheets in ${(elapsedMs / 1000).toFixed(1)} s ` +
          `(${((sheetsRun * 1000) / elapsedMs).toFixed(1)} sheets/s), ${lastSeq} events to ${SUBSCRIBERS} subscribers, lost 0, run twice 0`,
      );
      console.log(
        `bench: reliability-load-peak-rss ${(peakBytes / MB).toFixed(1)} MB | baseline ${(baselineBytes / MB).toFixed(1)} MB | ratio ${(peakBytes / baselineBytes).toFixed(2)}`,
      );
    },
    JOB_TIMEOUT_MS + 5 * 60_000,
  );
});
