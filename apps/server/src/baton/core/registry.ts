/**
 * Building a job's state: from a spec at registration, or from its checkpoint at recovery
 * (DESIGN.md §7: interrupted sheets go back to pending with their budgets kept, terminal sheets
 * stay, the cascade re-runs).
 */
import type { RecoverJob, RegisterJob } from "./events.ts";
import type { JobSpec } from "./policy.ts";
import type { JobRecord, SheetRecord } from "../../contracts/records.ts";
import { isTerminalSheet, isTerminalJob, type SheetStatus } from "../../contracts/status.ts";
import { ReadyList, timerIds, type JobState, type SheetState } from "./state.ts";
import type { SheetPlan } from "../../contracts/plan.ts";
import { cascadeAll } from "./cascade.ts";
import { isBlockingTerminal, satisfiesDependents, type Ctx } from "./context.ts";
import { armEscalationTimeout } from "./ladder.ts";
import { addPauseReason, normalizePauseReasons } from "./pause.ts";
import { restoreRateLimit } from "./rate-limit.ts";

/** Statuses whose musician (or place in the queue) did not survive the restart. */
const INTERRUPTED: ReadonlySet<SheetStatus> = new Set(["ready", "dispatched", "in_progress"]);

export function freshSheetRecord(jobId: string, plan: SheetPlan): SheetRecord {
  return {
    jobId,
    num: plan.num,
    status: "pending",
    movement: plan.movement,
    voice: plan.voice,
    voiceCount: plan.voiceCount,
    description: plan.description,
    instrument: plan.instrument,
    instrumentChain: [plan.instrument, ...plan.instrumentFallbacks],
    instrumentIndex: 0,
    model: plan.model,
    dependsOn: [...plan.dependsOn],
    normalAttempts: 0,
    completionAttempts: 0,
    healingAttempts: 0,
    validationPassRate: null,
    costUsd: 0,
    durationMs: 0,
    errorCode: null,
    errorMessage: null,
    stdoutTail: null,
    stderrTail: null,
    prompt: null,
    dispatchToken: null,
    processGroup: null,
    processStartedAt: null,
    startedAt: null,
    completedAt: null,
    dueAt: null,
  };
}

/** The dispatch counter encoded at the end of a token `${jobId}:${sheet}:${n}`. */
export function tokenCounter(token: string | null): number {
  if (token === null) return 0;
  const n = Number(token.slice(token.lastIndexOf(":") + 1));
  return Number.isInteger(n) && n > 0 ? n : 0;
}

export function newSheetState(plan: SheetPlan, record: SheetRecord): SheetState {
  return {
    plan,
    record,
    dispatchCount: tokenCounter(record.dispatchToken),
    musicianAlive: false,
    runningKey: null,
    nextMode: "normal",
    unmetDeps: 0,
    readyKey: null,
    lastError: record.errorMessage,
    lastFailedValidations: [],
    rateLimitWaits: 0,
    fermataGeneration: 0,
    wasBlocking: false,
    touchedIn: 0,
  };
}

/** Wires dependencies, counters and the ready list of sheets whose statuses are already set. */
export function assembleJob(spec: JobSpec, record: JobRecord, sheets: SheetState[]): JobState {
  const job: JobState = {
    spec,
    record,
    sheets: new Map(),
    dependents: new Map(),
    ready: new ReadyList(),
    running: 0,
    pacingUntil: null,
    pacingGeneration: 0,
    terminalCount: 0,
    blockingCount: 0,
    fermataCount: 0,
    touchedIn: 0,
  };
  const ordered = [...sheets].sort((a, b) => a.record.num - b.record.num);
  for (const sheet of ordered) job.sheets.set(sheet.record.num, sheet);
  let completed = 0;
  for (const sheet of ordered) {
    for (const dep of sheet.record.dependsOn) {
      const upstream = job.sheets.get(dep);
      if (upstream === undefined) continue;
      let list = job.dependents.get(dep);
      if (list === undefined) job.dependents.set(dep, (list = []));
      list.push(sheet.record.num);
      if (!satisfiesDependents(upstream)) sheet.unmetDeps += 1;
    }
    const status = sheet.record.status;
    if (isTerminalSheet(status)) {
      job.terminalCount += 1;
      sheet.wasBlocking = isBlockingTerminal(sheet);
      if (sheet.wasBlocking) job.blockingCount += 1;
      if (status === "completed") completed += 1;
    }
    if (status === "fermata") job.fermataCount += 1;
  }
  for (const sheet of ordered)
    if (sheet.record.status === "pending" && sheet.unmetDeps === 0) job.ready.add(sheet);
  record.completedSheets = completed;
  record.totalSheets = ordered.length;
  return job;
}

function scheduleJobTimeout(ctx: Ctx, job: JobState): void {
  const seconds = job.spec.policy.jobTimeoutSeconds;
  if (seconds === null || isTerminalJob(job.record.status)) return;
  const startedAt = job.record.startedAt ?? ctx.now;
  ctx.effects.push({
    kind: "scheduleTimer",
    id: timerIds.jobTimeout(job.record.id),
    at: startedAt + seconds * 1000,
    event: { kind: "JobTimeout", jobId: job.record.id },
  });
}

