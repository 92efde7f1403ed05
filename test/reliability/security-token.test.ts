/**
 * With PODIUM_TOKEN set, nothing runs without it: queries, mutations and subscriptions, over
 * HTTP (POST, GET, SSE) and over WebSocket. Each refused attempt is checked afterwards: no job
 * exists and no workspace was made. The same operations with the token work (the control).
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { createClient } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { counterScore } from "./support/scores.ts";
import { post, query, SUBMIT, waitForJob, type Endpoint } from "./support/client.ts";
import { SHEET_EVENTS } from "./support/follower.ts";
import { removeDataDir, startServerProcess, type ServerProcess } from "./support/server-process.ts";

const TOKEN = "reliability-token-3f9a1c";
const SCORE = counterScore({ name: "token-probe", sheets: 1 });

let server: ServerProcess;
let authorized: Endpoint;
let anonymous: Endpoint;

beforeAll(async () => {
  server = await startServerProcess({ token: TOKEN });
  authorized = { url: server.url, wsUrl: server.wsUrl, token: TOKEN };
  anonymous = { url: server.url, wsUrl: server.wsUrl };
});

afterAll(async () => {
  await server?.stop();
  if (server) removeDataDir(server.dataDir);
});

async function jobCount(): Promise<number> {
  const data = await query<{ jobs: { edges: unknown[] } }>(
    authorized,
    "{ jobs(first: 500) { edges { cursor } } }",
  );
  return data.jobs.edges.length;
}

function workspaces(): string[] {
  const dir = path.join(server.dataDir, "workspaces");
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** The outcome of a WebSocket operation: data received, or why not. */
async function overWebSocket(
  connectionParams: Record<string, unknown> | undefined,
  operation: { query: string; variables?: Record<string, unknown> },
): Promise<{ data: unknown; error: string | null }> {
  const client = createClient({
    url: server.wsUrl,
    webSocketImpl: WebSocket,
    lazy: true,
    retryAttempts: 0,
    connectionParams,
  });
  try {
    return await new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ data: null, error: "no answer within 5 s" }), 5_000);
      client.subscribe(operation, {
        next: (result) => {
          clearTimeout(timer);
          resolve(
            result.errors?.length
              ? { data: null, error: JSON.stringify(result.errors) }
              : { data: result.data, error: null },
          );
        },
        error: (error) => {
          clearTimeout(timer);
          const closed = error as { code?: number; reason?: string };
          resolve({
            data: null,
            error: closed.code ? `closed ${closed.code} ${closed.reason ?? ""}` : String(error),
          });
        },
        complete: () => undefined,
      });
    });
  } finally {
    await client.dispose();
  }
}

const refusedTokens: [string, Record<string, string>][] = [
  ["no token", {}],
  ["a wrong token", { authorization: "Bearer not-the-token" }],
  ["the token without Bearer", { authorization: TOKEN }],
  ["the token in another header", { "x-podium-token": TOKEN }],
];

describe("with PODIUM_TOKEN set", () => {
  it.each(refusedTokens)("refuses HTTP queries and mutations with %s", async (_label, headers) => {
    const before = await jobCount();
    for (const [text, variables] of [
      ["{ jobs { edges { node { id } } } }", undefined],
      ["{ health { ok } }", undefined],
      [SUBMIT, { input: { score: SCORE } }],
      [SUBMIT, { input: { score: SCORE, dryRun: true } }],
    ] as const) {
      const response = await post(anonymous, text, variables, headers);
      expect(response.status, response.text).toBe(401);
      expect(response.body?.data ?? null, response.text).toBeNull();
    }
    const get = await fetch(
      `${server.url}?query=${encodeURIComponent("{ jobs { edges { node { id } } } }")}`,
      {
        headers: { accept: "application/json", ...headers },
      },
    );
    // 401 (no token) or 403 (Yoga's CSRF guard on GET): refused either way, and no data.
    const getText = await get.text();
    expect([401, 403], getText).toContain(get.status);
    expect(getText).not.toContain('"jobs"');
    expect(await jobCount()).toBe(before);
  });

  it("refuses SSE subscriptions without the token", async () => {
    const response = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ query: SHEET_EVENTS, variables: {} }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text().catch((error: unknown) => String(error));
    expect(response.status, text).toBe(401);
    expect(text).not.toContain('"sheetEvents"');
  });

  it.each([
    ["no connection params", undefined],
    ["a wrong token", { authorization: "Bearer nope" }],
    ["a token field that is wrong", { token: "nope" }],
  ])("refuses WebSocket operations with %s", async (_label, params) => {
    const before = await jobCount();
    for (const operation of [
      { query: "{ jobs { edges { node { id } } } }" },
      { query: SUBMIT, variables: { input: { score: SCORE } } },
      { query: SHEET_EVENTS, variables: {} },
    ]) {
      const outcome = await overWebSocket(params, operation);
      expect(outcome.data).toBeNull();
      expect(outcome.error).toMatch(/4403|Forbidden|closed/i);
    }
    expect(await jobCount()).toBe(before);
    expect(workspaces()).toEqual([]);
  });

  it("runs everything with the token (HTTP and WebSocket)", async () => {
    const submitted = await query<{ submitJob: { __typename: string; job: { id: string } } }>(
      authorized,
      SUBMIT,
      {
        input: { score: SCORE },
      },
    );
    expect(submitted.submitJob.__typename).toBe("SubmitJobSuccess");
    expect((await waitForJob(authorized, submitted.submitJob.job.id, 60_000)).status).toBe(
      "COMPLETED",
    );
    const viaWs = await overWebSocket(
      { authorization: `Bearer ${TOKEN}` },
      { query: SHEET_EVENTS, variables: {} },
    );
    expect(viaWs.error).toBeNull();
    expect(viaWs.data).toHaveProperty("sheetEvents.seq", 1);
    const viaTokenField = await overWebSocket({ token: TOKEN }, { query: "{ health { ok } }" });
    expect(viaTokenField).toEqual({ data: { health: { ok: true } }, error: null });
    expect(await jobCount()).toBe(1);
  });
});
