/**
 * The working set of one transition: every status change goes through `setSheetStatus`, which
 * keeps the ready list, the counters and the changed-record set in step, so handlers never
 * update them by hand. `finish` turns the set into effects, commit first.
 */
import type { JobStatus, SheetStatus } from "../../contracts/status.ts";
import type { AttemptRecord, JobRecord, SheetRecord } from "../../contracts/records.ts";
import type { NewJob, ScoreReplacement } from "./policy.ts";
import type { EventData, EventDraft, EventName } from "../../contracts/event-log.ts";
import type {
  BatonState,
  CommitEffect,
  Effect,
  JobState,
  Rejection,
  SheetState,
  TransitionResult,
} from "./state.ts";
import { timerIds } from "./state.ts";
import { liftEscalationWithoutFermata } from "./pause.ts";

let lastTransition = 0;

export class Ctx {
  /** Marks what this transition changed; records carry it instead of living in a Set. */
  readonly id = ++lastTransition;
  readonly changedJobs: JobState[] = [];
  readonly changedSheets: SheetState[] = [];
  readonly attempts: AttemptRecord[] = [];
  readonly events: EventDraft[] = [];
  readonly newJobs: NewJob[] = [];
  /** Records of jobs the baton does not hold (dry runs, unrecoverable jobs), stored as given. */
  readonly detachedJobs: JobRecord[] = [];
  readonly detachedSheets: SheetRecord[] = [];
  readonly hooksFinished: string[] = [];
  readonly rescored: ScoreReplacement[] = [];
  readonly effects: Effect[] = [];
  rejection: Rejection | undefined;
  cleared: number | undefined;

  constructor(
    readonly state: BatonState,
    readonly now: number,
  ) {}

  emit<E extends EventName>(jobId: string, sheetNum: number, event: E, data: EventData<E>): void {
    this.events.push({ jobId, sheetNum, event, data, timestamp: this.now });
  }

  touchSheet(job: JobState, sheet: SheetState): void {
    if (sheet.touchedIn !== this.id) {
      sheet.touchedIn = this.id;
      this.changedSheets.push(sheet);
    }
    this.touchJob(job);
  }

  touchJob(job: JobState): void {
    if (job.touchedIn !== this.id) {
      job.touchedIn = this.id;
      this.changedJobs.push(job);
    }
  }

  get changed(): boolean {
    return (
      this.changedJobs.length > 0 ||
      this.changedSheets.length > 0 ||
      this.attempts.length > 0 ||
      this.events.length > 0 ||
      this.newJobs.length > 0 ||
      this.detachedJobs.length > 0 ||
      this.detachedSheets.length > 0 ||
      this.hooksFinished.length > 0 ||
      this.rescored.length > 0
    );
  }

  reject(rejection: Rejection): void {
    this.rejection = rejection;
  }
}

/** Same answer as status.ts's isTerminalSheet, without a Set lookup on the hottest path. */
function isTerminalSheet(status: SheetStatus): boolean {
  return (
    status === "completed" || status === "failed" || status === "skipped" || status === "cancelled"
  );
}

export function isBlockingTerminal(sheet: SheetState): boolean {
  const s = sheet.record.status;
  return (
    s === "failed" || s === "cancelled" || (s === "skipped" && sheet.record.errorCode !== null)
  );
}

export function satisfiesDependents(sheet: SheetState): boolean {
  const s = sheet.record.status;
  return s === "completed" || (s === "skipped" && sheet.record.errorCode === null);
}

/**
 * The one place a sheet changes status. Set `errorCode` before calling it for skips: whether a
 * skip blocks dependents depends on it.
 */
export function setSheetStatus(
  ctx: Ctx,
  job: JobState,
  sheet: SheetState,
  next: SheetStatus,
): void {
  const prev = sheet.record.status;
  if (prev === "pending" && sheet.readyKey !== null) job.ready.remove(sheet);
  const wasTerminal = isTerminalSheet(prev);
  if (wasTerminal) {
    job.terminalCount -= 1;
    if (prev === "completed") job.record.completedSheets -= 1;
    if (sheet.wasBlocking) job.blockingCount -= 1;
  }
  if (prev === "fermata") job.fermataCount -= 1;

  sheet.record.status = next;
  // Whoever sets a due time sets it after the status change that calls for it.
  sheet.record.dueAt = null;

  if (isTerminalSheet(next)) {
    job.terminalCount += 1;
    if (next === "completed") job.record.completedSheets += 1;
    sheet.wasBlocking = isBlockingTerminal(sheet);
    if (sheet.wasBlocking) job.blockingCount += 1;
    if (sheet.record.completedAt === null || !wasTerminal) sheet.record.completedAt = ctx.now;
    if (!wasTerminal && satisfiesDependents(sheet)) releaseDependents(job, sheet);
  } else {
    sheet.wasBlocking = false;
    sheet.record.completedAt = null;
  }
  if (next === "fermata") job.fermataCount += 1;
  if (next === "pending" && sheet.unmetDeps === 0) job.ready.add(sheet);
  ctx.touchSheet(job, sheet);
}

