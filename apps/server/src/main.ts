/**
 * Process entry: reads the environment, starts Podium (database, engine, conductor) and the
 * GraphQL server on one port, and shuts both down cleanly on SIGINT/SIGTERM.
 *
 *   PORT (4000)  HOST (127.0.0.1)  DATABASE_URL (file:./data/podium.db)  PODIUM_DATA_DIR (./data)
 *   PODIUM_TOKEN (required to bind to anything but loopback)
 *   PODIUM_SQLITE_SYNCHRONOUS (OFF | NORMAL | FULL | EXTRA; default NORMAL)
 *   PODIUM_WEB_ORIGIN (extra browser origins, comma-separated, e.g. `next dev`; none by default)
 *   PODIUM_WEB_DIR (the dashboard's static build; default apps/web/out)
 *   PODIUM_DRAIN_GRACE_SECONDS (300): on the first SIGTERM/SIGINT nothing new is dispatched and
 *   attempts in flight get this long to finish; a second signal ends them at once.
 */
import { createPodium } from "./app.ts";
import { readServerConfig } from "./graphql/server-config.ts";
import { createGatewayServices } from "./graphql/services.ts";
import { createLogger } from "./ops/logger.ts";
import { opsRouteTable } from "./ops/routes.ts";
import { startOps } from "./ops/wiring.ts";
import { LOOPBACK_HOSTS, startServer, UnsafeBindError } from "./server.ts";

/** Once the drain is over, a shutdown slower than this exits at once. */
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
    sqliteSynchronous: config.settings.sqliteSynchronous,
    allowedRoots: config.settings.allowedRoots,
    maxConcurrentSheets: config.settings.maxConcurrentSheets,
    onError: (error) => log.error({ err: error }, "podium error"),
    cluster: {
      processName: config.settings.processName,
      instruments: config.settings.instruments,
      leaseSeconds: config.settings.leaseSeconds,
    },
  });
  const services = createGatewayServices({
    conductor: podium.commands,
    prisma: podium.db.prisma,
    readModel: podium.store.readModel,
    bus: podium.bus,
    listInstruments: () => podium.listInstruments(),
    draining: () => podium.conductor.draining,
    cluster: podium.cluster,
  });
  const ops = startOps(podium, config, log, () => services.checkDatabase());
  const server = await startServer({
    services,
    port: config.port,
    host: config.host,
    token: config.token,
    webOrigins: config.webOrigins,
    ...(config.webDir ? { webDir: config.webDir } : {}),
    logError: (error) => log.error({ err: error }, "unexpected error"),
    routes: opsRouteTable(ops.routes),
  });
  ops.setSubscriptionCounter(() => server.gateway.subscriptions.active);
  console.log(`Podium GraphQL on ${server.url} (GraphiQL in a browser), WebSocket ${server.wsUrl}`);
  console.log(`Podium dashboard on ${server.url.replace(/\/graphql$/, "/")}`);
  if (config.token)
    console.log("Every operation needs the header Authorization: Bearer <PODIUM_TOKEN>.");

  let stopping = false;
  const force = new AbortController();
  const exitSoon = (): void => {
    setTimeout(() => {
      console.error("shutdown took too long: exiting");
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
  };
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      if (force.signal.aborted) return;
      console.error(`${signal} again: ending every attempt in flight now`);
      force.abort();
      exitSoon();
      return;
    }
    stopping = true;
    console.log(
      `${signal}: draining — nothing new is dispatched; attempts in flight get up to ` +
        `${config.settings.drainGraceSeconds} s to finish (send the signal again to end them now)`,
    );
    void (async () => {
      try {
        const finished = await podium.conductor.drain(
          config.settings.drainGraceSeconds * 1000,
          force.signal,
        );
        console.log(
          finished
            ? "drained: every attempt in flight finished; shutting down"
            : "drain ended: stopping what is still running (it runs again at the next start)",
        );
        if (!force.signal.aborted) exitSoon();
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
