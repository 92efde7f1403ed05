/**
 * Rate limits are per instrument. Every hit replaces the previous expiry (its timer is cancelled
 * and a new one scheduled); sheets waiting on the instrument go back to pending when it clears.
 */
import { isTerminalSheet } from "../../contracts/status.ts";
import { timerIds, type BatonState } from "./state.ts";
import { setSheetStatus, type Ctx } from "./context.ts";

/** For a hit reported with no usable wait and no job policy to take one from. */
export const DEFAULT_RATE_LIMIT_WAIT_SECONDS = 60;

/**
 * How long a sheet's rate limit lasts: the reset time the provider stated, else the score's
 * `rate_limit.wait_minutes` (60 unless the score sets it, as in Marianne).
 */
export function rateLimitWait(statedSeconds: number | null, waitMinutes: number): number {
  return statedSeconds !== null && statedSeconds > 0 ? statedSeconds : waitMinutes * 60;
}

export function isRateLimited(state: BatonState, instrument: string, now: number): boolean {
  const limit = state.rateLimits.get(instrument);
  return limit !== undefined && limit.until > now;
}

export function hitRateLimit(
  ctx: Ctx,
  instrument: string,
  waitSeconds: number | null,
  who: { jobId: string | null; sheetNum: number | null },
): void {
  const state = ctx.state;
  const seconds =
    waitSeconds !== null && waitSeconds > 0 ? waitSeconds : DEFAULT_RATE_LIMIT_WAIT_SECONDS;
  const until = ctx.now + Math.round(seconds * 1000);
  state.rateLimitGeneration += 1;
  const generation = state.rateLimitGeneration;
  state.rateLimits.set(instrument, { until, generation });
  const id = timerIds.rateLimit(instrument);
  ctx.effects.push({ kind: "cancelTimer", id });
  ctx.effects.push({
    kind: "scheduleTimer",
    id,
    at: until,
    event: { kind: "RateLimitExpired", instrument, generation },
  });
  extendWaits(ctx, instrument, until);
  if (who.jobId !== null) {
    ctx.emit(who.jobId, who.sheetNum ?? 0, "rate_limit.active", {
      instrument,
      waitSeconds: seconds,
      until,
    });
  }
}

/** Sheets already waiting on the instrument now wait until the new end (their stored due time). */
function extendWaits(ctx: Ctx, instrument: string, until: number): void {
  for (const job of ctx.state.jobs.values()) {
    for (const sheet of job.sheets.values()) {
      if (sheet.record.status !== "waiting" || sheet.record.instrument !== instrument) continue;
      sheet.record.dueAt = until;
      ctx.touchSheet(job, sheet);
    }
  }
}

/**
 * Re-establishes a limit known to last until `until` (after a restart); a limit already in force
 * for longer is kept.
 */
export function restoreRateLimit(ctx: Ctx, instrument: string, until: number): void {
  const state = ctx.state;
  const current = state.rateLimits.get(instrument);
  if (current !== undefined && current.until >= until) return;
  state.rateLimitGeneration += 1;
  const generation = state.rateLimitGeneration;
  state.rateLimits.set(instrument, { until, generation });
  const id = timerIds.rateLimit(instrument);
  ctx.effects.push({ kind: "cancelTimer", id });
  ctx.effects.push({
    kind: "scheduleTimer",
    id,
    at: until,
    event: { kind: "RateLimitExpired", instrument, generation },
  });
}

/** Lifts the limit of one instrument and wakes its waiting sheets. */
export function clearInstrument(ctx: Ctx, instrument: string, reason: "expired" | "cleared"): void {
  ctx.state.rateLimits.delete(instrument);
  for (const job of ctx.state.jobs.values()) {
    let concerned = false;
    for (const sheet of job.sheets.values()) {
      if (sheet.record.instrument !== instrument || isTerminalSheet(sheet.record.status)) continue;
      concerned = true;
      if (sheet.record.status === "waiting") setSheetStatus(ctx, job, sheet, "pending");
    }
    // Every job that plays the instrument hears that it is usable again.
    if (concerned) ctx.emit(job.record.id, 0, "rate_limit.cleared", { instrument, reason });
  }
  if (reason === "cleared")
    ctx.effects.push({ kind: "cancelTimer", id: timerIds.rateLimit(instrument) });
}

export function onRateLimitExpired(ctx: Ctx, instrument: string, generation: number): void {
  const limit = ctx.state.rateLimits.get(instrument);
  if (limit === undefined || limit.generation !== generation) {
    ctx.reject({
      kind: "invalid_state",
      message: `rate limit of ${instrument} was superseded or cleared`,
    });
    return;
  }
  clearInstrument(ctx, instrument, "expired");
}

/** ClearRateLimit: one instrument, or every one when null; an unknown name clears nothing. */
export function onClearRateLimit(ctx: Ctx, instrument: string | null): void {
  const names =
    instrument === null
      ? [...ctx.state.rateLimits.keys()]
      : ctx.state.rateLimits.has(instrument)
        ? [instrument]
        : [];
  for (const name of names) clearInstrument(ctx, name, "cleared");
  ctx.cleared = names.length;
}
