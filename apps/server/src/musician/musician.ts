/**
 * The musician plays one attempt of one sheet (DESIGN.md §6): prepare the workspace, note the
 * modification times `file_modified` rules compare against, render the prompt, run the
 * instrument, run the validations, price the tokens, redact secrets. It always resolves with
 * exactly one AttemptResult and never rejects, whatever goes wrong, so the baton never loses a
 * concurrency slot.
 *
 * An instrument that exits non-zero on its own (no timeout, signal, rate limit or auth problem)
 * may still have done its work, so validations run after it too. When every applicable
 * validation then passes, the attempt is reported as a success (executionSuccess true, pass
 * rate 100) and errorMessage records the exit code, so the baton completes the sheet.
 */
import { accessSync, constants, mkdirSync } from "node:fs";
import {
  effectivePassRate,
  validationShare,
  type AttemptRequest,
  type ErrorClass,
  type PlayedAttempt,
  type PlayingMusician,
  type PlayHooks,
  type ValidationDetail,
} from "../contracts/attempt.ts";
import type { Clock } from "../contracts/clock.ts";
import type { BackendRunResult } from "../instruments/backend.ts";
import { estimateCost } from "../instruments/cost.ts";
import { BackendPool, unknownInstrumentMessage } from "../instruments/pool.ts";
import { TAIL_CHARS, tailOf } from "../instruments/process-group.ts";
import { PromptRenderer } from "../prompt/renderer.ts";
import { createRedactor } from "../secrets/redact.ts";
import { validationValues } from "../validation/context.ts";
import {
  runValidations,
  snapshotModifiedTargets,
  type ValidationSummary,
} from "../validation/engine.ts";

export interface MusicianOptions {
  pool: BackendPool;
  clock?: Clock;
  /** Environment for validation commands and for redaction. Default: the pool's. */
  env?: NodeJS.ProcessEnv;
  renderer?: PromptRenderer;
}

interface Outcome {
  executionSuccess: boolean;
  errorClass: ErrorClass | null;
  errorMessage: string | null;
  run: BackendRunResult | null;
  validation: ValidationSummary | null;
  passRate: number;
  renderedPrompt: string | null;
}

function failure(
  errorClass: ErrorClass,
  errorMessage: string,
  renderedPrompt: string | null = null,
): Outcome {
  return {
    executionSuccess: false,
    errorClass,
    errorMessage,
    run: null,
    validation: null,
    passRate: 0,
    renderedPrompt,
  };
}

function failedRuleList(details: ValidationDetail[]): string {
  return details
    .filter((detail) => !detail.passed)
    .map(
      (detail) =>
        `${detail.description ?? detail.type}${detail.message ? ` (${detail.message})` : ""}`,
    )
    .join("; ");
}

/**
 * The workspace exists and is usable: one access check in the usual case (it exists from the
 * job's first attempt on), the folder made only when it is missing.
 */
