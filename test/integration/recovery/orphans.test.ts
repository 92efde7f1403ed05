/**
 * Orphaned musicians: processes a killed server left running. They are ended on boot, before
 * anything is dispatched, and a pid that now belongs to someone else is never signalled.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import {
  DATABASE_TAG_VARIABLE,
  reapOrphans,
  type OrphanStore,
} from "../../../apps/server/src/conductor/orphans.ts";
import { createPodium } from "../../../apps/server/src/app.ts";
import type { RecordedProcessGroup } from "../../../apps/server/src/store/checkpoint-store.ts";
import { readProcessStartTime } from "../../../apps/server/src/instruments/process-group.ts";
import { waitFor, waitForJob } from "../conductor/support/podium-harness.ts";
import { observeStore } from "../../support/stored.ts";
import { suiteDatabase, type ThrowAwayDatabase } from "../../support/databases.ts";
import { writeFileSync } from "node:fs";

const here = path.dirname(fileURLToPath(import.meta.url));

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

/** A detached `bash -c script` (its own process group), as a musician's instrument runs. */
function spawnGroup(script: string): number {
  const child = spawn("bash", ["-c", script], { detached: true, stdio: "ignore" });
  child.unref();
  return child.pid!;
}

class ListStore implements OrphanStore {
  forgotten = false;
  constructor(private readonly groups: RecordedProcessGroup[]) {}
  listProcessGroups(): RecordedProcessGroup[] {
    return this.groups;
  }
  forgetProcessGroups(): void {
    this.forgotten = true;
  }
}

