/**
 * A sheet skipped by its skip_when_command used to be skipped through a side command while its
 * musician reported a made-up CANCELLED result, which the core then rejected after freeing the
 * slot. The musician now reports a `skipped` result, and the core skips the sheet on it.
 */
import { describe, expect, it } from "vitest";
import type { CommitEffect } from "../../apps/server/src/baton/core/state.ts";
import type { SkippedAttempt } from "../../apps/server/src/contracts/attempt.ts";
import type { DispatchOrder } from "../../apps/server/src/baton/core/state.ts";
import { Engine } from "../unit/baton/support/engine.ts";
import { plan, spec } from "../unit/baton/support/fixtures.ts";

function skipped(order: DispatchOrder, reason = "skip_when_command exited 0"): SkippedAttempt {
  return {
    outcome: "skipped",
    jobId: order.jobId,
    sheetNum: order.sheetNum,
    instrument: order.instrument,
    attemptNumber: order.attemptNumber,
    dispatchToken: order.dispatchToken,
    mode: order.mode,
    reason,
    startedAt: 0,
    finishedAt: 5,
  };
}

describe("regression: skip_when_command reports a skipped result", () => {
  it("skips the sheet, records no attempt, frees the slot and releases dependents", () => {
    const e = new Engine();
    e.register(spec("j", [plan(1), plan(2, { dependsOn: [1] })]));
    const result = e.send({ kind: "SheetAttemptResult", result: skipped(e.order("j", 1)) });
    expect(result.rejection).toBeUndefined();
    expect(e.sheet("j", 1)).toMatchObject({
      status: "skipped",
      errorCode: null,
      errorMessage: "skip_when_command exited 0",
      normalAttempts: 0,
    });
    const commit = result.effects.find((x): x is CommitEffect => x.kind === "commit")!;
    expect(commit.attempts).toEqual([]);
    expect(commit.events.map((x) => x.event)).toEqual(["sheet.skipped"]);
    // The skip satisfies sheet 2, which is dispatched in the same pass.
    expect(e.status("j", 2)).toBe("dispatched");
    expect(e.state.runningTotal).toBe(1);
  });

  it("drops a skipped result of a superseded dispatch", () => {
    const e = new Engine();
    e.register(spec("j", [plan(1)], { retry: { baseDelaySeconds: 1 } }));
    const first = e.order("j", 1);
    e.fire("stale:j:1", { musicianAlive: false } as never);
    e.fire("retry:j:1");
    const late = e.send({ kind: "SheetAttemptResult", result: skipped(first) });
    expect(late.rejection?.kind).toBe("stale_token");
    expect(e.status("j", 1)).toBe("dispatched");
  });
});