const NONE: readonly number[] = [];

function releaseDependents(job: JobState, sheet: SheetState): void {
  for (const num of job.dependents.get(sheet.record.num) ?? NONE) {
    const dependent = job.sheets.get(num);
    if (dependent === undefined) continue;
    dependent.unmetDeps -= 1;
    if (dependent.unmetDeps === 0 && dependent.record.status === "pending")
      job.ready.add(dependent);
  }
}

/** The musician of this sheet is gone: free its concurrency slot. */
export function releaseMusician(ctx: Ctx, job: JobState, sheet: SheetState): void {
  if (!sheet.musicianAlive) return;
  sheet.musicianAlive = false;
  const state = ctx.state;
  state.runningTotal -= 1;
  job.running -= 1;
  const key = sheet.runningKey;
  if (key !== null) {
    const count = (state.runningByKey.get(key) ?? 1) - 1;
    if (count <= 0) state.runningByKey.delete(key);
    else state.runningByKey.set(key, count);
  }
  sheet.runningKey = null;
}

/** Stops the sheet's musician if one is playing; its failure report will release the slot. */
export function killIfPlaying(ctx: Ctx, sheet: SheetState): void {
  if (sheet.musicianAlive && sheet.record.dispatchToken !== null) {
    ctx.effects.push({
      kind: "killMusician",
      jobId: sheet.record.jobId,
      sheetNum: sheet.record.num,
      dispatchToken: sheet.record.dispatchToken,
    });
  }
}

export function cancelSheetTimers(ctx: Ctx, sheet: SheetState): void {
  const { jobId, num } = sheet.record;
  ctx.effects.push({ kind: "cancelTimer", id: timerIds.retry(jobId, num) });
  ctx.effects.push({ kind: "cancelTimer", id: timerIds.stale(jobId, num) });
}

/**
 * Derives the job's status from its sheets and pause reason (a paused job never shows running)
 * and announces completion once.
 */
export function refreshJobStatus(ctx: Ctx, job: JobState): void {
  const record = job.record;
  const before = record.status;
  if (before === "cancelled") return;
  const total = job.sheets.size;
  const next: JobStatus =
    job.terminalCount === total
      ? job.blockingCount === 0
        ? "completed"
        : "failed"
      : record.pauseReasons.length > 0
        ? "paused"
        : "running";
  if (next === before) return;
  record.status = next;
  ctx.touchJob(job);
  if (next === "completed" || next === "failed") {
    record.completedAt = ctx.now;
    record.pauseReason = null;
    record.pauseReasons = [];
    ctx.emit(record.id, 0, next === "completed" ? "job.completed" : "job.failed", {
      completedSheets: record.completedSheets,
      totalSheets: record.totalSheets,
      costUsd: record.costUsd,
    });
    ctx.effects.push({ kind: "cancelTimer", id: timerIds.jobTimeout(record.id) });
    ctx.effects.push({ kind: "cancelTimer", id: timerIds.pacing(record.id) });
    ctx.effects.push({ kind: "jobFinished", jobId: record.id, status: next });
  } else if (before === "completed" || before === "failed") {
    record.completedAt = null;
  }
}

export function finish(ctx: Ctx): TransitionResult {
  // refreshJobStatus may touch more jobs; the array grows while we walk it.
  for (let i = 0; i < ctx.changedJobs.length; i++) {
    const job = ctx.changedJobs[i]!;
    liftEscalationWithoutFermata(ctx, job);
    refreshJobStatus(ctx, job);
  }
  const effects = ctx.effects;
  if (ctx.changed) {
    const commit: CommitEffect = {
      kind: "commit",
      jobs: ctx.changedJobs.map((j) => ({ ...j.record })),
      // Chains and dependency lists are never edited in place, so sharing them is safe.
      sheets: ctx.changedSheets.map((s) => ({ ...s.record })),
      attempts: ctx.attempts,
      events: ctx.events,
    };
    if (ctx.newJobs.length > 0) commit.newJobs = ctx.newJobs;
    if (ctx.detachedJobs.length > 0) commit.jobs.push(...ctx.detachedJobs);
    if (ctx.detachedSheets.length > 0) commit.sheets.push(...ctx.detachedSheets);
    if (ctx.hooksFinished.length > 0) commit.hooksFinished = ctx.hooksFinished;
    if (ctx.rescored.length > 0) commit.rescored = ctx.rescored;
    effects.unshift(commit);
  }
  const result: TransitionResult = { state: ctx.state, effects };
  if (ctx.rejection !== undefined) result.rejection = ctx.rejection;
  if (ctx.cleared !== undefined) result.cleared = ctx.cleared;
  return result;
}