describe("reapOrphans", () => {
  const pids: number[] = [];
  afterEach(() => {
    for (const pid of pids.splice(0)) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // gone
      }
    }
  });

  it("ends a recorded group that is still alive, TERM first", async () => {
    const pid = spawnGroup("sleep 30");
    pids.push(pid);
    await waitFor(() => readProcessStartTime(pid), "the process to appear");
    const store = new ListStore([
      { jobId: "j", sheetNum: 1, processGroup: pid, processStartedAt: readProcessStartTime(pid) },
    ]);
    const reaped = await reapOrphans(store, { graceMs: 2_000 });
    expect(reaped.map((g) => g.processGroup)).toEqual([pid]);
    await waitFor(() => !alive(pid), "the orphan to die", 3_000);
    expect(store.forgotten).toBe(true);
  });

  it("KILLs a group that ignores TERM after the grace period", async () => {
    const pid = spawnGroup("trap '' TERM; while true; do sleep 0.05; done");
    pids.push(pid);
    await waitFor(() => readProcessStartTime(pid), "the process to appear");
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await reapOrphans(
      new ListStore([
        { jobId: "j", sheetNum: 1, processGroup: pid, processStartedAt: readProcessStartTime(pid) },
      ]),
      { graceMs: 300 },
    );
    expect(alive(pid)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it("never signals a pid whose start time differs from the record (a reused pid)", async () => {
    const pid = spawnGroup("sleep 30");
    pids.push(pid);
    const startTime = await waitFor(() => readProcessStartTime(pid), "the process to appear");
    const reaped = await reapOrphans(
      new ListStore([
        {
          jobId: "j",
          sheetNum: 1,
          processGroup: pid,
          processStartedAt: String(Number(startTime) - 1),
        },
      ]),
      { graceMs: 200 },
    );
    expect(reaped).toEqual([]);
    expect(alive(pid)).toBe(true);
  });

  it("ends the members of a group whose leader has already exited", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "podium-orphan-"));
    try {
      const pidFile = path.join(dir, "member.pid");
      const leader = spawnGroup(`sleep 30 & echo $! > ${pidFile}; exit 0`);
      pids.push(leader);
      const startTime = await waitFor(() => readProcessStartTime(leader), "the leader to appear");
      const member = Number(
        await waitFor(
          () => existsSync(pidFile) && readFileSync(pidFile, "utf8").trim(),
          "the member pid",
        ),
      );
      await waitFor(() => !alive(leader), "the leader to exit");
      expect(alive(member)).toBe(true);
      await reapOrphans(
        new ListStore([
          { jobId: "j", sheetNum: 1, processGroup: leader, processStartedAt: startTime },
        ]),
        { graceMs: 2_000 },
      );
      await waitFor(() => !alive(member), "the member to die", 3_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("ends unrecorded processes that carry this database's tag, and only those", async () => {
    const mine = spawn("bash", ["-c", "sleep 30"], {
      detached: true,
      stdio: "ignore",
      env: { ...process.env, [DATABASE_TAG_VARIABLE]: "tag-mine" },
    });
    const theirs = spawn("bash", ["-c", "sleep 30"], {
      detached: true,
      stdio: "ignore",
      env: { ...process.env, [DATABASE_TAG_VARIABLE]: "tag-theirs" },
    });
    mine.unref();
    theirs.unref();
    pids.push(mine.pid!, theirs.pid!);
    await waitFor(
      () => readProcessStartTime(mine.pid!) && readProcessStartTime(theirs.pid!),
      "both processes",
    );
    const reaped = await reapOrphans(new ListStore([]), { graceMs: 1_000, tag: "tag-mine" });
    expect(reaped.flatMap((g) => g.pids)).toContain(mine.pid);
    await waitFor(() => !alive(mine.pid!), "the tagged orphan to die", 3_000);
    expect(alive(theirs.pid!)).toBe(true);
  });
});

describe("orphans of a SIGKILLed server and spawner helper", () => {
  it("are ended on boot before the sheet is dispatched again", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "podium-orphan-e2e-"));
    let database: ThrowAwayDatabase | null = null;
    try {
      const scorePath = path.join(dir, "score.yaml");
      writeFileSync(
        scorePath,
        [
          "name: long-sheet",
          "instrument: cli",
          "pause_between_sheets_seconds: 0",
          "sheet:",
          "  size: 1",
          "  total_items: 1",
          "prompt:",
          "  template: |",
          // The orphan's pipes lose their reader: without this, bash dies of SIGPIPE reporting
          // its killed `sleep` before the trap can log the kill.
          "    exec >/dev/null 2>&1",
          "    now() { date +%s%3N; }",
          "    trap 'echo \"killed $(now)\" >> runs.log; exit 143' TERM",
          '    echo "start $(now)" >> runs.log',
          "    if [ ! -e first-run-done ]; then touch first-run-done; sleep 30; fi",
          '    echo "end $(now)" >> runs.log',
          "",
        ].join("\n"),
      );
      database = await suiteDatabase(dir);
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
            PODIUM_TEST_SCORE: scorePath,
            PODIUM_TEST_JOBS: "1",
          },
          stdio: "ignore",
        },
      );
      const exited = new Promise((resolve) => engine.once("exit", resolve));

      const observer = await observeStore(databaseUrl);
      const recorded = await waitFor(
        async () => (await observer.store.listProcessGroups())[0],
        "the musician's process group to be recorded",
      );
      await observer.close();
      // A spawner helper that outlives the server ends its runs itself: orphans are left only
      // when the helper dies with it (the OOM killer, a kill of both). It is stopped first, so
      // that it cannot act on the server's end, then killed.
      const helper = parentOf(recorded.processGroup);
      process.kill(helper, "SIGSTOP");
      engine.kill("SIGKILL");
      await exited;
      process.kill(helper, "SIGKILL");
      await waitFor(() => !alive(helper), "the spawner helper to be gone");
      expect(alive(recorded.processGroup)).toBe(true);

      const podium = await createPodium({ databaseUrl, dataDir, instrumentDirs: [] });
      try {
        expect(podium.recovery.reapedProcessGroups.map((g) => g.processGroup)).toEqual([
          recorded.processGroup,
        ]);
        expect(alive(recorded.processGroup)).toBe(false);
        const jobId = podium.recovery.recoveredJobs[0]!;
        expect(await waitForJob(podium, jobId)).toBe("completed");
        const workspace = (await podium.store.loadJob(jobId))!.job.workspace;
        const lines = readFileSync(path.join(workspace, "runs.log"), "utf8")
          .trim()
          .split("\n")
          .map((l) => l.split(" "));
        expect(lines.map((l) => l[0])).toEqual(["start", "killed", "start", "end"]);
        // The second run began only after the first had been ended.
        expect(Number(lines[2]![1])).toBeGreaterThanOrEqual(Number(lines[1]![1]));
      } finally {
        await podium.close();
      }
    } finally {
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
