import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type {
  AttemptRecord,
  JobRecord,
  SheetRecord,
} from "../../../../apps/server/src/contracts/records.ts";
import type { EventDraft } from "../../../../apps/server/src/contracts/event-log.ts";
import { openDatabase, type PodiumDatabase } from "../../../../apps/server/src/store/database.ts";
import type { NewJob } from "../../../../apps/server/src/store/checkpoint-store.ts";

export interface TempDatabase {
  db: PodiumDatabase;
  dir: string;
  file: string;
  dispose(): Promise<void>;
}

export async function openTempDatabase(prefix = "podium-store-"): Promise<TempDatabase> {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const file = path.join(dir, "podium.db");
  const db = await openDatabase(`file:${file}`);
  return {
    db,
    dir,
    file,
    async dispose() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function newJob(id: string, overrides: Partial<NewJob> = {}): NewJob {
  return {
    id,
    name: `job ${id}`,
    status: "pending",
    scoreText: "name: x\n",
    configHash: "hash",
    spec: null,
    workspace: `/tmp/ws/${id}`,
    idempotencyKey: null,
    warnings: [],
    options: {},
    totalSheets: 2,
    concertDepth: 0,
    parentJobId: null,
    hooksPending: false,
    createdAt: 1_700_000_000_000,
    ...overrides,
  };
}

export function sheet(
  jobId: string,
  num: number,
  overrides: Partial<SheetRecord> = {},
): SheetRecord {
  return {
    jobId,
    num,
    status: "pending",
    movement: num,
    voice: null,
    voiceCount: 1,
    description: null,
    instrument: "cli",
    instrumentChain: ["cli"],
    instrumentIndex: 0,
    model: null,
    dependsOn: num > 1 ? [num - 1] : [],
    normalAttempts: 0,
    completionAttempts: 0,
    healingAttempts: 0,
    validationPassRate: null,
    costUsd: 0,
    durationMs: 0,
    errorCode: null,
    errorMessage: null,
    stdoutTail: null,
    stderrTail: null,
    prompt: null,
    dispatchToken: null,
    processGroup: null,
    processStartedAt: null,
    startedAt: null,
    completedAt: null,
    dueAt: null,
    ...overrides,
  };
}

export function jobRecord(id: string, overrides: Partial<JobRecord> = {}): JobRecord {
  return {
    id,
    status: "running",
    pauseReason: null,
    pauseReasons: [],
    totalSheets: 2,
    completedSheets: 0,
    costUsd: 0,
    errorMessage: null,
    startedAt: 1_700_000_001_000,
    completedAt: null,
    ...overrides,
  };
}

export function attempt(
  jobId: string,
  sheetNum: number,
  overrides: Partial<AttemptRecord> = {},
): AttemptRecord {
  return {
    jobId,
    sheetNum,
    attemptNumber: 1,
    mode: "normal",
    instrument: "cli",
    model: null,
    dispatchToken: "tok-1",
    executionSuccess: true,
    exitCode: 0,
    durationMs: 120,
    validationsPassed: 1,
    validationsTotal: 1,
    passRate: 100,
    validationDetails: [
      { index: 0, type: "file_exists", description: null, passed: true, message: null },
    ],
    errorClass: null,
    errorMessage: null,
    rateLimited: false,
    costUsd: 0.01,
    inputTokens: 10,
    outputTokens: 20,
    stdoutTail: "out",
    stderrTail: "",
    startedAt: 1_700_000_002_000,
    finishedAt: 1_700_000_002_120,
    ...overrides,
  };
}

export function draft(
  jobId: string,
  event: EventDraft["event"],
  sheetNum = 0,
  data: Record<string, unknown> = {},
): EventDraft {
  return { jobId, sheetNum, event, data, timestamp: 1_700_000_003_000 };
}
