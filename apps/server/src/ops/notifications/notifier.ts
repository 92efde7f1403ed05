/**
 * Acts on the `notifications` a score declares (Marianne's webhook, Slack and desktop kinds, on
 * the events they name), on the config file's default notifications, and on PODIUM_WEBHOOK_URL
 * (every job end). Reads committed events from the bus; every text sent is redacted first.
 */
import { z } from "zod";
import type { EventBus, Subscription } from "../../bus/event-bus.ts";
import type { EventRecord } from "../../contracts/event-log.ts";
import type { NotificationTarget } from "../../config/config-file.ts";
import { notificationSchema } from "../../score/schema/orchestration.ts";
import { readYaml } from "../../score/yaml.ts";
import { redactSecrets } from "../../secrets/redact.ts";
import type { Logger } from "../logger.ts";
import {
  DEFAULT_RETRY,
  notifyDesktop,
  postJson,
  type Delivery,
  type RetryPolicy,
} from "./deliver.ts";
import {
  JOB_END_EVENTS,
  notificationEventOf,
  summaryOf,
  type NotificationEvent,
} from "./events.ts";

export interface NotifierOptions {
  bus: EventBus;
  /** The stored job's name and score text; null when it does not exist. */
  loadJob(jobId: string): Promise<{ name: string; scoreText: string } | null>;
  defaults: readonly NotificationTarget[];
  webhookUrl: string | null;
  /** Resolves `url_env` / `webhook_url_env`, and names the secrets to redact. */
  env: NodeJS.ProcessEnv;
  log: Logger;
  retry?: RetryPolicy;
  /**
   * Among several processes every bus carries every job's events: only the process playing a
   * job notifies about it (default: every job).
   */
  plays?: (jobId: string) => boolean;
}

export interface Notifier {
  /** Waits (at most `timeoutMs`) for deliveries in flight, then stops. */
  close(timeoutMs?: number): Promise<void>;
}

interface JobTargets {
  name: string;
  targets: NotificationTarget[];
}

const targetsSchema = z.array(notificationSchema);

/** The score's own `notifications`, read leniently: the score was validated at submission. */
export function scoreNotifications(scoreText: string): NotificationTarget[] {
  const read = readYaml(scoreText);
  if (!read.ok || read.value === null || typeof read.value !== "object") return [];
  const parsed = targetsSchema.safeParse(
    (read.value as Record<string, unknown>).notifications ?? [],
  );
  return parsed.success ? parsed.data : [];
}

function redactDeep(value: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof value === "string") return redactSecrets(value, env);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, env));
  if (value !== null && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, redactDeep(item, env)]),
    );
  return value;
}

const DETAIL_KEYS = ["reason", "errorCode", "errorMessage", "instrument", "attempt", "costUsd"];

function payloadOf(
  kind: NotificationEvent,
  job: JobTargets,
  event: EventRecord,
): Record<string, unknown> {
  const details = Object.fromEntries(
    DETAIL_KEYS.filter((key) => event.data[key] !== undefined).map((key) => [key, event.data[key]]),
  );
  const reason =
    typeof event.data.reason === "string"
      ? event.data.reason
      : typeof event.data.errorMessage === "string"
        ? event.data.errorMessage
        : null;
  return {
    source: "podium",
    event: kind,
    message: summaryOf(kind, job.name, event.sheetNum, reason),
    job: { id: event.jobId, name: job.name },
    sheet: event.sheetNum > 0 ? event.sheetNum : null,
    seq: event.seq,
    timestamp: new Date(event.timestamp).toISOString(),
    details,
  };
}

function stringOf(
  config: Record<string, unknown>,
  key: string,
  env: NodeJS.ProcessEnv,
): string | null {
  const direct = config[key];
  if (typeof direct === "string" && direct !== "") return direct;
  const variable = config[`${key}_env`];
  if (typeof variable === "string" && variable !== "") return env[variable]?.trim() || null;
  return null;
}

function headersOf(config: Record<string, unknown>): Record<string, string> {
  const headers = config.headers;
  if (headers === null || typeof headers !== "object") return {};
  return Object.fromEntries(
    Object.entries(headers).filter(
      (entry): entry is [string, string] => typeof entry[1] === "string",
    ),
  );
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "an invalid URL";
  }
}

