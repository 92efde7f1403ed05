/**
 * A whole Podium behind a real gateway on a free port: a temporary SQLite file and data folder,
 * the real conductor and engine, and the real server (HTTP + WebSocket).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { suiteDatabase } from "../../support/databases.ts";
import { tmpdir } from "node:os";
import path from "node:path";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { createPodium } from "../../../apps/server/src/app.ts";
import { createGatewayServices, EXAMPLES_DIR } from "../../../apps/server/src/graphql/services.ts";
import type { Route } from "../../../apps/server/src/http/routes.ts";
import { startServer, type RunningServer } from "../../../apps/server/src/server.ts";

export type Podium = Awaited<ReturnType<typeof createPodium>>;

export interface GatewayHarness {
  server: RunningServer;
  podium: Podium;
  dataDir: string;
  /** POSTs one operation as JSON and returns the parsed body and status. */
  request<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<{
    status: number;
    body: { data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  }>;
  wsClient(options?: { connectionParams?: Record<string, unknown>; lazy?: boolean }): Client;
  close(): Promise<void>;
}

export interface HarnessOptions {
  token?: string | null;
  webOrigins?: string[];
  keepAliveMs?: number;
  /** The dashboard build to serve (the real one in apps/web/out when not given). */
  webDir?: string;
  routes?: Route[];
  /** Environment handed to instruments (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

export async function startGatewayHarness(options: HarnessOptions = {}): Promise<GatewayHarness> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "podium-gateway-"));
  const database = await suiteDatabase(dataDir);
  const podium = await createPodium({
    databaseUrl: database.url,
    dataDir,
    ...(options.env ? { env: options.env } : {}),
  });
  const services = createGatewayServices({
    conductor: podium.commands,
    prisma: podium.db.prisma,
    readModel: podium.store.readModel,
    bus: podium.bus,
    listInstruments: () => podium.listInstruments(),
    cluster: podium.cluster,
  });
  const server = await startServer({
    services,
    port: 0,
    token: options.token ?? null,
    webOrigins: options.webOrigins ?? ["http://127.0.0.1:3000"],
    keepAliveMs: options.keepAliveMs,
    ...(options.webDir ? { webDir: options.webDir } : {}),
    ...(options.routes ? { routes: options.routes } : {}),
  });
  const clients: Client[] = [];
  return {
    server,
    podium,
    dataDir,
    async request(query, variables, headers = {}) {
      const authorization: Record<string, string> = options.token
        ? { authorization: `Bearer ${options.token}` }
        : {};
      const response = await fetch(server.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json",
          ...authorization,
          ...headers,
        },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: (await response.json()) as never };
    },
    wsClient(clientOptions = {}) {
      const client = createClient({
        url: server.wsUrl,
        webSocketImpl: WebSocket,
        lazy: clientOptions.lazy ?? true,
        retryAttempts: 0,
        connectionParams:
          clientOptions.connectionParams ??
          (options.token ? { authorization: `Bearer ${options.token}` } : undefined),
      });
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) await client.dispose();
      await server.close();
      await podium.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function exampleScore(name: string): string {
  return readFileSync(path.join(EXAMPLES_DIR, `${name}.yaml`), "utf8");
}

export const SUBMIT = /* GraphQL */ `
  mutation Submit($input: SubmitJobInput!) {
    submitJob(input: $input) {
      __typename
      ... on SubmitJobSuccess {
        job {
          id
          status
          totalSheets
        }
        warnings
      }
      ... on ScoreInvalid {
        message
        problems {
          path
          message
          line
        }
      }
    }
  }
`;

export const SHEET_EVENTS = /* GraphQL */ `
  subscription Follow($jobId: ID, $after: String) {
    sheetEvents(jobId: $jobId, after: $after) {
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

export interface SheetEventData {
  cursor: string;
  seq: number;
  jobId: string;
  sheetNum: number;
  event: string;
  data: Record<string, unknown>;
  timestamp: string;
}

export const TERMINAL_JOB_EVENTS = new Set(["job.completed", "job.failed", "job.cancelled"]);

export async function submit(harness: GatewayHarness, score: string): Promise<string> {
  const { body } = await harness.request<{
    submitJob: { __typename: string; job?: { id: string }; message?: string };
  }>(SUBMIT, { input: { score } });
  const result = body.data?.submitJob;
  if (result?.__typename !== "SubmitJobSuccess" || !result.job) {
    throw new Error(`submit failed: ${JSON.stringify(body)}`);
  }
  return result.job.id;
}

/** Collects a job's events over one WebSocket subscription until `stopWhen` says so. */
export async function collectEvents(
  client: Client,
  variables: { jobId?: string | null; after?: string | null },
  stopWhen: (event: SheetEventData, received: SheetEventData[]) => boolean,
): Promise<SheetEventData[]> {
  const received: SheetEventData[] = [];
  const iterator = client.iterate<{ sheetEvents: SheetEventData }>({
    query: SHEET_EVENTS,
    variables,
  });
  try {
    for await (const result of iterator) {
      if (result.errors) throw new Error(JSON.stringify(result.errors));
      const event = result.data!.sheetEvents;
      received.push(event);
      if (stopWhen(event, received)) break;
    }
  } finally {
    await iterator.return?.();
  }
  return received;
}
