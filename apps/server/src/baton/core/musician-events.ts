/**
 * Events about a musician in flight: its process started or exited, or a stale check found that
 * it is still alive (look again in 60 s) or gone without a result (a synthetic STALE failure).
 */
import { failedAttempt, type AttemptResult } from "../../contracts/attempt.ts";
import type { ProcessExited, SheetDispatched, SheetOutput, StaleCheck } from "./events.ts";
import { timerIds, type SheetState } from "./state.ts";
import { onAttemptResult } from "./attempt-result.ts";
import { setSheetStatus, type Ctx } from "./context.ts";
import { dispatchedSheet } from "./lookup.ts";

export const STALE_RECHECK_MS = 60_000;

export function onStaleCheck(ctx: Ctx, event: StaleCheck): void {
  const found = dispatchedSheet(ctx, event.jobId, event.sheetNum, event.dispatchToken);
  if (found === null) return;
  const { sheet } = found;
  const status = sheet.record.status;
  if (status !== "dispatched" && status !== "in_progress") {
    ctx.reject({
      kind: "invalid_state",
      message: `sheet is ${status}, not playing`,
      jobId: event.jobId,
      sheetNum: event.sheetNum,
    });
    return;
  }
  if (event.musicianAlive) {
    ctx.effects.push({
      kind: "scheduleTimer",
      id: timerIds.stale(event.jobId, event.sheetNum),
      at: ctx.now + STALE_RECHECK_MS,
      event: { ...event, musicianAlive: true },
    });
    return;
  }
  ctx.emit(event.jobId, event.sheetNum, "sheet.stale", { dispatchToken: event.dispatchToken });
  onAttemptResult(ctx, staleResult(sheet, ctx.now));
}

function staleResult(sheet: SheetState, now: number): AttemptResult {
  const r = sheet.record;
  return failedAttempt(
    {
      jobId: r.jobId,
      sheetNum: r.num,
      instrument: r.instrument,
      attemptNumber: sheet.dispatchCount,
      dispatchToken: r.dispatchToken ?? "",
      mode: sheet.nextMode,
    },
    {
      errorClass: "STALE",
      message: `Sheet ${r.num}: musician ended without reporting a result`,
      startedAt: r.startedAt ?? now,
      finishedAt: now,
      durationMs: 0,
      stdoutTail: r.stdoutTail ?? "",
      stderrTail: r.stderrTail ?? "",
    },
  );
}

export function onSheetDispatched(ctx: Ctx, event: SheetDispatched): void {
  const found = dispatchedSheet(ctx, event.jobId, event.sheetNum, event.dispatchToken);
  if (found === null) return;
  const { job, sheet } = found;
  if (sheet.record.status !== "dispatched") {
    ctx.reject({
      kind: "invalid_state",
      message: `sheet is ${sheet.record.status}`,
      jobId: event.jobId,
      sheetNum: event.sheetNum,
    });
    return;
  }
  sheet.record.processGroup = event.processGroup;
  sheet.record.processStartedAt = event.processStartedAt;
  setSheetStatus(ctx, job, sheet, "in_progress");
}

export function onProcessExited(ctx: Ctx, event: ProcessExited): void {
  const found = dispatchedSheet(ctx, event.jobId, event.sheetNum, event.dispatchToken);
  if (found === null) return;
  const { job, sheet } = found;
  if (sheet.record.processGroup === null) return;
  // Nothing left to kill on recovery; the musician still reports its result.
  sheet.record.processGroup = null;
  ctx.touchSheet(job, sheet);
}

/** Progress of a playing sheet: an event for the log and subscribers, no change of state. */
export function onSheetOutput(ctx: Ctx, event: SheetOutput): void {
  const job = ctx.state.jobs.get(event.jobId);
  const sheet = job?.sheets.get(event.sheetNum);
  // Output that lands after the attempt's result (or of a superseded dispatch) is dropped quietly.
  if (sheet === undefined || sheet.record.dispatchToken !== event.dispatchToken) return;
  const status = sheet.record.status;
  if (status !== "dispatched" && status !== "in_progress") return;
  ctx.emit(event.jobId, event.sheetNum, "sheet.output", {
    dispatchToken: event.dispatchToken,
    text: event.text,
    inputTokens: event.inputTokens,
    outputTokens: event.outputTokens,
    truncated: event.truncated,
  });
}
