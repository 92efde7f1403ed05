/**
 * Building what a musician is asked to play, at dispatch time: the dispatch order from the core
 * plus the job's spec and the cross-sheet context of earlier sheets.
 */
import type { AttemptRequest, PromptInputs } from "../../contracts/attempt.ts";
import { jobConcurrencyCap, type CrossSheetSpec, type JobSpec } from "./policy.ts";
import type { DispatchOrder, JobState } from "./state.ts";

export function buildAttemptRequest(job: JobState, order: DispatchOrder): AttemptRequest {
  const spec = job.spec;
  const sheet = job.sheets.get(order.sheetNum);
  if (sheet === undefined) throw new Error(`job ${spec.jobId} has no sheet ${order.sheetNum}`);
  const prompt: PromptInputs = {
    template: spec.prompt.template,
    variables: spec.prompt.variables,
    previousOutputs: previousOutputs(job, order.sheetNum, spec.crossSheet),
    previousFiles: {},
    failedValidations: order.failedValidations,
    retryNotice: order.retryNotice,
    injections: [
      ...(spec.prompt.injections?.prelude ?? []),
      ...(spec.prompt.injections?.cadenzas[order.sheetNum] ?? []),
    ],
    concurrentSheets: mayRunConcurrently(job, order.sheetNum),
  };
  return {
    jobId: spec.jobId,
    sheetNum: order.sheetNum,
    attemptNumber: order.attemptNumber,
    dispatchToken: order.dispatchToken,
    mode: order.mode,
    instrument: order.instrument,
    model: order.model,
    timeoutSeconds: order.timeoutSeconds,
    idleTimeoutSeconds: spec.policy.staleDetection.enabled
      ? spec.policy.staleDetection.idleTimeoutSeconds
      : null,
    workspace: spec.workspace,
    sheet: sheet.plan,
    totalSheets: spec.sheets.length,
    totalMovements: spec.totalMovements,
    prompt,
    validations: spec.validations,
  };
}

export const SKIPPED_OUTPUT = "[SKIPPED]";
export const TRUNCATION_MARKER = "\n... [truncated]";

/** Longer than `maxChars`: the head is kept and the truncation marker ends it (SCORE-SCHEMA §33). */
export function truncateContext(text: string, maxChars: number): string {
  return text.length > maxChars ? text.slice(0, maxChars) + TRUNCATION_MARKER : text;
}

/**
 * Whether another sheet of the job may play while this one does: the job plays more than one
 * sheet at a time and some sheet is neither upstream nor downstream of this one.
 */
export function mayRunConcurrently(job: JobState, sheetNum: number): boolean {
  if (jobConcurrencyCap(job.spec.policy) <= 1 || job.spec.sheets.length <= 1) return false;
  const related = new Set<number>([sheetNum]);
  const dependents = new Map<number, number[]>();
  for (const plan of job.spec.sheets) {
    for (const dep of plan.dependsOn)
      dependents.set(dep, [...(dependents.get(dep) ?? []), plan.num]);
  }
  const walk = (start: number, next: (num: number) => readonly number[]) => {
    const stack = [start];
    while (stack.length > 0) {
      for (const num of next(stack.pop()!)) {
        if (!related.has(num)) {
          related.add(num);
          stack.push(num);
        }
      }
    }
  };
  walk(sheetNum, (num) => job.sheets.get(num)?.plan.dependsOn ?? []);
  walk(sheetNum, (num) => dependents.get(num) ?? []);
  return related.size < job.spec.sheets.length;
}

/**
 * Stdout of earlier sheets, newest `lookbackSheets` (0 = all): completed ones cut to size,
 * skipped ones as `[SKIPPED]`.
 */
export function previousOutputs(
  job: JobState,
  sheetNum: number,
  crossSheet: CrossSheetSpec | null,
): Record<number, string> {
  const outputs: Record<number, string> = {};
  if (crossSheet === null || !crossSheet.autoCaptureStdout) return outputs;
  const lowest = crossSheet.lookbackSheets > 0 ? sheetNum - crossSheet.lookbackSheets : 1;
  for (let num = Math.max(1, lowest); num < sheetNum; num++) {
    const earlier = job.sheets.get(num);
    if (earlier?.record.status === "skipped") {
      outputs[num] = SKIPPED_OUTPUT;
      continue;
    }
    if (earlier === undefined || earlier.record.status !== "completed") continue;
    const text = earlier.record.stdoutTail;
    if (text === null || text === "") continue;
    outputs[num] = truncateContext(text, crossSheet.maxOutputChars);
  }
  return outputs;
}

export type { JobSpec };
