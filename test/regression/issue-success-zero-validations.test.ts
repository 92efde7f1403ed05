/**
 * A successful execution with no applicable validations is a 100 % pass, even when the musician
 * reports a pass rate of 0 for the empty set.
 */
import { describe, expect, it } from "vitest";
import { Engine } from "../unit/baton/support/engine.ts";
import { plan, spec } from "../unit/baton/support/fixtures.ts";

describe("regression: success with zero validations counts as 100 %", () => {
  it("completes the sheet", () => {
    const e = new Engine();
    e.register(spec("j", [plan(1)]));
    e.report("j", 1, {
      executionSuccess: true,
      validationsTotal: 0,
      validationsPassed: 0,
      passRate: 0,
    });
    expect(e.sheet("j", 1)).toMatchObject({
      status: "completed",
      validationPassRate: 100,
      completionAttempts: 0,
    });
    expect(e.jobStatus("j")).toBe("completed");
  });
});
