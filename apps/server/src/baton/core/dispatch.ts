/**
 * The dispatch pass, run after every event: jobs in submission order, sheets in number order,
 * within the global, per-job and per-instrument limits (DESIGN.md §5). Pure like the core: it
 * returns the new dispatches as effects and says why the rest waited.
 */
import type { BatonState, DispatchOrder, Effect, JobState, SheetState } from "./state.ts";
import { instrumentKey, timerIds } from "./state.ts";
import { jobConcurrencyCap } from "./policy.ts";
import { isTerminalJob } from "../../contracts/status.ts";
import { isBreakerOpen } from "./circuit-breaker.ts";
import { Ctx, finish, setSheetStatus } from "./context.ts";
import { moveToInstrument } from "./ladder.ts";
import { isPaused } from "./pause.ts";
import { isRateLimited } from "./rate-limit.ts";

export const DEFAULT_MAX_CONCURRENT_SHEETS = 10;
export const DEFAULT_INSTRUMENT_MAX_CONCURRENT = 4;
export const STALE_GRACE_MS = 60_000;

export interface DispatchLimits {
  maxConcurrentSheets: number;
  /** The profile's `max_concurrent` for an instrument (and model). */
  instrumentLimit: (instrument: string, model: string | null) => number;
}

export const DEFAULT_DISPATCH_LIMITS: DispatchLimits = {
  maxConcurrentSheets: DEFAULT_MAX_CONCURRENT_SHEETS,
  instrumentLimit: () => DEFAULT_INSTRUMENT_MAX_CONCURRENT,
};

export type SkipReason =
  | "shutting_down"
  | "global_limit"
  | "job_finished"
  | "job_paused"
  | "job_pacing"
  | "job_limit"
  | "musician_alive"
  | "rate_limited"
  | "circuit_open"
  | "instrument_limit";

/** Why something waited; job-wide reasons carry no sheet number. */
export interface DispatchSkip {
  jobId: string;
  sheetNum: number | null;
  reason: SkipReason;
}

export interface DispatchResult {
  state: BatonState;
  effects: Effect[];
  dispatched: DispatchOrder[];
  skipped: DispatchSkip[];
}

export function dispatchReady(
  state: BatonState,
  now: number,
  limits: DispatchLimits = DEFAULT_DISPATCH_LIMITS,
): DispatchResult {
  const ctx = new Ctx(state, now);
  const dispatched: DispatchOrder[] = [];
  const skipped: DispatchSkip[] = [];
  for (const job of state.jobs.values()) {
    const jobId = job.record.id;
    if (job.ready.size === 0) continue;
    if (state.shuttingDown) {
      skipped.push({ jobId, sheetNum: null, reason: "shutting_down" });
      continue;
    }
    if (state.runningTotal >= limits.maxConcurrentSheets) {
      skipped.push({ jobId, sheetNum: null, reason: "global_limit" });
      continue;
    }
    const reason = jobBlocked(job, now);
    if (reason !== null) {
      skipped.push({ jobId, sheetNum: null, reason });
      continue;
    }
    dispatchJob(ctx, job, limits, dispatched, skipped);
  }
  const { effects } = finish(ctx);
  return { state, effects, dispatched, skipped };
}

function jobBlocked(job: JobState, now: number): SkipReason | null {
  if (isTerminalJob(job.record.status)) return "job_finished";
  if (isPaused(job)) return "job_paused";
  if (job.pacingUntil !== null && job.pacingUntil > now) return "job_pacing";
  if (job.running >= jobConcurrencyCap(job.spec.policy)) return "job_limit";
  return null;
}

