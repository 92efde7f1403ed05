import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, UnsafeBindError } from "../../../apps/server/src/server.ts";
import { startGatewayHarness, type GatewayHarness } from "./harness.ts";

const TOKEN = "s3cret-token-for-tests";
const DASHBOARD = "http://127.0.0.1:3000";
const FOREIGN = "http://evil.example";

async function post(url: string, headers: Record<string, string>, query = "{ health { ok } }") {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", ...headers },
    body: JSON.stringify({ query }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

const healthy = { data: { health: { ok: true } } };

/** Opens a graphql-ws connection by hand and reports how it ended or that it was acknowledged. */
function handshake(
  url: string,
  options: { origin?: string; payload?: Record<string, unknown> } = {},
): Promise<
  { outcome: "ack" } | { outcome: "closed"; code: number } | { outcome: "refused"; status: number }
> {
  return new Promise((resolve) => {
    const socket = new WebSocket(
      url,
      "graphql-transport-ws",
      options.origin ? { origin: options.origin } : {},
    );
    socket.on("unexpected-response", (_request, response) => {
      resolve({ outcome: "refused", status: response.statusCode ?? 0 });
      socket.terminate();
    });
    socket.on("open", () =>
      socket.send(JSON.stringify({ type: "connection_init", payload: options.payload })),
    );
    socket.on("message", (data) => {
      if (JSON.parse(String(data)).type === "connection_ack") {
        resolve({ outcome: "ack" });
        socket.close();
      }
    });
    socket.on("close", (code) => resolve({ outcome: "closed", code }));
    socket.on("error", () => undefined);
  });
}

describe("with PODIUM_TOKEN set", () => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    harness = await startGatewayHarness({ token: TOKEN, webOrigins: [DASHBOARD] });
  });
  afterAll(async () => {
    await harness.close();
  });

  it("refuses HTTP operations with a missing or wrong token, with UNAUTHENTICATED", async () => {
    const missing = await post(harness.server.url, {});
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ errors: [{ extensions: { code: "UNAUTHENTICATED" } }] });
    expect(JSON.stringify(missing.body)).toContain("Authorization: Bearer");
    const wrong = await post(harness.server.url, { authorization: "Bearer nope" });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({
      errors: [{ message: "Wrong token", extensions: { code: "UNAUTHENTICATED" } }],
    });
    expect(await post(harness.server.url, { authorization: `Bearer ${TOKEN}` })).toMatchObject({
      status: 200,
      body: healthy,
    });
  });

  it("closes a WebSocket whose connection_init has no or a wrong token with 4403", async () => {
    expect(await handshake(harness.server.wsUrl)).toEqual({ outcome: "closed", code: 4403 });
    expect(
      await handshake(harness.server.wsUrl, { payload: { authorization: "Bearer nope" } }),
    ).toEqual({
      outcome: "closed",
      code: 4403,
    });
    expect(
      await handshake(harness.server.wsUrl, { payload: { authorization: `Bearer ${TOKEN}` } }),
    ).toEqual({
      outcome: "ack",
    });
    expect(await handshake(harness.server.wsUrl, { payload: { token: TOKEN } })).toEqual({
      outcome: "ack",
    });
    expect(await post(harness.server.url, { authorization: `Bearer ${TOKEN}` })).toMatchObject({
      body: healthy,
    });
  });

  it("runs subscriptions for a client that sent the token", async () => {
    const client = harness.wsClient({ connectionParams: { token: TOKEN } });
    const failures: unknown[] = [];
    const stop = client.subscribe(
      { query: "subscription { jobUpdated { id } }" },
      { next: () => undefined, error: (error) => failures.push(error), complete: () => undefined },
    );
    let active = 0;
    for (let tries = 0; tries < 100 && active === 0; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const { body } = await post(
        harness.server.url,
        { authorization: `Bearer ${TOKEN}` },
        "{ health { activeSubscriptions } }",
      );
      active = (body as { data: { health: { activeSubscriptions: number } } }).data.health
        .activeSubscriptions;
    }
    stop();
    expect(failures).toEqual([]);
    expect(active).toBe(1);
  });
});

describe("origins", () => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    harness = await startGatewayHarness({ webOrigins: [DASHBOARD] });
  });
  afterAll(async () => {
    await harness.close();
  });

  it("answers the dashboard's origin with CORS headers and refuses a foreign one with 403", async () => {
    const dashboard = await post(harness.server.url, { origin: DASHBOARD });
    expect(dashboard.status).toBe(200);
    expect(dashboard.headers.get("access-control-allow-origin")).toBe(DASHBOARD);
    const foreign = await post(harness.server.url, { origin: FOREIGN });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatchObject({ errors: [{ extensions: { code: "FORBIDDEN" } }] });
    expect(await post(harness.server.url, {})).toMatchObject({ status: 200, body: healthy });
  });

  it("lets GraphiQL call back from the server's own origin", async () => {
    const own = new URL(harness.server.url).origin;
    expect(await post(harness.server.url, { origin: own })).toMatchObject({
      status: 200,
      body: healthy,
    });
  });

  it("refuses a WebSocket upgrade from a foreign origin and accepts the dashboard and non-browsers", async () => {
    expect(await handshake(harness.server.wsUrl, { origin: FOREIGN })).toEqual({
      outcome: "refused",
      status: 403,
    });
    expect(await handshake(harness.server.wsUrl, { origin: DASHBOARD })).toEqual({
      outcome: "ack",
    });
    expect(await handshake(harness.server.wsUrl)).toEqual({ outcome: "ack" });
    expect(await post(harness.server.url, {})).toMatchObject({ body: healthy });
  });
});

describe("binding", () => {
  it("refuses to listen beyond loopback without a token, saying what to do", async () => {
    const attempt = startServer({ services: undefined as never, port: 0, host: "0.0.0.0" });
    await expect(attempt).rejects.toBeInstanceOf(UnsafeBindError);
    await expect(attempt).rejects.toThrow(/PODIUM_TOKEN/);
  });
});
