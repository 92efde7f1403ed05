/** Instruments (DESIGN.md §6): profiles, the backends that play them, and the pool that holds them. */
export {
  loadInstrumentProfiles,
  listInstruments,
  describeInstrument,
  profileLimit,
  parseProfileText,
  BUILTIN_PROFILE_DIR,
  DEFAULT_USER_PROFILE_DIRS,
  DEFAULT_MAX_CONCURRENT,
  type InstrumentInfo,
  type LoadedProfiles,
  type LoadProfilesOptions,
  type ProfileProblem,
} from "./loader.ts";
export { instrumentProfileSchema, type InstrumentProfile } from "./profile-schema.ts";
export {
  BackendPool,
  createBackendPool,
  unknownInstrumentMessage,
  type BackendPoolOptions,
} from "./pool.ts";
export type { BackendRunRequest, BackendRunResult, InstrumentBackend } from "./backend.ts";
export { estimateCost, type CostEstimate } from "./cost.ts";
export { parseRateLimitWait } from "./rate-limit-wait.ts";
export { killGroup, livingGroupMembers, readProcessStartTime } from "./process-group.ts";