function prepareWorkspace(workspace: string): void {
  try {
    accessSync(workspace, constants.W_OK | constants.X_OK);
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  mkdirSync(workspace, { recursive: true });
  accessSync(workspace, constants.W_OK | constants.X_OK);
}

export function createMusician(options: MusicianOptions): PlayingMusician {
  const pool = options.pool;
  const clock = options.clock ?? pool.clock;
  const env = options.env ?? pool.env;
  // The environment is fixed for the musician's life: its secrets are collected once, not per text.
  const redact = createRedactor(env);
  const renderer = options.renderer ?? new PromptRenderer();

  async function perform(request: AttemptRequest, hooks: PlayHooks): Promise<Outcome> {
    if (hooks.signal.aborted) return failure("CANCELLED", "cancelled before the attempt started");
    const profile = pool.profile(request.instrument);
    if (!profile)
      return failure("UNKNOWN_INSTRUMENT", unknownInstrumentMessage(request.instrument));

    try {
      prepareWorkspace(request.workspace);
    } catch (error) {
      return failure(
        "WORKSPACE_ERROR",
        `workspace ${request.workspace} cannot be used: ${(error as Error).message}`,
      );
    }

    const values = validationValues(request);
    const snapshot = snapshotModifiedTargets(request.validations, values, request.workspace);

    const rendered = await renderer.render(request, { rawPrompt: profile.raw_prompt });
    if (!rendered.ok) return failure("EXECUTION_ERROR", rendered.message);

    const timeoutSeconds =
      Number.isFinite(request.timeoutSeconds) && request.timeoutSeconds > 0
        ? request.timeoutSeconds
        : profile.default_timeout_seconds;
    const run = await pool.run(request.instrument, {
      prompt: rendered.prompt,
      model: request.model,
      workspace: request.workspace,
      timeoutSeconds,
      idleTimeoutSeconds: request.idleTimeoutSeconds ?? null,
      signal: hooks.signal,
      onSpawn: hooks.onSpawn,
      onOutput: hooks.onOutput,
    });
    const base = { run, renderedPrompt: rendered.prompt };
    if (hooks.signal.aborted || run.errorClass === "CANCELLED") {
      return {
        ...base,
        ...failure("CANCELLED", run.errorMessage ?? "cancelled"),
        run,
        renderedPrompt: rendered.prompt,
      };
    }
    if (!run.executionSuccess && !run.plainFailure) {
      return {
        ...base,
        executionSuccess: false,
        errorClass: run.errorClass,
        errorMessage: run.errorMessage,
        validation: null,
        passRate: 0,
      };
    }

    const validation = await runValidations({
      rules: request.validations,
      values,
      workspace: request.workspace,
      snapshot,
      signal: hooks.signal,
      env,
    });
    if (hooks.signal.aborted) {
      return {
        ...base,
        ...failure("CANCELLED", "cancelled while validating"),
        run,
        renderedPrompt: rendered.prompt,
      };
    }
    const allPassed = validation.passed === validation.applicable;
    if (run.executionSuccess) {
      const passRate = effectivePassRate({
        executionSuccess: true,
        validationsTotal: validation.applicable,
        passRate: validationShare(validation.passed, validation.applicable),
      });
      return {
        ...base,
        executionSuccess: true,
        validation,
        passRate,
        errorClass: allPassed ? null : "VALIDATION_FAILED",
        errorMessage: allPassed
          ? null
          : `validations failed: ${failedRuleList(validation.details)}`,
      };
    }
    if (validation.applicable > 0 && allPassed) {
      return {
        ...base,
        executionSuccess: true,
        validation,
        passRate: 100,
        errorClass: null,
        errorMessage: `${run.errorMessage ?? "instrument failed"}; every validation passed, so the attempt counts as a success`,
      };
    }
    return {
      ...base,
      executionSuccess: false,
      validation,
      passRate: validationShare(validation.passed, validation.applicable),
      errorClass: run.errorClass,
      errorMessage: run.errorMessage,
    };
  }

  return {
    async play(request: AttemptRequest, hooks: PlayHooks): Promise<PlayedAttempt> {
      const startedAt = clock.now();
      const startedMonotonic = performance.now();
      let outcome: Outcome;
      try {
        outcome = await perform(request, hooks);
      } catch (error) {
        outcome = failure(
          "EXECUTION_ERROR",
          `internal error while playing the sheet: ${(error as Error).message}`,
        );
      }
      const finishedAt = clock.now();
      const run = outcome.run;
      const profile = pool.profile(request.instrument);
      const reported = run?.reportedCostUsd ?? null;
      const cost =
        reported !== null
          ? { costUsd: reported, costUncertain: false }
          : profile
            ? estimateCost(
                profile,
                [request.model, run?.modelUsed ?? null],
                run?.inputTokens ?? null,
                run?.outputTokens ?? null,
              )
            : { costUsd: 0, costUncertain: false };
      // The store redacts every record (secrets/redact-records.ts); tails are redacted here too,
      // before they are cut, so that no piece of a secret survives at a tail's first line.
      const details = (outcome.validation?.details ?? []).map((detail) => ({
        ...detail,
        message: detail.message === null ? null : redact(detail.message),
      }));
      return {
        outcome: "played",
        jobId: request.jobId,
        sheetNum: request.sheetNum,
        instrument: request.instrument,
        attemptNumber: request.attemptNumber,
        dispatchToken: request.dispatchToken,
        mode: request.mode,
        executionSuccess: outcome.executionSuccess,
        exitCode: run?.exitCode ?? null,
        durationMs: Math.round(performance.now() - startedMonotonic),
        validationsPassed: outcome.validation?.passed ?? 0,
        validationsTotal: outcome.validation?.applicable ?? 0,
        passRate: outcome.passRate,
        validationDetails: details,
        errorClass: outcome.errorClass,
        errorMessage: outcome.errorMessage === null ? null : redact(outcome.errorMessage),
        rateLimited: run?.rateLimited ?? false,
        rateLimitWaitSeconds: run?.rateLimited ? run.rateLimitWaitSeconds : null,
        costUsd: cost.costUsd,
        costUncertain: cost.costUncertain,
        inputTokens: run?.inputTokens ?? null,
        outputTokens: run?.outputTokens ?? null,
        modelUsed: run?.modelUsed ?? request.model ?? profile?.default_model ?? null,
        stdoutTail: tailOf(redact(run?.stdoutTail ?? ""), TAIL_CHARS),
        stderrTail: tailOf(redact(run?.stderrTail ?? ""), TAIL_CHARS),
        renderedPrompt: outcome.renderedPrompt === null ? null : redact(outcome.renderedPrompt),
        startedAt,
        finishedAt,
      };
    },
  };
}
