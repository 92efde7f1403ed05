import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  allEvents,
  cliScore,
  startHarness,
  waitFor,
  waitForJob,
  type Harness,
} from "./support/podium-harness.ts";

describe("around a job: skip_when_command, on_success, concerts", () => {
  let harness: Harness | null = null;
  afterEach(async () => {
    expect(harness?.inconsistencies ?? []).toEqual([]);
    await harness?.dispose();
    harness = null;
  });

  async function stored(jobId: string) {
    return (await harness!.podium.store.loadJob(jobId))!;
  }

  /** Waits until the job's hooks are done (its hooksPending flag is cleared). */
  async function hooksDone(jobId: string) {
    await waitFor(async () => !(await stored(jobId)).job.hooksPending, `hooks of ${jobId}`);
  }

  it("skips a sheet deliberately when its skip_when_command exits 0, and runs it otherwise", async () => {
    harness = await startHarness();
    const score = cliScore({
      sheets: 3,
      body: "echo {{ sheet_num }} >> ran.txt\n{% if sheet_num == 1 %}touch skip-two{% endif %}",
      extra: [
        "  skip_when_command:",
        "    2:",
        "      command: test -e {workspace}/skip-two",
        "      description: sheet 1 made it unnecessary",
        "    3:",
        "      command: test -e {workspace}/no-such-file",
      ].join("\n"),
    });
    const outcome = await harness.podium.conductor.submitJob({ score });
    if (!outcome.ok) throw new Error(outcome.message);
    expect(await waitForJob(harness.podium, outcome.jobId)).toBe("completed");
    const { job, sheets } = await stored(outcome.jobId);
    expect(sheets.map((s) => [s.status, s.errorCode])).toEqual([
      ["completed", null],
      ["skipped", null],
      ["completed", null],
    ]);
    expect(sheets[1]!.errorMessage).toMatch(/sheet 1 made it unnecessary/);
    expect(readFileSync(path.join(job.workspace, "ran.txt"), "utf8")).toBe("1\n3\n");
    const skipped = (await allEvents(harness.podium, outcome.jobId)).filter(
      (e) => e.event === "sheet.skipped",
    );
    expect(skipped.map((e) => e.sheetNum)).toEqual([2]);
  });

  it("runs on_success run_command hooks in the workspace, in order, with their events", async () => {
    harness = await startHarness();
    const score =
      cliScore({ sheets: 1, body: "echo work > out.txt" }) +
      [
        "on_success:",
        "  - type: run_command",
        "    command: cp out.txt copied.txt",
        "  - type: run_command",
        "    command: exit 4",
        "    description: a failing hook",
        "  - type: run_command",
        "    command: echo {job_id} > third.txt",
        "",
      ].join("\n");
    const outcome = await harness.podium.conductor.submitJob({ score });
    if (!outcome.ok) throw new Error(outcome.message);
    await waitForJob(harness.podium, outcome.jobId);
    await hooksDone(outcome.jobId);
    const { job } = await stored(outcome.jobId);
    expect(readFileSync(path.join(job.workspace, "copied.txt"), "utf8")).toBe("work\n");
    expect(readFileSync(path.join(job.workspace, "third.txt"), "utf8")).toBe(`${outcome.jobId}\n`);
    const hookEvents = (await allEvents(harness.podium, outcome.jobId))
      .filter((e) => e.event.startsWith("hook."))
      .map((e) => [e.event, e.data.index]);
    expect(hookEvents).toEqual([
      ["hook.started", 0],
      ["hook.completed", 0],
      ["hook.started", 1],
      ["hook.failed", 1],
      ["hook.started", 2],
      ["hook.completed", 2],
    ]);
  });

  it("does not run on_success hooks of a job that failed", async () => {
    harness = await startHarness();
    const score =
      cliScore({ sheets: 1, body: "exit 1", extra: "retry:\n  max_retries: 0" }) +
      "on_success:\n  - type: run_command\n    command: touch hooked\n";
    const outcome = await harness.podium.conductor.submitJob({ score });
    if (!outcome.ok) throw new Error(outcome.message);
    expect(await waitForJob(harness.podium, outcome.jobId)).toBe("failed");
    await new Promise((r) => setTimeout(r, 200));
    expect(existsSync(path.join((await stored(outcome.jobId)).job.workspace, "hooked"))).toBe(
      false,
    );
  });

  function concertScore(
    name: string,
    next: string | null,
    maxDepth: number,
    body = `echo ${name} >> chain.txt`,
    cooldown = 0,
  ): string {
    return (
      cliScore({ name, sheets: 1, body }) +
      [
        "concert:",
        "  enabled: true",
        `  max_chain_depth: ${maxDepth}`,
        `  cooldown_between_jobs_seconds: ${cooldown}`,
        "",
      ].join("\n") +
      (next ? `on_success:\n  - type: run_job\n    job_path: ${next}\n` : "")
    );
  }

  it("chains a concert of three scores through run_job, in one inherited workspace", async () => {
    harness = await startHarness();
    const files = ["a", "b", "c"].map((n) => path.join(harness!.dir, `${n}.yaml`));
    writeFileSync(files[0]!, concertScore("a", files[1]!, 5));
    writeFileSync(files[1]!, concertScore("b", files[2]!, 5));
    writeFileSync(files[2]!, concertScore("c", null, 5));
    const outcome = await harness.podium.conductor.submitJob({
      score: readFileSync(files[0]!, "utf8"),
    });
    if (!outcome.ok) throw new Error(outcome.message);
    const ids = [outcome.jobId];
    for (let i = 0; i < 2; i += 1) {
      const child = await waitFor(
        async () => (await harness!.podium.store.childJobIds(ids[i]!))[0],
        `child of ${ids[i]}`,
      );
      ids.push(child);
    }
    for (const id of ids) {
      expect(await waitForJob(harness.podium, id)).toBe("completed");
      await hooksDone(id);
    }
    const jobs = await Promise.all(ids.map(async (id) => (await stored(id)).job));
    expect(jobs.map((j) => [j.name, j.concertDepth, j.parentJobId])).toEqual([
      ["a", 0, null],
      ["b", 1, ids[0]],
      ["c", 2, ids[1]],
    ]);
    expect(new Set(jobs.map((j) => j.workspace)).size).toBe(1);
    expect(readFileSync(path.join(jobs[0]!.workspace, "chain.txt"), "utf8")).toBe("a\nb\nc\n");
    const chained = (await allEvents(harness.podium)).filter((e) => e.event === "concert.chained");
    expect(chained.map((e) => [e.jobId, e.data.childJobId, e.data.depth])).toEqual([
      [ids[0], ids[1], 1],
      [ids[1], ids[2], 2],
    ]);
  });

  it("waits the concert's cooldown before submitting the next score", async () => {
    harness = await startHarness();
    const files = ["first", "second"].map((n) => path.join(harness!.dir, `${n}.yaml`));
    writeFileSync(files[0]!, concertScore("first", files[1]!, 5, "echo first >> chain.txt", 1));
    writeFileSync(files[1]!, concertScore("second", null, 5));
    const outcome = await harness.podium.conductor.submitJob({
      score: readFileSync(files[0]!, "utf8"),
    });
    if (!outcome.ok) throw new Error(outcome.message);
    await waitForJob(harness.podium, outcome.jobId);
    const child = await waitFor(
      async () => (await harness!.podium.store.childJobIds(outcome.jobId))[0],
      "the chained job",
    );
    const parentDone = (await stored(outcome.jobId)).job.record.completedAt!;
    expect((await stored(child)).job.createdAt - parentDone).toBeGreaterThanOrEqual(1_000);
  });

  it("refuses to chain beyond concert.max_chain_depth", async () => {
    harness = await startHarness();
    const self = path.join(harness.dir, "again.yaml");
    // Each run appends to the workspace, so only the depth limit stops the chain.
    writeFileSync(self, concertScore("again", self, 2));
    const outcome = await harness.podium.conductor.submitJob({ score: readFileSync(self, "utf8") });
    if (!outcome.ok) throw new Error(outcome.message);
    const refused = await waitFor(
      async () => (await allEvents(harness!.podium)).find((e) => e.event === "concert.refused"),
      "the refusal",
    );
    expect(refused.data).toMatchObject({ depth: 3, maxDepth: 2 });
    expect(await harness.podium.db.prisma.job.count()).toBe(3);
    expect((await stored(refused.jobId)).job.concertDepth).toBe(2);
  });

  it("refuses a score that chains itself without doing new work", async () => {
    harness = await startHarness();
    const self = path.join(harness.dir, "idle.yaml");
    writeFileSync(self, concertScore("idle", self, 10, "true"));
    const outcome = await harness.podium.conductor.submitJob({ score: readFileSync(self, "utf8") });
    if (!outcome.ok) throw new Error(outcome.message);
    const refused = await waitFor(
      async () => (await allEvents(harness!.podium)).find((e) => e.event === "concert.refused"),
      "the refusal",
    );
    expect(refused.jobId).toBe(outcome.jobId);
    expect(String(refused.data.reason)).toMatch(/chains itself/);
    expect(await harness.podium.db.prisma.job.count()).toBe(1);
  });
});
