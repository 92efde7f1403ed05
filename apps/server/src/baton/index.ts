/** The baton's public surface. */
export * from "./events.ts";
export * from "./policy.ts";
export * from "./state.ts";
export { transition } from "./transition.ts";
export {
  dispatchReady,
  DEFAULT_DISPATCH_LIMITS,
  DEFAULT_INSTRUMENT_MAX_CONCURRENT,
  DEFAULT_MAX_CONCURRENT_SHEETS,
  STALE_GRACE_MS,
  type DispatchLimits,
  type DispatchResult,
  type DispatchSkip,
  type SkipReason,
} from "./dispatch.ts";
export { TimerWheel } from "./timer-wheel.ts";
export {
  BatonAdapter,
  UnknownJobError,
  type BatonAdapterOptions,
  type BatonOutcome,
} from "./adapter.ts";
export { mergeCommits, splitEffects } from "./commit-batch.ts";
export { MemoryCheckpointStore } from "./memory-store.ts";
export { buildAttemptRequest, previousOutputs } from "./request.ts";
export {
  attemptResultToObserverEvent,
  skippedToObserverEvent,
  extractDependencies,
  sheetsToExecutionStates,
  failureResult,
} from "./observer.ts";
export { backoffDelayMs, seededUnit } from "./core/backoff.ts";
export { blockedMessage } from "./core/cascade.ts";
export { tokenCounter } from "./core/registry.ts";
export { toCommandOutcome } from "./outcome.ts";
