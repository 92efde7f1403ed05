/**
 * Marianne's baton ignored most of the score's retry, parallel, cost-per-sheet and timeout knobs.
 * Each of them changes what the baton does.
 */
import { describe, expect, it } from "vitest";
import { Engine } from "../unit/baton/support/engine.ts";
import { FAILED, independent, plan, spec } from "../unit/baton/support/fixtures.ts";

describe("regression: retry, parallel, cost and timeout knobs are applied", () => {
  it("retry.max_retries and the backoff settings", () => {
    const e = new Engine();
    e.register(spec("j", [plan(1)], { retry: { maxRetries: 2, baseDelaySeconds: 3 } }));
    e.report("j", 1, FAILED);
    expect(e.pendingTimer("retry:j:1")!.at - e.now).toBe(3000);
    e.fire("retry:j:1");
    e.report("j", 1, FAILED);
    expect(e.sheet("j", 1)).toMatchObject({ status: "failed", normalAttempts: 2 });
  });

  it("retry.max_completion_attempts", () => {
    const e = new Engine();
    e.register(spec("j", [plan(1)], { retry: { maxCompletionAttempts: 1, maxRetries: 0 } }));
    e.report("j", 1, { validationsPassed: 1, validationsTotal: 2, passRate: 50 });
    expect(e.sheet("j", 1)).toMatchObject({ status: "failed", completionAttempts: 1 });
  });

  it("parallel.max_concurrent", () => {
    const e = new Engine();
    e.register(spec("j", independent(6), { parallel: { enabled: true, maxConcurrent: 2 } }));
    expect(e.state.jobs.get("j")!.running).toBe(2);
  });

  it("cost_limits.max_cost_per_sheet", () => {
    const e = new Engine();
    e.register(spec("j", [plan(1)], { costLimits: { enabled: true, maxCostPerSheet: 0.5 } }));
    e.report("j", 1, { ...FAILED, costUsd: 0.6 });
    expect(e.sheet("j", 1).errorCode).toBe("E801");
  });

  it("the sheet timeout sets the request and the stale check", () => {
    const e = new Engine();
    e.register(spec("j", [plan(1, { timeoutSeconds: 42 })]));
    expect(e.order("j", 1).timeoutSeconds).toBe(42);
    expect(e.pendingTimer("stale:j:1")!.at - e.now).toBe(102_000);
  });
});
