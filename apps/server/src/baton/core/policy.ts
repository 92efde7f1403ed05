/**
 * Job policies: the defaults and how a score's knobs override them. The types live in
 * contracts/job-spec.ts, shared with the conductor and the store.
 */
import type { JobPolicy } from "../../contracts/job-spec.ts";

export type * from "../../contracts/job-spec.ts";

export const DEFAULT_JOB_POLICY: JobPolicy = Object.freeze({
  retry: Object.freeze({
    maxRetries: 3,
    baseDelaySeconds: 10,
    maxDelaySeconds: 3600,
    exponentialBase: 2,
    jitter: true,
    maxCompletionAttempts: 5,
    completionDelaySeconds: 5,
    completionThresholdPercent: 50,
  }),
  rateLimit: Object.freeze({
    detectionPatterns: null,
    waitMinutes: 60,
    maxWaits: 24,
    maxQuotaWaits: 48,
  }),
  circuitBreaker: Object.freeze({
    enabled: true,
    failureThreshold: 5,
    recoveryTimeoutSeconds: 300,
  }),
  costLimits: Object.freeze({
    enabled: false,
    maxCostPerSheet: null,
    maxCostPerJob: null,
    costPer1kInputTokens: 0.003,
    costPer1kOutputTokens: 0.015,
    warnAtPercent: 80,
  }),
  staleDetection: Object.freeze({
    enabled: false,
    idleTimeoutSeconds: 300,
    checkIntervalSeconds: 30,
  }),
  parallel: Object.freeze({ enabled: false, maxConcurrent: 3, failFast: true, staggerDelayMs: 0 }),
  pauseBetweenSheetsSeconds: 2,
  selfHealing: false,
  escalation: false,
  escalationTimeoutSeconds: null,
  jobTimeoutSeconds: null,
}) as JobPolicy;

export type PolicyOverrides = {
  [K in keyof JobPolicy]?: JobPolicy[K] extends object | null
    ? Partial<NonNullable<JobPolicy[K]>> | JobPolicy[K]
    : JobPolicy[K];
};

/** The default policy with some knobs changed; nested groups are merged key by key. */
export function makePolicy(overrides: PolicyOverrides = {}): JobPolicy {
  const d = DEFAULT_JOB_POLICY;
  return {
    retry: { ...d.retry, ...(overrides.retry ?? {}) },
    rateLimit: { ...d.rateLimit, ...(overrides.rateLimit ?? {}) },
    circuitBreaker: { ...d.circuitBreaker, ...(overrides.circuitBreaker ?? {}) },
    costLimits: { ...d.costLimits, ...(overrides.costLimits ?? {}) },
    staleDetection: { ...d.staleDetection, ...(overrides.staleDetection ?? {}) },
    parallel: { ...d.parallel, ...(overrides.parallel ?? {}) },
    pauseBetweenSheetsSeconds: overrides.pauseBetweenSheetsSeconds ?? d.pauseBetweenSheetsSeconds,
    selfHealing: overrides.selfHealing ?? d.selfHealing,
    escalation: overrides.escalation ?? d.escalation,
    escalationTimeoutSeconds:
      overrides.escalationTimeoutSeconds === undefined
        ? d.escalationTimeoutSeconds
        : overrides.escalationTimeoutSeconds,
    jobTimeoutSeconds:
      overrides.jobTimeoutSeconds === undefined ? d.jobTimeoutSeconds : overrides.jobTimeoutSeconds,
  };
}

/** How many sheets of one job may play at once. */
export function jobConcurrencyCap(policy: JobPolicy): number {
  return policy.parallel.enabled ? Math.max(1, policy.parallel.maxConcurrent) : 1;
}
