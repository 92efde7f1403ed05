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
  const spec = job.spec;
  if (jobConcurrencyCap(spec.policy) <= 1 || spec.sheets.length <= 1) return false;
  let answers = concurrencyAnswers.get(spec);
  if (answers === undefined) {
    answers = { dag: dagOf(spec), bySheet: new Map() };
    concurrencyAnswers.set(spec, answers);
  }
  let answer = answers.bySheet.get(sheetNum);
  if (answer === undefined) {
    answer = relatedSheets(answers.dag, sheetNum) < spec.sheets.length;
    answers.bySheet.set(sheetNum, answer);
  }
  return answer;
}

interface Dag {
  dependsOn: Map<number, readonly number[]>;
  dependents: Map<number, number[]>;
}

/**
 * The answer depends on the spec's dependency graph alone, which never changes for a spec (a
 * corrected score is a new spec): it is worked out once per sheet, not at every dispatch, which
 * for a wide job would walk the whole graph each time.
 */
const concurrencyAnswers = new WeakMap<JobSpec, { dag: Dag; bySheet: Map<number, boolean> }>();

function dagOf(spec: JobSpec): Dag {
  const dependsOn = new Map<number, readonly number[]>();
  const dependents = new Map<number, number[]>();
  for (const plan of spec.sheets) {
    dependsOn.set(plan.num, plan.dependsOn);
    for (const dep of plan.dependsOn) {
      const list = dependents.get(dep);
      if (list === undefined) dependents.set(dep, [plan.num]);
      else list.push(plan.num);
    }
  }
  return { dependsOn, dependents };
}

/** How many sheets are upstream or downstream of `sheetNum`, itself included. */
function relatedSheets(dag: Dag, sheetNum: number): number {
  const related = new Set<number>([sheetNum]);
  const walk = (next: Map<number, readonly number[]>): void => {
    const stack = [sheetNum];
    while (stack.length > 0) {
      for (const num of next.get(stack.pop()!) ?? []) {
        if (!related.has(num)) {
          related.add(num);
          stack.push(num);
        }
      }
    }
  };
  walk(dag.dependsOn);
  walk(dag.dependents);
  return related.size;
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
