import { describe, expect, it } from "vitest";
import { Engine } from "./support/engine.ts";
import { FAILED, RATE_LIMITED, chain, independent, plan, spec } from "./support/fixtures.ts";

describe("pause, resume, cancel", () => {
  it("pause stops dispatch but keeps the musician that is playing", () => {
    const e = new Engine();
    e.register(spec("j", chain(2)));
    const paused = e.send({ kind: "PauseJob", jobId: "j", reason: "user" });
    expect(paused.effects.some((x) => x.kind === "killMusician")).toBe(false);
    expect(e.state.jobs.get("j")!.record).toMatchObject({ status: "paused", pauseReason: "user" });
    e.report("j", 1);
    expect(e.status("j", 1)).toBe("completed");
    expect(e.status("j", 2)).toBe("pending");
    expect(e.jobStatus("j")).toBe("paused");
    e.send({ kind: "ResumeJob", jobId: "j", retryFailed: false });
    expect(e.jobStatus("j")).toBe("running");
    expect(e.status("j", 2)).toBe("dispatched");
    expect(e.eventNames("j", 0)).toEqual(["job.started", "job.paused", "job.resumed"]);
  });

  it("resume with retryFailed gives failed and blocked sheets fresh budgets", () => {
    const e = new Engine();
    e.register(spec("j", chain(3), { retry: { maxRetries: 1 } }));
    e.report("j", 1, FAILED);
    expect(e.jobStatus("j")).toBe("failed");
    expect(e.send({ kind: "ResumeJob", jobId: "j", retryFailed: false }).rejection?.kind).toBe(
      "terminal_job",
    );
    e.send({ kind: "ResumeJob", jobId: "j", retryFailed: true });
    expect(e.jobStatus("j")).toBe("running");
    expect(e.sheet("j", 1)).toMatchObject({
      status: "dispatched",
      normalAttempts: 0,
      errorCode: null,
    });
    expect([e.status("j", 2), e.status("j", 3)]).toEqual(["pending", "pending"]);
    e.report("j", 1);
    e.report("j", 2);
    e.report("j", 3);
    expect(e.jobStatus("j")).toBe("completed");
  });

  it("resume of a job that is not paused is rejected", () => {
    const e = new Engine();
    e.register(spec("j", [plan(1)]));
    expect(e.send({ kind: "ResumeJob", jobId: "j", retryFailed: false }).rejection?.kind).toBe(
      "invalid_state",
    );
  });

  it("cancel cancels every live sheet and kills the playing musicians", () => {
    const e = new Engine();
    e.register(spec("j", independent(3), { parallel: { enabled: true, maxConcurrent: 2 } }));
    const result = e.send({ kind: "CancelJob", jobId: "j" });
    const kills = result.effects.filter((x) => x.kind === "killMusician");
    expect(kills).toHaveLength(2);
    expect([1, 2, 3].map((n) => e.status("j", n))).toEqual(["cancelled", "cancelled", "cancelled"]);
    expect(e.jobStatus("j")).toBe("cancelled");
    expect(result.effects).toContainEqual({ kind: "jobFinished", jobId: "j", status: "cancelled" });
    // The killed musicians report; their slots come back and nothing else changes.
    e.report("j", 1, { ...FAILED, errorClass: "CANCELLED" });
    e.report("j", 2, { ...FAILED, errorClass: "CANCELLED" });
    expect(e.state.runningTotal).toBe(0);
    expect(e.send({ kind: "CancelJob", jobId: "j" }).rejection?.kind).toBe("terminal_job");
  });

  it("a job timeout fails every live sheet with E604", () => {
    const e = new Engine();
    e.register(spec("j", chain(2), { jobTimeoutSeconds: 30 }));
    expect(e.pendingTimer("job_timeout:j")?.at).toBe(e.now + 30_000);
    const result = e.fire("job_timeout:j");
    expect(result.effects.some((x) => x.kind === "killMusician")).toBe(true);
    expect(e.sheet("j", 2)).toMatchObject({ status: "failed", errorCode: "E604" });
    expect(e.jobStatus("j")).toBe("failed");
    expect(e.eventNames("j", 0)).toContain("job.timeout");
  });

  it("shutdown stops all dispatch and kills musicians, leaving statuses for recovery", () => {
    const e = new Engine();
    e.register(spec("j", independent(2), { parallel: { enabled: true, maxConcurrent: 1 } }));
    const result = e.send({ kind: "ShutdownRequested" });
    expect(result.effects.filter((x) => x.kind === "killMusician")).toHaveLength(1);
    e.report("j", 1, { ...FAILED, errorClass: "CANCELLED" });
    expect(e.status("j", 2)).toBe("pending");
    expect(e.lastDispatch!.skipped).toContainEqual({
      jobId: "j",
      sheetNum: null,
      reason: "shutting_down",
    });
  });

  it("a deliberate skip satisfies dependents", () => {
    const e = new Engine();
    e.register(
      spec("j", [plan(1, { dependsOn: [3] }), plan(2, { dependsOn: [1] }), plan(3)], {
        parallel: { enabled: true },
      }),
    );
    e.send({ kind: "SheetSkipped", jobId: "j", sheetNum: 1, reason: "skip_when_command" });
    expect(e.sheet("j", 1)).toMatchObject({ status: "skipped", errorCode: null });
    expect(e.status("j", 2)).toBe("dispatched");
  });
});

