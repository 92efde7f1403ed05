/**
 * Kill -9 the engine at random moments, over and over, and restart it each time. Afterwards
 * every job has finished, no completed sheet ran again, no sheet ran more often than its
 * attempts allow, no two runs of a sheet overlapped, and the event log has no gap. What is stored
 * is read back through the store contract, so the same test runs on SQLite and, with
 * PODIUM_TEST_DATABASE=postgresql, on a throw-away PostgreSQL database.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../../../apps/server/src/store/open-store.ts";
import { suiteDatabase, type ThrowAwayDatabase } from "../../support/databases.ts";
import { crashScore, readRuns, SHEETS } from "./support/crash-workload.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const ENTRY = path.join(here, "support", "engine-entry.ts");
const JOBS = 3;
// Every kill exercises the same recovery and every assertion below is the same on either
// backend; a PostgreSQL boot is slower (connection, migration check), so fewer kills keep its run
// short. Either way at least one kill is aimed at boot and recovery.
const KILLS = process.env.PODIUM_TEST_DATABASE === "postgresql" ? 8 : 20;

/** A small seeded generator, so a failing run can be replayed with the printed seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Incarnation {
  child: ChildProcess;
  ready: Promise<boolean>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>;
}

function startEngine(env: NodeJS.ProcessEnv): Incarnation {
  const child = spawn(process.execPath, ["--import", "tsx", ENTRY], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let readySeen: (value: boolean) => void = () => undefined;
  const ready = new Promise<boolean>((resolve) => (readySeen = resolve));
  child.stdout!.on("data", (chunk: Buffer) => {
    output += chunk.toString();
    if (output.includes("ready")) readySeen(true);
  });
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    output: string;
  }>((resolve) => {
    child.once("exit", (code, signal) => {
      readySeen(false);
      resolve({ code, signal, output });
    });
  });
  return { child, ready, exited };
}

describe("crash recovery under repeated SIGKILL", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "podium-crash-"));
  let database: ThrowAwayDatabase | null = null;
  afterAll(async () => {
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`finishes every job with no lost, repeated or overlapping work after ${KILLS} kills`, async () => {
    const seed = Number(process.env.PODIUM_CRASH_SEED ?? Date.now() % 1_000_000);
    console.log(`crash test seed ${seed} (set PODIUM_CRASH_SEED to replay)`);
    const random = mulberry32(seed);
    const scorePath = path.join(dir, "score.yaml");
    writeFileSync(scorePath, crashScore());
    database = await suiteDatabase(dir);
    const databaseUrl = database.url;
    const env = {
      PODIUM_TEST_DB: databaseUrl,
      PODIUM_TEST_DATA: path.join(dir, "data"),
      PODIUM_TEST_SCORE: scorePath,
      PODIUM_TEST_JOBS: String(JOBS),
    };

    let kills = 0;
    let bootKills = 0;
    let reapedGroups = 0;
    while (kills < KILLS) {
      const engine = startEngine(env);
      // Mostly after boot (mid-run), sometimes during boot and recovery itself.
      const duringBoot = random() < 0.15 || (kills === KILLS - 1 && bootKills === 0);
      if (duringBoot) bootKills += 1;
      if (!duringBoot) {
        const ready = await engine.ready;
        if (!ready) {
          const { code, output } = await engine.exited;
          if (code === 0 && output.includes("done")) break;
          throw new Error(`engine exited before ready (code ${code}):\n${output}`);
        }
      }
      await new Promise((r) => setTimeout(r, Math.floor(random() * (duringBoot ? 2_000 : 500))));
      engine.child.kill("SIGKILL");
      const { signal, code, output } = await engine.exited;
      if (signal !== "SIGKILL") {
        if (code === 0 && output.includes("done")) break;
        throw new Error(`engine ended on its own (code ${code}) before the kill:\n${output}`);
      }
      kills += 1;
      const reaped = /reaped=(\d+)/.exec(output);
      if (reaped) reapedGroups += Number(reaped[1]);
    }
    console.log(
      `killed the engine ${kills} times (${bootKills} aimed at boot); boots ended ${reapedGroups} ` +
        `orphaned process groups`,
    );
    expect(
      kills,
      `the work finished before the engine had been killed ${KILLS} times`,
    ).toBeGreaterThanOrEqual(KILLS);

    const last = startEngine(env);
    const timeout = setTimeout(() => last.child.kill("SIGKILL"), 45_000);
    const final = await last.exited;
    clearTimeout(timeout);
    expect(final.code, final.output).toBe(0);
    expect(final.output).toContain(`done ${Array(JOBS).fill("completed").join(",")}`);

    // Through the contract, as the server opens it: this also proves no engine holds it still.
    const opened = await openStore(databaseUrl);
    try {
      const store = opened.store;
      const events = await store.readEvents({ afterSeq: 0, limit: 1_000_000 });
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));

      const jobs = await opened.db.prisma.job.findMany({
        include: { sheets: true, attempts: true },
      });
      expect(jobs).toHaveLength(JOBS);
      for (const job of jobs) {
        expect(job.status).toBe("completed");
        // Resubmitted after every boot, submitted once; finished once.
        const once = (name: string) => events.filter((e) => e.jobId === job.id && e.event === name);
        expect(once("job.submitted")).toHaveLength(1);
        expect(once("job.completed")).toHaveLength(1);
        const runs = readRuns(job.workspace);
        const jobEvents = events.filter((e) => e.jobId === job.id);
        for (let num = 1; num <= SHEETS; num += 1) {
          const where = `job ${job.id} sheet ${num}`;
          const completions = jobEvents.filter(
            (e) => e.event === "sheet.completed" && e.sheetNum === num,
          );
          expect(completions, where).toHaveLength(1);
          const successes = job.attempts.filter(
            (a) => a.sheetNum === num && a.executionSuccess && a.passRate === 100,
          );
          expect(successes, where).toHaveLength(1);
          const sheet = job.sheets.find((s) => s.num === num)!;
          expect(sheet.status, where).toBe("completed");
          expect(sheet.normalAttempts, where).toBeLessThanOrEqual(3);

          const sheetRuns = runs.get(num) ?? [];
          expect(sheetRuns.length, where).toBeGreaterThanOrEqual(1);
          // Completed once committed: nothing of this sheet may start after that commit.
          const completedAt = completions[0]!.timestamp;
          for (const run of sheetRuns)
            expect(run.start, `${where} run ${run.run} started after completion`).toBeLessThan(
              completedAt,
            );
          // Every dispatch beyond the committed attempts was lost to a kill.
          const committedAttempts = job.attempts.filter((a) => a.sheetNum === num).length;
          expect(sheetRuns.length, where).toBeLessThanOrEqual(committedAttempts + kills);
          // One run at a time: each run ended (or was ended by the orphan clean-up) before the next began.
          for (let i = 0; i < sheetRuns.length; i += 1) {
            const run = sheetRuns[i]!;
            expect(
              run.end,
              `${where} run ${run.run} has no end: an orphan was left running`,
            ).not.toBeNull();
            const next = sheetRuns[i + 1];
            if (next)
              expect(
                run.end!,
                `${where}: runs ${run.run} and ${next.run} overlap`,
              ).toBeLessThanOrEqual(next.start);
          }
        }
      }
      // Nothing of ours is still running, and no process group is left on record.
      expect(await store.listProcessGroups()).toEqual([]);
    } finally {
      await opened.close();
    }
  }, 120_000);
});
