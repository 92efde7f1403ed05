/**
 * Gateway benchmarks, each beside its baseline in the same run:
 * - fan-out: one job's events to 100 graphql-ws subscribers, beside a raw `ws` broadcast of the
 *   same payloads to 100 sockets (target: ratio ≥ 0.25);
 * - latency: commit-to-client p99 at 10,000 events/s, beside the same commits broadcast over raw
 *   `ws` (target: ≤ 50 ms, nothing lost);
 * - jobs(first: 50) requests/s, beside a plain Yoga schema serving the same rows (target ≥ 0.9).
 * Events are committed to the real event log and published on the real bus, as the engine does.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { createClient, type Client } from "graphql-ws";
import { createSchema, createYoga } from "graphql-yoga";
import WebSocket, { WebSocketServer } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventDraft, EventRecord } from "../../apps/server/src/contracts/event-log.ts";
import { createPodium } from "../../apps/server/src/app.ts";
import { encodeEventCursor } from "../../apps/server/src/graphql/cursor.ts";
import { createGatewayServices } from "../../apps/server/src/graphql/services.ts";
import { startServer, type RunningServer } from "../../apps/server/src/server.ts";

type Podium = Awaited<ReturnType<typeof createPodium>>;

/** Each phase has its own job, so a subscriber sees exactly that phase's events. */
const FAN_OUT_JOB = "bench-fan-out";
const RATE_JOB = "bench-rate";
const RAW_JOB = "bench-raw";
const SUBSCRIBERS = 100;
const FAN_OUT_EVENTS = 2_000;
const RATE_PER_SECOND = 10_000;
const RATE_SECONDS = 3;
const BATCH_EVERY_MS = 10;

const SUBSCRIPTION = /* GraphQL */ `
  subscription ($jobId: ID) {
    sheetEvents(jobId: $jobId) {
      cursor
      seq
      jobId
      sheetNum
      event
      data
      timestamp
    }
  }
`;

