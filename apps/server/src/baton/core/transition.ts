/**
 * The pure core: `transition(state, event, now)`. No I/O, no clock, no timers: time comes in with
 * the call, and everything the world must do comes back as effects (commit first). Events that do
 * not apply come back as a typed rejection; nothing here throws for bad input.
 *
 * The state is owned by the caller and updated in place (copying thousands of sheets per event
 * would dominate the cost); records handed out in effects are snapshots, never live objects.
 */
import type { BatonEvent } from "./events.ts";
import type { BatonState, TransitionResult } from "./state.ts";
import { onAttemptResult } from "./attempt-result.ts";
import { onBreakerRecovery } from "./circuit-breaker.ts";
import { Ctx, finish } from "./context.ts";
import { onEscalationNeeded, onEscalationResolved, onEscalationTimeout } from "./fermata.ts";
import {
  onCancel,
  onDeregister,
  onInstrumentFallback,
  onJobTimeout,
  onPacingComplete,
  onPause,
  onResume,
  onRetryDue,
  onSheetSkipped,
  onShutdown,
} from "./lifecycle.ts";
import {
  onProcessExited,
  onSheetDispatched,
  onSheetOutput,
  onStaleCheck,
} from "./musician-events.ts";
import { hitRateLimit, onClearRateLimit, onRateLimitExpired } from "./rate-limit.ts";
import { onRecoverJob, onRegisterJob } from "./registry.ts";
import {
  onFailUnrecoverable,
  onHookReported,
  onHooksFinished,
  onReplaceScore,
  onSubmitJob,
} from "./submission.ts";

export function transition(state: BatonState, event: BatonEvent, now: number): TransitionResult {
  const ctx = new Ctx(state, now);
  apply(ctx, event);
  return finish(ctx);
}

function apply(ctx: Ctx, event: BatonEvent): void {
  switch (event.kind) {
    case "SheetAttemptResult":
      return onAttemptResult(ctx, event.result);
    case "SheetSkipped":
      return onSheetSkipped(ctx, event);
    case "SheetDispatched":
      return onSheetDispatched(ctx, event);
    case "SheetOutput":
      return onSheetOutput(ctx, event);
    case "RateLimitHit":
      return hitRateLimit(ctx, event.instrument, event.waitSeconds, {
        jobId: event.jobId,
        sheetNum: event.sheetNum,
      });
    case "RateLimitExpired":
      return onRateLimitExpired(ctx, event.instrument, event.generation);
    case "RetryDue":
      return onRetryDue(ctx, event);
    case "StaleCheck":
      return onStaleCheck(ctx, event);
    case "PacingComplete":
      return onPacingComplete(ctx, event);
    case "EscalationNeeded":
      return onEscalationNeeded(ctx, event);
    case "EscalationResolved":
      return onEscalationResolved(ctx, event);
    case "EscalationTimeout":
      return onEscalationTimeout(ctx, event);
    case "PauseJob":
      return onPause(ctx, event);
    case "ResumeJob":
      return onResume(ctx, event);
    case "CancelJob":
      return onCancel(ctx, event);
    case "ShutdownRequested":
      return onShutdown(ctx);
    case "ProcessExited":
      return onProcessExited(ctx, event);
    case "InstrumentFallback":
      return onInstrumentFallback(ctx, event);
    case "DispatchRetry":
      return;
    case "CircuitBreakerRecovery":
      return onBreakerRecovery(ctx, event.instrument, event.generation);
    case "JobTimeout":
      return onJobTimeout(ctx, event);
    case "ClearRateLimit":
      return onClearRateLimit(ctx, event.instrument);
    case "RegisterJob":
      return onRegisterJob(ctx, event);
    case "RecoverJob":
      return onRecoverJob(ctx, event);
    case "DeregisterJob":
      return onDeregister(ctx, event.jobId);
    case "SubmitJob":
      return onSubmitJob(ctx, event);
    case "FailUnrecoverable":
      return onFailUnrecoverable(ctx, event);
    case "HookReported":
      return onHookReported(ctx, event);
    case "HooksFinished":
      return onHooksFinished(ctx, event);
    case "ReplaceScore":
      return onReplaceScore(ctx, event);
    default: {
      const unknown: never = event;
      ctx.reject({
        kind: "invalid_state",
        message: `unknown event ${JSON.stringify((unknown as { kind?: unknown }).kind)}`,
      });
    }
  }
}