function dispatchJob(
  ctx: Ctx,
  job: JobState,
  limits: DispatchLimits,
  out: DispatchOrder[],
  skipped: DispatchSkip[],
): void {
  const state = ctx.state;
  const jobId = job.record.id;
  const cap = jobConcurrencyCap(job.spec.policy);
  const blockedKeys = new Set<string>();
  const chosen: SheetState[] = [];
  const chosenByKey = new Map<string, number>();
  // Only `start` (after the walk) removes entries; a fallback re-lists a sheet at the same place.
  const ready = job.ready;
  for (let i = 0; i < ready.size; i++) {
    if (job.running + chosen.length >= cap) {
      skipped.push({ jobId, sheetNum: null, reason: "job_limit" });
      break;
    }
    if (state.runningTotal + chosen.length >= limits.maxConcurrentSheets) {
      skipped.push({ jobId, sheetNum: null, reason: "global_limit" });
      break;
    }
    if (
      blockedKeys.size > 0 &&
      blockedKeys.size >= job.ready.keyCounts.size &&
      allBlocked(job, blockedKeys)
    )
      break;
    const sheet = job.sheets.get(ready.at(i)!)!;
    if (sheet.musicianAlive) {
      skipped.push({ jobId, sheetNum: sheet.record.num, reason: "musician_alive" });
      continue;
    }
    const key = sheet.readyKey!;
    if (blockedKeys.has(key)) continue;
    const instrument = sheet.record.instrument;
    if (isRateLimited(state, instrument, ctx.now)) {
      blockedKeys.add(key);
      skipped.push({ jobId, sheetNum: sheet.record.num, reason: "rate_limited" });
      continue;
    }
    if (isBreakerOpen(state, instrument) && !moveAlongChain(ctx, job, sheet)) {
      skipped.push({ jobId, sheetNum: sheet.record.num, reason: "circuit_open" });
      continue;
    }
    const useKey = instrumentKey(sheet.record.instrument, sheet.record.model);
    const running = (state.runningByKey.get(useKey) ?? 0) + (chosenByKey.get(useKey) ?? 0);
    if (running >= limits.instrumentLimit(sheet.record.instrument, sheet.record.model)) {
      blockedKeys.add(useKey);
      skipped.push({ jobId, sheetNum: sheet.record.num, reason: "instrument_limit" });
      continue;
    }
    sheet.runningKey = useKey;
    chosen.push(sheet);
    chosenByKey.set(useKey, (chosenByKey.get(useKey) ?? 0) + 1);
  }
  for (const sheet of chosen) out.push(start(ctx, job, sheet));
}

function allBlocked(job: JobState, blockedKeys: Set<string>): boolean {
  for (const key of job.ready.keyCounts.keys()) if (!blockedKeys.has(key)) return false;
  return true;
}

/** An open breaker sends the sheet to the next instrument whose breaker is closed and not limited. */
function moveAlongChain(ctx: Ctx, job: JobState, sheet: SheetState): boolean {
  const chain = sheet.record.instrumentChain;
  for (let index = sheet.record.instrumentIndex + 1; index < chain.length; index++) {
    const candidate = chain[index]!;
    if (isBreakerOpen(ctx.state, candidate) || isRateLimited(ctx.state, candidate, ctx.now))
      continue;
    moveToInstrument(
      ctx,
      job,
      sheet,
      index,
      `circuit breaker of ${sheet.record.instrument} is open`,
    );
    return true;
  }
  return false;
}

function start(ctx: Ctx, job: JobState, sheet: SheetState): DispatchOrder {
  const state = ctx.state;
  const record = sheet.record;
  const jobId = job.record.id;
  sheet.dispatchCount += 1;
  const token = `${jobId}:${record.num}:${sheet.dispatchCount}`;
  record.dispatchToken = token;
  record.processGroup = null;
  record.processStartedAt = null;
  if (record.startedAt === null) record.startedAt = ctx.now;
  setSheetStatus(ctx, job, sheet, "dispatched");
  sheet.musicianAlive = true;
  const key = sheet.runningKey!;
  state.runningTotal += 1;
  job.running += 1;
  state.runningByKey.set(key, (state.runningByKey.get(key) ?? 0) + 1);
  const order: DispatchOrder = {
    jobId,
    sheetNum: record.num,
    dispatchToken: token,
    attemptNumber: sheet.dispatchCount,
    mode: sheet.nextMode,
    instrument: record.instrument,
    model: record.model,
    timeoutSeconds: sheet.plan.timeoutSeconds,
    retryNotice:
      sheet.dispatchCount > 1 && sheet.lastError !== null
        ? `This is attempt ${sheet.dispatchCount} of sheet ${record.num}. The previous attempt did not succeed: ${sheet.lastError}`
        : null,
    failedValidations: sheet.nextMode === "completion" ? [...sheet.lastFailedValidations] : [],
  };
  ctx.emit(jobId, record.num, "sheet.dispatched", {
    instrument: order.instrument,
    model: order.model,
    attempt: order.attemptNumber,
    mode: order.mode,
    dispatchToken: token,
  });
  ctx.effects.push({ kind: "dispatch", order });
  ctx.effects.push({
    kind: "scheduleTimer",
    id: timerIds.stale(jobId, record.num),
    at: ctx.now + sheet.plan.timeoutSeconds * 1000 + STALE_GRACE_MS,
    event: {
      kind: "StaleCheck",
      jobId,
      sheetNum: record.num,
      dispatchToken: token,
      musicianAlive: true,
    },
  });
  return order;
}
