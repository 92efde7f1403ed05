import { describe, expect, it } from "vitest";
import { mergeCommits } from "../../../apps/server/src/baton/runtime/commit-batch.ts";
import {
  attemptResultToObserverEvent,
  extractDependencies,
  sheetsToExecutionStates,
  skippedToObserverEvent,
} from "../../../apps/server/src/baton/core/observer.ts";
import { toCommandOutcome } from "../../../apps/server/src/baton/runtime/outcome.ts";
import { ReadyList } from "../../../apps/server/src/baton/core/state.ts";
import {
  freshSheetRecord,
  newSheetState,
  tokenCounter,
} from "../../../apps/server/src/baton/core/registry.ts";
import { backoffDelayMs } from "../../../apps/server/src/baton/core/backoff.ts";
import {
  DEFAULT_JOB_POLICY,
  jobConcurrencyCap,
  makePolicy,
} from "../../../apps/server/src/baton/core/policy.ts";
import { FAILED, RATE_LIMITED, chain, partial, plan, resultFor } from "./support/fixtures.ts";

const order = {
  jobId: "j",
  sheetNum: 2,
  dispatchToken: "j:2:1",
  instrument: "cli",
  attemptNumber: 1,
  mode: "normal" as const,
};

describe("observer helpers", () => {
  it("maps results to the event names subscribers expect", () => {
    expect(attemptResultToObserverEvent(resultFor(order)).event).toBe("sheet.completed");
    expect(attemptResultToObserverEvent(resultFor(order, partial(1, 2))).event).toBe(
      "sheet.partial",
    );
    expect(attemptResultToObserverEvent(resultFor(order, FAILED)).event).toBe("sheet.failed");
    expect(attemptResultToObserverEvent(resultFor(order, RATE_LIMITED)).event).toBe(
      "rate_limit.active",
    );
    expect(
      attemptResultToObserverEvent(resultFor(order, { validationsTotal: 0, passRate: 0 })).data
        .passRate,
    ).toBe(100);
    expect(skippedToObserverEvent({ jobId: "j", sheetNum: 3, reason: "skip_when" }, 5)).toEqual({
      jobId: "j",
      sheetNum: 3,
      event: "sheet.skipped",
      data: { reason: "skip_when" },
      timestamp: 5,
    });
  });

  it("extracts dependencies and builds fresh execution states", () => {
    expect(extractDependencies(chain(3))).toEqual({ 1: [], 2: [1], 3: [2] });
    const states = sheetsToExecutionStates("j", [
      plan(1, { instrument: "a", instrumentFallbacks: ["b"], model: "m" }),
    ]);
    expect(states.get(1)!.record).toMatchObject({
      status: "pending",
      instrumentChain: ["a", "b"],
      model: "m",
      normalAttempts: 0,
    });
  });

  it("maps rejections to command outcomes", () => {
    expect(toCommandOutcome({ ok: true })).toEqual({ ok: true });
    expect(
      toCommandOutcome({ ok: false, rejection: { kind: "unknown_job", message: "no job x" } }),
    ).toEqual({ ok: false, error: { code: "NOT_FOUND", message: "no job x" } });
    expect(
      toCommandOutcome({ ok: false, rejection: { kind: "terminal_job", message: "done" } }).ok,
    ).toBe(false);
  });

  it("merges commits keeping the last record of each sheet and every event in order", () => {
    const a = { ...freshSheetRecord("j", plan(1)), status: "dispatched" as const };
    const b = { ...a, status: "completed" as const };
    const merged = mergeCommits([
      {
        jobs: [],
        sheets: [a],
        attempts: [],
        events: [{ jobId: "j", sheetNum: 1, event: "sheet.dispatched", data: {}, timestamp: 1 }],
      },
      {
        jobs: [],
        sheets: [b],
        attempts: [],
        events: [{ jobId: "j", sheetNum: 1, event: "sheet.completed", data: {}, timestamp: 2 }],
      },
    ])!;
    expect(merged.sheets).toEqual([b]);
    expect(merged.events.map((e) => e.event)).toEqual(["sheet.dispatched", "sheet.completed"]);
    expect(mergeCommits([])).toBeNull();
  });
});

describe("policy and small pieces", () => {
  it("defaults follow SCORE-SCHEMA", () => {
    expect(DEFAULT_JOB_POLICY.retry).toMatchObject({
      maxRetries: 3,
      baseDelaySeconds: 10,
      maxDelaySeconds: 3600,
      exponentialBase: 2,
      maxCompletionAttempts: 5,
    });
    expect(DEFAULT_JOB_POLICY.circuitBreaker.failureThreshold).toBe(5);
    expect(DEFAULT_JOB_POLICY.pauseBetweenSheetsSeconds).toBe(2);
    expect(jobConcurrencyCap(DEFAULT_JOB_POLICY)).toBe(1);
    expect(jobConcurrencyCap(makePolicy({ parallel: { enabled: true } }))).toBe(3);
  });

  it("backoff is capped and the token counter is read back", () => {
    const retry = { ...DEFAULT_JOB_POLICY.retry, jitter: false };
    expect([1, 2, 3].map((n) => backoffDelayMs(retry, n, null))).toEqual([10_000, 20_000, 40_000]);
    expect(backoffDelayMs(retry, 30, null)).toBe(3_600_000);
    expect(tokenCounter("job:with:colons:4:17")).toBe(17);
    expect(tokenCounter(null)).toBe(0);
  });

  it("ReadyList keeps number order through head removals and re-insertions", () => {
    const list = new ReadyList();
    const sheets = [5, 1, 3, 2, 4].map((n) =>
      newSheetState(plan(n), freshSheetRecord("j", plan(n))),
    );
    for (const s of sheets) list.add(s);
    expect(list.toArray()).toEqual([1, 2, 3, 4, 5]);
    const byNum = (n: number) => sheets.find((s) => s.record.num === n)!;
    list.remove(byNum(1));
    list.remove(byNum(2));
    list.remove(byNum(4));
    expect(list.toArray()).toEqual([3, 5]);
    list.add(byNum(1));
    list.add(byNum(4));
    expect(list.toArray()).toEqual([1, 3, 4, 5]);
    expect([list.has(4), list.has(2), list.size, list.at(0)]).toEqual([true, false, 4, 1]);
    expect(list.keyCounts.get("cli")).toBe(4);
  });
});
