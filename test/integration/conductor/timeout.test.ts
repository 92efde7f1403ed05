import { afterEach, describe, expect, it } from "vitest";
import {
  allEvents,
  cliScore,
  startHarness,
  waitFor,
  waitForJob,
  type Harness,
} from "./support/podium-harness.ts";

describe("job wall-clock timeout", () => {
  let harness: Harness | null = null;
  afterEach(async () => {
    expect(harness?.inconsistencies ?? []).toEqual([]);
    await harness?.dispose();
    harness = null;
  });

  it("fails a job that outlives its limit, counted from its start across a restart", async () => {
    harness = await startHarness({ jobTimeoutSeconds: 2 });
    const outcome = await harness.podium.conductor.submitJob({
      score: cliScore({ sheets: 2, body: "sleep 30" }),
    });
    if (!outcome.ok) throw new Error(outcome.message);
    await waitFor(
      async () =>
        (await harness!.podium.store.loadJob(outcome.jobId))!.sheets[0]!.status === "in_progress" ||
        (await harness!.podium.store.loadJob(outcome.jobId))!.sheets[0]!.status === "dispatched",
      "sheet 1 to play",
    );
    const podium = await harness.restart();
    expect(await waitForJob(podium, outcome.jobId, undefined, 10_000)).toBe("failed");
    const { job, sheets } = (await podium.store.loadJob(outcome.jobId))!;
    const timeout = (await allEvents(podium, outcome.jobId)).find((e) => e.event === "job.timeout");
    expect(timeout).toBeDefined();
    // The limit runs from the job's start, not from the restart.
    expect(timeout!.timestamp - job.record.startedAt!).toBeLessThan(3_500);
    expect(
      sheets.every(
        (s) => s.status === "failed" || s.status === "cancelled" || s.status === "skipped",
      ),
    ).toBe(true);
    expect(sheets.some((s) => s.errorCode === "E604")).toBe(true);
  });
});
