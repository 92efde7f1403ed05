/**
 * The exhaustion ladder's "remaining normal retries" step scheduled a retry without counting it
 * (baton/core/ladder.ts `exhaust`), so a sheet whose output kept partly passing its validations,
 * with escalation off, ran its agent forever once its completion budget was spent.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Engine } from "../unit/baton/support/engine.ts";
import { partial, plan, spec } from "../unit/baton/support/fixtures.ts";
import {
  startHarness,
  waitForJob,
  type Harness,
} from "../integration/conductor/support/podium-harness.ts";

/** Reports partial passes until the sheet ends; returns how many attempts it took. */
function playPartlyPassing(e: Engine): number {
  let attempts = 0;
  for (;;) {
    const status = e.status("j", 1);
    if (status === "failed" || status === "completed") return attempts;
    if (status === "retry_scheduled") e.fire("retry:j:1");
    else {
      attempts += 1;
      if (attempts > 100) throw new Error("the sheet keeps running");
      e.report("j", 1, partial(1, 2));
    }
  }
}

describe("regression: a partly passing sheet spends its budgets and ends failed", () => {
  it("completion budget, then the normal budget, then failure", () => {
    const e = new Engine();
    e.register(spec("j", [plan(1)], { retry: { maxRetries: 2, maxCompletionAttempts: 2 } }));
    expect(playPartlyPassing(e)).toBe(4);
    expect(e.sheet("j", 1)).toMatchObject({
      status: "failed",
      errorCode: "E601",
      normalAttempts: 2,
    });
    expect(e.jobStatus("j")).toBe("failed");
  });

  it("the fallback comes before the remaining retries; the last instrument spends both budgets", () => {
    const e = new Engine();
    e.register(
      spec("j", [plan(1, { instrumentFallbacks: ["b"] })], {
        retry: { maxRetries: 1, maxCompletionAttempts: 2 },
      }),
    );
    // a: two completion attempts, then the fallback; b: two completion attempts and one retry.
    expect(playPartlyPassing(e)).toBe(5);
    expect(e.eventNames("j", 1)).toContain("sheet.fallback");
    expect(e.status("j", 1)).toBe("failed");
  });

  describe("through the real conductor", () => {
    let harness: Harness | null = null;
    afterEach(async () => {
      await harness?.dispose();
      harness = null;
    });

    it("a cli sheet that writes one of its two files fails after a bounded number of runs", async () => {
      harness = await startHarness();
      const score = [
        "name: partly-passing",
        "instrument: cli",
        "pause_between_sheets_seconds: 0",
        "sheet: { size: 1, total_items: 1 }",
        "retry:",
        "  max_retries: 2",
        "  base_delay_seconds: 0.01",
        "  max_delay_seconds: 0.02",
        "  jitter: false",
        "  max_completion_attempts: 2",
        "  completion_delay_seconds: 0",
        "validations:",
        "  - { type: file_exists, path: '{workspace}/one.txt' }",
        "  - { type: file_exists, path: '{workspace}/two.txt' }",
        "prompt:",
        "  template: |",
        "    echo run >> runs.txt",
        "    touch one.txt",
        "",
      ].join("\n");
      const outcome = await harness.podium.conductor.submitJob({ score });
      if (!outcome.ok) throw new Error(outcome.message);
      expect(await waitForJob(harness.podium, outcome.jobId)).toBe("failed");
      const { job, sheets } = (await harness.podium.store.loadJob(outcome.jobId))!;
      expect(sheets[0]).toMatchObject({ status: "failed", normalAttempts: 2 });
      const runs = readFileSync(path.join(job.workspace, "runs.txt"), "utf8");
      expect(runs.split("\n").filter(Boolean)).toHaveLength(4);
      expect(harness.inconsistencies).toEqual([]);
    });
  });
});
