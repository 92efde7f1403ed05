/**
 * A client that subscribes and then stops reading made the server hold everything it was owed.
 * `openEventStream` (graphql/subscriptions/event-stream.ts) replayed the whole log into the
 * subscription's queue without waiting for the consumer, and `Channel` (channel.ts) bounded that
 * queue by event count (50,000), not by bytes; graphql-ws stops pulling once the socket stalls,
 * so each stalled subscription kept its whole replay in memory, and several subscriptions on one
 * socket multiplied it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { readEventLog, sleep, submitScore } from "../reliability/support/client.ts";
import { SHEET_EVENTS } from "../reliability/support/follower.ts";
import {
  MB,
  removeDataDir,
  RssSampler,
  startServerProcess,
  type ServerProcess,
} from "../reliability/support/server-process.ts";

const LOG_JOBS = 600;
const SUBSCRIPTIONS = 60;
const BUDGET_MB = 64;

describe("a subscriber that stops reading", () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    if (server) removeDataDir(server.dataDir);
  });

  it("does not make the server hold its backlog", async () => {
    const endpoint = { url: server.url, wsUrl: server.wsUrl };
    await Promise.all(
      Array.from({ length: 8 }, async (_, client) => {
        for (let index = client; index < LOG_JOBS; index += 8) {
          const score = `name: log-${index}-${"n".repeat(2_000)}\ninstrument: cli\nsheet: {size: 1, total_items: 1}\nprompt: {template: echo}\n`;
          await submitScore(endpoint, score, { dryRun: true });
        }
      }),
    );
    const logBytes = (await readEventLog(endpoint)).reduce(
      (sum, event) => sum + JSON.stringify(event).length,
      0,
    );
    const owedMb = (logBytes * SUBSCRIPTIONS) / MB;
    await sleep(500);
    const baseline = server.rssBytes()!;
    const sampler = new RssSampler(() => server.rssBytes(), 50).start();

    const socket = new WebSocket(server.wsUrl, "graphql-transport-ws");
    await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
    socket.send(JSON.stringify({ type: "connection_init", payload: {} }));
    await new Promise((resolve) => socket.once("message", resolve));
    (socket as unknown as { _socket: { pause(): void } })._socket.pause();
    for (let index = 0; index < SUBSCRIPTIONS; index += 1) {
      socket.send(
        JSON.stringify({
          id: String(index),
          type: "subscribe",
          payload: { query: SHEET_EVENTS, variables: {} },
        }),
      );
    }
    await sleep(6_000);
    const growthMb = (sampler.stop().peakBytes - baseline) / MB;
    socket.terminate();
    expect(owedMb, "backlog owed to the stalled client (MB)").toBeGreaterThan(BUDGET_MB * 1.2);
    expect(
      growthMb,
      `server RSS growth (MB) for one stalled client owed ${owedMb.toFixed(0)} MB`,
    ).toBeLessThan(BUDGET_MB);
  }, 120_000);
});
