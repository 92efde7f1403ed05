/**
 * Log lines for what happens to jobs and sheets, read from the event bus (so they describe what
 * was committed), and the boot report: profiles that did not load and what recovery did.
 */
import type { EventBus, Subscription } from "../bus/event-bus.ts";
import type { EventRecord } from "../contracts/event-log.ts";
import type { RecoveryReport } from "../conductor/job-manager.ts";
import type { ProfileProblem } from "../instruments/loader.ts";
import type { Logger } from "./logger.ts";

type Level = "debug" | "info" | "warn" | "error";

/** Instrument trouble is a warning; the end of a job that failed, an error. */
const LEVELS: Partial<Record<EventRecord["event"], Level>> = {
  "job.failed": "error",
  "job.timeout": "warn",
  "sheet.failed": "warn",
  "sheet.stale": "warn",
  "sheet.fallback": "warn",
  "sheet.fermata": "warn",
  "rate_limit.active": "warn",
  "circuit_breaker.open": "warn",
  "hook.failed": "warn",
  "concert.refused": "warn",
  // A sheet waiting on its dependencies says nothing new about it.
  "sheet.waiting": "debug",
  // Live progress, a few a second per playing sheet.
  "sheet.output": "debug",
};

/** Payload keys worth a log field (never prompts, output or file contents). */
const FIELDS = [
  "instrument",
  "model",
  "attempt",
  "mode",
  "reason",
  "errorClass",
  "costUsd",
  "durationMs",
  "passRate",
  "waitSeconds",
  "delaySeconds",
  "from",
  "to",
  "decision",
];

function fieldsOf(data: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const key of FIELDS) {
    const value = data[key];
    if (value !== undefined && value !== null && (typeof value !== "string" || value.length <= 500))
      fields[key] = value;
  }
  return fields;
}

export function logEvent(log: Logger, event: EventRecord): void {
  // Live output chunks are for the dashboard and `podium run --sheet`, not the server log.
  if ((event.event as string) === "sheet.output") return;
  const level = LEVELS[event.event] ?? "info";
  const sheet = event.sheetNum > 0 ? { sheet: event.sheetNum } : {};
  log[level]({ seq: event.seq, job: event.jobId, ...sheet, ...fieldsOf(event.data) }, event.event);
}

export function logLifecycle(log: Logger, bus: EventBus): Subscription {
  return bus.subscribe((event) => logEvent(log, event), { maxQueue: 100_000 });
}

export function logBootReport(
  log: Logger,
  recovery: RecoveryReport,
  problems: readonly ProfileProblem[],
): void {
  for (const problem of problems)
    log.warn({ file: problem.file, problem: problem.message }, "instrument profile not loaded");
  const reaped = recovery.reapedProcessGroups.reduce((sum, group) => sum + group.pids.length, 0);
  log.info(
    {
      recoveredJobs: recovery.recoveredJobs.length,
      endedOrphanProcesses: reaped,
      failedToRecover: recovery.failedToRecover.length,
      durationMs: Math.round(recovery.durationMs),
    },
    recovery.recoveredJobs.length > 0 || reaped > 0
      ? "recovered the previous run"
      : "nothing to recover",
  );
  for (const job of recovery.recoveredJobs) log.info({ job }, "job recovered");
  for (const failed of recovery.failedToRecover)
    log.error({ job: failed.jobId, problem: failed.message }, "job could not be recovered");
}
