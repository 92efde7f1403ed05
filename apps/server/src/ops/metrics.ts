/**
 * `/metrics` in Prometheus text format (prom-client). Counters and histograms are fed by the
 * event bus, so they count what was committed; job counts by status are read from the database
 * when scraped; Node's own metrics (event-loop lag, heap, GC) come from prom-client's defaults.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { EventBus, Subscription } from "../bus/event-bus.ts";
import type { EventRecord } from "../contracts/event-log.ts";

export const JOB_STATUSES = [
  "pending",
  "running",
  "paused",
  "completed",
  "failed",
  "cancelled",
] as const;

export interface MetricsSources {
  bus: EventBus;
  /** Jobs per stored status (lower case). */
  countJobsByStatus(): Promise<Record<string, number>> | Record<string, number>;
  /** Live GraphQL subscriptions. */
  openSubscriptions(): number;
  /** Registers the listener told of each store transaction. */
  observeCommits(listener: (seconds: number, work: number) => void): void;
}

export interface PodiumMetrics {
  registry: Registry;
  /** Answers GET /metrics. */
  handle(request: IncomingMessage, response: ServerResponse): Promise<void>;
  close(): void;
}

const DURATION_BUCKETS = [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600];
const COMMIT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

function text(data: Record<string, unknown>, key: string): string {
  const value = data[key];
  return typeof value === "string" && value !== "" ? value : "unknown";
}

function number(data: Record<string, unknown>, key: string): number | null {
  const value = data[key];
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

export function createMetrics(sources: MetricsSources): PodiumMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  new Gauge({
    name: "podium_jobs",
    help: "Jobs in the database by status.",
    labelNames: ["status"],
    registers: [registry],
    async collect() {
      const counts = await sources.countJobsByStatus();
      for (const status of JOB_STATUSES) this.set({ status }, counts[status] ?? 0);
    },
  });
  new Gauge({
    name: "podium_open_subscriptions",
    help: "Live GraphQL subscriptions (sheetEvents and jobUpdated).",
    registers: [registry],
    collect() {
      this.set(sources.openSubscriptions());
    },
  });
  const dispatched = new Counter({
    name: "podium_sheets_dispatched_total",
    help: "Sheet attempts handed to an instrument.",
    labelNames: ["instrument"],
    registers: [registry],
  });
  const completed = new Counter({
    name: "podium_sheets_completed_total",
    help: "Sheet attempts that completed with every validation passing.",
    labelNames: ["instrument"],
    registers: [registry],
  });
  const failed = new Counter({
    name: "podium_sheets_failed_total",
    help: "Sheet attempts that failed (a sheet retried three times counts three).",
    labelNames: ["instrument", "error_class"],
    registers: [registry],
  });
  const attemptSeconds = new Histogram({
    name: "podium_attempt_duration_seconds",
    help: "How long sheet attempts played, by instrument and outcome.",
    labelNames: ["instrument", "outcome"],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const cost = new Counter({
    name: "podium_cost_usd_total",
    help: "Cost of sheet attempts in US dollars, by instrument.",
    labelNames: ["instrument"],
    registers: [registry],
  });
  const rateLimitWaits = new Counter({
    name: "podium_rate_limit_waits_total",
    help: "Rate limits an instrument hit (each one makes sheets wait).",
    labelNames: ["instrument"],
    registers: [registry],
  });
  const rateLimitSeconds = new Counter({
    name: "podium_rate_limit_wait_seconds_total",
    help: "Seconds of waiting the rate limits asked for.",
    labelNames: ["instrument"],
    registers: [registry],
  });
  const jobsEnded = new Counter({
    name: "podium_jobs_ended_total",
    help: "Jobs that ended since the server started, by outcome.",
    labelNames: ["outcome"],
    registers: [registry],
  });
  const commitSeconds = new Histogram({
    name: "podium_commit_duration_seconds",
    help: "How long one store transaction (a group of commits) took.",
    buckets: COMMIT_BUCKETS,
    registers: [registry],
  });
  sources.observeCommits((seconds) => commitSeconds.observe(seconds));

  // A sheet failed by the engine (retries exhausted, timeout) names no instrument: the one it
  // was last dispatched to is remembered until the sheet ends.
  const playedOn = new Map<string, string>();
  const onEvent = (event: EventRecord): void => {
    const key = `${event.jobId}:${event.sheetNum}`;
    const named = text(event.data, "instrument");
    const instrument = named === "unknown" ? (playedOn.get(key) ?? named) : named;
    if (event.event.startsWith("job.") && event.event !== "job.started") {
      for (const played of playedOn.keys())
        if (played.startsWith(`${event.jobId}:`) && /completed|failed|cancelled/.test(event.event))
          playedOn.delete(played);
    }
    switch (event.event) {
      case "sheet.dispatched":
        playedOn.set(key, instrument);
        dispatched.inc({ instrument });
        return;
      case "sheet.completed":
      case "sheet.partial":
      case "sheet.failed": {
        const outcome = event.event.slice("sheet.".length);
        if (event.event === "sheet.completed") completed.inc({ instrument });
        if (event.event === "sheet.failed")
          failed.inc({ instrument, error_class: text(event.data, "errorClass") });
        const ms = number(event.data, "durationMs");
        if (ms !== null) attemptSeconds.observe({ instrument, outcome }, ms / 1000);
        const usd = number(event.data, "costUsd");
        if (usd !== null && usd > 0) cost.inc({ instrument }, usd);
        return;
      }
      case "rate_limit.active": {
        rateLimitWaits.inc({ instrument });
        const seconds = number(event.data, "waitSeconds");
        if (seconds !== null && seconds > 0) rateLimitSeconds.inc({ instrument }, seconds);
        return;
      }
      case "job.completed":
      case "job.failed":
      case "job.cancelled":
        jobsEnded.inc({ outcome: event.event.slice("job.".length) });
        return;
      default:
        return;
    }
  };
  let subscription: Subscription = sources.bus.subscribe(onEvent, { maxQueue: 100_000 });

  return {
    registry,
    async handle(_request, response) {
      // A subscription that overflowed (a burst larger than its queue) is opened again.
      if (subscription.closed) subscription = sources.bus.subscribe(onEvent, { maxQueue: 100_000 });
      const body = await registry.metrics();
      response.writeHead(200, { "content-type": registry.contentType });
      response.end(body);
    },
    close() {
      subscription.unsubscribe();
      registry.clear();
    },
  };
}
