/**
 * Job commands and sheet housekeeping: pause, resume, cancel, job timeout, shutdown, retries and
 * pacing timers coming due, deliberate skips, forced fallbacks.
 */
import { ErrorCodes } from "../../contracts/attempt.ts";
import type {
  CancelJob,
  InstrumentFallback,
  JobTimeout,
  PacingComplete,
  PauseJob,
  ResumeJob,
  RetryDue,
  SheetSkipped,
} from "./events.ts";
import { isTerminalJob, isTerminalSheet } from "../../contracts/status.ts";
import { timerIds, type JobState, type SheetState } from "./state.ts";
import {
  cancelSheetTimers,
  killIfPlaying,
  releaseMusician,
  setSheetStatus,
  type Ctx,
} from "./context.ts";
import { fallbackNow, hasNextInstrument } from "./ladder.ts";
import {
  addPauseReason,
  announcePause,
  clearPauseReasons,
  hasPauseReason,
  liftPauseReasons,
} from "./pause.ts";
import { liveJob, openJob, sheetOf } from "./lookup.ts";

export function onPause(ctx: Ctx, event: PauseJob): void {
  const job = openJob(ctx, event.jobId);
  if (job === null) return;
  if (!addPauseReason(ctx, job, event.reason))
    ctx.reject({
      kind: "invalid_state",
      message: `job ${event.jobId} is already paused (${event.reason})`,
      jobId: event.jobId,
    });
}

/** What a resume lifts: the person's pause, and the cost pause once the cost check passes. */
const LIFTED_BY_RESUME = ["user", "cost_limit"] as const;

export function onResume(ctx: Ctx, event: ResumeJob): void {
  const job = liveJob(ctx, event.jobId);
  if (job === null) return;
  const status = job.record.status;
  if (status === "cancelled" || (isTerminalJob(status) && !event.retryFailed)) {
    ctx.reject({
      kind: "terminal_job",
      message: `job ${event.jobId} is ${status}`,
      jobId: event.jobId,
    });
    return;
  }
  const limits = job.spec.policy.costLimits;
  if (
    limits.enabled &&
    limits.maxCostPerJob !== null &&
    job.record.costUsd >= limits.maxCostPerJob
  ) {
    ctx.reject({
      kind: "cost_limit",
      message: `job cost $${job.record.costUsd.toFixed(4)} has reached its limit $${limits.maxCostPerJob}`,
      jobId: event.jobId,
    });
    return;
  }
  const toRetry = event.retryFailed
    ? [...job.sheets.values()].filter(
        (s) =>
          s.record.status === "failed" ||
          (s.record.status === "skipped" &&
            s.record.errorCode === ErrorCodes.BLOCKED_BY_DEPENDENCY),
      )
    : [];
  const liftable = LIFTED_BY_RESUME.some((r) => hasPauseReason(job, r));
  if (!liftable && toRetry.length === 0) {
    const held = hasPauseReason(job, "escalation");
    ctx.reject({
      kind: "invalid_state",
      message: held
        ? `job ${event.jobId} is held at a fermata; resolve the fermata to go on`
        : `job ${event.jobId} is neither paused nor has failed sheets`,
      jobId: event.jobId,
    });
    return;
  }
  for (const sheet of toRetry) {
    const r = sheet.record;
    r.normalAttempts = 0;
    r.completionAttempts = 0;
    r.healingAttempts = 0;
    r.instrumentIndex = 0;
    r.instrument = r.instrumentChain[0]!;
    r.model = sheet.plan.model;
    r.errorCode = null;
    r.errorMessage = null;
    sheet.nextMode = "normal";
    sheet.rateLimitWaits = 0;
    setSheetStatus(ctx, job, sheet, "pending");
  }
  const data = { retryFailed: event.retryFailed, resetSheets: toRetry.map((s) => s.record.num) };
  ctx.touchJob(job);
  const lifted = liftPauseReasons(ctx, job, LIFTED_BY_RESUME, data);
  if (lifted.length === 0) announcePause(ctx, job, data);
}

export function onCancel(ctx: Ctx, event: CancelJob): void {
  const job = openJob(ctx, event.jobId);
  if (job === null) return;
  let cancelled = 0;
  for (const sheet of job.sheets.values()) {
    if (isTerminalSheet(sheet.record.status)) continue;
    killIfPlaying(ctx, sheet);
    cancelSheetTimers(ctx, sheet);
    ctx.effects.push({
      kind: "cancelTimer",
      id: timerIds.escalation(event.jobId, sheet.record.num),
    });
    setSheetStatus(ctx, job, sheet, "cancelled");
    ctx.emit(event.jobId, sheet.record.num, "sheet.cancelled", {});
    cancelled += 1;
  }
  const record = job.record;
  record.status = "cancelled";
  clearPauseReasons(job);
  record.completedAt = ctx.now;
  ctx.touchJob(job);
  ctx.emit(event.jobId, 0, "job.cancelled", { cancelledSheets: cancelled });
  ctx.effects.push({ kind: "cancelTimer", id: timerIds.jobTimeout(event.jobId) });
  ctx.effects.push({ kind: "cancelTimer", id: timerIds.pacing(event.jobId) });
  ctx.effects.push({ kind: "jobFinished", jobId: event.jobId, status: "cancelled" });
}

