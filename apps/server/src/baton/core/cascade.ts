/**
 * The cascade (DESIGN.md §5): every non-terminal sheet downstream of a blocking terminal sheet is
 * skipped with E999. The walk goes on through sheets that are already terminal, so a sheet behind
 * an already-skipped or completed one is still reached.
 */
import { ErrorCodes } from "../../contracts/attempt.ts";
import { isTerminalSheet } from "../../contracts/status.ts";
import type { JobState } from "./state.ts";
import {
  cancelSheetTimers,
  isBlockingTerminal,
  killIfPlaying,
  setSheetStatus,
  type Ctx,
} from "./context.ts";

export function blockedMessage(sheetNum: number): string {
  return `Blocked by failed dependency: sheet ${sheetNum}`;
}

export function cascadeFrom(ctx: Ctx, job: JobState, blockingNum: number): number {
  let skipped = 0;
  const visited = new Set<number>([blockingNum]);
  const queue = [...(job.dependents.get(blockingNum) ?? [])];
  while (queue.length > 0) {
    const num = queue.shift()!;
    if (visited.has(num)) continue;
    visited.add(num);
    const sheet = job.sheets.get(num);
    if (sheet === undefined) continue;
    if (!isTerminalSheet(sheet.record.status)) {
      killIfPlaying(ctx, sheet);
      cancelSheetTimers(ctx, sheet);
      sheet.record.errorCode = ErrorCodes.BLOCKED_BY_DEPENDENCY;
      sheet.record.errorMessage = blockedMessage(blockingNum);
      setSheetStatus(ctx, job, sheet, "skipped");
      ctx.emit(job.record.id, num, "sheet.skipped", {
        reason: sheet.record.errorMessage,
        errorCode: sheet.record.errorCode,
        blockedBy: blockingNum,
      });
      skipped += 1;
    }
    for (const next of job.dependents.get(num) ?? []) if (!visited.has(next)) queue.push(next);
  }
  return skipped;
}

/** Re-runs the cascade from every blocking terminal sheet (registration and recovery). */
export function cascadeAll(ctx: Ctx, job: JobState): void {
  for (const sheet of job.sheets.values()) {
    if (isBlockingTerminal(sheet)) cascadeFrom(ctx, job, sheet.record.num);
  }
}