function bench(
  name: string,
  value: number,
  unit: string,
  baseline: number,
  baselineUnit = unit,
  ratio = value / baseline,
): void {
  console.log(
    `bench: ${name} ${value.toFixed(1)} ${unit} | baseline ${baseline.toFixed(1)} ${baselineUnit} | ratio ${ratio.toFixed(3)}`,
  );
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function drafts(
  jobId: string,
  count: number,
  data: (i: number) => Record<string, unknown>,
): EventDraft[] {
  return Array.from({ length: count }, (_, i) => ({
    jobId,
    sheetNum: (i % 5) + 1,
    event: "sheet.dispatched",
    data: data(i),
    timestamp: Date.now(),
  }));
}

/** The frame graphql-ws sends for one event, so the raw baseline carries the same bytes. */
function graphqlWsFrame(event: EventRecord): string {
  return JSON.stringify({
    id: "1",
    type: "next",
    payload: {
      data: {
        sheetEvents: {
          cursor: encodeEventCursor(event.seq),
          seq: event.seq,
          jobId: event.jobId,
          sheetNum: event.sheetNum,
          event: event.event,
          data: event.data,
          timestamp: new Date(event.timestamp).toISOString(),
        },
      },
    },
  });
}

interface RawBroadcast {
  wss: WebSocketServer;
  sockets: WebSocket[];
  broadcast(events: EventRecord[]): void;
  close(): Promise<void>;
}

async function startRawBroadcast(
  clients: number,
  onMessage: (client: number, frame: string) => void,
): Promise<RawBroadcast> {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  await new Promise((resolve) => wss.once("listening", resolve));
  const { port } = wss.address() as AddressInfo;
  const sockets = await Promise.all(
    Array.from({ length: clients }, (_, index) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}`);
      socket.on("message", (data) => onMessage(index, String(data)));
      return new Promise<WebSocket>((resolve) => socket.once("open", () => resolve(socket)));
    }),
  );
  while (wss.clients.size < clients) await new Promise((resolve) => setTimeout(resolve, 5));
  return {
    wss,
    sockets,
    broadcast(events) {
      for (const event of events) {
        const frame = graphqlWsFrame(event);
        for (const peer of wss.clients) peer.send(frame);
      }
    },
    async close() {
      for (const socket of sockets) socket.terminate();
      await new Promise((resolve) => wss.close(resolve));
    },
  };
}

async function commit(podium: Podium, batch: EventDraft[]): Promise<EventRecord[]> {
  const records = await podium.store.appendEvents(batch);
  podium.bus.publish(records);
  return records;
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

async function subscribeMany(
  server: RunningServer,
  jobId: string,
  count: number,
  onEvent: (client: number, seq: number, data: Record<string, unknown>) => void,
): Promise<Client[]> {
  const before = server.gateway.subscriptions.active;
  const clients = Array.from({ length: count }, (_, index) => {
    const client = createClient({ url: server.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
    client.subscribe<{ sheetEvents: { seq: number; data: Record<string, unknown> } }>(
      { query: SUBSCRIPTION, variables: { jobId } },
      {
        next: (result) =>
          onEvent(index, result.data!.sheetEvents.seq, result.data!.sheetEvents.data),
        error: (error) => console.error("subscriber error", error),
        complete: () => undefined,
      },
    );
    return client;
  });
  await until(() => server.gateway.subscriptions.active === before + count, 30_000);
  return clients;
}

/** Commits `total` events at `perSecond`, in batches every BATCH_EVERY_MS, noting each commit time. */
async function commitAtRate(
  jobId: string,
  total: number,
  perSecond: number,
  send: (batch: EventDraft[]) => Promise<EventRecord[]>,
  committedAt: Map<number, number>,
): Promise<void> {
  const perBatch = Math.round((perSecond * BATCH_EVERY_MS) / 1000);
  const start = performance.now();
  for (let sent = 0, batchIndex = 0; sent < total; batchIndex += 1) {
    const due = start + batchIndex * BATCH_EVERY_MS;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const size = Math.min(perBatch, total - sent);
    const records = await send(drafts(jobId, size, (i) => ({ n: sent + i })));
    const now = performance.now();
    for (const record of records) committedAt.set(record.seq, now);
    sent += size;
  }
}

describe("gateway benchmarks", () => {
  let dataDir: string;
  let podium: Podium;
  let server: RunningServer;

  beforeAll(async () => {
    // Both sides of every figure share the machine; a busy machine shows in the absolute numbers.
    console.log(`gateway benchmarks: 1-minute load average ${loadavg()[0]!.toFixed(1)}`);
    dataDir = mkdtempSync(path.join(tmpdir(), "podium-bench-"));
    podium = await createPodium({
      databaseUrl: `file:${path.join(dataDir, "podium.db")}`,
      dataDir,
    });
    server = await startServer({
      services: createGatewayServices({
        conductor: podium.commands,
        prisma: podium.db.prisma,
        bus: podium.bus,
        listInstruments: () => podium.listInstruments(),
      }),
      port: 0,
    });
  });

  afterAll(async () => {
    await server.close();
    await podium.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("fans one job's events out to 100 graphql-ws subscribers", async () => {
    const received = new Array<number>(SUBSCRIBERS).fill(0);
    const lastSeq = new Array<number>(SUBSCRIBERS).fill(0);
    let outOfOrder = 0;
    const clients = await subscribeMany(server, FAN_OUT_JOB, SUBSCRIBERS, (client, seq) => {
      if (seq <= lastSeq[client]!) outOfOrder += 1;
      lastSeq[client] = seq;
      received[client]! += 1;
    });
    const events = drafts(FAN_OUT_JOB, FAN_OUT_EVENTS, (i) => ({ n: i }));
    const gatewayStart = performance.now();
    for (let i = 0; i < events.length; i += 200) await commit(podium, events.slice(i, i + 200));
    await until(() => received.every((count) => count === FAN_OUT_EVENTS), 120_000);
    const gatewaySeconds = (performance.now() - gatewayStart) / 1000;
    await Promise.all(clients.map((client) => client.dispose()));
    expect(outOfOrder).toBe(0);

    const rawReceived = new Array<number>(SUBSCRIBERS).fill(0);
    const raw = await startRawBroadcast(SUBSCRIBERS, (client, frame) => {
      JSON.parse(frame);
      rawReceived[client]! += 1;
    });
    const rawEvents = drafts(RAW_JOB, FAN_OUT_EVENTS, (i) => ({ n: i }));
    const rawStart = performance.now();
    for (let i = 0; i < rawEvents.length; i += 200) {
      raw.broadcast(await podium.store.appendEvents(rawEvents.slice(i, i + 200)));
    }
    await until(() => rawReceived.every((count) => count === FAN_OUT_EVENTS), 120_000);
    const rawSeconds = (performance.now() - rawStart) / 1000;
    await raw.close();

    const total = FAN_OUT_EVENTS * SUBSCRIBERS;
    bench(
      "sheetEvents fan-out to 100 graphql-ws clients",
      total / gatewaySeconds,
      "msg/s",
      total / rawSeconds,
    );
  });

  it("delivers 10,000 events/s from commit to client with a low p99 and nothing lost", async () => {
    const total = RATE_PER_SECOND * RATE_SECONDS;
    const committedAt = new Map<number, number>();
    const latencies: number[] = [];
    const seen = new Set<number>();
    let duplicates = 0;
    const [client] = await subscribeMany(server, RATE_JOB, 1, (_client, seq) => {
      const now = performance.now();
      if (seen.has(seq)) duplicates += 1;
      seen.add(seq);
      const at = committedAt.get(seq);
      if (at !== undefined) latencies.push(now - at);
    });
    await commitAtRate(
      RATE_JOB,
      total,
      RATE_PER_SECOND,
      (batch) => commit(podium, batch),
      committedAt,
    );
    await until(() => seen.size === total, 60_000);
    await client!.dispose();
    expect(duplicates).toBe(0);
    expect([...committedAt.keys()].every((seq) => seen.has(seq))).toBe(true);

    const rawCommittedAt = new Map<number, number>();
    const rawLatencies: number[] = [];
    let rawSeen = 0;
    const raw = await startRawBroadcast(1, (_client, frame) => {
      const now = performance.now();
      const seq = (JSON.parse(frame) as { payload: { data: { sheetEvents: { seq: number } } } })
        .payload.data.sheetEvents.seq;
      rawSeen += 1;
      const at = rawCommittedAt.get(seq);
      if (at !== undefined) rawLatencies.push(now - at);
    });
    await commitAtRate(
      RAW_JOB,
      total,
      RATE_PER_SECOND,
      async (batch) => {
        const records = await podium.store.appendEvents(batch);
        // Commit times are noted after this returns, so send on the next turn as the bus does.
        queueMicrotask(() => raw.broadcast(records));
        return records;
      },
      rawCommittedAt,
    );
    await until(() => rawSeen === total, 60_000);
    await raw.close();

    const p99 = percentile(latencies, 99);
    const rawP99 = percentile(rawLatencies, 99);
    bench(
      `sheetEvents p99 commit-to-client at ${RATE_PER_SECOND} msg/s (p50 ${percentile(latencies, 50).toFixed(1)} ms)`,
      p99,
      "ms",
      rawP99,
    );
    bench(
      "sheetEvents lost events at 10000 msg/s",
      total - seen.size,
      "events",
      0,
      "events",
      total - seen.size === 0 ? 1 : 0,
    );
  });

  it("serves jobs(first: 50) nearly as fast as a plain Yoga schema over the same rows", async () => {
    const now = Date.now();
    await podium.db.prisma.job.createMany({
      data: Array.from({ length: 200 }, (_, i) => ({
        id: `job-${String(i).padStart(4, "0")}`,
        name: `bench ${i}`,
        status: i % 3 === 0 ? "completed" : "running",
        scoreText: "name: bench",
        configHash: "h",
        workspace: `/tmp/bench/${i}`,
        totalSheets: 5,
        completedSheets: i % 5,
        costUsd: i / 100,
        createdAt: new Date(now - i * 1000),
      })),
    });
    const plain = await startPlainYoga(podium);
    const query =
      "{ jobs(first: 50) { edges { cursor node { id name status totalSheets completedSheets costUsd createdAt } } pageInfo { hasNextPage endCursor } } }";
    const gatewayBody = await postJson(server.url, query);
    const plainBody = await postJson(plain.url, query);
    expect(gatewayBody.data.jobs.edges).toHaveLength(50);
    expect(gatewayBody.data.jobs.edges.map((edge) => edge.node.id)).toEqual(
      plainBody.data.jobs.edges.map((edge) => edge.node.id),
    );

    await load(server.url, query, 300);
    await load(plain.url, query, 300);
    const rounds = { gateway: [] as number[], plain: [] as number[] };
    for (let round = 0; round < 3; round += 1) {
      rounds.plain.push(await load(plain.url, query, 1_000));
      rounds.gateway.push(await load(server.url, query, 1_000));
    }
    await plain.close();
    bench("jobs(first: 50)", Math.max(...rounds.gateway), "req/s", Math.max(...rounds.plain));
  });
});

interface JobsPage {
  data: { jobs: { edges: { node: { id: string } }[] } };
}

async function postJson(url: string, query: string): Promise<JobsPage> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as JobsPage;
}

/** Sends `requests` POSTs, 16 at a time; returns requests per second. */
async function load(url: string, query: string, requests: number): Promise<number> {
  const body = JSON.stringify({ query });
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < requests) {
        next += 1;
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json" },
          body,
        });
        if (response.status !== 200) throw new Error(`status ${response.status}`);
        await response.arrayBuffer();
      }
    }),
  );
  return requests / ((performance.now() - start) / 1000);
}

/** The baseline: the same rows through a bare Yoga schema with no plugins and no limits. */
async function startPlainYoga(podium: Podium): Promise<{ url: string; close(): Promise<void> }> {
  const yoga = createYoga({
    logging: false,
    graphiql: false,
    schema: createSchema({
      typeDefs: /* GraphQL */ `
        type Job {
          id: ID!
          name: String!
          status: String!
          totalSheets: Int!
          completedSheets: Int!
          costUsd: Float!
          createdAt: String!
        }
        type JobEdge {
          cursor: String!
          node: Job!
        }
        type PageInfo {
          hasNextPage: Boolean!
          endCursor: String
        }
        type JobConnection {
          edges: [JobEdge!]!
          pageInfo: PageInfo!
        }
        type Query {
          jobs(first: Int): JobConnection!
        }
      `,
      resolvers: {
        Query: {
          jobs: async (_root: unknown, { first }: { first: number }) => {
            const rows = await podium.db.prisma.job.findMany({
              orderBy: [{ createdAt: "desc" }, { id: "desc" }],
              take: first + 1,
            });
            const edges = rows.slice(0, first).map((job) => ({
              cursor: Buffer.from(`job:${job.createdAt.getTime()}:${job.id}`).toString("base64url"),
              node: {
                ...job,
                status: job.status.toUpperCase(),
                createdAt: job.createdAt.toISOString(),
              },
            }));
            return {
              edges,
              pageInfo: {
                hasNextPage: rows.length > first,
                endCursor: edges.at(-1)?.cursor ?? null,
              },
            };
          },
        },
      },
    }),
  });
  const server: Server = createServer(yoga);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
