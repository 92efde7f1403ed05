/**
 * What happens to a sheet after an attempt that did not complete it: a scheduled retry, a move to
 * the next instrument, a fermata, or failure with the cascade (the exhaustion ladder, DESIGN.md §5).
 */
import { ErrorCodes, type AttemptMode } from "../../contracts/attempt.ts";
import { timerIds, type JobState, type SheetState } from "./state.ts";
import { backoffDelayMs, seededUnit } from "./backoff.ts";
import { cascadeFrom } from "./cascade.ts";
import { cancelSheetTimers, killIfPlaying, setSheetStatus, type Ctx } from "./context.ts";
import { addPauseReason } from "./pause.ts";

export function hasNextInstrument(sheet: SheetState): boolean {
  return sheet.record.instrumentIndex + 1 < sheet.record.instrumentChain.length;
}

/** Moves to chain[index] with a fresh budget and the model cleared (it belonged to the old one). */
export function moveToInstrument(
  ctx: Ctx,
  job: JobState,
  sheet: SheetState,
  index: number,
  reason: string,
): void {
  const record = sheet.record;
  const from = record.instrument;
  const listed = sheet.readyKey !== null;
  if (listed) job.ready.remove(sheet);
  record.instrumentIndex = index;
  record.instrument = record.instrumentChain[index]!;
  record.model = null;
  record.normalAttempts = 0;
  record.completionAttempts = 0;
  sheet.nextMode = "normal";
  sheet.rateLimitWaits = 0;
  if (listed) job.ready.add(sheet);
  ctx.touchSheet(job, sheet);
  ctx.emit(job.record.id, record.num, "sheet.fallback", {
    from,
    to: record.instrument,
    reason,
    instrumentIndex: index,
  });
}

export function fallbackNow(ctx: Ctx, job: JobState, sheet: SheetState, reason: string): void {
  moveToInstrument(ctx, job, sheet, sheet.record.instrumentIndex + 1, reason);
  if (sheet.record.status !== "pending") setSheetStatus(ctx, job, sheet, "pending");
}

export function scheduleRetry(
  ctx: Ctx,
  job: JobState,
  sheet: SheetState,
  mode: AttemptMode,
  delayMs: number,
): void {
  sheet.nextMode = mode;
  const { num } = sheet.record;
  const at = ctx.now + delayMs;
  setSheetStatus(ctx, job, sheet, "retry_scheduled");
  sheet.record.dueAt = at;
  const id = timerIds.retry(job.record.id, num);
  ctx.effects.push({ kind: "cancelTimer", id });
  ctx.effects.push({
    kind: "scheduleTimer",
    id,
    at,
    event: { kind: "RetryDue", jobId: job.record.id, sheetNum: num },
  });
  ctx.emit(job.record.id, num, "sheet.retry_scheduled", {
    mode,
    at,
    delayMs,
    lastError: sheet.lastError,
  });
}

export function normalRetryDelay(ctx: Ctx, job: JobState, sheet: SheetState): number {
  const retry = job.spec.policy.retry;
  const jitter = retry.jitter
    ? seededUnit(ctx.state.jitterSeed, sheet.record.dispatchToken ?? `${sheet.record.num}`)
    : null;
  return backoffDelayMs(retry, sheet.record.normalAttempts, jitter);
}

export function failSheet(
  ctx: Ctx,
  job: JobState,
  sheet: SheetState,
  code: string,
  message: string,
): void {
  killIfPlaying(ctx, sheet);
  cancelSheetTimers(ctx, sheet);
  sheet.record.errorCode = code;
  sheet.record.errorMessage = message;
  setSheetStatus(ctx, job, sheet, "failed");
  ctx.emit(job.record.id, sheet.record.num, "sheet.failed", {
    errorCode: code,
    errorMessage: message,
  });
  cascadeFrom(ctx, job, sheet.record.num);
}

export function enterFermata(ctx: Ctx, job: JobState, sheet: SheetState, reason: string): void {
  cancelSheetTimers(ctx, sheet);
  sheet.fermataGeneration += 1;
  setSheetStatus(ctx, job, sheet, "fermata");
  ctx.emit(job.record.id, sheet.record.num, "sheet.fermata", { reason });
  const timeout = job.spec.policy.escalationTimeoutSeconds;
  if (timeout !== null) armEscalationTimeout(ctx, job, sheet, ctx.now + timeout * 1000);
  addPauseReason(ctx, job, "escalation");
}

/** The fermata fails at `at` unless a person decides first. */
export function armEscalationTimeout(ctx: Ctx, job: JobState, sheet: SheetState, at: number): void {
  sheet.record.dueAt = at;
  ctx.touchSheet(job, sheet);
  ctx.effects.push({
    kind: "scheduleTimer",
    id: timerIds.escalation(job.record.id, sheet.record.num),
    at,
    event: {
      kind: "EscalationTimeout",
      jobId: job.record.id,
      sheetNum: sheet.record.num,
      generation: sheet.fermataGeneration,
    },
  });
}

/**
 * The exhaustion ladder: fallback, one self-healing retry, escalation, remaining retries, failure.
 * A retry from the ladder spends the normal budget like any other, so a sheet that keeps partly
 * passing ends once both its completion and its normal budgets are spent.
 */
export function exhaust(ctx: Ctx, job: JobState, sheet: SheetState, reason: string): void {
  const policy = job.spec.policy;
  const record = sheet.record;
  if (hasNextInstrument(sheet)) {
    fallbackNow(ctx, job, sheet, reason);
    return;
  }
  if (policy.selfHealing && record.healingAttempts === 0) {
    record.healingAttempts += 1;
    scheduleRetry(ctx, job, sheet, "healing", 0);
    return;
  }
  if (policy.escalation) {
    enterFermata(ctx, job, sheet, reason);
    return;
  }
  if (record.normalAttempts < policy.retry.maxRetries) {
    record.normalAttempts += 1;
    scheduleRetry(ctx, job, sheet, "normal", normalRetryDelay(ctx, job, sheet));
    return;
  }
  failSheet(ctx, job, sheet, ErrorCodes.EXHAUSTED, `Retries exhausted: ${reason}`);
}
