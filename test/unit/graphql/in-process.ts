/**
 * The gateway without a port: a real Podium on a temporary SQLite file and a Yoga instance that
 * tests call through `yoga.fetch`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createPodium } from "../../../apps/server/src/app.ts";
import { createGatewayServices } from "../../../apps/server/src/graphql/services.ts";
import { createGatewayYoga, type GatewayYoga } from "../../../apps/server/src/graphql/yoga.ts";

export interface GraphQLResponseBody<T> {
  data?: T;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

export interface InProcessGateway {
  gateway: GatewayYoga;
  podium: Awaited<ReturnType<typeof createPodium>>;
  /** Errors the gateway masked for clients and logged. */
  unexpected: unknown[];
  execute<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: GraphQLResponseBody<T> }>;
  close(): Promise<void>;
}

export async function openInProcessGateway(
  options: { token?: string | null } = {},
): Promise<InProcessGateway> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "podium-yoga-"));
  const podium = await createPodium({
    databaseUrl: `file:${path.join(dataDir, "podium.db")}`,
    dataDir,
  });
  const unexpected: unknown[] = [];
  const gateway = createGatewayYoga({
    services: createGatewayServices({
      conductor: podium.commands,
      prisma: podium.db.prisma,
      bus: podium.bus,
      listInstruments: () => podium.listInstruments(),
      cluster: podium.cluster,
    }),
    token: options.token ?? null,
    webOrigins: ["http://127.0.0.1:3000"],
    logError: (error) => unexpected.push(error),
  });
  return {
    gateway,
    podium,
    unexpected,
    async execute(query, variables, headers = {}) {
      const response = await gateway.yoga.fetch("http://127.0.0.1/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: (await response.json()) as never };
    },
    async close() {
      await gateway.yoga.dispose();
      await podium.close().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
