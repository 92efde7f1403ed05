/**
 * One circuit breaker per instrument: it opens after N consecutive failed executions, stays open
 * for a recovery delay (30 s doubling to the policy ceiling, 300 s by default), then lets trial
 * attempts through (half-open); a success closes it and resets the delay.
 */
import type { CircuitBreakerPolicy } from "./policy.ts";
import { timerIds, type BatonState, type BreakerState } from "./state.ts";
import type { Ctx } from "./context.ts";

export const BREAKER_FIRST_RECOVERY_MS = 30_000;

function breakerOf(state: BatonState, instrument: string): BreakerState {
  let breaker = state.breakers.get(instrument);
  if (breaker === undefined) {
    breaker = {
      state: "closed",
      consecutiveFailures: 0,
      nextRecoveryMs: BREAKER_FIRST_RECOVERY_MS,
      generation: 0,
    };
    state.breakers.set(instrument, breaker);
  }
  return breaker;
}

export function isBreakerOpen(state: BatonState, instrument: string): boolean {
  return state.breakers.get(instrument)?.state === "open";
}

export function recordBreakerSuccess(state: BatonState, instrument: string): void {
  const breaker = state.breakers.get(instrument);
  if (breaker === undefined) return;
  breaker.state = "closed";
  breaker.consecutiveFailures = 0;
  breaker.nextRecoveryMs = BREAKER_FIRST_RECOVERY_MS;
}

export function recordBreakerFailure(
  ctx: Ctx,
  instrument: string,
  policy: CircuitBreakerPolicy,
  jobId: string,
): void {
  if (!policy.enabled) return;
  const breaker = breakerOf(ctx.state, instrument);
  breaker.consecutiveFailures += 1;
  const trialFailed = breaker.state === "half_open";
  if (breaker.state === "open") return;
  if (!trialFailed && breaker.consecutiveFailures < policy.failureThreshold) return;
  const ceilingMs = policy.recoveryTimeoutSeconds * 1000;
  const delay = Math.min(breaker.nextRecoveryMs, ceilingMs);
  breaker.state = "open";
  breaker.generation += 1;
  breaker.nextRecoveryMs = Math.min(delay * 2, ceilingMs);
  const id = timerIds.breaker(instrument);
  ctx.effects.push({ kind: "cancelTimer", id });
  ctx.effects.push({
    kind: "scheduleTimer",
    id,
    at: ctx.now + delay,
    event: { kind: "CircuitBreakerRecovery", instrument, generation: breaker.generation },
  });
  ctx.emit(jobId, 0, "circuit_breaker.open", {
    instrument,
    failures: breaker.consecutiveFailures,
    recoveryMs: delay,
  });
}

export function onBreakerRecovery(ctx: Ctx, instrument: string, generation: number): void {
  const breaker = ctx.state.breakers.get(instrument);
  if (breaker === undefined || breaker.state !== "open" || breaker.generation !== generation) {
    ctx.reject({
      kind: "invalid_state",
      message: `circuit breaker of ${instrument} is not waiting for this recovery`,
    });
    return;
  }
  breaker.state = "half_open";
  for (const job of ctx.state.jobs.values()) {
    if (job.terminalCount === job.sheets.size) continue;
    ctx.emit(job.record.id, 0, "circuit_breaker.closed", { instrument, state: "half_open" });
  }
}
