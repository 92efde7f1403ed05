import { describe, expect, it } from "vitest";
import { BatonRuntime } from "../../../apps/server/src/baton/runtime/baton-runtime.ts";
import { MemoryCheckpointStore } from "../../../apps/server/src/store/memory-store.ts";
import { FAILED, chain, independent, partial, plan, spec } from "./support/fixtures.ts";
import { FakeClock, FakeTimerHost } from "./support/fake-time.ts";
import { harness, RecordingSink } from "./support/harness.ts";
import { ScriptedMusician } from "./support/scripted-musician.ts";

describe("BatonRuntime: commit before effects", () => {
  it("commits a dispatch before the musician plays, and publishes only committed events", async () => {
    const log: string[] = [];
    const h = harness(() => ({}));
    h.store.beforeCommit = (batch) => {
      log.push(`commit ${batch.events.map((e) => e.event).join(",")}`);
    };
    h.musician.log = log;
    h.sink.log = log;
    await h.adapter.registerJob(spec("j", chain(2)));
    await h.settle();
    const firstPlay = log.indexOf("play j:1:1");
    const dispatchCommit = log.findIndex(
      (l) => l.startsWith("commit") && l.includes("sheet.dispatched"),
    );
    expect(dispatchCommit).toBeGreaterThanOrEqual(0);
    expect(dispatchCommit).toBeLessThan(firstPlay);
    expect(log.indexOf("publish sheet.dispatched")).toBeGreaterThan(dispatchCommit);
    const completedCommit = log.findIndex(
      (l) => l.startsWith("commit") && l.includes("sheet.completed"),
    );
    expect(completedCommit).toBeLessThan(log.indexOf("play j:2:1"));
    expect(h.sink.published.map((e) => e.seq)).toEqual(h.store.events.map((e) => e.seq));
    expect(h.store.events.map((e) => e.seq)).toEqual(h.store.events.map((_, i) => i + 1));
  });

  it("no effect happens when the commit fails, and run() rejects", async () => {
    const h = harness(() => ({}));
    h.store.beforeCommit = () => {
      throw new Error("disk full");
    };
    const outcome = h.adapter.registerJob(spec("j", [plan(1)]));
    await expect(h.running).rejects.toThrow("disk full");
    expect(h.musician.requests).toHaveLength(0);
    expect(h.timers.active).toBe(0);
    expect(h.sink.published).toHaveLength(0);
    await expect(outcome).resolves.toMatchObject({
      ok: false,
      rejection: { kind: "store_failed", message: "disk full" },
    });
  });

  it("groups events waiting in the inbox into one commit, in order", async () => {
    const clock = new FakeClock();
    const store = new MemoryCheckpointStore();
    const adapter = new BatonRuntime({
      store,
      sink: new RecordingSink(),
      clock,
      timers: new FakeTimerHost(clock),
      musician: new ScriptedMusician(() => "hold"),
    });
    const a = adapter.registerJob(spec("a", [plan(1)]));
    const b = adapter.registerJob(spec("b", [plan(1)]));
    void adapter.run();
    await Promise.all([a, b]);
    const first = store.commits.find((c) => c.events.length > 0)!;
    expect(first.events.map((e) => `${e.jobId} ${e.event}`)).toEqual([
      "a job.started",
      "b job.started",
      "a sheet.dispatched",
      "b sheet.dispatched",
    ]);
    await adapter.shutdown();
  });
});

describe("BatonRuntime: results that arrive together", () => {
  it("are committed together once the loop wakes after the turn's I/O", async () => {
    const clock = new FakeClock();
    const store = new MemoryCheckpointStore();
    const musician = new ScriptedMusician(() => "hold");
    const adapter = new BatonRuntime({
      store,
      sink: new RecordingSink(),
      clock,
      timers: new FakeTimerHost(clock),
      musician,
    });
    void adapter.run();
    await adapter.registerJob(
      spec("j", independent(4), { parallel: { enabled: true, maxConcurrent: 4 } }),
    );
    await adapter.whenIdle();
    expect(musician.held.size).toBe(4);
    const before = store.commits.length;
    // Four processes end in the same turn of the event loop, each result a few promise hops
    // after the one before (as the exits of a helper's batch of messages are relayed).
    for (const sheetNum of [1, 2, 3, 4]) {
      musician.finish(sheetNum);
      for (let hop = 0; hop < 10; hop++) await Promise.resolve();
    }
    expect(await adapter.waitForCompletion("j")).toBe(true);
    const completions = store.commits
      .slice(before)
      .map((commit) => commit.events.filter((e) => e.event === "sheet.completed").length)
      .filter((count) => count > 0);
    expect(completions).toEqual([4]);
    await adapter.shutdown();
  });
});

