/** A real Podium on a temporary database and data directory, with helpers to wait on jobs. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createPodium, type Podium, type PodiumOptions } from "../../../../apps/server/src/app.ts";
import type { EventRecord } from "../../../../apps/server/src/contracts/event-log.ts";
import type { JobStatus } from "../../../../apps/server/src/contracts/status.ts";
import { isTerminalJob } from "../../../../apps/server/src/contracts/status.ts";
import { watchConsistency } from "./consistency.ts";
import { suiteDatabase } from "../../../support/databases.ts";

export interface Harness {
  dir: string;
  dataDir: string;
  databaseUrl: string;
  podium: Podium;
  /** Every moment a job's status disagreed with its sheets, across restarts (expected empty). */
  inconsistencies: string[];
  /** Opens a fresh Podium on the same files (a restart). */
  restart(): Promise<Podium>;
  dispose(): Promise<void>;
}

export async function startHarness(options: Partial<PodiumOptions> = {}): Promise<Harness> {
  const dir = mkdtempSync(path.join(tmpdir(), "podium-conductor-"));
  const dataDir = path.join(dir, "data");
  const database = await suiteDatabase(dir);
  const databaseUrl = database.url;
  const inconsistencies: string[] = [];
  const open = async () => {
    const podium = await createPodium({
      databaseUrl,
      dataDir,
      instrumentDirs: [],
      cwd: dir,
      ...options,
    });
    watchConsistency(podium, inconsistencies);
    return podium;
  };
  const harness: Harness = {
    dir,
    dataDir,
    databaseUrl,
    inconsistencies,
    podium: await open(),
    async restart() {
      await harness.podium.close();
      harness.podium = await open();
      return harness.podium;
    },
    async dispose() {
      await harness.podium.close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** Polls the checkpoint until the job reaches a status accepted by `done`. */
export async function waitForJob(
  podium: Podium,
  jobId: string,
  done: (status: JobStatus) => boolean | Promise<boolean> = isTerminalJob,
  timeoutMs = 30_000,
): Promise<JobStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stored = await podium.store.loadJob(jobId);
    if (stored && (await done(stored.job.record.status))) return stored.job.record.status;
    if (Date.now() > deadline)
      throw new Error(`job ${jobId} still ${stored?.job.record.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function waitFor<T>(
  probe: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function allEvents(podium: Podium, jobId?: string): Promise<EventRecord[]> {
  return await podium.store.readEvents({ jobId, afterSeq: 0, limit: 1_000_000 });
}

/** A `cli` score: each sheet runs `body` (bash); sheets chained linearly unless `extra` says. */
export function cliScore(args: {
  name?: string;
  sheets: number;
  body: string;
  extra?: string;
}): string {
  const body = args.body
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
  return [
    `name: ${args.name ?? "test-score"}`,
    "instrument: cli",
    "pause_between_sheets_seconds: 0",
    "sheet:",
    "  size: 1",
    `  total_items: ${args.sheets}`,
    args.extra ?? "",
    "prompt:",
    "  template: |",
    body,
    "",
  ].join("\n");
}