describe("fermata decisions", () => {
  function atFermata() {
    const e = new Engine();
    e.register(
      spec("j", chain(2), {
        retry: { maxRetries: 1 },
        escalation: true,
        escalationTimeoutSeconds: 100,
      }),
    );
    e.report("j", 1, FAILED);
    expect(e.status("j", 1)).toBe("fermata");
    expect(e.state.jobs.get("j")!.record.pauseReason).toBe("escalation");
    return e;
  }

  it("retry gives a fresh budget and lifts the escalation pause", () => {
    const e = atFermata();
    e.send({ kind: "EscalationResolved", jobId: "j", sheetNum: 1, decision: "retry" });
    expect(e.sheet("j", 1)).toMatchObject({ status: "dispatched", normalAttempts: 0 });
    expect(e.jobStatus("j")).toBe("running");
  });

  it("skip is deliberate: dependents run", () => {
    const e = atFermata();
    e.send({ kind: "EscalationResolved", jobId: "j", sheetNum: 1, decision: "skip" });
    expect(e.sheet("j", 1)).toMatchObject({ status: "skipped", errorCode: null });
    expect(e.status("j", 2)).toBe("dispatched");
  });

  it("accept completes the sheet", () => {
    const e = atFermata();
    e.send({ kind: "EscalationResolved", jobId: "j", sheetNum: 1, decision: "accept" });
    expect(e.status("j", 1)).toBe("completed");
    e.report("j", 2);
    expect(e.jobStatus("j")).toBe("completed");
  });

  it("fail fails with E701 and cascades", () => {
    const e = atFermata();
    e.send({ kind: "EscalationResolved", jobId: "j", sheetNum: 1, decision: "fail" });
    expect(e.sheet("j", 1)).toMatchObject({ status: "failed", errorCode: "E701" });
    expect(e.status("j", 2)).toBe("skipped");
    expect(e.jobStatus("j")).toBe("failed");
  });

  it("an unanswered fermata fails when its timeout fires; a decision on a non-fermata is rejected", () => {
    const e = atFermata();
    e.fire("escalation:j:1");
    expect(e.sheet("j", 1).errorCode).toBe("E701");
    expect(
      e.send({ kind: "EscalationResolved", jobId: "j", sheetNum: 1, decision: "retry" }).rejection
        ?.kind,
    ).toBe("terminal_sheet");
  });
});

