/**
 * Marianne kept attempt history only in memory, so a restart forgot it. Every attempt is part of
 * the commit of the event that recorded it, and reaches the checkpoint store.
 */
import { describe, expect, it } from "vitest";
import { Engine } from "../unit/baton/support/engine.ts";
import { FAILED, plan, spec } from "../unit/baton/support/fixtures.ts";
import { harness } from "../unit/baton/support/harness.ts";

describe("regression: attempts are persisted", () => {
  it("each result's attempt is in the commit, including failed and rate-limited ones", () => {
    const e = new Engine();
    e.register(spec("j", [plan(1)]));
    e.report("j", 1, FAILED);
    e.fire("retry:j:1");
    e.report("j", 1, { costUsd: 0.1 });
    const attempts = e.commits().flatMap((c) => c.attempts);
    expect(attempts.map((a) => [a.attemptNumber, a.executionSuccess, a.dispatchToken])).toEqual([
      [1, false, "j:1:1"],
      [2, true, "j:1:2"],
    ]);
  });

  it("the checkpoint store holds every attempt before the retry is dispatched", async () => {
    let calls = 0;
    const h = harness(() => (calls++ === 0 ? FAILED : {}));
    const attemptsAtPlay: number[] = [];
    const script = h.musician.script;
    h.musician.script = (request) => {
      attemptsAtPlay.push(h.store.attempts.length);
      return script(request);
    };
    await h.adapter.registerJob(spec("j", [plan(1)], { retry: { baseDelaySeconds: 1 } }));
    await h.settle();
    await h.advance(1_000);
    expect(await h.adapter.waitForCompletion("j")).toBe(true);
    expect(attemptsAtPlay).toEqual([0, 1]);
    expect(h.store.attempts.map((a) => a.executionSuccess)).toEqual([false, true]);
  });
});
