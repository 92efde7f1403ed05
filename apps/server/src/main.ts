/**
 * Process entry: reads the environment, starts Podium (database, engine, conductor) and the
 * GraphQL server on one port, and shuts both down cleanly on SIGINT/SIGTERM.
 *
 *   PORT (4000)  HOST (127.0.0.1)  DATABASE_URL (file:./data/podium.db)  PODIUM_DATA_DIR (./data)
 *   PODIUM_TOKEN (required to bind to anything but loopback)
 *   PODIUM_WEB_ORIGIN (dashboard origins, comma-separated; default http://127.0.0.1:$WEB_PORT and
 *   http://localhost:$WEB_PORT, WEB_PORT defaulting to 3000)
 */
import { createPodium } from "./conductor/podium.ts";
import { readServerConfig } from "./graphql/server-config.ts";
import { createGatewayServices } from "./graphql/services.ts";
import { createLogger } from "./ops/logger.ts";
import { startOps } from "./ops/wiring.ts";
import { LOOPBACK_HOSTS, startServer, UnsafeBindError } from "./server.ts";

/** A second signal, or a shutdown slower than this, exits at once. */
const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  const config = readServerConfig();
  if (!LOOPBACK_HOSTS.has(config.host) && config.token === null)
    throw new UnsafeBindError(config.host);

  const log = createLogger(config.settings);
  if (config.configFile) log.info({ file: config.configFile }, "configuration file read");
  const podium = await createPodium({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    maxConcurrentSheets: config.settings.maxConcurrentSheets,
    onError: (error) => log.error({ err: error }, "podium error"),
  });
  const services = createGatewayServices({
    conductor: podium.conductor,
    prisma: podium.db.prisma,
    bus: podium.bus,
    listInstruments: () => podium.listInstruments(),
  });
  const ops = startOps(podium, config, log, () => services.checkDatabase());
  const server = await startServer({
    services,
    port: config.port,
    host: config.host,
    token: config.token,
    webOrigins: config.webOrigins,
    logError: (error) => log.error({ err: error }, "unexpected error"),
    routes: ops.routes,
  });
  ops.setSubscriptionCounter(() => server.gateway.subscriptions.active);
  console.log(`Podium GraphQL on ${server.url} (GraphiQL in a browser), WebSocket ${server.wsUrl}`);
  if (config.token)
    console.log("Every operation needs the header Authorization: Bearer <PODIUM_TOKEN>.");

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      console.error(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    console.log(`${signal}: shutting down`);
    setTimeout(() => {
      console.error("shutdown took too long: exiting");
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    void (async () => {
      try {
        await server.close();
        await ops.close();
        await podium.close();
        process.exit(0);
      } catch (error) {
        console.error("shutdown failed:", error);
        process.exit(1);
      }
    })();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
