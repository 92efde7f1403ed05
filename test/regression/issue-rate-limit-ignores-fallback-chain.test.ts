/**
 * A rate-limited sheet always waited for its instrument's limit to lift (attempt-result.ts put it
 * in `waiting`), even when its fallback chain had an instrument that was not limited. Marianne
 * moves it to that instrument at once; with none free it waits as before.
 */
import { describe, expect, it } from "vitest";
import { Engine } from "../unit/baton/support/engine.ts";
import { RATE_LIMITED, plan, spec } from "../unit/baton/support/fixtures.ts";

describe("regression: rate limits use the fallback chain", () => {
  it("moves to the first free instrument of the chain and plays there at once", () => {
    const e = new Engine();
    e.register(spec("j", [plan(1, { instrument: "a", instrumentFallbacks: ["b", "c"] })]));
    e.send({
      kind: "RateLimitHit",
      instrument: "b",
      waitSeconds: 600,
      jobId: null,
      sheetNum: null,
    });
    e.report("j", 1, RATE_LIMITED);
    expect(e.sheet("j", 1)).toMatchObject({ instrument: "c", instrumentIndex: 2 });
    expect(e.order("j", 1)).toMatchObject({ instrument: "c", attemptNumber: 2 });
    expect(e.eventNames("j", 1)).toContain("sheet.fallback");
    expect(e.eventNames("j", 1)).not.toContain("sheet.waiting");
    e.report("j", 1);
    expect(e.jobStatus("j")).toBe("completed");
  });

  it("waits out the limit when every later instrument is limited too", () => {
    const e = new Engine();
    e.register(spec("j", [plan(1, { instrument: "a", instrumentFallbacks: ["b"] })]));
    e.send({
      kind: "RateLimitHit",
      instrument: "b",
      waitSeconds: 600,
      jobId: null,
      sheetNum: null,
    });
    e.report("j", 1, RATE_LIMITED);
    expect(e.sheet("j", 1)).toMatchObject({ status: "waiting", instrument: "a" });
    expect(e.sheet("j", 1).dueAt).toBe(e.now + 120_000);
    // A later hit on the instrument moves the stored end of the wait with it.
    e.send({
      kind: "RateLimitHit",
      instrument: "a",
      waitSeconds: 300,
      jobId: null,
      sheetNum: null,
    });
    expect(e.sheet("j", 1).dueAt).toBe(e.now + 300_000);
    e.fire("rate_limit:a");
    expect(e.order("j", 1)).toMatchObject({ instrument: "a", attemptNumber: 2 });
  });

  it("without a chain it waits as before", () => {
    const e = new Engine();
    e.register(spec("j", [plan(1, { instrument: "a" })]));
    e.report("j", 1, RATE_LIMITED);
    expect(e.status("j", 1)).toBe("waiting");
  });
});
