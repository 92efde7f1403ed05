/**
 * A job's pause reasons are independent (DESIGN.md §5): a person, the job's cost limit and an
 * open fermata each hold the job on their own, and lifting one leaves the others in force. The
 * record keeps the set and, for the one-value contract, its oldest member as `pauseReason`.
 */
import type { EventData } from "../../contracts/event-log.ts";
import type { JobState } from "./state.ts";
import { PAUSE_REASONS, type PauseReason } from "../../contracts/status.ts";
import type { Ctx } from "./context.ts";

export function isPaused(job: JobState): boolean {
  return job.record.pauseReasons.length > 0;
}

export function hasPauseReason(job: JobState, reason: PauseReason): boolean {
  return job.record.pauseReasons.includes(reason);
}

function setReasons(ctx: Ctx, job: JobState, reasons: PauseReason[]): void {
  job.record.pauseReasons = reasons;
  job.record.pauseReason = reasons[0] ?? null;
  ctx.touchJob(job);
}

/** Adds a reason; false when it was already in force (nothing changed). */
export function addPauseReason(ctx: Ctx, job: JobState, reason: PauseReason): boolean {
  if (hasPauseReason(job, reason)) return false;
  setReasons(ctx, job, [...job.record.pauseReasons, reason]);
  ctx.emit(job.record.id, 0, "job.paused", { reason, reasons: job.record.pauseReasons });
  return true;
}

/**
 * Lifts the given reasons. Announces `job.resumed` when none is left, else `job.paused` with the
 * reasons still in force, so the log never shows a held job as resumed.
 */
export function liftPauseReasons(
  ctx: Ctx,
  job: JobState,
  lifted: readonly PauseReason[],
  data: EventData<"job.resumed">,
): PauseReason[] {
  const removed = job.record.pauseReasons.filter((r) => lifted.includes(r));
  if (removed.length === 0) return removed;
  setReasons(
    ctx,
    job,
    job.record.pauseReasons.filter((r) => !lifted.includes(r)),
  );
  announcePause(ctx, job, { ...data, lifted: removed });
  return removed;
}

/** `job.resumed` when nothing holds the job, else `job.paused` naming what still does. */
export function announcePause(ctx: Ctx, job: JobState, data: EventData<"job.resumed">): void {
  const reasons = job.record.pauseReasons;
  const [oldest] = reasons;
  if (oldest === undefined) ctx.emit(job.record.id, 0, "job.resumed", data);
  else ctx.emit(job.record.id, 0, "job.paused", { ...data, reason: oldest, reasons });
}

/** The escalation pause lasts while a fermata holds a sheet, however the last one ended. */
export function liftEscalationWithoutFermata(ctx: Ctx, job: JobState): void {
  if (job.fermataCount === 0 && hasPauseReason(job, "escalation"))
    liftPauseReasons(ctx, job, ["escalation"], { after: "escalation" });
}

/** For a job that ended: nothing holds it any more. */
export function clearPauseReasons(job: JobState): void {
  job.record.pauseReasons = [];
  job.record.pauseReason = null;
}

/** Known reasons of a stored set, de-duplicated, in the order they were added. */
export function normalizePauseReasons(
  reasons: readonly unknown[],
  legacy: PauseReason | null,
): PauseReason[] {
  const known = reasons.filter((r): r is PauseReason =>
    (PAUSE_REASONS as readonly unknown[]).includes(r),
  );
  const unique = [...new Set(known)];
  if (unique.length === 0 && legacy !== null) return [legacy];
  return unique;
}
