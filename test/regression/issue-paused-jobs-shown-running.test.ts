/**
 * Marianne showed paused jobs as running. A paused job reports status paused with a distinct
 * reason (user, cost_limit, escalation), even while an in-flight musician finishes.
 */
import { describe, expect, it } from "vitest";
import { Engine } from "../unit/baton/support/engine.ts";
import { FAILED, chain, independent, plan, spec } from "../unit/baton/support/fixtures.ts";

describe("regression: paused jobs are shown paused, with their reason", () => {
  it("user pause stays paused while the playing sheet completes", () => {
    const e = new Engine();
    e.register(spec("j", chain(2)));
    e.send({ kind: "PauseJob", jobId: "j", reason: "user" });
    e.report("j", 1);
    expect(e.state.jobs.get("j")!.record).toMatchObject({ status: "paused", pauseReason: "user" });
  });

  it("cost limit", () => {
    const e = new Engine();
    e.register(spec("j", independent(2), { costLimits: { enabled: true, maxCostPerJob: 1 } }));
    e.report("j", 1, { costUsd: 1 });
    expect(e.state.jobs.get("j")!.record).toMatchObject({
      status: "paused",
      pauseReason: "cost_limit",
    });
  });

  it("escalation", () => {
    const e = new Engine();
    e.register(spec("j", [plan(1), plan(2)], { escalation: true, retry: { maxRetries: 1 } }));
    e.report("j", 1, FAILED);
    expect(e.state.jobs.get("j")!.record).toMatchObject({
      status: "paused",
      pauseReason: "escalation",
    });
    expect(e.eventNames("j", 0)).toContain("job.paused");
  });
});
