/** The baton's public surface. */
export * from "./core/events.ts";
export * from "./core/policy.ts";
export * from "./core/state.ts";
export { transition } from "./core/transition.ts";
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
} from "./core/dispatch.ts";
export { TimerWheel } from "./runtime/timer-wheel.ts";
export {
  BatonRuntime,
  UnknownJobError,
  type BatonRuntimeOptions,
  type BatonOutcome,
} from "./runtime/baton-runtime.ts";
export { mergeCommits, splitEffects } from "./runtime/commit-batch.ts";
export { buildAttemptRequest, previousOutputs } from "./core/request.ts";
export {
  attemptResultToObserverEvent,
  skippedToObserverEvent,
  extractDependencies,
  sheetsToExecutionStates,
  failureResult,
} from "./core/observer.ts";
export { backoffDelayMs, seededUnit } from "./core/backoff.ts";
export { blockedMessage } from "./core/cascade.ts";
export { tokenCounter } from "./core/registry.ts";
export { toCommandOutcome } from "./runtime/outcome.ts";
export type {
  CheckpointCommit,
  CheckpointStore,
  Clock,
  EventSink,
  MusicianPort,
  TimerHost,
} from "./runtime/ports.ts";
export { normalizePauseReasons } from "./core/pause.ts";
export { truncateContext } from "./core/request.ts";