export function startNotifier(options: NotifierOptions): Notifier {
  const { env, log } = options;
  const retry = options.retry ?? DEFAULT_RETRY;
  const jobs = new Map<string, Promise<JobTargets | null>>();
  const resolved = new Map<string, JobTargets | null>();
  const inFlight = new Set<Promise<void>>();

  const targetsOf = (jobId: string): Promise<JobTargets | null> => {
    let found = jobs.get(jobId);
    if (!found) {
      found = options.loadJob(jobId).then((job) => {
        const targets =
          job === null
            ? null
            : {
                name: job.name,
                targets: [...scoreNotifications(job.scoreText), ...options.defaults],
              };
        if (jobs.get(jobId) === found) resolved.set(jobId, targets);
        return targets;
      });
      jobs.set(jobId, found);
    }
    return found;
  };

  const report = (what: string, target: string, delivery: Delivery, event: EventRecord): void => {
    if (delivery.ok)
      log.debug(
        { job: event.jobId, target, attempts: delivery.attempts },
        `${what} notification sent`,
      );
    else
      log.warn(
        { job: event.jobId, target, attempts: delivery.attempts, problem: delivery.error },
        `${what} notification not delivered`,
      );
  };

  const send = async (
    target: NotificationTarget,
    kind: NotificationEvent,
    job: JobTargets,
    event: EventRecord,
  ): Promise<void> => {
    const payload = redactDeep(payloadOf(kind, job, event), env) as Record<string, unknown>;
    switch (target.type) {
      case "webhook": {
        const url = stringOf(target.config, "url", env);
        if (!url)
          return void log.warn(
            { job: event.jobId },
            "webhook notification has no URL (url_env unset?)",
          );
        report(
          "webhook",
          hostOf(url),
          await postJson(url, payload, headersOf(target.config), retry),
          event,
        );
        return;
      }
      case "slack": {
        const url = stringOf(target.config, "webhook_url", env);
        if (!url)
          return void log.warn(
            { job: event.jobId },
            "slack notification has no webhook URL (webhook_url_env unset?)",
          );
        report(
          "slack",
          hostOf(url),
          await postJson(url, { text: payload.message }, {}, retry),
          event,
        );
        return;
      }
      case "desktop":
        if (!(await notifyDesktop("Podium", String(payload.message))))
          log.debug({ job: event.jobId }, "desktop notification not shown (no notify-send here)");
        return;
      case "email":
        return;
    }
  };

  /**
   * Most events name no notification, and most jobs declare none: those are answered without a
   * promise once the job's targets are known: a committed event costs no await.
   */
  const notify = (kind: NotificationEvent, job: JobTargets | null, event: EventRecord): void => {
    const ended = JOB_END_EVENTS.includes(kind);
    const needed = options.webhookUrl !== null && ended;
    if (ended) {
      jobs.delete(event.jobId);
      resolved.delete(event.jobId);
    }
    if (job === null) return;
    const wanted = job.targets.filter((target) => (target.on_events as string[]).includes(kind));
    const sends = wanted.map((target) => send(target, kind, job, event));
    if (needed) {
      const url = options.webhookUrl!;
      const payload = redactDeep(payloadOf(kind, job, event), env);
      sends.push(
        postJson(url, payload, {}, retry).then((delivery) =>
          report("job-end webhook", hostOf(url), delivery, event),
        ),
      );
    }
    if (sends.length === 0) return;
    const all = Promise.all(sends).then(() => undefined);
    inFlight.add(all);
    void all.finally(() => inFlight.delete(all));
  };

  const onEvent = (event: EventRecord): Promise<void> | undefined => {
    const kind = notificationEventOf(event);
    if (kind === null) return undefined;
    if (options.plays !== undefined && !options.plays(event.jobId)) return undefined;
    const known = resolved.get(event.jobId);
    if (known !== undefined) {
      notify(kind, known, event);
      return undefined;
    }
    return targetsOf(event.jobId).then((job) => notify(kind, job, event));
  };

  const failed = (error: unknown, event: EventRecord): void =>
    log.error({ err: error, job: event.jobId }, "notification failed");

  const subscription: Subscription = options.bus.subscribe(
    (event) => {
      try {
        return onEvent(event)?.catch((error: unknown) => failed(error, event));
      } catch (error) {
        failed(error, event);
      }
    },
    { maxQueue: 100_000 },
  );

  return {
    async close(timeoutMs = 5_000) {
      subscription.unsubscribe();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all([...inFlight]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
    },
  };
}
