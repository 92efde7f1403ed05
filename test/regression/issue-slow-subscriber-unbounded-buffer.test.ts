/**
 * A client that subscribes and then stops reading made the server hold everything it was owed.
 * `openEventStream` (graphql/subscriptions/event-stream.ts) replays the whole log into the
 * subscription's queue without waiting for the consumer, and `Channel` (channel.ts) bounds that
 * queue by event count (50,000), not by bytes; graphql-ws stops pulling once the socket stalls,
 * so each stalled subscription keeps its whole replay in memory. Large events (a score's name is
 * carried in job.submitted) and several subscriptions on one socket multiply it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { sleep, submitScore } from "../reliability/support/client.ts";
import { SHEET_EVENTS } from "../reliability/support/follower.ts";
import {
  MB,
  removeDataDir,
  RssSampler,
  startServerProcess,
  type ServerProcess,
} from "../reliability/support/server-process.ts";

const EVENTS = 30;
const EVENT_BYTES = 400_000;
const SUBSCRIPTIONS = 16;
const BUDGET_MB = 96;

describe("a subscriber that stops reading", () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    if (server) removeDataDir(server.dataDir);
  });

  it(`does not make the server hold its ${Math.round((EVENTS * EVENT_BYTES * SUBSCRIPTIONS) / MB)} MB backlog`, async () => {
    const endpoint = { url: server.url, wsUrl: server.wsUrl };
    for (let index = 0; index < EVENTS; index += 1) {
      const score = `name: fat-${index}-${"n".repeat(EVENT_BYTES)}\ninstrument: cli\nsheet: {size: 1, total_items: 1}\nprompt: {template: echo}\n`;
      await submitScore(endpoint, score, { dryRun: true });
    }
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
    expect(growthMb, "server RSS growth (MB) for one stalled client").toBeLessThan(BUDGET_MB);
  }, 90_000);
});
