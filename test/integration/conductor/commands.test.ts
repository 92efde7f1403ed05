import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { consistencyProblems } from "./support/consistency.ts";
import {
  allEvents,
  cliScore,
  startHarness,
  waitFor,
  waitForJob,
  type Harness,
} from "./support/podium-harness.ts";

const FAIL_UNTIL_FIXED = 'if [ ! -e fixed ]; then echo "not fixed yet" >&2; exit 3; fi\necho ok';

describe("conductor commands", () => {
  let harness: Harness | null = null;
  afterEach(async () => {
    expect(harness?.inconsistencies ?? []).toEqual([]);
    await harness?.dispose();
    harness = null;
  });

  async function sheets(jobId: string) {
    return (await harness!.podium.store.loadJob(jobId))!.sheets;
  }
  async function job(jobId: string) {
    return (await harness!.podium.store.loadJob(jobId))!.job;
  }

  it("answers NOT_FOUND for an unknown job and INVALID_STATE for a finished one", async () => {
    harness = await startHarness();
    const { conductor } = harness.podium;
    expect(await conductor.pauseJob("nope")).toEqual({
      ok: false,
      error: { code: "NOT_FOUND", message: "no job nope" },
    });
    expect((await conductor.resumeJob("nope")).ok).toBe(false);
    expect((await conductor.cancelJob("nope")).ok).toBe(false);
    const outcome = await conductor.submitJob({ score: cliScore({ sheets: 1, body: "true" }) });
    if (!outcome.ok) throw new Error(outcome.message);
    await waitForJob(harness.podium, outcome.jobId);
    expect(await conductor.pauseJob(outcome.jobId)).toEqual({
      ok: false,
      error: { code: "INVALID_STATE", message: `job ${outcome.jobId} is already completed` },
    });
    expect(await conductor.resolveFermata(outcome.jobId, 1, "retry")).toEqual({
      ok: false,
      error: { code: "INVALID_STATE", message: "sheet 1 is not in fermata (status: completed)" },
    });
    expect(await conductor.resolveFermata(outcome.jobId, 9, "retry")).toMatchObject({
      ok: false,
      error: { code: "NOT_FOUND" },
    });
    expect(await conductor.clearRateLimit()).toBe(0);
  });

  it("pauses dispatch (the playing sheet finishes), shows the reason, and resumes", async () => {
    harness = await startHarness();
    const { conductor } = harness.podium;
    const outcome = await conductor.submitJob({
      score: cliScore({ sheets: 3, body: "sleep 0.4; echo {{ sheet_num }} >> ran.txt" }),
    });
    if (!outcome.ok) throw new Error(outcome.message);
    await waitFor(
      async () =>
        (await sheets(outcome.jobId))[0]!.status === "dispatched" ||
        (await sheets(outcome.jobId))[0]!.status === "in_progress",
      "sheet 1 to play",
    );
    expect(await conductor.pauseJob(outcome.jobId)).toEqual({ ok: true });
    expect((await job(outcome.jobId)).record).toMatchObject({
      status: "paused",
      pauseReason: "user",
    });
    await waitFor(
      async () => (await sheets(outcome.jobId))[0]!.status === "completed",
      "the in-flight sheet to finish",
    );
    await new Promise((r) => setTimeout(r, 300));
    expect((await sheets(outcome.jobId))[1]!.status).toBe("pending");
    expect((await job(outcome.jobId)).record.status).toBe("paused");
    expect(await conductor.resumeJob(outcome.jobId)).toEqual({ ok: true });
    expect(await waitForJob(harness.podium, outcome.jobId)).toBe("completed");
    expect(readFileSync(path.join((await job(outcome.jobId)).workspace, "ran.txt"), "utf8")).toBe(
      "1\n2\n3\n",
    );
  });

  it("cancels a job: its playing process is killed and every unfinished sheet is cancelled", async () => {
    harness = await startHarness();
    const { conductor } = harness.podium;
    const outcome = await conductor.submitJob({
      score: cliScore({ sheets: 2, body: "echo start >> log.txt; sleep 30; echo end >> log.txt" }),
    });
    if (!outcome.ok) throw new Error(outcome.message);
    const workspace = (await job(outcome.jobId)).workspace;
    await waitFor(() => existsSync(path.join(workspace, "log.txt")), "sheet 1 to start");
    expect(await conductor.cancelJob(outcome.jobId)).toEqual({ ok: true });
    expect(await waitForJob(harness.podium, outcome.jobId)).toBe("cancelled");
    expect((await sheets(outcome.jobId)).map((s) => s.status)).toEqual(["cancelled", "cancelled"]);
    await waitFor(() => harness!.podium.baton.activeMusicians === 0, "the musician to report");
    expect(readFileSync(path.join(workspace, "log.txt"), "utf8")).toBe("start\n");
    expect(await conductor.cancelJob(outcome.jobId)).toMatchObject({
      ok: false,
      error: { code: "INVALID_STATE" },
    });
  });

  it("resumes a failed job with retryFailed, before and after a restart", async () => {
    harness = await startHarness();
    const score = cliScore({
      sheets: 2,
      body: `{% if sheet_num == 2 %}\n${FAIL_UNTIL_FIXED}\n{% endif %}`,
      extra: "retry:\n  max_retries: 1\n  base_delay_seconds: 0.1\n  max_delay_seconds: 0.1",
    });
    const first = await harness.podium.conductor.submitJob({ score });
    if (!first.ok) throw new Error(first.message);
    expect(await waitForJob(harness.podium, first.jobId)).toBe("failed");
    expect((await sheets(first.jobId)).map((s) => s.status)).toEqual(["completed", "failed"]);
    expect(await harness.podium.conductor.resumeJob(first.jobId)).toMatchObject({
      ok: false,
      error: { code: "INVALID_STATE" },
    });
    writeFileSync(path.join((await job(first.jobId)).workspace, "fixed"), "");
    expect(await harness.podium.conductor.resumeJob(first.jobId, { retryFailed: true })).toEqual({
      ok: true,
    });
    expect(await waitForJob(harness.podium, first.jobId, (s) => s === "completed")).toBe(
      "completed",
    );

    const second = await harness.podium.conductor.submitJob({ score });
    if (!second.ok) throw new Error(second.message);
    expect(await waitForJob(harness.podium, second.jobId)).toBe("failed");
    const podium = await harness.restart();
    expect(podium.recovery.recoveredJobs).not.toContain(second.jobId);
    writeFileSync(path.join((await job(second.jobId)).workspace, "fixed"), "");
    expect(await podium.conductor.resumeJob(second.jobId, { retryFailed: true })).toEqual({
      ok: true,
    });
    expect(await waitForJob(podium, second.jobId, (s) => s === "completed")).toBe("completed");
    const attempts = await podium.db.prisma.attempt.findMany({
      where: { jobId: second.jobId, sheetNum: 1 },
    });
    expect(attempts).toHaveLength(1);
  });

  it("holds an exhausted sheet in fermata, paused for escalation, until a person decides", async () => {
    harness = await startHarness();
    const score = cliScore({
      sheets: 2,
      body: `{% if sheet_num == 1 %}\n${FAIL_UNTIL_FIXED}\n{% endif %}`,
      extra: "retry:\n  max_retries: 1\n  base_delay_seconds: 0.1\n  max_delay_seconds: 0.1",
    });
    const outcome = await harness.podium.conductor.submitJob({ score, escalation: true });
    if (!outcome.ok) throw new Error(outcome.message);
    await waitFor(
      async () => (await sheets(outcome.jobId))[0]!.status === "fermata",
      "the fermata",
    );
    expect((await job(outcome.jobId)).record).toMatchObject({
      status: "paused",
      pauseReason: "escalation",
    });
    // A restart keeps the decision open: the fermata sheet comes back pending, not lost.
    const podium = await harness.restart();
    expect(podium.recovery.recoveredJobs).toContain(outcome.jobId);
    await waitFor(
      async () => (await sheets(outcome.jobId))[0]!.status === "fermata",
      "the fermata again after restart",
    );
    writeFileSync(path.join((await job(outcome.jobId)).workspace, "fixed"), "");
    expect(await podium.conductor.resolveFermata(outcome.jobId, 1, "retry")).toEqual({ ok: true });
    expect(await waitForJob(podium, outcome.jobId)).toBe("completed");
    expect(
      (await allEvents(podium, outcome.jobId)).some((e) => e.event === "sheet.fermata_resolved"),
    ).toBe(true);
  });

  it("consistency rule flags a running job with nothing able to run", () => {
    const problems = consistencyProblems(
      {
        id: "j",
        status: "running",
        pauseReason: null,
        pauseReasons: [],
        totalSheets: 1,
        completedSheets: 1,
        costUsd: 0,
        errorMessage: null,
        startedAt: 1,
        completedAt: null,
      },
      [{ num: 1, status: "completed" } as never],
    );
    expect(problems.join()).toMatch(/nothing able to run/);
  });
});
