/** Builders for plans, specs and results used across the baton tests. */
import type { PlayedAttempt } from "../../../../apps/server/src/contracts/attempt.ts";
import {
  makePolicy,
  type JobSpec,
  type PolicyOverrides,
} from "../../../../apps/server/src/baton/core/policy.ts";
import type { DispatchOrder } from "../../../../apps/server/src/baton/core/state.ts";
import type { SheetPlan } from "../../../../apps/server/src/score/types.ts";

export function plan(num: number, overrides: Partial<SheetPlan> = {}): SheetPlan {
  return {
    num,
    movement: num,
    voice: null,
    voiceCount: 1,
    startItem: num,
    endItem: num,
    description: null,
    instrument: "cli",
    instrumentFallbacks: [],
    model: null,
    timeoutSeconds: 600,
    instrumentConfig: {},
    dependsOn: [],
    skipWhenCommand: null,
    ...overrides,
  };
}

/** A linear chain 1 <- 2 <- ... <- n. */
export function chain(n: number, overrides: Partial<SheetPlan> = {}): SheetPlan[] {
  return Array.from({ length: n }, (_, i) =>
    plan(i + 1, { dependsOn: i === 0 ? [] : [i], ...overrides }),
  );
}

export function independent(n: number, overrides: Partial<SheetPlan> = {}): SheetPlan[] {
  return Array.from({ length: n }, (_, i) => plan(i + 1, overrides));
}

/** Test policies play without pacing or jitter unless a test asks for them. */
export function spec(
  jobId: string,
  sheets: SheetPlan[],
  policy: PolicyOverrides = {},
  extra: Partial<JobSpec> = {},
): JobSpec {
  return {
    jobId,
    workspace: `/tmp/podium-test/${jobId}`,
    sheets,
    totalMovements: Math.max(1, ...sheets.map((s) => s.movement)),
    policy: makePolicy({
      pauseBetweenSheetsSeconds: 0,
      ...policy,
      retry: { jitter: false, ...(policy.retry ?? {}) },
    }),
    prompt: { template: "do sheet {{ sheet_num }}", variables: {} },
    validations: [],
    crossSheet: null,
    ...extra,
  };
}

export type ResultShape = Partial<PlayedAttempt>;

export function resultFor(
  order: Pick<
    DispatchOrder,
    "jobId" | "sheetNum" | "dispatchToken" | "instrument" | "attemptNumber" | "mode"
  >,
  shape: ResultShape = {},
): PlayedAttempt {
  return {
    outcome: "played",
    jobId: order.jobId,
    sheetNum: order.sheetNum,
    instrument: order.instrument,
    attemptNumber: order.attemptNumber,
    dispatchToken: order.dispatchToken,
    mode: order.mode,
    executionSuccess: true,
    exitCode: 0,
    durationMs: 10,
    validationsPassed: 0,
    validationsTotal: 0,
    passRate: 100,
    validationDetails: [],
    errorClass: null,
    errorMessage: null,
    rateLimited: false,
    rateLimitWaitSeconds: null,
    costUsd: 0,
    costUncertain: false,
    inputTokens: null,
    outputTokens: null,
    modelUsed: null,
    stdoutTail: `out ${order.sheetNum}`,
    stderrTail: "",
    renderedPrompt: null,
    startedAt: 0,
    finishedAt: 10,
    ...shape,
  };
}

export const FAILED: ResultShape = {
  executionSuccess: false,
  exitCode: 1,
  passRate: 0,
  errorClass: "EXECUTION_ERROR",
  errorMessage: "boom",
};
export const AUTH: ResultShape = {
  executionSuccess: false,
  exitCode: 1,
  passRate: 0,
  errorClass: "AUTH_FAILURE",
  errorMessage: "bad key",
};
export const RATE_LIMITED: ResultShape = {
  executionSuccess: false,
  exitCode: 1,
  passRate: 0,
  errorClass: "RATE_LIMIT",
  rateLimited: true,
  rateLimitWaitSeconds: 120,
};
export function partial(passed: number, total: number): ResultShape {
  return {
    validationsPassed: passed,
    validationsTotal: total,
    passRate: (passed / total) * 100,
    validationDetails: Array.from({ length: total }, (_, i) => ({
      index: i,
      type: "file_exists",
      description: `check ${i}`,
      passed: i < passed,
      message: i < passed ? null : "missing",
    })),
  };
}
