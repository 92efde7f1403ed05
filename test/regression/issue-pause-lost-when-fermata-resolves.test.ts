/**
 * A job held one pause reason (`Job.pauseReason`): a person's pause while a fermata held the job
 * was dropped (`onPause` returned silently when a reason was set, yet reported success), and
 * resolving the fermata cleared the single reason, so the job ran on although a person had
 * paused it. Pause reasons are now a set: each is lifted only by what lifts it.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Engine } from "../unit/baton/support/engine.ts";
import { FAILED, plan, spec } from "../unit/baton/support/fixtures.ts";
import {
  startHarness,
  waitFor,
  waitForJob,
  type Harness,
} from "../integration/conductor/support/podium-harness.ts";

function heldAtFermata(): Engine {
  const e = new Engine();
  e.register(
    spec("j", [plan(1), plan(2, { dependsOn: [1] })], {
      escalation: true,
      retry: { maxRetries: 1 },
    }),
  );
  e.report("j", 1, FAILED);
  expect(e.status("j", 1)).toBe("fermata");
  return e;
}

describe("regression: pause reasons are independent", () => {
  it("a person's pause during a fermata survives resolving it", () => {
    const e = heldAtFermata();
    expect(e.send({ kind: "PauseJob", jobId: "j", reason: "user" }).rejection).toBeUndefined();
    expect(e.state.jobs.get("j")!.record).toMatchObject({
      status: "paused",
      pauseReason: "escalation",
      pauseReasons: ["escalation", "user"],
    });
    e.send({ kind: "EscalationResolved", jobId: "j", sheetNum: 1, decision: "retry" });
    expect(e.state.jobs.get("j")!.record).toMatchObject({
      status: "paused",
      pauseReason: "user",
      pauseReasons: ["user"],
    });
    expect(e.status("j", 1)).toBe("pending");
    expect(e.lastDispatch!.dispatched).toEqual([]);
    const logged = e.commits().flatMap((c) => c.events);
    expect(logged.at(-1)).toMatchObject({
      event: "job.paused",
      data: { reasons: ["user"], lifted: ["escalation"] },
    });
    expect(e.send({ kind: "ResumeJob", jobId: "j", retryFailed: false }).rejection).toBeUndefined();
    expect(e.jobStatus("j")).toBe("running");
    expect(e.status("j", 1)).toBe("dispatched");
  });

  it("resume lifts the person's pause, not the fermata's", () => {
    const e = heldAtFermata();
    e.send({ kind: "PauseJob", jobId: "j", reason: "user" });
    e.send({ kind: "ResumeJob", jobId: "j", retryFailed: false });
    expect(e.state.jobs.get("j")!.record.pauseReasons).toEqual(["escalation"]);
    const again = e.send({ kind: "ResumeJob", jobId: "j", retryFailed: false });
    expect(again.rejection).toMatchObject({ kind: "invalid_state" });
    expect(again.rejection!.message).toMatch(/fermata/);
  });

  it("the escalation pause ends with the last fermata, however it ends", () => {
    const e = heldAtFermata();
    e.send({ kind: "PauseJob", jobId: "j", reason: "user" });
    e.send({ kind: "SheetSkipped", jobId: "j", sheetNum: 1, reason: "skipped by a person" });
    expect(e.state.jobs.get("j")!.record.pauseReasons).toEqual(["user"]);
  });

  it("pausing never reports success without effect", () => {
    const e = new Engine();
    e.register(spec("j", [plan(1), plan(2)]));
    expect(e.send({ kind: "PauseJob", jobId: "j", reason: "user" }).rejection).toBeUndefined();
    const twice = e.send({ kind: "PauseJob", jobId: "j", reason: "user" });
    expect(twice.rejection).toMatchObject({ kind: "invalid_state" });
    e.send({ kind: "CancelJob", jobId: "j" });
    expect(e.send({ kind: "PauseJob", jobId: "j", reason: "user" }).rejection).toMatchObject({
      kind: "terminal_job",
    });
  });

  describe("through the real conductor", () => {
    let harness: Harness | null = null;
    afterEach(async () => {
      await harness?.dispose();
      harness = null;
    });

    it("the set is stored and survives a restart", async () => {
      harness = await startHarness();
      const score = [
        "name: held",
        "instrument: cli",
        "pause_between_sheets_seconds: 0",
        "sheet: { size: 1, total_items: 2 }",
        "retry: { max_retries: 1 }",
        "prompt:",
        "  template: |",
        "    echo {{ sheet_num }} >> ran.txt",
        "    [ {{ sheet_num }} = 1 ] && exit 1",
        "    true",
        "",
      ].join("\n");
      const outcome = await harness.podium.conductor.submitJob({ score, escalation: true });
      if (!outcome.ok) throw new Error(outcome.message);
      const jobId = outcome.jobId;
      await waitFor(
        async () => (await harness!.podium.store.loadJob(jobId))!.sheets[0]!.status === "fermata",
        "the fermata",
      );
      expect(await harness.podium.conductor.pauseJob(jobId)).toEqual({ ok: true });
      const again = await harness.podium.conductor.pauseJob(jobId);
      expect(again).toMatchObject({ ok: false, error: { code: "INVALID_STATE" } });
      const podium = await harness.restart();
      expect((await podium.store.loadJob(jobId))!.job.record).toMatchObject({
        status: "paused",
        pauseReasons: ["escalation", "user"],
      });
      expect(await podium.conductor.resolveFermata(jobId, 1, "accept")).toEqual({ ok: true });
      await waitFor(
        async () => (await podium.store.loadJob(jobId))!.job.record.pauseReasons.join() === "user",
        "the fermata's reason to lift",
      );
      expect((await podium.store.loadJob(jobId))!.job.record.status).toBe("paused");
      expect((await podium.store.loadJob(jobId))!.sheets[1]!.status).toBe("pending");
      expect(await podium.conductor.resumeJob(jobId)).toEqual({ ok: true });
      expect(await waitForJob(podium, jobId)).toBe("completed");
      expect(harness.inconsistencies).toEqual([]);
    });
  });
});
