/**
 * Pure helpers of the seed's adapter: results and skips as bus events, the dependency map of a
 * job, fresh execution states, and the failure a musician reports when it could not play.
 */
import {
  effectivePassRate,
  failedAttempt,
  type ErrorClass,
  type PlayedAttempt,
} from "../../contracts/attempt.ts";
import type { SheetSkipped } from "./events.ts";
import type { DispatchOrder, SheetState } from "./state.ts";
import type { EventDraft } from "../../contracts/event-log.ts";
import type { SheetPlan } from "../../contracts/plan.ts";
import { freshSheetRecord, newSheetState } from "./registry.ts";

/** The bus event a result maps to: rate limit, completion, partial success or failure. */
export function attemptResultToObserverEvent(result: PlayedAttempt): EventDraft {
  const passRate = effectivePassRate(result);
  const event = result.rateLimited
    ? "rate_limit.active"
    : result.executionSuccess && passRate >= 100
      ? "sheet.completed"
      : result.executionSuccess
        ? "sheet.partial"
        : "sheet.failed";
  return {
    jobId: result.jobId,
    sheetNum: result.sheetNum,
    event,
    data: {
      instrument: result.instrument,
      attempt: result.attemptNumber,
      success: result.executionSuccess,
      passRate,
      costUsd: result.costUsd,
      durationMs: result.durationMs,
      rateLimited: result.rateLimited,
      errorClass: result.errorClass,
      modelUsed: result.modelUsed,
    },
    timestamp: result.finishedAt,
  };
}

export function skippedToObserverEvent(
  event: Omit<SheetSkipped, "kind">,
  timestamp: number,
): EventDraft {
  return {
    jobId: event.jobId,
    sheetNum: event.sheetNum,
    event: "sheet.skipped",
    data: { reason: event.reason },
    timestamp,
  };
}

/** `{ sheet: [dependencies] }` of a job's planned sheets (the score already resolved the DAG). */
export function extractDependencies(sheets: readonly SheetPlan[]): Record<number, number[]> {
  const deps: Record<number, number[]> = {};
  for (const sheet of sheets) deps[sheet.num] = [...sheet.dependsOn];
  return deps;
}

/** Fresh execution states (pending, empty budgets) for a job's planned sheets. */
export function sheetsToExecutionStates(
  jobId: string,
  sheets: readonly SheetPlan[],
): Map<number, SheetState> {
  const states = new Map<number, SheetState>();
  for (const plan of sheets)
    states.set(plan.num, newSheetState(plan, freshSheetRecord(jobId, plan)));
  return states;
}

/** What a musician that could not play (or was stopped) reports, so its slot is always freed. */
export function failureResult(
  order: Pick<
    DispatchOrder,
    "jobId" | "sheetNum" | "instrument" | "attemptNumber" | "dispatchToken" | "mode"
  >,
  errorClass: ErrorClass,
  message: string,
  startedAt: number,
  finishedAt: number,
): PlayedAttempt {
  return failedAttempt(order, { errorClass, message, startedAt, finishedAt });
}
