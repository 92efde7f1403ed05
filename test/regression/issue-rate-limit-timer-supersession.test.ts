/**
 * Every new rate-limit hit replaces the instrument's expiry: the old timer is cancelled, and an
 * expiry that belongs to an earlier hit does not lift the newer limit.
 */
import { describe, expect, it } from "vitest";
import { Engine } from "../unit/baton/support/engine.ts";
import { RATE_LIMITED, plan, spec } from "../unit/baton/support/fixtures.ts";

describe("regression: rate-limit timer supersession", () => {
  it("cancels the previous expiry and ignores a stale one", () => {
    const e = new Engine();
    e.register(spec("j", [plan(1)]));
    e.report("j", 1, { ...RATE_LIMITED, rateLimitWaitSeconds: 10 });
    const first = e.pendingTimer("rate_limit:cli")!;
    const hit = e.send({
      kind: "RateLimitHit",
      instrument: "cli",
      waitSeconds: 300,
      jobId: "j",
      sheetNum: 1,
    });
    expect(hit.effects.filter((x) => x.kind !== "commit").map((x) => x.kind)).toEqual([
      "cancelTimer",
      "scheduleTimer",
    ]);
    e.now = first.at;
    const stale = e.send(first.event);
    expect(stale.rejection?.kind).toBe("invalid_state");
    expect(e.status("j", 1)).toBe("waiting");
    e.fire("rate_limit:cli");
    expect(e.status("j", 1)).toBe("dispatched");
  });
});
