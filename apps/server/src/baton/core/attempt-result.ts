/**
 * Handling a musician's result, in the order of DESIGN.md §5: drop what does not belong to the
 * current dispatch, record the attempt, then rate limit, completion, completion mode, auth
 * failure, ordinary failure.
 */
import {
  ErrorCodes,
  effectivePassRate,
  type AttemptResult,
  type PlayedAttempt,
} from "../../contracts/attempt.ts";
import type { AttemptRecord } from "../../contracts/records.ts";
import { isTerminalSheet } from "../../contracts/status.ts";
import { timerIds, type JobState, type SheetState } from "./state.ts";
import { isBreakerOpen, recordBreakerFailure, recordBreakerSuccess } from "./circuit-breaker.ts";
import { releaseMusician, setSheetStatus, type Ctx } from "./context.ts";
import {
  exhaust,
  failSheet,
  fallbackNow,
  hasNextInstrument,
  moveToInstrument,
  normalRetryDelay,
  scheduleRetry,
} from "./ladder.ts";
import { addPauseReason } from "./pause.ts";
import { skipSheet } from "./lifecycle.ts";
import { hitRateLimit, isRateLimited, rateLimitWait } from "./rate-limit.ts";

export function onAttemptResult(ctx: Ctx, result: AttemptResult): void {
  const job = ctx.state.jobs.get(result.jobId);
  if (job === undefined) {
    ctx.reject({ kind: "unknown_job", message: `no job ${result.jobId}`, jobId: result.jobId });
    return;
  }
  const sheet = job.sheets.get(result.sheetNum);
  if (sheet === undefined) {
    ctx.reject({
      kind: "unknown_sheet",
      message: `job ${result.jobId} has no sheet ${result.sheetNum}`,
      jobId: result.jobId,
      sheetNum: result.sheetNum,
    });
    return;
  }
  const where = { jobId: result.jobId, sheetNum: result.sheetNum };
  if (sheet.record.dispatchToken !== result.dispatchToken) {
    ctx.reject({
      kind: "stale_token",
      message: `result of superseded dispatch ${result.dispatchToken} dropped`,
      ...where,
    });
    return;
  }
  // The token is current, so this musician is done whatever happens next: free its slot.
  releaseMusician(ctx, job, sheet);
  ctx.effects.push({ kind: "cancelTimer", id: timerIds.stale(result.jobId, result.sheetNum) });
  const status = sheet.record.status;
  if (isTerminalSheet(status)) {
    ctx.reject({
      kind: "terminal_sheet",
      message: `sheet is already ${status}; result dropped`,
      ...where,
    });
    return;
  }
  if (status !== "dispatched" && status !== "in_progress") {
    ctx.reject({
      kind: "invalid_state",
      message: `sheet is ${status}, not playing; result dropped`,
      ...where,
    });
    return;
  }
  if (result.outcome === "skipped") {
    // skip_when_command said the sheet need not be played: nothing was attempted.
    skipSheet(ctx, job, sheet, result.reason);
    return;
  }
  recordAttempt(ctx, job, sheet, result);
  decide(ctx, job, sheet, result);
  checkJobCost(ctx, job);
}

function recordAttempt(ctx: Ctx, job: JobState, sheet: SheetState, r: PlayedAttempt): void {
  const record = sheet.record;
  const attempt: AttemptRecord = {
    jobId: r.jobId,
    sheetNum: r.sheetNum,
    attemptNumber: r.attemptNumber,
    mode: r.mode,
    instrument: r.instrument,
    model: r.modelUsed ?? record.model,
    dispatchToken: r.dispatchToken,
    executionSuccess: r.executionSuccess,
    exitCode: r.exitCode,
    durationMs: r.durationMs,
    validationsPassed: r.validationsPassed,
    validationsTotal: r.validationsTotal,
    passRate: effectivePassRate(r),
    validationDetails: r.validationDetails,
    errorClass: r.errorClass,
    errorMessage: r.errorMessage,
    rateLimited: r.rateLimited,
    costUsd: r.costUsd,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    stdoutTail: r.stdoutTail,
    stderrTail: r.stderrTail,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
  };
  ctx.attempts.push(attempt);
  record.costUsd += r.costUsd;
  record.durationMs += r.durationMs;
  record.stdoutTail = r.stdoutTail;
  record.stderrTail = r.stderrTail;
  if (r.renderedPrompt !== null) record.prompt = r.renderedPrompt;
  job.record.costUsd += r.costUsd;
  ctx.touchSheet(job, sheet);
}

