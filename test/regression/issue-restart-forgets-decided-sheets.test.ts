/**
 * A restart threw away what the engine had decided: recovery (baton/core/registry.ts) reset a
 * sheet held at a fermata to pending, so its paid attempt ran again without anyone's decision,
 * and reset `retry_scheduled` and `waiting` sheets to pending, so their backoff and rate-limit
 * waits started over from "now" (the due time was never stored). The due time is now stored
 * with the sheet and the timers are re-armed from it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { SheetRecord } from "../../apps/server/src/contracts/records.ts";
import { timerIds } from "../../apps/server/src/baton/core/state.ts";
import {
  startHarness,
  waitFor,
  waitForJob,
  type Harness,
} from "../integration/conductor/support/podium-harness.ts";

function failingScore(retry: string): string {
  return [
    "name: decided",
    "instrument: cli",
    "pause_between_sheets_seconds: 0",
    "sheet: { size: 1, total_items: 1 }",
    `retry: ${retry}`,
    "prompt:",
    "  template: |",
    "    echo run >> runs.txt",
    "    [ -f fixed ] || exit 1",
    "",
  ].join("\n");
}

describe("regression: a restart keeps what was decided", () => {
  let harness: Harness | null = null;
  afterEach(async () => {
    await harness?.dispose();
    harness = null;
  });

  async function submit(score: string, escalation = false) {
    const outcome = await harness!.podium.conductor.submitJob({ score, escalation });
    if (!outcome.ok) throw new Error(outcome.message);
    return outcome.jobId;
  }

  async function sheetOf(jobId: string): Promise<SheetRecord> {
    return (await harness!.podium.store.loadJob(jobId))!.sheets[0]!;
  }

  async function runs(jobId: string): Promise<number> {
    const workspace = (await harness!.podium.store.loadJob(jobId))!.job.workspace;
    return readFileSync(path.join(workspace, "runs.txt"), "utf8").split("\n").filter(Boolean)
      .length;
  }

  it("a sheet at a fermata stays there, with its deadline, and is not run again", async () => {
    harness = await startHarness();
    const jobId = await submit(failingScore("{ max_retries: 1 }"), true);
    await waitFor(async () => (await sheetOf(jobId)).status === "fermata", "the fermata");
    const held = await sheetOf(jobId);
    expect(held.dueAt).not.toBeNull();
    const podium = await harness.restart();
    expect(await sheetOf(jobId)).toMatchObject({ status: "fermata", dueAt: held.dueAt });
    expect((await podium.store.loadJob(jobId))!.job.record).toMatchObject({
      status: "paused",
      pauseReasons: ["escalation"],
    });
    expect(podium.baton.timerDeadline(timerIds.escalation(jobId, 1))).toBe(held.dueAt);
    await new Promise((r) => setTimeout(r, 300));
    expect(await runs(jobId)).toBe(1);
    expect(await podium.conductor.resolveFermata(jobId, 1, "accept")).toEqual({ ok: true });
    expect(await waitForJob(podium, jobId)).toBe("completed");
    expect(await runs(jobId)).toBe(1);
    expect(harness.inconsistencies).toEqual([]);
  });

  it("a scheduled retry keeps its due time across the restart", async () => {
    harness = await startHarness();
    const jobId = await submit(
      failingScore(
        "{ max_retries: 3, base_delay_seconds: 3600, max_delay_seconds: 7200, jitter: false }",
      ),
    );
    await waitFor(
      async () => (await sheetOf(jobId)).status === "retry_scheduled",
      "the scheduled retry",
    );
    const scheduled = await sheetOf(jobId);
    expect(scheduled.dueAt).toBeGreaterThan(Date.now() + 3_000_000);
    const podium = await harness.restart();
    expect(await sheetOf(jobId)).toMatchObject({
      status: "retry_scheduled",
      dueAt: scheduled.dueAt,
    });
    expect(podium.baton.timerDeadline(timerIds.retry(jobId, 1))).toBe(scheduled.dueAt);
    await new Promise((r) => setTimeout(r, 300));
    expect(await runs(jobId)).toBe(1);
    expect((await sheetOf(jobId)).normalAttempts).toBe(1);
    expect(harness.inconsistencies).toEqual([]);
  });

  it("a sheet waiting out a rate limit keeps waiting until the limit's stored end", async () => {
    const profiles = mkdtempSync(path.join(tmpdir(), "podium-profiles-"));
    try {
      writeFileSync(path.join(profiles, "limited.yaml"), LIMITED_PROFILE);
      harness = await startHarness({ instrumentDirs: [profiles] });
      const score = [
        "name: limited",
        "instrument: limited",
        "pause_between_sheets_seconds: 0",
        "sheet: { size: 1, total_items: 1 }",
        "prompt:",
        "  template: |",
        "    echo run >> runs.txt",
        "    echo 'rate limit reached' >&2",
        "    exit 1",
        "",
      ].join("\n");
      const jobId = await submit(score);
      await waitFor(async () => (await sheetOf(jobId)).status === "waiting", "the rate-limit wait");
      const waiting = await sheetOf(jobId);
      expect(waiting.dueAt).toBeGreaterThan(Date.now());
      const podium = await harness.restart();
      expect(await sheetOf(jobId)).toMatchObject({ status: "waiting", dueAt: waiting.dueAt });
      expect(podium.baton.timerDeadline(timerIds.rateLimit("limited"))).toBe(waiting.dueAt);
      await new Promise((r) => setTimeout(r, 300));
      expect(await runs(jobId)).toBe(1);
      expect(harness.inconsistencies).toEqual([]);
    } finally {
      rmSync(profiles, { recursive: true, force: true });
    }
  });
});

/** Plain bash whose "rate limit" notice on stderr the profile reports as a rate limit. */
const LIMITED_PROFILE = `name: limited
display_name: "Rate-limited bash"
kind: cli
raw_prompt: true
cli:
  command:
    executable: bash
    prompt_flag: "-c"
    prompt_via_stdin: false
    start_new_session: true
  output:
    format: text
  errors:
    success_exit_codes: [0]
    rate_limit_patterns: ["rate limit"]
`;
