/**
 * A musician declared stale is superseded by a new dispatch; when the old one finally reports,
 * its result carries the old dispatch token and must not complete (or fail) the sheet.
 */
import { describe, expect, it } from "vitest";
import { Engine } from "../unit/baton/support/engine.ts";
import { FAILED, plan, resultFor, spec } from "../unit/baton/support/fixtures.ts";

describe("regression: a superseded musician's result is dropped", () => {
  it("drops the old token and keeps the new dispatch playing", () => {
    const e = new Engine();
    e.register(spec("j", [plan(1)], { retry: { baseDelaySeconds: 1 } }));
    const first = e.order("j", 1);
    e.fire("stale:j:1", { musicianAlive: false } as never);
    e.fire("retry:j:1");
    const second = e.order("j", 1);
    expect(second.dispatchToken).not.toBe(first.dispatchToken);
    const late = e.send({ kind: "SheetAttemptResult", result: resultFor(first, {}) });
    expect(late.rejection?.kind).toBe("stale_token");
    expect(late.effects).toEqual([]);
    expect(e.status("j", 1)).toBe("dispatched");
    expect(e.state.runningTotal).toBe(1);
    e.report("j", 1, FAILED);
    expect(e.sheet("j", 1).normalAttempts).toBe(2);
  });
});