/** The first thing wrong with a spec's sheets, or null; the score module normally rules these out. */
export function specProblem(spec: JobSpec): string | null {
  const nums = new Set<number>();
  for (const sheet of spec.sheets) {
    if (!Number.isInteger(sheet.num) || sheet.num < 1)
      return `sheet number ${sheet.num} is not a positive integer`;
    if (nums.has(sheet.num)) return `sheet ${sheet.num} appears twice`;
    nums.add(sheet.num);
    if (sheet.instrument === "") return `sheet ${sheet.num} has no instrument`;
  }
  for (const sheet of spec.sheets) {
    for (const dep of sheet.dependsOn) {
      if (dep === sheet.num) return `sheet ${sheet.num} depends on itself`;
      if (!nums.has(dep)) return `sheet ${sheet.num} depends on sheet ${dep}, which does not exist`;
    }
  }
  return null;
}

function rejectBadSpec(ctx: Ctx, spec: JobSpec): boolean {
  if (ctx.state.jobs.has(spec.jobId)) {
    ctx.reject({
      kind: "duplicate_job",
      message: `job ${spec.jobId} is already registered`,
      jobId: spec.jobId,
    });
    return true;
  }
  const problem = specProblem(spec);
  if (problem !== null) {
    ctx.reject({
      kind: "invalid_spec",
      message: `job ${spec.jobId}: ${problem}`,
      jobId: spec.jobId,
    });
    return true;
  }
  return false;
}

export function onRegisterJob(ctx: Ctx, event: RegisterJob): void {
  const { spec } = event;
  if (rejectBadSpec(ctx, spec)) return;
  const record: JobRecord = {
    id: spec.jobId,
    status: "running",
    pauseReason: null,
    pauseReasons: [],
    totalSheets: spec.sheets.length,
    completedSheets: 0,
    costUsd: 0,
    errorMessage: null,
    startedAt: ctx.now,
    completedAt: null,
  };
  const sheets = spec.sheets.map((plan) => newSheetState(plan, freshSheetRecord(spec.jobId, plan)));
  const job = assembleJob(spec, record, sheets);
  ctx.state.jobs.set(spec.jobId, job);
  ctx.touchJob(job);
  for (const sheet of job.sheets.values()) ctx.touchSheet(job, sheet);
  ctx.emit(spec.jobId, 0, "job.started", { totalSheets: record.totalSheets });
  scheduleJobTimeout(ctx, job);
}

export function onRecoverJob(ctx: Ctx, event: RecoverJob): void {
  const { spec } = event;
  if (rejectBadSpec(ctx, spec)) return;
  const plans = new Map(spec.sheets.map((p) => [p.num, p]));
  const byNum = new Map(event.sheets.map((r) => [r.num, r]));
  const reset: number[] = [];
  const sheets: SheetState[] = [];
  for (const plan of spec.sheets) {
    const stored = byNum.get(plan.num);
    const record: SheetRecord =
      stored === undefined
        ? freshSheetRecord(spec.jobId, plan)
        : {
            ...stored,
            instrumentChain: [...stored.instrumentChain],
            dependsOn: [...stored.dependsOn],
            dueAt: stored.dueAt ?? null,
          };
    if (INTERRUPTED.has(record.status) || expiredWait(record, ctx.now)) {
      record.status = "pending";
      record.processGroup = null;
      record.processStartedAt = null;
      record.dueAt = null;
      reset.push(record.num);
    }
    sheets.push(newSheetState(plans.get(plan.num)!, record));
  }
  const stored = event.job;
  const record: JobRecord = {
    ...stored,
    id: spec.jobId,
    pauseReasons: normalizePauseReasons(stored.pauseReasons ?? [], stored.pauseReason),
  };
  record.pauseReason = record.pauseReasons[0] ?? null;
  const job = assembleJob(spec, record, sheets);
  ctx.state.jobs.set(spec.jobId, job);
  ctx.touchJob(job);
  // A stored escalation pause without a fermata is lifted when the transition finishes.
  if (job.fermataCount > 0) addPauseReason(ctx, job, "escalation");
  for (const num of reset) ctx.touchSheet(job, job.sheets.get(num)!);
  rearmTimers(ctx, job);
  cascadeAll(ctx, job);
  ctx.emit(spec.jobId, 0, "job.recovered", {
    resetSheets: reset,
    completedSheets: record.completedSheets,
  });
  scheduleJobTimeout(ctx, job);
}

/** A rate-limit wait whose end was not stored, or has passed, simply goes back to pending. */
function expiredWait(record: SheetRecord, now: number): boolean {
  return record.status === "waiting" && (record.dueAt === null || record.dueAt <= now);
}

/**
 * Decisions taken before the restart keep their times: a scheduled retry comes due when it was
 * due, a rate-limit wait ends when the limit ends, a fermata's deadline stays where it was.
 */
function rearmTimers(ctx: Ctx, job: JobState): void {
  const jobId = job.record.id;
  for (const sheet of job.sheets.values()) {
    const record = sheet.record;
    switch (record.status) {
      case "retry_scheduled": {
        const at = record.dueAt ?? ctx.now;
        record.dueAt = at;
        ctx.effects.push({
          kind: "scheduleTimer",
          id: timerIds.retry(jobId, record.num),
          at,
          event: { kind: "RetryDue", jobId, sheetNum: record.num },
        });
        break;
      }
      case "waiting":
        restoreRateLimit(ctx, record.instrument, record.dueAt!);
        break;
      case "fermata": {
        const timeout = job.spec.policy.escalationTimeoutSeconds;
        const at = record.dueAt ?? (timeout === null ? null : ctx.now + timeout * 1000);
        if (at !== null) armEscalationTimeout(ctx, job, sheet, at);
        break;
      }
      default:
        break;
    }
  }
}
