/**
 * A fermata holds a sheet for a person's decision (DESIGN.md §5): retry with a fresh budget,
 * skip (a deliberate skip that satisfies dependents), accept as completed, or fail. The job's
 * escalation pause lifts once no fermata is left.
 */
import { ErrorCodes } from "../../contracts/attempt.ts";
import type {
  EscalationNeeded,
  EscalationResolved,
  EscalationTimeout,
  FermataDecision,
} from "./events.ts";
import { isTerminalSheet } from "../../contracts/status.ts";
import { timerIds, type JobState, type SheetState } from "./state.ts";
import { setSheetStatus, type Ctx } from "./context.ts";
import { enterFermata, failSheet } from "./ladder.ts";

const FERMATA_DECISIONS: readonly FermataDecision[] = ["retry", "skip", "accept", "fail"];

function findSheet(
  ctx: Ctx,
  jobId: string,
  sheetNum: number,
): { job: JobState; sheet: SheetState } | null {
  const job = ctx.state.jobs.get(jobId);
  if (job === undefined) {
    ctx.reject({ kind: "unknown_job", message: `no job ${jobId}`, jobId });
    return null;
  }
  const sheet = job.sheets.get(sheetNum);
  if (sheet === undefined) {
    ctx.reject({
      kind: "unknown_sheet",
      message: `job ${jobId} has no sheet ${sheetNum}`,
      jobId,
      sheetNum,
    });
    return null;
  }
  return { job, sheet };
}

export function onEscalationNeeded(ctx: Ctx, event: EscalationNeeded): void {
  const found = findSheet(ctx, event.jobId, event.sheetNum);
  if (found === null) return;
  const { job, sheet } = found;
  const status = sheet.record.status;
  if (isTerminalSheet(status)) {
    ctx.reject({
      kind: "terminal_sheet",
      message: `sheet is already ${status}`,
      jobId: event.jobId,
      sheetNum: event.sheetNum,
    });
    return;
  }
  if (sheet.musicianAlive || status === "fermata") {
    ctx.reject({
      kind: "invalid_state",
      message: `sheet is ${status}; it cannot be held now`,
      jobId: event.jobId,
      sheetNum: event.sheetNum,
    });
    return;
  }
  enterFermata(ctx, job, sheet, event.reason);
}

export function onEscalationResolved(ctx: Ctx, event: EscalationResolved): void {
  resolve(ctx, event.jobId, event.sheetNum, event.decision, "person");
}

export function onEscalationTimeout(ctx: Ctx, event: EscalationTimeout): void {
  const found = findSheet(ctx, event.jobId, event.sheetNum);
  if (found === null) return;
  if (
    found.sheet.record.status !== "fermata" ||
    found.sheet.fermataGeneration !== event.generation
  ) {
    ctx.reject({
      kind: "invalid_state",
      message: "this fermata was already resolved",
      jobId: event.jobId,
      sheetNum: event.sheetNum,
    });
    return;
  }
  resolve(ctx, event.jobId, event.sheetNum, "fail", "timeout");
}

function resolve(
  ctx: Ctx,
  jobId: string,
  sheetNum: number,
  decision: FermataDecision,
  by: "person" | "timeout",
): void {
  const found = findSheet(ctx, jobId, sheetNum);
  if (found === null) return;
  const { job, sheet } = found;
  const status = sheet.record.status;
  if (status !== "fermata") {
    const kind = isTerminalSheet(status) ? "terminal_sheet" : "invalid_state";
    ctx.reject({
      kind,
      message: `sheet ${sheetNum} is ${status}, not held at a fermata`,
      jobId,
      sheetNum,
    });
    return;
  }
  if (!FERMATA_DECISIONS.includes(decision)) {
    ctx.reject({
      kind: "invalid_state",
      message: `unknown fermata decision ${String(decision)}`,
      jobId,
      sheetNum,
    });
    return;
  }
  ctx.effects.push({ kind: "cancelTimer", id: timerIds.escalation(jobId, sheetNum) });
  const record = sheet.record;
  ctx.emit(jobId, sheetNum, "sheet.fermata_resolved", { decision, by });
  switch (decision) {
    case "retry":
      record.normalAttempts = 0;
      record.completionAttempts = 0;
      sheet.nextMode = "normal";
      setSheetStatus(ctx, job, sheet, "pending");
      break;
    case "skip":
      record.errorCode = null;
      record.errorMessage = "Skipped at a fermata";
      setSheetStatus(ctx, job, sheet, "skipped");
      ctx.emit(jobId, sheetNum, "sheet.skipped", { reason: record.errorMessage });
      break;
    case "accept":
      record.errorCode = null;
      record.errorMessage = null;
      setSheetStatus(ctx, job, sheet, "completed");
      ctx.emit(jobId, sheetNum, "sheet.completed", {
        acceptedAtFermata: true,
        passRate: record.validationPassRate,
      });
      break;
    case "fail":
      failSheet(
        ctx,
        job,
        sheet,
        ErrorCodes.FERMATA_FAILED,
        by === "timeout" ? "Fermata timed out without a decision" : "Failed at a fermata",
      );
      break;
    default: {
      const never: never = decision;
      void never;
    }
  }
}
