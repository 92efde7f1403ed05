/**
 * When every instrument of a sheet's chain has an open circuit breaker the sheet waits for a
 * recovery instead of failing or spinning, and plays once a breaker lets trials through.
 */
import { describe, expect, it } from "vitest";
import { Engine } from "../unit/baton/support/engine.ts";
import { FAILED, plan, spec } from "../unit/baton/support/fixtures.ts";

describe("regression: a chain whose breakers are all open waits", () => {
  it("holds the sheet pending until a recovery", () => {
    const e = new Engine();
    // Open both breakers through a job of their own.
    e.register(
      spec("opener", [plan(1, { instrument: "a" }), plan(2, { instrument: "b" })], {
        parallel: { enabled: true },
        retry: { maxRetries: 1 },
        circuitBreaker: { failureThreshold: 1 },
      }),
    );
    e.report("opener", 1, FAILED);
    e.report("opener", 2, FAILED);
    expect([e.state.breakers.get("a")?.state, e.state.breakers.get("b")?.state]).toEqual([
      "open",
      "open",
    ]);
    e.register(spec("j", [plan(1, { instrument: "a", instrumentFallbacks: ["b"] })]));
    expect(e.status("j", 1)).toBe("pending");
    expect(e.lastDispatch!.skipped).toContainEqual({
      jobId: "j",
      sheetNum: 1,
      reason: "circuit_open",
    });
    e.fire("breaker:b");
    expect(e.sheet("j", 1)).toMatchObject({ status: "dispatched", instrument: "b" });
  });
});
