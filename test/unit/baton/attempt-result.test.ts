import { describe, expect, it } from "vitest";
import { Engine } from "./support/engine.ts";
import {
  AUTH,
  FAILED,
  RATE_LIMITED,
  chain,
  independent,
  partial,
  plan,
  resultFor,
  spec,
} from "./support/fixtures.ts";

describe("attempt results (DESIGN §5 in order)", () => {
  it("records every attempt and adds its cost and duration to the sheet and the job", () => {
    const e = new Engine();
    e.register(spec("j", [plan(1)]));
    const result = e.report("j", 1, { ...FAILED, costUsd: 0.25, durationMs: 300 });
    const commit = result.effects[0]!;
    expect(commit.kind).toBe("commit");
    if (commit.kind !== "commit") return;
    expect(commit.attempts).toHaveLength(1);
    expect(commit.attempts[0]).toMatchObject({
      sheetNum: 1,
      executionSuccess: false,
      costUsd: 0.25,
      attemptNumber: 1,
    });
    expect(e.sheet("j", 1)).toMatchObject({ costUsd: 0.25, durationMs: 300, normalAttempts: 1 });
    expect(e.state.jobs.get("j")!.record.costUsd).toBe(0.25);
  });

  it("a rate-limited failure waits without using budget and limits the instrument", () => {
    const e = new Engine();
    e.register(spec("j", [plan(1)]));
    e.report("j", 1, RATE_LIMITED);
    expect(e.status("j", 1)).toBe("waiting");
    expect(e.sheet("j", 1).normalAttempts).toBe(0);
    const timer = e.pendingTimer("rate_limit:cli");
    expect(timer?.at).toBe(e.now + 120_000);
    expect(e.eventNames("j")).toContain("rate_limit.active");
    e.fire("rate_limit:cli");
    expect(e.status("j", 1)).toBe("dispatched");
  });

  it("a rate limit without a stated wait waits the default rate_limit.wait_minutes (60)", () => {
    const e = new Engine();
    e.register(spec("j", [plan(1)]));
    e.report("j", 1, { ...RATE_LIMITED, rateLimitWaitSeconds: null });
    expect(e.pendingTimer("rate_limit:cli")?.at).toBe(e.now + 60 * 60_000);
    expect(e.sheet("j", 1).dueAt).toBe(e.now + 60 * 60_000);
  });

  it("a rate limit without a stated wait waits the score's rate_limit.wait_minutes", () => {
    const e = new Engine();
    e.register(spec("j", [plan(1)], { rateLimit: { waitMinutes: 5 } }));
    e.report("j", 1, { ...RATE_LIMITED, rateLimitWaitSeconds: null });
    expect(e.pendingTimer("rate_limit:cli")?.at).toBe(e.now + 5 * 60_000);
    const waiting = e
      .commits()
      .flatMap((commit) => commit.events)
      .find((event) => event.event === "sheet.waiting");
    expect(waiting?.data).toMatchObject({ waitSeconds: 300 });
  });

  it("the provider's stated reset time wins over rate_limit.wait_minutes", () => {
    const e = new Engine();
    e.register(spec("j", [plan(1)], { rateLimit: { waitMinutes: 5 } }));
    e.report("j", 1, { ...RATE_LIMITED, rateLimitWaitSeconds: 20 });
    expect(e.pendingTimer("rate_limit:cli")?.at).toBe(e.now + 20_000);
  });

  it("a full pass completes the sheet and releases its dependents", () => {
    const e = new Engine();
    e.register(spec("j", chain(2)));
    expect(e.status("j", 2)).toBe("pending");
    e.report("j", 1, partial(2, 2));
    expect(e.status("j", 1)).toBe("completed");
    expect(e.sheet("j", 1).validationPassRate).toBe(100);
    expect(e.status("j", 2)).toBe("dispatched");
  });

  it("partial success enters completion mode and retries after completion_delay_seconds", () => {
    const e = new Engine();
    e.register(
      spec("j", [plan(1)], { retry: { completionDelaySeconds: 7, maxCompletionAttempts: 2 } }),
    );
    e.report("j", 1, partial(1, 2));
    expect(e.status("j", 1)).toBe("retry_scheduled");
    expect(e.sheet("j", 1)).toMatchObject({
      completionAttempts: 1,
      normalAttempts: 0,
      validationPassRate: 50,
    });
    expect(e.pendingTimer("retry:j:1")?.at).toBe(e.now + 7000);
    e.fire("retry:j:1");
    const order = e.order("j", 1);
    expect(order.mode).toBe("completion");
    expect(order.failedValidations).toEqual(["check 1"]);
    e.report("j", 1, partial(1, 2));
    // Budget of 2 used up, no fallback, no healing, no escalation, normal retries left: retry.
    expect(e.sheet("j", 1).completionAttempts).toBe(2);
    expect(e.status("j", 1)).toBe("retry_scheduled");
  });

  it("success with 0 % counts as an ordinary failure", () => {
    const e = new Engine();
    e.register(spec("j", [plan(1)]));
    e.report("j", 1, partial(0, 3));
    expect(e.sheet("j", 1)).toMatchObject({
      normalAttempts: 1,
      completionAttempts: 0,
      status: "retry_scheduled",
    });
  });

  it("AUTH_FAILURE moves to the next instrument at once, else fails with E502 and cascades", () => {
    const e = new Engine();
    e.register(spec("j", chain(2, { instrumentFallbacks: ["backup"] })));
    e.report("j", 1, AUTH);
    expect(e.sheet("j", 1)).toMatchObject({
      instrument: "backup",
      instrumentIndex: 1,
      status: "dispatched",
    });
    e.report("j", 1, AUTH);
    expect(e.sheet("j", 1)).toMatchObject({ status: "failed", errorCode: "E502" });
    expect(e.sheet("j", 2)).toMatchObject({
      status: "skipped",
      errorCode: "E999",
      errorMessage: "Blocked by failed dependency: sheet 1",
    });
    expect(e.jobStatus("j")).toBe("failed");
  });

  it("UNKNOWN_INSTRUMENT (not usable here) falls back at once without spending a retry", () => {
    const unusable = {
      executionSuccess: false,
      errorClass: "UNKNOWN_INSTRUMENT" as const,
      errorMessage: "executable 'claude' not found on PATH",
    };
    const e = new Engine();
    e.register(spec("j", chain(1, { instrumentFallbacks: ["backup"] })));
    e.report("j", 1, unusable);
    expect(e.sheet("j", 1)).toMatchObject({
      instrument: "backup",
      instrumentIndex: 1,
      status: "dispatched",
      normalAttempts: 0,
    });
    e.report("j", 1, unusable);
    expect(e.sheet("j", 1)).toMatchObject({ status: "failed", errorCode: "E505" });
  });

  it("backs off min(base * exp^(n-1), max) between normal retries", () => {
    const e = new Engine();
    e.register(
      spec("j", [plan(1)], {
        retry: { maxRetries: 5, baseDelaySeconds: 10, exponentialBase: 3, maxDelaySeconds: 50 },
      }),
    );
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      e.report("j", 1, FAILED);
      delays.push(e.pendingTimer("retry:j:1")!.at - e.now);
      e.fire("retry:j:1");
    }
    expect(delays).toEqual([10_000, 30_000, 50_000, 50_000]);
  });

  it("jitter is deterministic: the same inputs give the same delay, within ±25 %", () => {
    const run = () => {
      const e = new Engine();
      e.register(spec("j", [plan(1)], { retry: { jitter: true, baseDelaySeconds: 100 } }));
      e.report("j", 1, FAILED);
      return e.pendingTimer("retry:j:1")!.at - e.now;
    };
    const first = run();
    expect(run()).toBe(first);
    expect(first).toBeGreaterThanOrEqual(75_000);
    expect(first).toBeLessThanOrEqual(125_000);
  });

  it("exhaustion ladder: fallback with fresh budget and model cleared, healing, escalation", () => {
    const e = new Engine();
    e.register(
      spec("j", [plan(1, { instrumentFallbacks: ["b"], model: "big" })], {
        retry: { maxRetries: 1 },
        selfHealing: true,
        escalation: true,
      }),
    );
    e.report("j", 1, FAILED);
    expect(e.sheet("j", 1)).toMatchObject({
      instrument: "b",
      model: null,
      normalAttempts: 0,
      status: "dispatched",
    });
    expect(e.eventNames("j", 1)).toContain("sheet.fallback");
    e.report("j", 1, FAILED);
    expect(e.sheet("j", 1)).toMatchObject({ healingAttempts: 1, status: "retry_scheduled" });
    e.fire("retry:j:1");
    expect(e.order("j", 1).mode).toBe("healing");
    e.report("j", 1, FAILED);
    expect(e.status("j", 1)).toBe("fermata");
    expect(e.state.jobs.get("j")!.record).toMatchObject({
      status: "paused",
      pauseReason: "escalation",
    });
  });

  it("without fallback, healing or escalation an exhausted sheet fails with E601 and cascades", () => {
    const e = new Engine();
    e.register(spec("j", chain(3), { retry: { maxRetries: 2 } }));
    e.report("j", 1, FAILED);
    e.fire("retry:j:1");
    e.report("j", 1, FAILED);
    expect(e.sheet("j", 1)).toMatchObject({ status: "failed", errorCode: "E601" });
    expect([e.status("j", 2), e.status("j", 3)]).toEqual(["skipped", "skipped"]);
    expect(e.eventNames("j", 3)).toEqual(["sheet.skipped"]);
  });

  it("a per-sheet cost limit fails the sheet (E801)", () => {
    const e = new Engine();
    e.register(spec("j", [plan(1)], { costLimits: { enabled: true, maxCostPerSheet: 1 } }));
    e.report("j", 1, { ...FAILED, costUsd: 1.5 });
    expect(e.sheet("j", 1)).toMatchObject({ status: "failed", errorCode: "E801" });
  });

  it("a job cost limit pauses the job with reason cost_limit; resume is refused while over it", () => {
    const e = new Engine();
    e.register(spec("j", independent(2), { costLimits: { enabled: true, maxCostPerJob: 1 } }));
    e.report("j", 1, { costUsd: 2 });
    expect(e.state.jobs.get("j")!.record).toMatchObject({
      status: "paused",
      pauseReason: "cost_limit",
    });
    expect(e.status("j", 2)).toBe("pending");
    const resumed = e.send({ kind: "ResumeJob", jobId: "j", retryFailed: false });
    expect(resumed.rejection?.kind).toBe("cost_limit");
  });

  it("pacing holds the next sheet for pause_between_sheets_seconds", () => {
    const e = new Engine();
    e.register(spec("j", chain(2), { pauseBetweenSheetsSeconds: 5 }));
    e.report("j", 1);
    expect(e.status("j", 2)).toBe("pending");
    expect(e.lastDispatch!.skipped).toContainEqual({
      jobId: "j",
      sheetNum: null,
      reason: "job_pacing",
    });
    e.fire("pacing:j");
    expect(e.status("j", 2)).toBe("dispatched");
  });

  it("a stale check with a live musician looks again in 60 s; a dead one is a STALE failure", () => {
    const e = new Engine();
    e.register(spec("j", [plan(1, { timeoutSeconds: 100 })]));
    const first = e.pendingTimer("stale:j:1")!;
    expect(first.at).toBe(e.now + 160_000);
    e.fire("stale:j:1", { musicianAlive: true } as never);
    expect(e.pendingTimer("stale:j:1")!.at).toBe(e.now + 60_000);
    expect(e.status("j", 1)).toBe("dispatched");
    e.fire("stale:j:1", { musicianAlive: false } as never);
    expect(e.eventNames("j", 1)).toContain("sheet.stale");
    expect(e.sheet("j", 1)).toMatchObject({ status: "retry_scheduled", normalAttempts: 1 });
    expect(e.state.runningTotal).toBe(0);
  });

  it("results for unknown jobs and sheets are typed rejections", () => {
    const e = new Engine();
    e.register(spec("j", [plan(1)]));
    const order = e.order("j", 1);
    expect(
      e.send({ kind: "SheetAttemptResult", result: resultFor({ ...order, jobId: "nope" }) })
        .rejection?.kind,
    ).toBe("unknown_job");
    expect(
      e.send({ kind: "SheetAttemptResult", result: resultFor({ ...order, sheetNum: 9 }) }).rejection
        ?.kind,
    ).toBe("unknown_sheet");
  });
});

describe("per-sheet cost in completion mode", () => {
  it("a partial success that reaches the sheet's cost limit fails instead of retrying", () => {
    const e = new Engine();
    e.register(spec("j", [plan(1)], { costLimits: { enabled: true, maxCostPerSheet: 1 } }));
    e.report("j", 1, { ...partial(1, 2), costUsd: 1 });
    expect(e.sheet("j", 1)).toMatchObject({
      status: "failed",
      errorCode: "E801",
      completionAttempts: 1,
    });
  });
});