describe("rate limits", () => {
  it("ClearRateLimit clears one instrument or all and returns the count; unknown names clear nothing", () => {
    const e = new Engine();
    e.register(
      spec("j", [plan(1, { instrument: "a" }), plan(2, { instrument: "b" })], {
        parallel: { enabled: true },
      }),
    );
    e.report("j", 1, RATE_LIMITED);
    e.report("j", 2, RATE_LIMITED);
    expect(e.send({ kind: "ClearRateLimit", instrument: "zzz" }).cleared).toBe(0);
    expect(e.send({ kind: "ClearRateLimit", instrument: "a" }).cleared).toBe(1);
    expect(e.status("j", 1)).toBe("dispatched");
    expect(e.status("j", 2)).toBe("waiting");
    expect(e.send({ kind: "ClearRateLimit", instrument: null }).cleared).toBe(1);
    expect(e.status("j", 2)).toBe("dispatched");
  });

  it("a rate-limited instrument is skipped by dispatch while other instruments run", () => {
    const e = new Engine();
    e.send({ kind: "RateLimitHit", instrument: "a", waitSeconds: 30, jobId: null, sheetNum: null });
    e.register(
      spec("j", [plan(1, { instrument: "a" }), plan(2, { instrument: "b" })], {
        parallel: { enabled: true },
      }),
    );
    expect(e.status("j", 1)).toBe("pending");
    expect(e.status("j", 2)).toBe("dispatched");
    expect(e.lastDispatch!.skipped).toContainEqual({
      jobId: "j",
      sheetNum: 1,
      reason: "rate_limited",
    });
  });
});

describe("circuit breaker", () => {
  it("opens after N consecutive failures, recovers after 30 s, doubling to the ceiling", () => {
    const e = new Engine();
    e.register(
      spec("j", [plan(1, { instrument: "a" })], {
        retry: { maxRetries: 10 },
        circuitBreaker: { failureThreshold: 2, recoveryTimeoutSeconds: 100 },
      }),
    );
    e.report("j", 1, FAILED);
    e.fire("retry:j:1");
    e.report("j", 1, FAILED);
    expect(e.state.breakers.get("a")?.state).toBe("open");
    expect(e.pendingTimer("breaker:a")!.at - e.now).toBe(30_000);
    e.fire("retry:j:1");
    expect(e.status("j", 1)).toBe("pending");
    expect(e.lastDispatch!.skipped).toContainEqual({
      jobId: "j",
      sheetNum: 1,
      reason: "circuit_open",
    });
    e.fire("breaker:a");
    expect(e.state.breakers.get("a")?.state).toBe("half_open");
    expect(e.status("j", 1)).toBe("dispatched");
    e.report("j", 1, FAILED);
    expect(e.pendingTimer("breaker:a")!.at - e.now).toBe(60_000);
    e.fire("breaker:a");
    e.fire("retry:j:1");
    e.report("j", 1, FAILED);
    expect(e.pendingTimer("breaker:a")!.at - e.now).toBe(100_000);
    e.fire("breaker:a");
    e.fire("retry:j:1");
    e.report("j", 1);
    expect(e.state.breakers.get("a")).toMatchObject({
      state: "closed",
      consecutiveFailures: 0,
      nextRecoveryMs: 30_000,
    });
  });

  it("an open breaker moves a sheet along its fallback chain", () => {
    const e = new Engine();
    e.register(
      spec(
        "j",
        [
          plan(1, { instrument: "a" }),
          plan(2, { instrument: "a", instrumentFallbacks: ["b"], dependsOn: [1] }),
        ],
        { retry: { maxRetries: 10 }, circuitBreaker: { failureThreshold: 1 } },
      ),
    );
    e.report("j", 1, FAILED);
    e.send({ kind: "SheetSkipped", jobId: "j", sheetNum: 1, reason: "skip" });
    expect(e.sheet("j", 2)).toMatchObject({
      status: "dispatched",
      instrument: "b",
      instrumentIndex: 1,
    });
  });
});

