/** Sheet and job vocabularies (DESIGN.md §5). Stored lower-case in SQLite. */

export const SHEET_STATUSES = [
  "pending",
  "ready",
  "dispatched",
  "in_progress",
  "waiting",
  "retry_scheduled",
  "fermata",
  "completed",
  "failed",
  "skipped",
  "cancelled",
] as const;
export type SheetStatus = (typeof SHEET_STATUSES)[number];

export const TERMINAL_SHEET_STATUSES: ReadonlySet<SheetStatus> = new Set([
  "completed",
  "failed",
  "skipped",
  "cancelled",
]);

export function isTerminalSheet(status: SheetStatus): boolean {
  return TERMINAL_SHEET_STATUSES.has(status);
}

export const JOB_STATUSES = [
  "pending",
  "running",
  "paused",
  "completed",
  "failed",
  "cancelled",
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const PAUSE_REASONS = ["user", "cost_limit", "escalation"] as const;
export type PauseReason = (typeof PAUSE_REASONS)[number];

export function isTerminalJob(status: JobStatus): boolean {
  return status === "completed" || status === "failed" || status === "cancelled";
}
