/**
 * The offline example scores, end to end: parsed, registered with the baton adapter, played by
 * the real musician with the `cli` instrument (real bash processes, real files).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { BatonRuntime } from "../../../apps/server/src/baton/runtime/baton-runtime.ts";
import { MemoryCheckpointStore } from "../../../apps/server/src/store/memory-store.ts";
import type { TimerHost } from "../../../apps/server/src/baton/runtime/ports.ts";
import { buildJobSpec } from "../../../apps/server/src/conductor/job-spec.ts";
import { loadInstrumentProfiles } from "../../../apps/server/src/instruments/loader.ts";
import { BackendPool } from "../../../apps/server/src/instruments/pool.ts";
import { createMusician } from "../../../apps/server/src/musician/musician.ts";
import { parseScore } from "../../../apps/server/src/score/index.ts";
import { tempDir } from "./helpers.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const examplesDir = path.join(repoRoot, "examples");

const realTimers: TimerHost = {
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function runExample(file: string) {
  const parsed = parseScore(readFileSync(path.join(examplesDir, file), "utf8"), {
    baseDir: examplesDir,
  });
  if (!parsed.ok) throw new Error(parsed.message);
  const workspace = tempDir("podium-example-");
  const jobId = `job-${path.basename(file, ".yaml")}`;
  const built = buildJobSpec(parsed, {
    jobId,
    workspace,
    cwd: examplesDir,
    options: {
      selfHealing: false,
      escalation: false,
      startSheet: 1,
      jobTimeoutSeconds: null,
      concert: null,
    },
  });
  if (!built.ok) throw new Error(built.message);

  const pool = new BackendPool({ profiles: loadInstrumentProfiles({ userDirs: [] }).profiles });
  const store = new MemoryCheckpointStore();
  const errors: unknown[] = [];
  const baton = new BatonRuntime({
    store,
    sink: { publish: () => undefined },
    clock: { now: () => Date.now() },
    timers: realTimers,
    musician: createMusician({ pool }),
    instrumentLimit: pool.instrumentLimit,
    onError: (error) => errors.push(error),
  });
  const loop = baton.run();
  cleanups.push(async () => {
    await baton.shutdown();
    await loop.catch(() => undefined);
    await pool.close();
  });
  const registered = await baton.registerJob(built.spec);
  expect(registered).toEqual({ ok: true });
  const completed = await baton.waitForCompletion(jobId);
  return { completed, store, jobId, workspace, errors, sheets: store.sheetsOf(jobId) };
}

const read = (workspace: string, file: string) => readFileSync(path.join(workspace, file), "utf8");

describe("example scores through the baton adapter", () => {
  it("linear-pipeline: three sheets in order, each reading what came before", async () => {
    const run = await runExample("linear-pipeline.yaml");
    expect(run.errors).toEqual([]);
    expect(run.completed).toBe(true);
    expect(run.sheets.map((sheet) => sheet.status)).toEqual([
      "completed",
      "completed",
      "completed",
    ]);
    // No failed attempts, and each movement started only after the one before it finished.
    expect(run.sheets.map((sheet) => sheet.normalAttempts)).toEqual([0, 0, 0]);
    expect(run.sheets[1]!.startedAt!).toBeGreaterThanOrEqual(run.sheets[0]!.completedAt!);
    expect(run.sheets[2]!.startedAt!).toBeGreaterThanOrEqual(run.sheets[1]!.completedAt!);
    expect(run.store.attempts.filter((a) => a.jobId === run.jobId)).toHaveLength(3);
    expect(read(run.workspace, "count.txt").trim()).toBe("4");
    expect(read(run.workspace, "doubled.txt").trim()).toBe("8");
    const report = read(run.workspace, "report.txt");
    expect(report).toContain("sheet 1: counted 4 words");
    expect(report).toContain("sheet 2: doubled to 8");
    expect(report).toContain("doubled value: 8");
    for (const attempt of run.store.attempts) expect(attempt.passRate).toBe(100);
  });

  it("fan-out-fan-in: one sheet, three voices, one merge", async () => {
    const run = await runExample("fan-out-fan-in.yaml");
    expect(run.errors).toEqual([]);
    expect(run.completed).toBe(true);
    expect(run.sheets.map((sheet) => sheet.status)).toEqual(Array(5).fill("completed"));
    expect(run.sheets.map((sheet) => sheet.voice)).toEqual([null, 1, 2, 3, null]);
    const attempts = run.store.attempts.filter((a) => a.jobId === run.jobId);
    expect(attempts).toHaveLength(5);
    expect(read(run.workspace, "merged.txt")).toBe(
      "section 1 of 3: rivers\nsection 2 of 3: mountains\nsection 3 of 3: deserts\n",
    );
    // The merge sheet checked its three rules: flag, content and the line count.
    const merge = attempts.find((a) => a.sheetNum === 5)!;
    expect(merge).toMatchObject({
      validationsPassed: 3,
      validationsTotal: 3,
      executionSuccess: true,
    });
  });

  it("retry-then-pass: the first attempt fails, the retry completes the sheet", async () => {
    const run = await runExample("retry-then-pass.yaml");
    expect(run.errors).toEqual([]);
    expect(run.completed).toBe(true);
    expect(run.sheets[0]!.status).toBe("completed");
    expect(run.sheets[0]!.normalAttempts).toBe(1);
    const attempts = run.store.attempts
      .filter((a) => a.jobId === run.jobId)
      .sort((a, b) => a.attemptNumber - b.attemptNumber);
    expect(attempts.map((a) => [a.executionSuccess, a.exitCode, a.passRate])).toEqual([
      [false, 1, 0],
      [true, 0, 100],
    ]);
    expect(attempts[0]!.errorClass).toBe("EXECUTION_ERROR");
    expect(attempts[0]!.stderrTail).toContain("first attempt: failing on purpose");
    expect(read(run.workspace, "result.txt").trim()).toBe("passed on retry");
  });
});