export function onJobTimeout(ctx: Ctx, event: JobTimeout): void {
  const job = openJob(ctx, event.jobId);
  if (job === null) return;
  const seconds = job.spec.policy.jobTimeoutSeconds;
  const message = `Job timed out after ${seconds ?? "?"} s`;
  ctx.emit(event.jobId, 0, "job.timeout", { timeoutSeconds: seconds });
  for (const sheet of job.sheets.values()) {
    if (isTerminalSheet(sheet.record.status)) continue;
    killIfPlaying(ctx, sheet);
    cancelSheetTimers(ctx, sheet);
    sheet.record.errorCode = ErrorCodes.JOB_TIMEOUT;
    sheet.record.errorMessage = message;
    setSheetStatus(ctx, job, sheet, "failed");
    ctx.emit(event.jobId, sheet.record.num, "sheet.failed", {
      errorCode: ErrorCodes.JOB_TIMEOUT,
      errorMessage: message,
    });
  }
  job.record.errorMessage = message;
  ctx.touchJob(job);
}

export function onShutdown(ctx: Ctx): void {
  ctx.state.shuttingDown = true;
  for (const job of ctx.state.jobs.values())
    for (const sheet of job.sheets.values()) killIfPlaying(ctx, sheet);
}

export function onDeregister(ctx: Ctx, jobId: string): void {
  const job = liveJob(ctx, jobId);
  if (job === null) return;
  for (const sheet of job.sheets.values()) {
    killIfPlaying(ctx, sheet);
    releaseMusician(ctx, job, sheet);
    cancelSheetTimers(ctx, sheet);
  }
  ctx.effects.push({ kind: "cancelTimer", id: timerIds.jobTimeout(jobId) });
  ctx.effects.push({ kind: "cancelTimer", id: timerIds.pacing(jobId) });
  ctx.state.jobs.delete(jobId);
}

export function onRetryDue(ctx: Ctx, event: RetryDue): void {
  const job = liveJob(ctx, event.jobId);
  if (job === null) return;
  const sheet = sheetOf(ctx, job, event.sheetNum);
  if (sheet === null) return;
  if (sheet.record.status !== "retry_scheduled") {
    const kind = isTerminalSheet(sheet.record.status) ? "terminal_sheet" : "invalid_state";
    ctx.reject({
      kind,
      message: `sheet is ${sheet.record.status}, no retry was due`,
      jobId: event.jobId,
      sheetNum: event.sheetNum,
    });
    return;
  }
  setSheetStatus(ctx, job, sheet, "pending");
}

export function onPacingComplete(ctx: Ctx, event: PacingComplete): void {
  const job = liveJob(ctx, event.jobId);
  if (job === null) return;
  if (job.pacingGeneration !== event.generation || job.pacingUntil === null) {
    ctx.reject({ kind: "invalid_state", message: "pacing was superseded", jobId: event.jobId });
    return;
  }
  job.pacingUntil = null;
}

export function onSheetSkipped(ctx: Ctx, event: SheetSkipped): void {
  const job = liveJob(ctx, event.jobId);
  if (job === null) return;
  const sheet = sheetOf(ctx, job, event.sheetNum);
  if (sheet === null) return;
  if (isTerminalSheet(sheet.record.status)) {
    ctx.reject({
      kind: "terminal_sheet",
      message: `sheet is already ${sheet.record.status}`,
      jobId: event.jobId,
      sheetNum: event.sheetNum,
    });
    return;
  }
  killIfPlaying(ctx, sheet);
  skipSheet(ctx, job, sheet, event.reason);
}

/** A deliberate skip: it satisfies dependents (no error code). */
export function skipSheet(ctx: Ctx, job: JobState, sheet: SheetState, reason: string): void {
  cancelSheetTimers(ctx, sheet);
  sheet.record.errorCode = null;
  sheet.record.errorMessage = reason;
  setSheetStatus(ctx, job, sheet, "skipped");
  ctx.emit(sheet.record.jobId, sheet.record.num, "sheet.skipped", { reason });
}

export function onInstrumentFallback(ctx: Ctx, event: InstrumentFallback): void {
  const job = liveJob(ctx, event.jobId);
  if (job === null) return;
  const sheet = sheetOf(ctx, job, event.sheetNum);
  if (sheet === null) return;
  const status = sheet.record.status;
  const where = { jobId: event.jobId, sheetNum: event.sheetNum };
  if (isTerminalSheet(status)) {
    ctx.reject({ kind: "terminal_sheet", message: `sheet is already ${status}`, ...where });
    return;
  }
  if (sheet.musicianAlive || status === "fermata" || !hasNextInstrument(sheet)) {
    ctx.reject({
      kind: "invalid_state",
      message: `sheet is ${status} and cannot move to another instrument now`,
      ...where,
    });
    return;
  }
  if (status === "retry_scheduled")
    ctx.effects.push({ kind: "cancelTimer", id: timerIds.retry(event.jobId, event.sheetNum) });
  fallbackNow(ctx, job, sheet, event.reason);
}
