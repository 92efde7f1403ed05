/**
 * resumeJob with a corrected score, on a real SQLite file with real processes: what completed
 * stays completed and does not run again, the rest runs under the new score; an invalid score
 * or one that changes the sheet structure is refused with the reason, and nothing changes.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  allEvents,
  cliScore,
  startHarness,
  waitForJob,
  type Harness,
} from "./support/podium-harness.ts";

const NO_RETRIES = "retry:\n  max_retries: 0\n  base_delay_seconds: 0.1";
const broken = cliScore({
  sheets: 3,
  body: "{% if sheet_num == 2 %}echo broken >&2; exit 3{% endif %}\necho {{ sheet_num }} >> ran.txt",
  extra: NO_RETRIES,
});
const fixed = cliScore({
  name: "fixed",
  sheets: 3,
  body: "echo {{ sheet_num }}-fixed >> ran.txt",
  extra: NO_RETRIES,
});

describe("resumeJob with a corrected score", () => {
  let harness: Harness | null = null;
  afterEach(async () => {
    await harness?.dispose();
    harness = null;
  });

  async function failedJob(): Promise<string> {
    harness = await startHarness();
    const outcome = await harness.podium.conductor.submitJob({ score: broken });
    if (!outcome.ok) throw new Error(outcome.message);
    expect(await waitForJob(harness.podium, outcome.jobId)).toBe("failed");
    return outcome.jobId;
  }

  it("keeps completed sheets and runs the rest under the corrected score", async () => {
    const jobId = await failedJob();
    const { conductor, store } = harness!.podium;
    expect(await conductor.resumeJob(jobId, { retryFailed: true, score: fixed })).toEqual({
      ok: true,
    });
    expect(await waitForJob(harness!.podium, jobId)).toBe("completed");
    const stored = (await store.loadJob(jobId))!;
    expect(readFileSync(path.join(stored.job.workspace, "ran.txt"), "utf8")).toBe(
      "1\n2-fixed\n3-fixed\n",
    );
    expect(stored.job.scoreText).toBe(fixed);
    expect((await allEvents(harness!.podium, jobId)).map((e) => e.event)).toContain("job.rescored");
  });

  it("continues a paused job under the corrected score", async () => {
    harness = await startHarness();
    const { conductor, store } = harness.podium;
    const outcome = await conductor.submitJob({
      score: cliScore({ sheets: 2, body: "sleep 0.5; echo {{ sheet_num }} >> ran.txt" }),
    });
    if (!outcome.ok) throw new Error(outcome.message);
    await waitForJob(harness.podium, outcome.jobId, (status) => status === "running");
    expect(await conductor.pauseJob(outcome.jobId)).toEqual({ ok: true });
    await waitForJob(
      harness.podium,
      outcome.jobId,
      async () => (await store.loadJob(outcome.jobId))!.sheets[0]!.status === "completed",
    );
    expect((await store.loadJob(outcome.jobId))!.job.record.status).toBe("paused");
    const corrected = cliScore({ sheets: 2, body: "echo {{ sheet_num }}-corrected >> ran.txt" });
    expect(await conductor.resumeJob(outcome.jobId, { score: corrected })).toEqual({ ok: true });
    expect(await waitForJob(harness.podium, outcome.jobId)).toBe("completed");
    const workspace = (await store.loadJob(outcome.jobId))!.job.workspace;
    expect(readFileSync(path.join(workspace, "ran.txt"), "utf8")).toBe("1\n2-corrected\n");
  });

  it("refuses an invalid score with its problems, and a structure change with the reason", async () => {
    const jobId = await failedJob();
    const { conductor, store } = harness!.podium;
    const invalid = await conductor.resumeJob(jobId, { score: "name: x\nsheet: {size: 0}\n" });
    expect(invalid).toMatchObject({ ok: false, error: { code: "SCORE_INVALID" } });
    expect(invalid.ok ? [] : invalid.error.problems?.length).toBeGreaterThan(0);

    const more = await conductor.resumeJob(jobId, {
      score: cliScore({ sheets: 4, body: "true", extra: NO_RETRIES }),
    });
    expect(more).toMatchObject({
      ok: false,
      error: {
        code: "INVALID_INPUT",
        message: expect.stringMatching(/4 sheets where the job has 3/),
      },
    });
    const rewired = await conductor.resumeJob(jobId, {
      score: cliScore({ sheets: 3, body: "true", extra: NO_RETRIES }).replace(
        "  total_items: 3",
        "  total_items: 3\n  dependencies:\n    3: [1]",
      ),
    });
    expect(rewired).toMatchObject({
      ok: false,
      error: {
        code: "INVALID_INPUT",
        message: expect.stringMatching(/cannot change the dependencies/),
      },
    });
    expect((await store.loadJob(jobId))!.job.scoreText).toBe(broken);
    expect((await store.loadJob(jobId))!.job.record.status).toBe("failed");
  });

  it("refuses a corrected score for a job that is neither paused nor failed", async () => {
    harness = await startHarness();
    const { conductor } = harness.podium;
    const outcome = await conductor.submitJob({ score: fixed });
    if (!outcome.ok) throw new Error(outcome.message);
    expect(await waitForJob(harness.podium, outcome.jobId)).toBe("completed");
    expect(await conductor.resumeJob(outcome.jobId, { score: fixed })).toMatchObject({
      ok: false,
      error: { code: "INVALID_STATE" },
    });
  });
});
