/**
 * Marianne's notification events and the committed events that stand for them. `sheet_failed`
 * is a sheet that ended failed (its retries spent), not each failed attempt.
 */
import type { EventRecord } from "../../contracts/event-log.ts";

export type NotificationEvent =
  | "job_start"
  | "sheet_start"
  | "sheet_complete"
  | "sheet_failed"
  | "job_complete"
  | "job_failed"
  | "job_paused"
  | "job_cancelled";

export function notificationEventOf(event: EventRecord): NotificationEvent | null {
  switch (event.event) {
    case "job.started":
      return "job_start";
    case "sheet.dispatched":
      return event.data.attempt === 1 ? "sheet_start" : null;
    case "sheet.completed":
      return "sheet_complete";
    case "sheet.failed":
      return typeof event.data.errorCode === "string" ? "sheet_failed" : null;
    case "job.completed":
      return "job_complete";
    case "job.failed":
      return "job_failed";
    case "job.paused":
      return "job_paused";
    case "job.cancelled":
      return "job_cancelled";
    default:
      return null;
  }
}

/** Every job end, for PODIUM_WEBHOOK_URL. */
export const JOB_END_EVENTS: readonly NotificationEvent[] = [
  "job_complete",
  "job_failed",
  "job_cancelled",
];

const SUMMARIES: Record<NotificationEvent, string> = {
  job_start: "started",
  sheet_start: "started",
  sheet_complete: "completed",
  sheet_failed: "failed",
  job_complete: "completed",
  job_failed: "failed",
  job_paused: "paused",
  job_cancelled: "was cancelled",
};

export function summaryOf(
  kind: NotificationEvent,
  jobName: string,
  sheetNum: number,
  reason: string | null,
): string {
  const subject = sheetNum > 0 ? `Sheet ${sheetNum} of job "${jobName}"` : `Job "${jobName}"`;
  return `${subject} ${SUMMARIES[kind]}${reason ? `: ${reason}` : ""}`;
}
