/**
 * Everything operational the server process adds around Podium: the log of lifecycle events and
 * of the boot report, metrics, the /health /ready /metrics routes and notifications. main.ts
 * calls `startOps` once Podium is up and `close` on shutdown.
 */
import type { Podium } from "../app.ts";
import type { ServerConfig } from "../graphql/server-config.ts";
import { logBootReport, logLifecycle } from "./lifecycle-log.ts";
import type { Logger } from "./logger.ts";
import { createMetrics } from "./metrics.ts";
import { startNotifier } from "./notifications/notifier.ts";
import { createOpsRoutes, type OpsRoutes } from "./routes.ts";

export interface Ops {
  routes: OpsRoutes;
  /** Tells the metrics how many subscriptions the gateway holds (known once it runs). */
  setSubscriptionCounter(count: () => number): void;
  close(): Promise<void>;
}

export function startOps(
  podium: Podium,
  config: ServerConfig,
  log: Logger,
  checkDatabase: () => Promise<boolean>,
): Ops {
  logBootReport(log, podium.recovery, podium.profileProblems);
  const lifecycle = logLifecycle(log, podium.bus);
  let subscriptions = (): number => 0;
  const metrics = createMetrics({
    bus: podium.bus,
    async countJobsByStatus() {
      const groups = await podium.db.prisma.job.groupBy({ by: ["status"], _count: { _all: true } });
      return Object.fromEntries(groups.map((group) => [group.status, group._count._all]));
    },
    openSubscriptions: () => subscriptions(),
    observeCommits: (listener) => podium.store.observeCommits(listener),
  });
  const notifier = startNotifier({
    bus: podium.bus,
    // Through the read model: on SQLite a prepared statement, not a query Prisma compiles per job.
    loadJob: async (id) => {
      const job = await podium.store.readModel.getJob(id);
      return job === null ? null : { name: job.name, scoreText: job.scoreText };
    },
    defaults: config.notifications,
    webhookUrl: config.settings.webhookUrl,
    env: process.env,
    log,
    plays: podium.membership?.holds,
  });
  const routes = createOpsRoutes({
    token: config.token,
    metrics,
    checkDatabase,
    // Podium is created (and its recovery awaited) before the server listens.
    recoveryDone: () => true,
    onError: (error) => log.error({ err: error }, "ops endpoint failed"),
  });
  return {
    routes,
    setSubscriptionCounter(count) {
      subscriptions = count;
    },
    async close() {
      lifecycle.unsubscribe();
      metrics.close();
      await notifier.close();
    },
  };
}
