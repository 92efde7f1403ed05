/**
 * Submissions, unrecoverable jobs, corrected scores and hook reports are baton events: the
 * runtime commits their rows with their events, in inbox order, and publishes what it committed.
 */
import { describe, expect, it } from "vitest";
import type { JobSpec, NewJob } from "../../../apps/server/src/baton/core/policy.ts";
import { freshSheetRecord } from "../../../apps/server/src/baton/core/registry.ts";
import { harness } from "./support/harness.ts";
import { chain, plan, spec } from "./support/fixtures.ts";

function newJob(jobSpec: JobSpec, overrides: Partial<NewJob> = {}): NewJob {
  return {
    id: jobSpec.jobId,
    name: jobSpec.jobId,
    status: "pending",
    scoreText: "name: demo",
    configHash: "hash",
    spec: jobSpec,
    workspace: jobSpec.workspace,
    idempotencyKey: null,
    warnings: [],
    options: {},
    totalSheets: jobSpec.sheets.length,
    concertDepth: 0,
    parentJobId: null,
    hooksPending: false,
    createdAt: 0,
    ...overrides,
  };
}

describe("BatonRuntime: submissions", () => {
  it("commits the job row with its sheets and first events, then plays it", async () => {
    const h = harness(() => ({}));
    const submitted = spec("j", chain(3));
    const outcome = await h.adapter.submitJob({
      job: newJob(submitted),
      sheets: submitted.sheets,
      dryRunReason: null,
      startSheet: 2,
    });
    expect(outcome).toEqual({ ok: true });
    const first = h.store.commits[0]!;
    expect(first.newJobs?.map((j) => j.id)).toEqual(["j"]);
    expect(first.sheets.map((s) => s.num).sort()).toEqual([1, 2, 3]);
    expect(first.events.map((e) => e.event).slice(0, 3)).toEqual([
      "job.submitted",
      "job.started",
      "sheet.skipped",
    ]);
    expect(h.store.sheet("j", 1)).toMatchObject({
      status: "skipped",
      errorMessage: "before start sheet 2",
    });
    expect(await h.adapter.waitForCompletion("j")).toBe(true);
    expect(h.musician.playedSheets()).toEqual([2, 3]);
    expect(h.sink.published.map((e) => e.seq)).toEqual(h.store.events.map((e) => e.seq));
  });

  it("stores a dry run cancelled, sheets and all, and never registers it", async () => {
    const h = harness(() => ({}));
    const planned = spec("dry", chain(2));
    const outcome = await h.adapter.submitJob({
      job: newJob(planned, { status: "cancelled", spec: null }),
      sheets: planned.sheets,
      dryRunReason: "nothing was run",
      startSheet: 1,
    });
    expect(outcome).toEqual({ ok: true });
    expect(h.adapter.getJob("dry")).toBeNull();
    expect(h.store.jobs.get("dry")?.status).toBe("cancelled");
    expect(h.store.sheetsOf("dry").map((s) => [s.status, s.errorMessage])).toEqual([
      ["cancelled", "nothing was run"],
      ["cancelled", "nothing was run"],
    ]);
    expect(h.store.events.map((e) => [e.event, e.data])).toEqual([
      [
        "job.submitted",
        { name: "dry", totalSheets: 2, dryRun: true, workspace: planned.workspace },
      ],
      ["job.cancelled", { reason: "nothing was run" }],
    ]);
    await h.settle();
    expect(h.musician.requests).toHaveLength(0);
  });

  it("answers a repeated idempotency key with the job that holds it, writing nothing", async () => {
    const h = harness(() => "hold");
    const a = spec("a", [plan(1)]);
    const b = spec("b", [plan(1)]);
    const [first, second] = await Promise.all([
      h.adapter.submitJob({
        job: newJob(a, { idempotencyKey: "k" }),
        sheets: a.sheets,
        dryRunReason: null,
        startSheet: 1,
      }),
      h.adapter.submitJob({
        job: newJob(b, { idempotencyKey: "k" }),
        sheets: b.sheets,
        dryRunReason: null,
        startSheet: 1,
      }),
    ]);
    expect(first).toEqual({ ok: true });
    expect(second).toMatchObject({ ok: false, rejection: { kind: "duplicate_job", jobId: "a" } });
    expect([...h.store.newJobs.keys()]).toEqual(["a"]);
    expect(h.store.events.filter((e) => e.jobId === "b")).toEqual([]);
  });

  it("refuses a spec it cannot play without writing the job", async () => {
    const h = harness(() => ({}));
    const bad = spec("bad", [plan(1, { dependsOn: [2] })]);
    const outcome = await h.adapter.submitJob({
      job: newJob(bad),
      sheets: bad.sheets,
      dryRunReason: null,
      startSheet: 1,
    });
    expect(outcome).toMatchObject({ ok: false, rejection: { kind: "invalid_spec" } });
    expect(h.store.newJobs.size).toBe(0);
    expect(h.store.events).toEqual([]);
  });

  it("fails an unrecoverable job visibly: unfinished sheets failed, job.failed logged", async () => {
    const h = harness(() => ({}));
    const job = {
      id: "old",
      status: "running" as const,
      pauseReason: null,
      pauseReasons: [],
      totalSheets: 2,
      completedSheets: 1,
      costUsd: 0,
      errorMessage: null,
      startedAt: 1,
      completedAt: null,
    };
    const done = { ...freshSheetRecord("old", plan(1)), status: "completed" as const };
    const open = freshSheetRecord("old", plan(2));
    const outcome = await h.adapter.failUnrecoverable({
      job,
      sheets: [done, open],
      message: "score no longer parses",
    });
    expect(outcome).toEqual({ ok: true });
    expect(h.store.jobs.get("old")).toMatchObject({
      status: "failed",
      errorMessage: "score no longer parses",
    });
    expect(h.store.sheetsOf("old").map((s) => s.num)).toEqual([2]);
    expect(h.store.sheet("old", 2)).toMatchObject({ status: "failed" });
    expect(h.store.events.map((e) => e.event)).toEqual(["job.failed"]);
  });

  it("replaces the score of a job only once it has left the baton", async () => {
    const h = harness(() => "hold");
    const playing = spec("r", [plan(1)]);
    await h.adapter.registerJob(playing);
    const score = { id: "r", name: "r", scoreText: "name: r", configHash: "h2", spec: playing };
    expect(await h.adapter.replaceScore({ score, sheets: [] })).toMatchObject({
      ok: false,
      rejection: { kind: "invalid_state" },
    });
    await h.adapter.deregisterJob("r");
    expect(await h.adapter.replaceScore({ score, sheets: [] })).toEqual({ ok: true });
    const commit = h.store.commits.at(-1)!;
    expect(commit.rescored).toEqual([score]);
    expect(commit.events.map((e) => e.event)).toEqual(["job.rescored"]);
  });

  it("logs hook reports and the end of a job's hooks through the same commits", async () => {
    const h = harness(() => ({}));
    const data = {
      index: 0,
      type: "run_command",
      description: null,
      exitCode: 0 as const,
      stdoutTail: "ok",
    };
    await h.adapter.reportHook("done", "hook.completed", data);
    await h.adapter.finishHooks("done");
    expect(h.store.events.map((e) => [e.event, e.data])).toEqual([["hook.completed", data]]);
    expect(h.store.commits.at(-1)!.hooksFinished).toEqual(["done"]);
  });
});