describe("BatonRuntime: running jobs", () => {
  it("plays a DAG to completion and persists sheets, attempts and events", async () => {
    const h = harness(() => ({ costUsd: 0.5 }));
    await h.adapter.registerJob(spec("j", chain(3)));
    expect(await h.adapter.waitForCompletion("j")).toBe(true);
    expect(h.musician.playedSheets()).toEqual([1, 2, 3]);
    expect(h.store.sheetsOf("j").map((s) => s.status)).toEqual([
      "completed",
      "completed",
      "completed",
    ]);
    expect(h.store.attempts).toHaveLength(3);
    expect(h.store.jobs.get("j")).toMatchObject({
      status: "completed",
      costUsd: 1.5,
      completedSheets: 3,
    });
    expect(h.adapter.hasCompletedSheets("j")).toBe(true);
    expect(h.store.events.at(-1)!.event).toBe("job.completed");
  });

  it("retries on the fake clock after the backoff", async () => {
    let calls = 0;
    const h = harness(() => (calls++ === 0 ? FAILED : {}));
    await h.adapter.registerJob(spec("j", [plan(1)], { retry: { baseDelaySeconds: 10 } }));
    await h.settle();
    expect(h.adapter.getSheetRecord("j", 1)!.status).toBe("retry_scheduled");
    await h.advance(9_999);
    expect(h.musician.requests).toHaveLength(1);
    await h.advance(1);
    expect(h.adapter.getSheetRecord("j", 1)!.status).toBe("completed");
    expect(h.musician.requests[1]!.prompt.retryNotice).toContain("attempt 2");
  });

  it("builds requests with cross-sheet outputs and the failed validations of a completion retry", async () => {
    let second = 0;
    const h = harness((r) =>
      r.sheetNum === 3 && second++ === 0
        ? partial(1, 2)
        : { stdoutTail: `output of ${r.sheetNum} `.repeat(3) },
    );
    const s = spec(
      "j",
      chain(3),
      {},
      {
        crossSheet: {
          autoCaptureStdout: true,
          maxOutputChars: 10,
          captureFiles: [],
          lookbackSheets: 1,
        },
      },
    );
    await h.adapter.registerJob(s);
    await h.settle();
    await h.advance(5_000);
    const third = h.musician.requests.filter((r) => r.sheetNum === 3);
    // Only the newest earlier sheet (lookback 1): its first 10 characters and the marker.
    expect(third[0]!.prompt.previousOutputs).toEqual({ 2: "output of \n... [truncated]" });
    expect(third[1]!.mode).toBe("completion");
    expect(third[1]!.prompt.failedValidations).toEqual(["check 1"]);
    expect(third[0]!).toMatchObject({ totalSheets: 3, workspace: s.workspace, validations: [] });
  });

  it("a musician that cannot start reports a failure, so its slot is not lost", async () => {
    let calls = 0;
    const h = harness(() => (calls++ === 0 ? "throw" : {}));
    await h.adapter.registerJob(spec("j", [plan(1)], { retry: { baseDelaySeconds: 1 } }));
    await h.settle();
    expect(h.store.attempts[0]).toMatchObject({
      errorClass: "DISPATCH_FAILED",
      executionSuccess: false,
    });
    await h.advance(1_000);
    expect(await h.adapter.waitForCompletion("j")).toBe(true);
    expect(h.adapter.activeMusicians).toBe(0);
  });

  it("a stale check finds a live musician and looks again instead of failing it", async () => {
    const h = harness(() => "hold");
    await h.adapter.registerJob(spec("j", [plan(1, { timeoutSeconds: 10 })]));
    await h.settle();
    await h.advance(70_000);
    expect(h.adapter.getSheetRecord("j", 1)!.status).toBe("in_progress");
    expect(h.store.attempts).toHaveLength(0);
    h.musician.finish(1);
    expect(await h.adapter.waitForCompletion("j")).toBe(true);
  });

  it("hook reports and clearInstrumentRateLimit go through the inbox and the store", async () => {
    const h = harness(() => ({}));
    await h.adapter.reportHook("j", "hook.started", {
      index: 0,
      type: "run_command",
      description: null,
    });
    expect(h.store.events[0]).toMatchObject({ seq: 1, event: "hook.started", sheetNum: 0 });
    expect(h.sink.published[0]!.seq).toBe(1);
    expect(await h.adapter.clearInstrumentRateLimit("nothing")).toBe(0);
  });
});

