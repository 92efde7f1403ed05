import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEEP_ALIVE_MS } from "../../../apps/server/src/server.ts";
import { startGatewayHarness, type GatewayHarness } from "./harness.ts";

describe("keep-alive", () => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    harness = await startGatewayHarness({ keepAliveMs: 250 });
  });
  afterAll(async () => {
    await harness.close();
  });

  it("pings at most every 30 s by default", () => {
    expect(KEEP_ALIVE_MS).toBeLessThanOrEqual(30_000);
  });

  it("pings idle WebSocket clients on the configured interval", async () => {
    const socket = new WebSocket(harness.server.wsUrl, "graphql-transport-ws");
    let pings = 0;
    socket.on("ping", () => (pings += 1));
    await new Promise((resolve) => socket.on("open", resolve));
    socket.send(JSON.stringify({ type: "connection_init" }));
    const started = Date.now();
    while (pings < 2 && Date.now() - started < 10_000)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const open = socket.readyState === WebSocket.OPEN;
    socket.close();
    expect(pings).toBeGreaterThanOrEqual(2);
    // The client answered every ping, so the server kept the idle connection open.
    expect(open).toBe(true);
  });
});
