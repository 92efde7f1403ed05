/**
 * `pause_between_sheets_seconds` started after every completion (attempt-result.ts
 * `startPacing`) and blocked the whole job, so a parallel job of independent sheets sat idle for
 * the pacing time after each completion although slots and ready sheets were there. Marianne
 * paces only when nothing else of the job is playing. Also, the built-in `cli` instrument names
 * no model and so was capped at the default 4 concurrent sheets, below what the score asked for.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Engine } from "../unit/baton/support/engine.ts";
import { independent, spec } from "../unit/baton/support/fixtures.ts";
import {
  allEvents,
  startHarness,
  waitForJob,
  type Harness,
} from "../integration/conductor/support/podium-harness.ts";

describe("regression: pacing separates sheets without idling a parallel wave", () => {
  it("a completion while others play dispatches the next ready sheet at once", () => {
    const e = new Engine();
    e.register(
      spec("j", independent(4), {
        parallel: { enabled: true, maxConcurrent: 2 },
        pauseBetweenSheetsSeconds: 30,
      }),
    );
    expect(e.status("j", 1)).toBe("dispatched");
    expect(e.status("j", 2)).toBe("dispatched");
    e.report("j", 1);
    expect(e.status("j", 3)).toBe("dispatched");
    expect(e.pendingTimer("pacing:j")).toBeNull();
  });

  it("once nothing of the job plays, the pause holds the next sheet", () => {
    const e = new Engine();
    e.register(spec("j", independent(2), { pauseBetweenSheetsSeconds: 30 }));
    e.report("j", 1);
    expect(e.status("j", 2)).toBe("pending");
    expect(e.lastDispatch!.skipped).toContainEqual({
      jobId: "j",
      sheetNum: null,
      reason: "job_pacing",
    });
    expect(e.pendingTimer("pacing:j")!.at - e.now).toBe(30_000);
    e.fire("pacing:j");
    expect(e.status("j", 2)).toBe("dispatched");
  });

  describe("the cli instrument", () => {
    let harness: Harness | null = null;
    afterEach(async () => {
      await harness?.dispose();
      harness = null;
    });

    it("plays as many sheets at once as the score allows", async () => {
      harness = await startHarness();
      const score = [
        "name: wide",
        "instrument: cli",
        "pause_between_sheets_seconds: 5",
        // Declared dependencies are the whole DAG: sheets 1 to 6 are independent.
        "sheet: { size: 1, total_items: 7, dependencies: { 7: [1] } }",
        "parallel: { enabled: true, max_concurrent: 6 }",
        "prompt:",
        "  template: sleep 1.5",
        "",
      ].join("\n");
      const outcome = await harness.podium.conductor.submitJob({ score });
      if (!outcome.ok) throw new Error(outcome.message);
      expect(await waitForJob(harness.podium, outcome.jobId)).toBe("completed");
      const events = (await allEvents(harness.podium, outcome.jobId)).map((e) => e.event);
      const firstCompletion = events.indexOf("sheet.completed");
      const dispatchedBefore = events
        .slice(0, firstCompletion)
        .filter((name) => name === "sheet.dispatched");
      expect(dispatchedBefore).toHaveLength(6);
    });
  });
});
