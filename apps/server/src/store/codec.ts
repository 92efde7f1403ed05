/**
 * The one decoder of stored rows (DESIGN.md §7). A row comes back from SQLite's raw writer with
 * ISO-8601 text times and 0/1 booleans, from Prisma and from `pg` with Date objects and real
 * booleans; JSON columns are text everywhere. Every reader (the writer's recovery reads, the
 * PostgreSQL store and the GraphQL read model) turns rows into records here, so a column means
 * the same thing whichever path read it, and an unreadable value is a typed error naming it.
 */
import type { AttemptRecord, SheetRecord } from "../contracts/records.ts";
import type { EventName, EventRecord } from "../contracts/event-log.ts";
import type { AttemptMode, ErrorClass, ValidationDetail } from "../contracts/attempt.ts";
import type { JobStatus, PauseReason, SheetStatus } from "../contracts/status.ts";
import type { JobSpec } from "../contracts/job-spec.ts";
import type { StoredJob } from "./rows.ts";
import { normalizePauseReasons } from "../baton/index.ts";

export type StoredTime = string | Date;
export type StoredBool = boolean | number;

/** A stored value Podium cannot read back (hand-edited, or written by something else). */
export class StoredValueError extends Error {
  constructor(
    readonly column: string,
    problem: string,
  ) {
    super(`Column ${column} ${problem}`);
    this.name = "StoredValueError";
  }
}

export function decodeJson<T>(text: string, column: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new StoredValueError(column, `holds text that is not JSON: ${text.slice(0, 80)}`);
  }
}

/** Accepts Dates, ISO-8601 text (with Z or an offset) and SQLite's `CURRENT_TIMESTAMP` form. */
export function decodeTime(value: StoredTime, column: string): number {
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) throw new StoredValueError(column, "holds an invalid date");
    return ms;
  }
  const normalised = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value)
    ? `${value.replace(" ", "T")}Z`
    : value;
  const ms = Date.parse(normalised);
  if (Number.isNaN(ms)) throw new StoredValueError(column, `holds an unreadable time "${value}"`);
  return ms;
}

export function decodeTimeOrNull(value: StoredTime | null, column: string): number | null {
  return value === null ? null : decodeTime(value, column);
}

export function decodeBool(value: StoredBool): boolean {
  return value === true || value === 1;
}

/** The stored set, with the single legacy column as a fallback for rows written before it. */
export function decodePauseReasons(
  listed: string,
  legacy: string | null,
): { pauseReason: PauseReason | null; pauseReasons: PauseReason[] } {
  const parsed = decodeJson<unknown>(listed, "Job.pauseReasons");
  const reasons = normalizePauseReasons(
    Array.isArray(parsed) ? parsed : [],
    legacy as PauseReason | null,
  );
  return { pauseReason: reasons[0] ?? null, pauseReasons: reasons };
}

export type SheetColumns = Omit<
  SheetRecord,
  "status" | "instrumentChain" | "dependsOn" | "startedAt" | "completedAt" | "dueAt"
> & {
  status: string;
  /** JSON */
  instrumentChain: string;
  /** JSON */
  dependsOn: string;
  startedAt: StoredTime | null;
  completedAt: StoredTime | null;
  dueAt: StoredTime | null;
};

export function decodeSheet(row: SheetColumns): SheetRecord {
  return {
    jobId: row.jobId,
    num: row.num,
    status: row.status as SheetStatus,
    movement: row.movement,
    voice: row.voice,
    voiceCount: row.voiceCount,
    description: row.description,
    instrument: row.instrument,
    instrumentChain: decodeJson<string[]>(row.instrumentChain, "Sheet.instrumentChain"),
    instrumentIndex: row.instrumentIndex,
    model: row.model,
    dependsOn: decodeJson<number[]>(row.dependsOn, "Sheet.dependsOn"),
    normalAttempts: row.normalAttempts,
    completionAttempts: row.completionAttempts,
    healingAttempts: row.healingAttempts,
    validationPassRate: row.validationPassRate,
    costUsd: row.costUsd,
    durationMs: row.durationMs,
    errorCode: row.errorCode,
    errorMessage: row.errorMessage,
    stdoutTail: row.stdoutTail,
    stderrTail: row.stderrTail,
    prompt: row.prompt,
    dispatchToken: row.dispatchToken,
    processGroup: row.processGroup,
    processStartedAt: row.processStartedAt,
    startedAt: decodeTimeOrNull(row.startedAt, "Sheet.startedAt"),
    completedAt: decodeTimeOrNull(row.completedAt, "Sheet.completedAt"),
    dueAt: decodeTimeOrNull(row.dueAt, "Sheet.dueAt"),
  };
}

