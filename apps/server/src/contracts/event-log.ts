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

type JobTotals = { completedSheets: number; totalSheets: number; costUsd: number };
type HookBase = { index: number; type: string; description: string | null };
type PauseReasonName = "user" | "cost_limit" | "escalation";
/** Why a pause changed: a resume (with what it reset) or a lifted reason. */
type PauseChange = {
  after?: PauseReasonName;
  lifted?: PauseReasonName[];
  retryFailed?: boolean;
  resetSheets?: number[];
};

/**
 * What each event carries in `data`. The baton emits through this map and the dashboard reads
 * event data through it (a type-only import), so a renamed field breaks both at compile time.
 */
export type EventPayloads = {
  "job.submitted": { name: string; totalSheets: number; dryRun: boolean; workspace: string };
  "job.started": { totalSheets: number };
  "job.paused": PauseChange & { reason: PauseReasonName; reasons: PauseReasonName[] };
  "job.resumed": PauseChange;
  "job.completed": JobTotals;
  /** A job whose sheets failed carries its totals; a job that could not be recovered, why. */
  "job.failed": JobTotals | { reason: string };
  /** A cancel counts the sheets it ended; a dry run says why nothing ran. */
  "job.cancelled": { cancelledSheets: number } | { reason: string };
  "job.recovered": { resetSheets: number[]; completedSheets: number };
  "job.timeout": { timeoutSeconds: number | null };
  "job.rescored": { replannedSheets: number[] };
  "sheet.dispatched": {
    instrument: string;
    model: string | null;
    attempt: number;
    mode: "normal" | "completion" | "healing";
    dispatchToken: string;
  };
  "sheet.output": {
    dispatchToken: string;
    text: string;
    inputTokens: number | null;
    outputTokens: number | null;
    truncated: boolean;
  };
  "sheet.completed":
    | { instrument: string; attempt: number; costUsd: number; durationMs: number; passRate: 100 }
    | { acceptedAtFermata: true; passRate: number | null };
  "sheet.partial": { passRate: number; completionAttempts: number };
  "sheet.failed": { errorCode: string; errorMessage: string };
  "sheet.retry_scheduled": {
    mode: "normal" | "completion" | "healing";
    at: number;
    delayMs: number;
    lastError: string | null;
  };
  "sheet.skipped": {
    reason: string | null;
    /** Set when the skip cascaded from a failed dependency. */
    errorCode?: string | null;
    blockedBy?: number;
  };
  "sheet.waiting": { instrument: string; waitSeconds: number };
  "sheet.fallback": { from: string; to: string; reason: string; instrumentIndex: number };
  "sheet.fermata": { reason: string };
  "sheet.fermata_resolved": { decision: "retry" | "skip" | "accept" | "fail"; by: string };
  "sheet.cancelled": Record<string, never>;
  "sheet.stale": { dispatchToken: string };
  "rate_limit.active": { instrument: string; waitSeconds: number; until: number };
  "rate_limit.cleared": { instrument: string; reason: string };
  "circuit_breaker.open": { instrument: string; failures: number; recoveryMs: number };
  "circuit_breaker.closed": { instrument: string; state: "half_open" };
  "hook.started": HookBase;
  "hook.completed": HookBase & { exitCode: 0; stdoutTail: string };
  "hook.failed":
    | (HookBase & { exitCode?: number | null; message: string; stderrTail?: string })
    | { index: -1; message: string };
  "concert.chained": HookBase & { childJobId: string; depth: number; jobPath: string };
  "concert.refused": HookBase & { reason: string; depth: number; maxDepth: number };
};

/** The data of one event name. */
export type EventData<E extends EventName> = EventPayloads[E];

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

/** A logged event whose data is known from its name. */
export type LoggedEvent<E extends EventName = EventName> = {
  [K in E]: Omit<EventRecord, "event" | "data"> & { event: K; data: EventData<K> };
}[E];

/** Narrows a logged event to one name, and with it the type of its data. */
export function isEvent<E extends EventName>(
  record: EventRecord,
  ...names: E[]
): record is EventRecord & LoggedEvent<E> {
  return (names as readonly EventName[]).includes(record.event);
}

/** Where committed events go after the commit (the bus, which feeds subscriptions). */
export interface EventSink {
  publish(events: readonly EventRecord[]): void;
}
