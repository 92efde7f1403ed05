import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  allEvents,
  cliScore,
  startHarness,
  waitForJob,
  type Harness,
} from "./support/podium-harness.ts";

describe("JobManager.submitJob", () => {
  let harness: Harness | null = null;
  afterEach(async () => {
    expect(harness?.inconsistencies ?? []).toEqual([]);
    await harness?.dispose();
    harness = null;
  });

  it("runs a cli score to completion in the default workspace, with a gap-free log", async () => {
    harness = await startHarness();
    const { conductor } = harness.podium;
    const outcome = await conductor.submitJob({
      score: cliScore({ sheets: 3, body: 'echo "sheet {{ sheet_num }}" >> order.txt' }),
    });
    if (!outcome.ok) throw new Error(outcome.message);
    expect(outcome.created).toBe(true);
    expect(await waitForJob(harness.podium, outcome.jobId)).toBe("completed");
    const workspace = path.join(harness.dataDir, "workspaces", outcome.jobId);
    expect(readFileSync(path.join(workspace, "order.txt"), "utf8")).toBe(
      "sheet 1\nsheet 2\nsheet 3\n",
    );
    const stored = (await harness.podium.store.loadJob(outcome.jobId))!;
    expect(stored.job.workspace).toBe(workspace);
    expect(stored.job.configHash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.sheets.map((s) => s.status)).toEqual(["completed", "completed", "completed"]);
    const events = await allEvents(harness.podium);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events[0]!.event).toBe("job.submitted");
    expect(events.at(-1)!.event).toBe("job.completed");
  });

  it("returns the problems of an invalid score as a typed outcome, and stores nothing", async () => {
    harness = await startHarness();
    const outcome = await harness.podium.conductor.submitJob({
      score: "name: x\nsheet:\n  size: 0\n  total_items: 1\nprompt: {}\n",
    });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.problems.some((p) => p.path === "sheet.size")).toBe(true);
    expect(await harness.podium.db.prisma.job.count()).toBe(0);
  });

  it("validates a score without running it", async () => {
    harness = await startHarness();
    const valid = harness.podium.conductor.validateScore(cliScore({ sheets: 4, body: "true" }));
    expect(valid).toMatchObject({ valid: true, problems: [], sheetCount: 4 });
    const invalid = harness.podium.conductor.validateScore("name: x\n");
    expect(invalid.valid).toBe(false);
    expect(invalid.sheetCount).toBeNull();
    expect(invalid.problems.map((p) => p.path)).toContain("sheet");
  });

  it("gives one job for two concurrent submits with the same idempotency key", async () => {
    harness = await startHarness();
    const score = cliScore({ sheets: 1, body: "echo once >> runs.txt" });
    const [a, b] = await Promise.all([
      harness.podium.conductor.submitJob({ score, idempotencyKey: "deploy-42" }),
      harness.podium.conductor.submitJob({ score, idempotencyKey: "deploy-42" }),
    ]);
    if (!a.ok || !b.ok) throw new Error("submit failed");
    expect(a.jobId).toBe(b.jobId);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(await harness.podium.db.prisma.job.count()).toBe(1);
    await waitForJob(harness.podium, a.jobId);
    const workspace = (await harness.podium.store.loadJob(a.jobId))!.job.workspace;
    expect(readFileSync(path.join(workspace, "runs.txt"), "utf8")).toBe("once\n");
  });

  it("skips the sheets before startSheet deliberately and runs the rest", async () => {
    harness = await startHarness();
    const outcome = await harness.podium.conductor.submitJob({
      score: cliScore({ sheets: 3, body: "echo {{ sheet_num }} >> ran.txt" }),
      startSheet: 3,
    });
    if (!outcome.ok) throw new Error(outcome.message);
    expect(await waitForJob(harness.podium, outcome.jobId)).toBe("completed");
    const stored = (await harness.podium.store.loadJob(outcome.jobId))!;
    expect(stored.sheets.map((s) => [s.status, s.errorCode])).toEqual([
      ["skipped", null],
      ["skipped", null],
      ["completed", null],
    ]);
    expect(readFileSync(path.join(stored.job.workspace, "ran.txt"), "utf8")).toBe("3\n");
  });

  it("refuses a startSheet outside the score", async () => {
    harness = await startHarness();
    const outcome = await harness.podium.conductor.submitJob({
      score: cliScore({ sheets: 2, body: "true" }),
      startSheet: 5,
    });
    expect(outcome).toMatchObject({ ok: false, problems: [{ path: "startSheet" }] });
  });

  it("stores a dry run as a cancelled job whose planned sheets never run", async () => {
    harness = await startHarness();
    const outcome = await harness.podium.conductor.submitJob({
      score: cliScore({ sheets: 2, body: "touch ran" }),
      dryRun: true,
    });
    if (!outcome.ok) throw new Error(outcome.message);
    expect(outcome.warnings.at(-1)).toMatch(/Dry run/);
    const stored = (await harness.podium.store.loadJob(outcome.jobId))!;
    expect(stored.job.record.status).toBe("cancelled");
    expect(stored.sheets.map((s) => s.status)).toEqual(["cancelled", "cancelled"]);
    await new Promise((r) => setTimeout(r, 200));
    expect(existsSync(path.join(stored.job.workspace, "ran"))).toBe(false);
    expect((await allEvents(harness.podium, outcome.jobId)).map((e) => e.event)).toEqual([
      "job.submitted",
      "job.cancelled",
    ]);
  });

  it("puts a score's relative workspace under the data dir, and the input's workspace wins", async () => {
    harness = await startHarness();
    const score = cliScore({ sheets: 1, body: "touch here" }).replace(
      "instrument: cli",
      "instrument: cli\nworkspace: shared/ws",
    );
    const fromScore = await harness.podium.conductor.submitJob({ score });
    const fromInput = await harness.podium.conductor.submitJob({
      score,
      workspace: path.join(harness.dir, "elsewhere"),
    });
    if (!fromScore.ok || !fromInput.ok) throw new Error("submit failed");
    await waitForJob(harness.podium, fromScore.jobId);
    await waitForJob(harness.podium, fromInput.jobId);
    expect(existsSync(path.join(harness.dataDir, "shared/ws/here"))).toBe(true);
    expect(existsSync(path.join(harness.dir, "elsewhere/here"))).toBe(true);
  });
});
