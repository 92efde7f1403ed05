/**
 * on_success hooks and concerts survive a crash: a hook interrupted by SIGKILL runs again on
 * the next boot (at least once), and a chained score is submitted exactly once.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { createPodium, type Podium } from "../../../apps/server/src/app.ts";
import { observeStore } from "../../support/stored.ts";
import { suiteDatabase, type ThrowAwayDatabase } from "../../support/databases.ts";
import { allEvents, cliScore, waitFor } from "../conductor/support/podium-harness.ts";

const here = path.dirname(fileURLToPath(import.meta.url));

describe("hooks across a crash", () => {
  const dirs: string[] = [];
  const podiums: Podium[] = [];
  const databases: ThrowAwayDatabase[] = [];
  afterEach(async () => {
    for (const podium of podiums.splice(0)) await podium.close();
    for (const database of databases.splice(0)) await database.drop();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("re-runs an interrupted run_command hook and chains its concert exactly once", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "podium-hooks-crash-"));
    dirs.push(dir);
    const next = path.join(dir, "next.yaml");
    writeFileSync(next, cliScore({ name: "next", sheets: 1, body: "echo next >> chain.txt" }));
    const first = path.join(dir, "first.yaml");
    writeFileSync(
      first,
      cliScore({ name: "first", sheets: 1, body: "echo first >> chain.txt" }) +
        [
          "concert:",
          "  enabled: true",
          "  cooldown_between_jobs_seconds: 0",
          "on_success:",
          "  - type: run_command",
          "    command: echo started >> hook.log; sleep 2; echo finished >> hook.log",
          "  - type: run_job",
          `    job_path: ${next}`,
          "",
        ].join("\n"),
    );
    const database = await suiteDatabase(dir);
    databases.push(database);
    const databaseUrl = database.url;
    const dataDir = path.join(dir, "data");
    const engine = spawn(
      process.execPath,
      ["--import", "tsx", path.join(here, "support", "engine-entry.ts")],
      {
        env: {
          ...process.env,
          PODIUM_TEST_DB: databaseUrl,
          PODIUM_TEST_DATA: dataDir,
          PODIUM_TEST_SCORE: first,
          PODIUM_TEST_JOBS: "1",
        },
        stdio: "ignore",
      },
    );
    const exited = new Promise((resolve) => engine.once("exit", resolve));
    const observer = await observeStore(databaseUrl);
    const jobId = await waitFor(
      async () =>
        (await observer.store.readEvents({ afterSeq: 0, limit: 10_000 })).find(
          (e) => e.event === "hook.started",
        )?.jobId,
      "the hook to start",
    );
    await observer.close();
    engine.kill("SIGKILL");
    await exited;

    const podium = await createPodium({ databaseUrl, dataDir, instrumentDirs: [], cwd: dir });
    podiums.push(podium);
    await waitFor(
      async () => !(await podium.store.loadJob(jobId))!.job.hooksPending,
      "the hooks to finish after restart",
      20_000,
    );
    const workspace = (await podium.store.loadJob(jobId))!.job.workspace;
    const children = await podium.store.childJobIds(jobId);
    expect(children).toHaveLength(1);
    const events = (await allEvents(podium, jobId)).filter(
      (e) => e.event.startsWith("hook.") || e.event.startsWith("concert."),
    );
    expect(events.filter((e) => e.event === "hook.completed").map((e) => e.data.index)).toEqual([
      0,
    ]);
    expect(
      events.filter((e) => e.event === "concert.chained").map((e) => e.data.childJobId),
    ).toEqual(children);
    expect(readFileSync(path.join(workspace, "hook.log"), "utf8")).toMatch(
      /started\n(.*\n)*finished\n$/,
    );
    await waitFor(
      async () => (await podium.store.loadJob(children[0]!))!.job.record.status === "completed",
      "the chained job",
    );
    expect(readFileSync(path.join(workspace, "chain.txt"), "utf8")).toBe("first\nnext\n");
  });
});