export interface JobColumns {
  id: string;
  name: string;
  status: string;
  pauseReason: string | null;
  pauseReasons: string;
  scoreText: string;
  configHash: string;
  spec: string | null;
  workspace: string;
  idempotencyKey: string | null;
  warnings: string;
  options: string;
  totalSheets: number;
  completedSheets: number;
  costUsd: number;
  errorMessage: string | null;
  concertDepth: number;
  parentJobId: string | null;
  hooksPending: StoredBool;
  createdAt: StoredTime;
  startedAt: StoredTime | null;
  completedAt: StoredTime | null;
}

export function decodeJob(row: JobColumns): StoredJob {
  return {
    record: {
      id: row.id,
      status: row.status as JobStatus,
      ...decodePauseReasons(row.pauseReasons, row.pauseReason),
      totalSheets: row.totalSheets,
      completedSheets: row.completedSheets,
      costUsd: row.costUsd,
      errorMessage: row.errorMessage,
      startedAt: decodeTimeOrNull(row.startedAt, "Job.startedAt"),
      completedAt: decodeTimeOrNull(row.completedAt, "Job.completedAt"),
    },
    name: row.name,
    scoreText: row.scoreText,
    configHash: row.configHash,
    spec: row.spec === null ? null : decodeJson<JobSpec>(row.spec, "Job.spec"),
    workspace: row.workspace,
    idempotencyKey: row.idempotencyKey,
    warnings: decodeJson<string[]>(row.warnings, "Job.warnings"),
    options: decodeJson<Record<string, unknown>>(row.options, "Job.options"),
    concertDepth: row.concertDepth,
    parentJobId: row.parentJobId,
    hooksPending: decodeBool(row.hooksPending),
    createdAt: decodeTime(row.createdAt, "Job.createdAt"),
  };
}

export interface AttemptColumns {
  jobId: string;
  sheetNum: number;
  attemptNumber: number;
  mode: string;
  instrument: string;
  model: string | null;
  dispatchToken: string;
  executionSuccess: StoredBool;
  exitCode: number | null;
  durationMs: number;
  validationsPassed: number;
  validationsTotal: number;
  passRate: number;
  validationDetails: string;
  errorClass: string | null;
  errorMessage: string | null;
  rateLimited: StoredBool;
  costUsd: number;
  inputTokens: number | null;
  outputTokens: number | null;
  stdoutTail: string | null;
  stderrTail: string | null;
  startedAt: StoredTime;
  finishedAt: StoredTime;
}

export function decodeAttempt(row: AttemptColumns): AttemptRecord {
  return {
    jobId: row.jobId,
    sheetNum: row.sheetNum,
    attemptNumber: row.attemptNumber,
    mode: row.mode as AttemptMode,
    instrument: row.instrument,
    model: row.model,
    dispatchToken: row.dispatchToken,
    executionSuccess: decodeBool(row.executionSuccess),
    exitCode: row.exitCode,
    durationMs: row.durationMs,
    validationsPassed: row.validationsPassed,
    validationsTotal: row.validationsTotal,
    passRate: row.passRate,
    validationDetails: decodeJson<ValidationDetail[]>(
      row.validationDetails,
      "Attempt.validationDetails",
    ),
    errorClass: row.errorClass as ErrorClass | null,
    errorMessage: row.errorMessage,
    rateLimited: decodeBool(row.rateLimited),
    costUsd: row.costUsd,
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    stdoutTail: row.stdoutTail,
    stderrTail: row.stderrTail,
    startedAt: decodeTime(row.startedAt, "Attempt.startedAt"),
    finishedAt: decodeTime(row.finishedAt, "Attempt.finishedAt"),
  };
}

export interface EventColumns {
  /** BIGINT on PostgreSQL (text from `pg`, bigint from Prisma). */
  seq: number | string | bigint;
  jobId: string;
  sheetNum: number;
  name: string;
  data: string;
  timestamp: StoredTime;
}

export function decodeEvent(row: EventColumns): EventRecord {
  return {
    seq: Number(row.seq),
    jobId: row.jobId,
    sheetNum: row.sheetNum,
    event: row.name as EventName,
    data: decodeJson<Record<string, unknown>>(row.data, "Event.data"),
    timestamp: decodeTime(row.timestamp, "Event.timestamp"),
  };
}
