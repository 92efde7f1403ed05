/**
 * `conductor.preferences.escalation_response_timeout_seconds` sets how long a fermata waits for a
 * person (conductor/job-spec.ts), yet score/warnings.ts warned that it was "accepted but not
 * acted on". Every score key that reaches the engine's policy must pass without that warning.
 */
import { describe, expect, it } from "vitest";
import { buildPolicy } from "../../apps/server/src/conductor/job-spec.ts";
import type { JobPolicy } from "../../apps/server/src/baton/core/policy.ts";
import { parseValid } from "../unit/score/support.ts";

const minimal = "name: t\nsheet: {size: 1, total_items: 1}\nprompt: {template: go}\n";

/** A non-default value of each acted-on key, and where the engine's policy carries it. */
const ACTED_ON: [key: string, yaml: string, read: (p: JobPolicy) => unknown, value: unknown][] = [
  [
    "conductor.preferences.escalation_response_timeout_seconds",
    "conductor: {preferences: {escalation_response_timeout_seconds: 42}}",
    (p) => p.escalationTimeoutSeconds,
    42,
  ],
  ["retry.max_retries", "retry: {max_retries: 7}", (p) => p.retry.maxRetries, 7],
  [
    "retry.base_delay_seconds",
    "retry: {base_delay_seconds: 2}",
    (p) => p.retry.baseDelaySeconds,
    2,
  ],
  ["retry.max_delay_seconds", "retry: {max_delay_seconds: 99}", (p) => p.retry.maxDelaySeconds, 99],
  ["retry.exponential_base", "retry: {exponential_base: 3}", (p) => p.retry.exponentialBase, 3],
  ["retry.jitter", "retry: {jitter: false}", (p) => p.retry.jitter, false],
  [
    "retry.max_completion_attempts",
    "retry: {max_completion_attempts: 2}",
    (p) => p.retry.maxCompletionAttempts,
    2,
  ],
  [
    "retry.completion_delay_seconds",
    "retry: {completion_delay_seconds: 1}",
    (p) => p.retry.completionDelaySeconds,
    1,
  ],
  ["rate_limit.max_waits", "rate_limit: {max_waits: 3}", (p) => p.rateLimit.maxWaits, 3],
  [
    "circuit_breaker.failure_threshold",
    "circuit_breaker: {failure_threshold: 9}",
    (p) => p.circuitBreaker.failureThreshold,
    9,
  ],
  [
    "cost_limits.max_cost_per_job",
    "cost_limits: {enabled: true, max_cost_per_job: 3}",
    (p) => p.costLimits.maxCostPerJob,
    3,
  ],
  [
    "parallel.max_concurrent",
    "parallel: {enabled: true, max_concurrent: 5}",
    (p) => p.parallel.maxConcurrent,
    5,
  ],
  [
    "pause_between_sheets_seconds",
    "pause_between_sheets_seconds: 7",
    (p) => p.pauseBetweenSheetsSeconds,
    7,
  ],
];

const options = {
  selfHealing: false,
  escalation: true,
  startSheet: 1,
  jobTimeoutSeconds: null,
  concert: null,
};

describe("regression: a key the engine acts on is never warned as ignored", () => {
  it.each(ACTED_ON)("%s", (key, yaml, read, value) => {
    const parsed = parseValid(`${minimal}${yaml}\n`);
    // A warning names the key or a section holding it ("conductor: accepted but not ...").
    const covering = parsed.warnings.filter((w) => {
      const warned = w.slice(0, w.indexOf(":"));
      return key === warned || key.startsWith(`${warned}.`) || warned.startsWith(`${key}.`);
    });
    expect(covering).toEqual([]);
    expect(read(buildPolicy(parsed.config, options))).toBe(value);
  });

  it("a conductor preference Podium does not use is still warned", () => {
    const parsed = parseValid(
      `${minimal}conductor: {preferences: {prefer_minimal_output: true}}\n`,
    );
    expect(parsed.warnings).toEqual([
      "conductor.preferences.prefer_minimal_output: accepted but not acted on by Podium",
    ]);
  });
});