describe("BatonRuntime: commands", () => {
  it("pause keeps the playing musician, resume continues, outcomes are typed", async () => {
    const h = harness(() => "hold");
    await h.adapter.registerJob(spec("j", chain(2)));
    await h.settle();
    expect(await h.adapter.pauseJob("j")).toEqual({ ok: true });
    expect(h.store.jobs.get("j")).toMatchObject({ status: "paused", pauseReason: "user" });
    h.musician.finish(1);
    await h.settle();
    expect(h.musician.playedSheets()).toEqual([1]);
    expect(await h.adapter.resumeJob("j")).toEqual({ ok: true });
    await h.settle();
    expect(h.musician.playedSheets()).toEqual([1, 2]);
    expect(await h.adapter.pauseJob("missing")).toMatchObject({
      ok: false,
      rejection: { kind: "unknown_job" },
    });
  });

  it("cancel kills the musicians and settles waitForCompletion with false", async () => {
    const h = harness(() => "hold");
    await h.adapter.registerJob(spec("j", independent(3), { parallel: { enabled: true } }));
    await h.settle();
    expect(h.adapter.activeMusicians).toBe(3);
    const done = h.adapter.waitForCompletion("j");
    expect(await h.adapter.cancelJob("j")).toEqual({ ok: true });
    expect(await done).toBe(false);
    await h.settle();
    expect(h.adapter.activeMusicians).toBe(0);
    expect(h.store.sheetsOf("j").map((s) => s.status)).toEqual([
      "cancelled",
      "cancelled",
      "cancelled",
    ]);
    expect(h.store.attempts).toHaveLength(0);
  });

  it("fermata: escalation pauses the job; a retry decision plays the sheet again", async () => {
    let calls = 0;
    const h = harness(() => (calls++ === 0 ? FAILED : {}));
    await h.adapter.registerJob(
      spec("j", [plan(1)], { retry: { maxRetries: 1 }, escalation: true }),
    );
    await h.settle();
    expect(h.store.sheet("j", 1)!.status).toBe("fermata");
    expect(h.store.jobs.get("j")).toMatchObject({ status: "paused", pauseReason: "escalation" });
    expect(await h.adapter.resolveFermata("j", 1, "retry")).toEqual({ ok: true });
    expect(await h.adapter.waitForCompletion("j")).toBe(true);
    expect(await h.adapter.resolveFermata("j", 1, "skip")).toMatchObject({
      ok: false,
      rejection: { kind: "terminal_sheet" },
    });
    expect(h.store.events.map((e) => e.event)).toContain("sheet.fermata_resolved");
  });

  it("recovers from the checkpoint without replaying completed sheets", async () => {
    const s = spec("j", chain(3));
    const first = harness((r) => (r.sheetNum === 1 ? {} : "hold"));
    await first.adapter.registerJob(s);
    await first.settle();
    expect(first.store.sheet("j", 2)!.status).toBe("in_progress");
    await first.adapter.shutdown();
    const checkpoint = first.store.checkpoint("j")!;

    const second = harness(() => ({}), {}, first.store);
    expect(await second.adapter.recoverJob({ spec: s, ...checkpoint })).toEqual({ ok: true });
    expect(await second.adapter.waitForCompletion("j")).toBe(true);
    expect(second.musician.playedSheets()).toEqual([2, 3]);
    expect(second.musician.requests[0]!.dispatchToken).toBe("j:2:2");
    expect(first.store.events.map((e) => e.event)).toContain("job.recovered");
  });

  it("deregistering settles waiters and shutdown ends run()", async () => {
    const h = harness(() => "hold");
    await h.adapter.registerJob(spec("j", [plan(1)]));
    const done = h.adapter.waitForCompletion("j");
    await h.adapter.deregisterJob("j");
    expect(await done).toBe(false);
    await h.adapter.shutdown();
    await expect(h.running).resolves.toBeUndefined();
    expect(await h.adapter.pauseJob("j")).toMatchObject({
      ok: false,
      rejection: { kind: "shutting_down" },
    });
  });
});

describe("BatonRuntime: captured files", () => {
  it("adds cross_sheet.capture_files to the request through the captureFiles option", async () => {
    const queries: unknown[] = [];
    const h = harness(() => ({}), {
      captureFiles: async (query) => {
        queries.push(query);
        return { "notes.md": "hello" };
      },
    });
    const crossSheet = {
      autoCaptureStdout: false,
      maxOutputChars: 50,
      captureFiles: ["*.md"],
      lookbackSheets: 0,
    };
    await h.adapter.registerJob(spec("j", [plan(1)], {}, { crossSheet }));
    expect(await h.adapter.waitForCompletion("j")).toBe(true);
    expect(h.musician.requests[0]!.prompt.previousFiles).toEqual({ "notes.md": "hello" });
    expect(queries).toEqual([
      {
        workspace: "/tmp/podium-test/j",
        patterns: ["*.md"],
        maxChars: 50,
        request: expect.objectContaining({ sheetNum: 1 }),
      },
    ]);
  });

  it("a failing capture is a failed dispatch, not a lost slot", async () => {
    const h = harness(() => ({}), {
      captureFiles: () => Promise.reject(new Error("unreadable workspace")),
    });
    const crossSheet = {
      autoCaptureStdout: false,
      maxOutputChars: 50,
      captureFiles: ["*.md"],
      lookbackSheets: 0,
    };
    await h.adapter.registerJob(spec("j", [plan(1)], { retry: { maxRetries: 1 } }, { crossSheet }));
    expect(await h.adapter.waitForCompletion("j")).toBe(false);
    expect(h.store.attempts[0]).toMatchObject({
      errorClass: "DISPATCH_FAILED",
      errorMessage: "unreadable workspace",
    });
    expect(h.adapter.activeMusicians).toBe(0);
  });
});
