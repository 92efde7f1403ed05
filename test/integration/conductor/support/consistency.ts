/**
 * The rule that a job's status and pause reason always agree with its sheets (DESIGN.md §5):
 * never running with nothing able to run, never running while paused, a paused job says why.
 */
import type { SheetRecord, JobRecord } from "../../../../apps/server/src/contracts/records.ts";
import type { Podium } from "../../../../apps/server/src/app.ts";
import { isTerminalSheet } from "../../../../apps/server/src/contracts/status.ts";

const ABLE_TO_RUN = new Set([
  "pending",
  "ready",
  "dispatched",
  "in_progress",
  "waiting",
  "retry_scheduled",
]);

/** Problems with one job's checkpoint; empty when status and sheets agree. */
export function consistencyProblems(job: JobRecord, sheets: SheetRecord[]): string[] {
  const problems: string[] = [];
  const say = (text: string) =>
    problems.push(`job ${job.id} (${job.status}, pause ${job.pauseReason}): ${text}`);
  const statuses = sheets.map((s) => `${s.num}:${s.status}`).join(" ");
  const allTerminal = sheets.every((s) => isTerminalSheet(s.status));
  if ((job.pauseReasons[0] ?? null) !== job.pauseReason)
    say(`pause reason is not the oldest of ${JSON.stringify(job.pauseReasons)}`);
  if (job.pauseReasons.includes("escalation") && !sheets.some((s) => s.status === "fermata"))
    say(`held for escalation with no fermata: ${statuses}`);
  switch (job.status) {
    case "pending":
      if (job.pauseReason !== null) say("a pending job has a pause reason");
      if (sheets.some((s) => s.status === "dispatched" || s.status === "in_progress"))
        say(`a pending job has sheets playing: ${statuses}`);
      break;
    case "running":
      if (job.pauseReason !== null) say("running while paused");
      if (!sheets.some((s) => ABLE_TO_RUN.has(s.status)))
        say(`running with nothing able to run: ${statuses}`);
      break;
    case "paused":
      if (job.pauseReason === null) say("paused without a reason");
      if (job.pauseReason === "escalation" && !sheets.some((s) => s.status === "fermata"))
        say(`paused for escalation with no fermata: ${statuses}`);
      if (allTerminal) say(`paused with every sheet finished: ${statuses}`);
      break;
    case "completed":
      if (
        !sheets.every(
          (s) => s.status === "completed" || (s.status === "skipped" && s.errorCode === null),
        )
      )
        say(`completed with ${statuses}`);
      if (job.pauseReason !== null) say("completed with a pause reason");
      break;
    case "failed":
    case "cancelled":
      if (!allTerminal) say(`${job.status} with unfinished sheets: ${statuses}`);
      if (job.pauseReason !== null) say(`${job.status} with a pause reason`);
      break;
    default: {
      const never: never = job.status;
      say(`unknown status ${String(never)}`);
    }
  }
  const completed = sheets.filter((s) => s.status === "completed").length;
  if (job.completedSheets !== completed)
    say(`completedSheets ${job.completedSheets} but ${completed} sheets completed`);
  return problems;
}

/** Checks every job after every published event (the store is committed by then). */
export function watchConsistency(
  podium: Podium,
  problems: string[] = [],
): { problems: string[]; stop(): void } {
  const stop = podium.bus.subscribe(async (event) => {
    // A read still out when the Podium closes has nothing left to check.
    const stored = await podium.store.loadJob(event.jobId).catch(() => null);
    if (stored)
      for (const p of consistencyProblems(stored.job.record, stored.sheets))
        problems.push(`after seq ${event.seq} ${event.event}: ${p}`);
  });
  return { problems, stop };
}
