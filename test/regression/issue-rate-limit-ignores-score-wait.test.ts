/**
 * A rate limit whose output names no reset time used to be waited out for a fixed 60 s, whatever
 * the score's `rate_limit.wait_minutes` said (and the key was reported as not acted on). The wait
 * is now the provider's stated reset time, else the score's `wait_minutes`.
 */
import { describe, expect, it } from "vitest";
import { buildPolicy, type JobOptions } from "../../apps/server/src/conductor/job-spec.ts";
import { parseScore } from "../../apps/server/src/score/parse.ts";
import { Engine } from "../unit/baton/support/engine.ts";
import { RATE_LIMITED, plan, spec } from "../unit/baton/support/fixtures.ts";

const OPTIONS: JobOptions = {
  selfHealing: false,
  escalation: false,
  startSheet: 1,
  jobTimeoutSeconds: null,
  concert: null,
};

const SCORE = `name: slow-provider
instrument: cli
sheet: {size: 1, total_items: 1}
prompt: {template: "echo hi"}
rate_limit: {wait_minutes: 7}
`;

function engineFor(score: string): { engine: Engine; warnings: readonly string[] } {
  const parsed = parseScore(score);
  if (!parsed.ok) throw new Error(parsed.message);
  const policy = buildPolicy(parsed.config, OPTIONS);
  const engine = new Engine();
  engine.register(spec("j", [plan(1)], { rateLimit: policy.rateLimit }));
  return { engine, warnings: parsed.warnings };
}

describe("regression: a rate limit with no stated wait ignores the score's wait_minutes", () => {
  it("waits rate_limit.wait_minutes when the provider names no reset time", () => {
    const { engine, warnings } = engineFor(SCORE);
    expect(warnings.some((warning) => warning.includes("rate_limit.wait_minutes"))).toBe(false);
    engine.report("j", 1, { ...RATE_LIMITED, rateLimitWaitSeconds: null });
    expect(engine.status("j", 1)).toBe("waiting");
    expect(engine.pendingTimer("rate_limit:cli")?.at).toBe(engine.now + 7 * 60_000);
    expect(engine.sheet("j", 1).normalAttempts).toBe(0);
  });

  it("still waits the provider's reset time when it names one", () => {
    const { engine } = engineFor(SCORE);
    engine.report("j", 1, { ...RATE_LIMITED, rateLimitWaitSeconds: 20 });
    expect(engine.pendingTimer("rate_limit:cli")?.at).toBe(engine.now + 20_000);
  });
});
