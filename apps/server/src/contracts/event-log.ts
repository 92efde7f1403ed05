/**
 * Events as people and clients see them (DESIGN.md §8): written to the append-only log, then
 * published on the bus and to GraphQL subscriptions with the same `seq`.
 */

export const EVENT_NAMES = [
  "job.submitted",
  "job.started",
  "job.paused",
  "job.resumed",
  "job.completed",
  "job.failed",
  "job.cancelled",
  "job.recovered",
  "job.timeout",
  "job.rescored",
  "sheet.dispatched",
  "sheet.output",
  "sheet.completed",
  "sheet.partial",
  "sheet.failed",
  "sheet.retry_scheduled",
  "sheet.skipped",
  "sheet.waiting",
  "sheet.fallback",
  "sheet.fermata",
  "sheet.fermata_resolved",
  "sheet.cancelled",
  "sheet.stale",
  "rate_limit.active",
  "rate_limit.cleared",
  "circuit_breaker.open",
  "circuit_breaker.closed",
  "hook.started",
  "hook.completed",
  "hook.failed",
  "concert.chained",
  "concert.refused",
] as const;
export type EventName = (typeof EVENT_NAMES)[number];

/** An event before the store has given it a place in the log. */
export interface EventDraft {
  jobId: string;
  /** 0 for job-level events. */
  sheetNum: number;
  event: EventName;
  data: Record<string, unknown>;
  /** Epoch milliseconds, from the clock that came in with the baton event. */
  timestamp: number;
}

/** An event as committed: `seq` is global, monotonic and gap-free per database. */
export interface EventRecord extends EventDraft {
  seq: number;
}
