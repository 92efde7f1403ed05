/**
 * A subscriber that never reads. It opens many `sheetEvents` subscriptions that each replay the
 * whole event log, then stops reading its socket. The server must not buffer for it without
 * bound: its RSS stays within a budget far below what the slow client is owed, the slow client is
 * dropped or throttled, and a normal subscriber on the same server still receives every event.
 */
import { afterAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { expectSameEvents } from "./support/checks.ts";
import { readEventLog, sleep, submitScore, waitForJob, wsClient } from "./support/client.ts";
import { EventFollower, SHEET_EVENTS } from "./support/follower.ts";
import { MODE, scaled } from "./support/mode.ts";
import { counterScore } from "./support/scores.ts";
import {
  MB,
  removeDataDir,
  RssSampler,
  startServerProcess,
  type ServerProcess,
} from "./support/server-process.ts";

/** Events as large as a client can make them: the score's name is carried in job.submitted. */
const NAME_CHARS = 2_000;
/** Dry-run jobs that fill the log before the slow client arrives (two events each). */
const LOG_JOBS = scaled({ full: 3_000, short: 1_000 });
const SLOW_SUBSCRIPTIONS = scaled({ full: 100, short: 80 });
/** What the server may grow by while it serves the slow client. */
const RSS_BUDGET_MB = 100;

function namedScore(index: number): string {
  return `name: log-${index}-${"n".repeat(NAME_CHARS)}\ninstrument: cli\nsheet: {size: 1, total_items: 1}\nprompt: {template: "echo hi"}\n`;
}

/** A raw graphql-ws client that subscribes, then stops reading its socket. */
async function openSlowClient(
  wsUrl: string,
  subscriptions: number,
): Promise<{ socket: WebSocket; closed: Promise<number> }> {
  const socket = new WebSocket(wsUrl, "graphql-transport-ws");
  const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  socket.send(JSON.stringify({ type: "connection_init", payload: {} }));
  await new Promise<void>((resolve, reject) => {
    socket.once("message", (data) => {
      const message = JSON.parse(String(data)) as { type: string };
      if (message.type === "connection_ack") resolve();
      else reject(new Error(`expected connection_ack, got ${String(data)}`));
    });
  });
  // From here on, nothing is read: the kernel buffers fill and the server sees a stalled client.
  (socket as unknown as { _socket: { pause(): void } })._socket.pause();
  for (let index = 0; index < subscriptions; index += 1) {
    socket.send(
      JSON.stringify({
        id: `slow-${index}`,
        type: "subscribe",
        payload: { query: SHEET_EVENTS, variables: {} },
      }),
    );
  }
  return { socket, closed };
}

describe(`a subscriber that never reads (${MODE}: ${SLOW_SUBSCRIPTIONS} stalled replays of a ${LOG_JOBS * 2}-event log)`, () => {
  let server: ServerProcess | null = null;
  afterAll(async () => {
    await server?.stop();
    if (server) removeDataDir(server.dataDir);
  });

  it("keeps the server's memory bounded and other subscribers whole", async () => {
    server = await startServerProcess();
    const live = server;
    const endpoint = { url: server.url, wsUrl: server.wsUrl };
    // Eight clients fill the log at once.
    await Promise.all(
      Array.from({ length: 8 }, async (_, client) => {
        for (let index = client; index < LOG_JOBS; index += 8) {
          await submitScore(endpoint, namedScore(index), { dryRun: true });
        }
      }),
    );
    const logBytes = (await readEventLog(endpoint)).reduce(
      (sum, event) => sum + JSON.stringify(event).length,
      0,
    );
    await sleep(1_000);
    const baselineBytes = server.rssBytes()!;
    const sampler = new RssSampler(() => live.rssBytes(), 50).start();

    const healthy = new EventFollower(wsClient(endpoint), { after: null }).start();
    const slow = await openSlowClient(server.wsUrl, SLOW_SUBSCRIPTIONS);
    let slowClosedWith: number | null = null;
    void slow.closed.then((code) => {
      slowClosedWith = code;
    });

    // Live traffic while the slow client stalls: a real job, and more large events.
    const job = await submitScore(
      endpoint,
      counterScore({ name: "alongside-slow", sheets: 20, independent: true, maxConcurrent: 4 }),
    );
    for (let index = 0; index < 5; index += 1)
      await submitScore(endpoint, namedScore(LOG_JOBS + index), { dryRun: true });
    const done = await waitForJob(endpoint, job.id, 120_000);
    expect(done.status).toBe("COMPLETED");
    await sleep(3_000);

    const log = await readEventLog(endpoint);
    await healthy.reach(log.at(-1)!.seq, 60_000);
    await sleep(200);
    healthy.stop();
    expect(healthy.error).toBeNull();
    expectSameEvents(healthy.received, log, "the normal subscriber beside the slow one");

    const { peakBytes } = sampler.stop();
    const growthMb = (peakBytes - baselineBytes) / MB;
    const owedMb = (logBytes * SLOW_SUBSCRIPTIONS) / MB;
    console.log(
      `reliability slow subscriber: owed ${owedMb.toFixed(0)} MB over ${SLOW_SUBSCRIPTIONS} stalled subscriptions; ` +
        `server RSS grew ${growthMb.toFixed(0)} MB (budget ${RSS_BUDGET_MB} MB); slow client ${slowClosedWith === null ? "still connected (throttled)" : `closed by the server (${slowClosedWith})`}`,
    );
    console.log(
      `bench: reliability-slow-subscriber-peak-rss ${(peakBytes / MB).toFixed(1)} MB | baseline ${(baselineBytes / MB).toFixed(1)} MB | ratio ${(peakBytes / baselineBytes).toFixed(2)}`,
    );
    expect(owedMb, "the test must owe the slow client far more than the budget").toBeGreaterThan(
      RSS_BUDGET_MB * 1.5,
    );
    expect(growthMb, "server RSS growth while a client does not read (MB)").toBeLessThan(
      RSS_BUDGET_MB,
    );
    expect(live.child.exitCode).toBeNull();
    slow.socket.terminate();
  });
});