describe("dispatch limits", () => {
  it("respects the global, per-job and per-instrument limits, in submission and number order", () => {
    const e = new Engine({
      maxConcurrentSheets: 5,
      instrumentLimit: (name) => (name === "slow" ? 1 : 10),
    });
    e.register(spec("first", independent(4), { parallel: { enabled: true, maxConcurrent: 3 } }));
    e.register(
      spec("second", [plan(1, { instrument: "slow" }), plan(2, { instrument: "slow" }), plan(3)], {
        parallel: { enabled: true, maxConcurrent: 5 },
      }),
    );
    const playing = (job: string) =>
      [...e.state.jobs.get(job)!.sheets.values()]
        .filter((s) => s.musicianAlive)
        .map((s) => s.record.num);
    expect(playing("first")).toEqual([1, 2, 3]);
    expect(playing("second")).toEqual([1, 3]);
    expect(e.state.runningTotal).toBe(5);
    expect(e.lastDispatch!.skipped).toContainEqual({
      jobId: "second",
      sheetNum: 2,
      reason: "instrument_limit",
    });
  });

  it("a job without parallel plays one sheet at a time", () => {
    const e = new Engine();
    e.register(spec("j", independent(3)));
    expect(e.state.jobs.get("j")!.running).toBe(1);
  });

  it("tokens are deterministic and each dispatch schedules a stale check", () => {
    const e = new Engine();
    e.register(spec("j", [plan(1)]));
    expect(e.order("j", 1).dispatchToken).toBe("j:1:1");
    e.report("j", 1, FAILED);
    e.fire("retry:j:1");
    expect(e.order("j", 1)).toMatchObject({ dispatchToken: "j:1:2", attemptNumber: 2 });
    expect(e.order("j", 1).retryNotice).toContain("attempt 2");
    expect(e.pendingTimer("stale:j:1")?.event).toMatchObject({
      kind: "StaleCheck",
      dispatchToken: "j:1:2",
    });
  });
});

describe("recovery from a checkpoint", () => {
  it("interrupted sheets go back to pending with budgets kept; scheduled retries keep their time; terminal stay; the cascade re-runs", () => {
    const e = new Engine();
    const s = spec("j", [plan(1), plan(2), plan(3, { dependsOn: [2] }), plan(4), plan(5)], {
      parallel: { enabled: true, maxConcurrent: 5 },
    });
    e.register(s);
    e.report("j", 1);
    e.report("j", 4, FAILED);
    const job = { ...e.state.jobs.get("j")!.record };
    const sheets = [...e.state.jobs.get("j")!.sheets.values()].map((x) => ({ ...x.record }));
    // Simulate what the store held: sheet 2 failed (its cascade was lost), 5 was playing.
    sheets[1]!.status = "failed";
    sheets[1]!.errorCode = "E601";
    sheets[2]!.status = "pending";
    const fresh = new Engine();
    const result = fresh.send({ kind: "RecoverJob", spec: s, job, sheets });
    expect(fresh.status("j", 1)).toBe("completed");
    expect(fresh.status("j", 2)).toBe("failed");
    expect(fresh.sheet("j", 3)).toMatchObject({ status: "skipped", errorCode: "E999" });
    const dueAt = sheets[3]!.dueAt;
    expect(dueAt).not.toBeNull();
    expect(fresh.sheet("j", 4)).toMatchObject({
      normalAttempts: 1,
      status: "retry_scheduled",
      dueAt,
    });
    expect(fresh.pendingTimer("retry:j:4")?.at).toBe(dueAt);
    fresh.fire("retry:j:4");
    expect(fresh.order("j", 4).dispatchToken).toBe("j:4:2");
    expect(fresh.status("j", 5)).toBe("dispatched");
    expect(fresh.eventNames("j", 0)).toContain("job.recovered");
    expect(result.effects[0]!.kind).toBe("commit");
  });
});

describe("registration", () => {
  it("rejects a spec with duplicate sheets or unknown dependencies, naming the problem", () => {
    const e = new Engine();
    const dup = e.register(spec("a", [plan(1), plan(1)]));
    expect(dup.rejection).toMatchObject({
      kind: "invalid_spec",
      message: "job a: sheet 1 appears twice",
    });
    const unknown = e.register(spec("b", [plan(1, { dependsOn: [4] })]));
    expect(unknown.rejection?.message).toBe(
      "job b: sheet 1 depends on sheet 4, which does not exist",
    );
    expect(e.state.jobs.size).toBe(0);
    e.register(spec("c", [plan(1)]));
    expect(e.register(spec("c", [plan(1)])).rejection?.kind).toBe("duplicate_job");
  });

  it("a job without sheets completes at once", () => {
    const e = new Engine();
    const result = e.register(spec("empty", []));
    expect(e.jobStatus("empty")).toBe("completed");
    expect(result.effects).toContainEqual({
      kind: "jobFinished",
      jobId: "empty",
      status: "completed",
    });
  });
});
