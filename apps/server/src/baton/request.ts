/**
 * Building what a musician is asked to play, at dispatch time: the dispatch order from the core
 * plus the job's spec and the cross-sheet context of earlier sheets.
 */
import type { AttemptRequest, PromptInputs } from "./attempt.ts";
import type { CrossSheetSpec, JobSpec } from "./policy.ts";
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

/** Stdout tails of completed earlier sheets, newest `lookbackSheets` (0 = all), each cut to size. */
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
    if (earlier === undefined || earlier.record.status !== "completed") continue;
    const text = earlier.record.stdoutTail;
    if (text === null || text === "") continue;
    outputs[num] =
      text.length > crossSheet.maxOutputChars
        ? text.slice(text.length - crossSheet.maxOutputChars)
        : text;
  }
  return outputs;
}

export type { JobSpec };
