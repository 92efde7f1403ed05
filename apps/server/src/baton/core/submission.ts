/**
 * Jobs entering and leaving the store through the baton: a submission (dry run included), a stored
 * job that cannot be handed back, a corrected score, and the log entries of on_success hooks.
 * Every row these write reaches the store in the baton's own commit, in inbox order.
 */
import type { JobRecord } from "../../contracts/records.ts";
import { isTerminalSheet } from "../../contracts/status.ts";
import type {
  FailUnrecoverable,
  HookEventName,
  HookReported,
  HooksFinished,
  ReplaceScore,
  SubmitJob,
} from "./events.ts";
import type { Ctx } from "./context.ts";
import { onSheetSkipped } from "./lifecycle.ts";
import { freshSheetRecord, onRegisterJob } from "./registry.ts";

export function onSubmitJob(ctx: Ctx, event: SubmitJob): void {
  const { job } = event;
  const key = job.idempotencyKey;
  const existing = key === null ? undefined : ctx.state.idempotencyKeys.get(key);
  if (existing !== undefined) {
    ctx.reject({
      kind: "duplicate_job",
      message: `idempotency key already names job ${existing}`,
      jobId: existing,
    });
    return;
  }
  if (ctx.state.jobs.has(job.id)) {
    ctx.reject({ kind: "duplicate_job", message: `job ${job.id} already exists`, jobId: job.id });
    return;
  }
  if (event.dryRunReason === null && job.spec === null) {
    ctx.reject({ kind: "invalid_spec", message: `job ${job.id} has no plan`, jobId: job.id });
    return;
  }
  ctx.newJobs.push(job);
  ctx.emit(job.id, 0, "job.submitted", {
    name: job.name,
    totalSheets: event.sheets.length,
    dryRun: event.dryRunReason !== null,
    workspace: job.workspace,
  });
  if (event.dryRunReason !== null) {
    storeDryRun(ctx, event, event.dryRunReason);
  } else {
    onRegisterJob(ctx, { kind: "RegisterJob", spec: job.spec! });
    if (ctx.rejection !== undefined) {
      // The spec was refused: nothing of this submission is written.
      ctx.newJobs.pop();
      ctx.events.pop();
      return;
    }
    const reason = `before start sheet ${event.startSheet}`;
    for (let sheetNum = 1; sheetNum < event.startSheet; sheetNum += 1)
      onSheetSkipped(ctx, { kind: "SheetSkipped", jobId: job.id, sheetNum, reason });
  }
  if (key !== null) ctx.state.idempotencyKeys.set(key, job.id);
}

/**
 * A dry run is stored for people to inspect (its sheets, DAG and warnings) and is terminal at
 * once, so nothing ever dispatches or recovers it.
 */
function storeDryRun(ctx: Ctx, event: SubmitJob, reason: string): void {
  const jobId = event.job.id;
  for (const plan of event.sheets) {
    const record = freshSheetRecord(jobId, plan);
    record.status = "cancelled";
    record.errorMessage = reason;
    ctx.detachedSheets.push(record);
  }
  ctx.emit(jobId, 0, "job.cancelled", { reason });
}

export function onFailUnrecoverable(ctx: Ctx, event: FailUnrecoverable): void {
  const jobId = event.job.id;
  if (ctx.state.jobs.has(jobId)) {
    ctx.reject({
      kind: "invalid_state",
      message: `job ${jobId} is registered; it is not unrecoverable`,
      jobId,
    });
    return;
  }
  const now = ctx.now;
  for (const sheet of event.sheets) {
    if (isTerminalSheet(sheet.status)) continue;
    ctx.detachedSheets.push({
      ...sheet,
      status: "failed",
      errorMessage: event.message,
      completedAt: now,
    });
  }
  const failed: JobRecord = {
    ...event.job,
    status: "failed",
    pauseReason: null,
    errorMessage: event.message,
    completedAt: now,
  };
  ctx.detachedJobs.push(failed);
  ctx.emit(jobId, 0, "job.failed", { reason: event.message });
}

export function onReplaceScore(ctx: Ctx, event: ReplaceScore): void {
  const jobId = event.score.id;
  if (ctx.state.jobs.has(jobId)) {
    ctx.reject({
      kind: "invalid_state",
      message: `job ${jobId} is registered; deregister it before replacing its score`,
      jobId,
    });
    return;
  }
  ctx.rescored.push(event.score);
  ctx.detachedSheets.push(...event.sheets);
  ctx.emit(jobId, 0, "job.rescored", { replannedSheets: event.sheets.map((s) => s.num) });
}

/** Hooks run for jobs that finished before a restart too, so the job need not be registered. */
export function onHookReported(ctx: Ctx, event: HookReported): void {
  ctx.emit<HookEventName>(event.jobId, 0, event.event, event.data);
}

export function onHooksFinished(ctx: Ctx, event: HooksFinished): void {
  ctx.hooksFinished.push(event.jobId);
}