function decide(ctx: Ctx, job: JobState, sheet: SheetState, r: PlayedAttempt): void {
  const policy = job.spec.policy;
  const record = sheet.record;
  const jobId = job.record.id;

  if (r.rateLimited && !r.executionSuccess && sheet.rateLimitWaits < policy.rateLimit.maxWaits) {
    const waitSeconds = rateLimitWait(r.rateLimitWaitSeconds, policy.rateLimit.waitMinutes);
    hitRateLimit(ctx, r.instrument, waitSeconds, { jobId, sheetNum: record.num });
    const free = unlimitedFallback(ctx, sheet);
    if (free !== null) {
      moveToInstrument(ctx, job, sheet, free, `${r.instrument} is rate limited`);
      setSheetStatus(ctx, job, sheet, "pending");
      return;
    }
    sheet.rateLimitWaits += 1;
    setSheetStatus(ctx, job, sheet, "waiting");
    record.dueAt = ctx.state.rateLimits.get(r.instrument)?.until ?? null;
    ctx.emit(jobId, record.num, "sheet.waiting", {
      instrument: r.instrument,
      waitSeconds,
    });
    return;
  }
  sheet.rateLimitWaits = 0;

  if (r.executionSuccess) recordBreakerSuccess(ctx.state, r.instrument);
  else if (r.errorClass !== "CANCELLED")
    recordBreakerFailure(ctx, r.instrument, policy.circuitBreaker, jobId);

  const passRate = effectivePassRate(r);
  if (r.executionSuccess && passRate >= 100) {
    record.validationPassRate = 100;
    record.errorCode = null;
    record.errorMessage = null;
    setSheetStatus(ctx, job, sheet, "completed");
    ctx.emit(jobId, record.num, "sheet.completed", {
      instrument: r.instrument,
      attempt: r.attemptNumber,
      costUsd: r.costUsd,
      durationMs: r.durationMs,
      passRate: 100,
    });
    startPacing(ctx, job);
    return;
  }

  record.validationPassRate = passRate;
  sheet.lastFailedValidations = r.validationDetails
    .filter((d) => !d.passed)
    .map((d) => d.description ?? d.type);
  if (r.executionSuccess && passRate > 0) {
    record.completionAttempts += 1;
    sheet.lastError = `validations passed ${r.validationsPassed}/${r.validationsTotal}`;
    ctx.emit(jobId, record.num, "sheet.partial", {
      passRate,
      completionAttempts: record.completionAttempts,
    });
    if (failIfOverSheetCost(ctx, job, sheet)) return;
    if (record.completionAttempts < policy.retry.maxCompletionAttempts) {
      scheduleRetry(
        ctx,
        job,
        sheet,
        "completion",
        Math.round(policy.retry.completionDelaySeconds * 1000),
      );
    } else {
      exhaust(ctx, job, sheet, "completion attempts exhausted");
    }
    return;
  }

  sheet.lastError =
    r.errorMessage ?? (r.executionSuccess ? "no validation passed" : `exit code ${r.exitCode}`);
  if (r.errorClass === "UNKNOWN_INSTRUMENT") {
    // Unavailable here (no profile, executable not on PATH): retrying cannot help.
    if (hasNextInstrument(sheet)) fallbackNow(ctx, job, sheet, "instrument not usable here");
    else
      failSheet(
        ctx,
        job,
        sheet,
        ErrorCodes.UNKNOWN_INSTRUMENT,
        r.errorMessage ?? "Instrument not usable here",
      );
    return;
  }
  if (r.errorClass === "AUTH_FAILURE") {
    if (hasNextInstrument(sheet)) fallbackNow(ctx, job, sheet, "authentication failed");
    else
      failSheet(
        ctx,
        job,
        sheet,
        ErrorCodes.AUTH_FAILURE,
        r.errorMessage ?? "Authentication failed",
      );
    return;
  }

  record.normalAttempts += 1;
  if (failIfOverSheetCost(ctx, job, sheet)) return;
  if (record.normalAttempts < policy.retry.maxRetries) {
    scheduleRetry(ctx, job, sheet, "normal", normalRetryDelay(ctx, job, sheet));
  } else {
    exhaust(ctx, job, sheet, sheet.lastError);
  }
}

/** A sheet whose attempts have cost its limit is failed rather than retried (E801). */
function failIfOverSheetCost(ctx: Ctx, job: JobState, sheet: SheetState): boolean {
  const limits = job.spec.policy.costLimits;
  const max = limits.maxCostPerSheet;
  if (!limits.enabled || max === null || sheet.record.costUsd < max) return false;
  const spent = sheet.record.costUsd.toFixed(4);
  failSheet(
    ctx,
    job,
    sheet,
    ErrorCodes.COST_LIMIT,
    `Sheet cost $${spent} reached its limit $${max}`,
  );
  return true;
}

/** The first later instrument of the chain that is neither rate limited nor behind an open breaker. */
function unlimitedFallback(ctx: Ctx, sheet: SheetState): number | null {
  const chain = sheet.record.instrumentChain;
  for (let index = sheet.record.instrumentIndex + 1; index < chain.length; index++) {
    const candidate = chain[index]!;
    if (!isRateLimited(ctx.state, candidate, ctx.now) && !isBreakerOpen(ctx.state, candidate))
      return index;
  }
  return null;
}

/**
 * The pause between sheets separates one sheet from the next, as in Marianne: it starts only when
 * nothing else of the job is playing, so it never idles slots of a parallel wave.
 */
function startPacing(ctx: Ctx, job: JobState): void {
  const seconds = job.spec.policy.pauseBetweenSheetsSeconds;
  if (seconds <= 0 || job.terminalCount === job.sheets.size || job.running > 0) return;
  job.pacingGeneration += 1;
  job.pacingUntil = ctx.now + seconds * 1000;
  const id = timerIds.pacing(job.record.id);
  ctx.effects.push({ kind: "cancelTimer", id });
  ctx.effects.push({
    kind: "scheduleTimer",
    id,
    at: job.pacingUntil,
    event: { kind: "PacingComplete", jobId: job.record.id, generation: job.pacingGeneration },
  });
}

/** Pauses the job (reason cost_limit) once its cost reaches the job limit. */
export function checkJobCost(ctx: Ctx, job: JobState): boolean {
  const limits = job.spec.policy.costLimits;
  const max = limits.maxCostPerJob;
  if (!limits.enabled || max === null || job.record.costUsd < max) return false;
  if (job.terminalCount < job.sheets.size) addPauseReason(ctx, job, "cost_limit");
  return true;
}
