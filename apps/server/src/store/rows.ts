/**
 * Row shapes of the raw writer and their mapping to and from the persisted records of
 * contracts/records.ts. Column names match prisma/schema.prisma exactly.
 */
import type { AttemptRecord, JobRecord, SheetRecord } from "../contracts/records.ts";
import type { EventDraft, EventName, EventRecord } from "../contracts/event-log.ts";
import type { JobStatus, PauseReason, SheetStatus } from "../contracts/status.ts";
import type { JobSpec } from "../contracts/job-spec.ts";
import { normalizePauseReasons } from "../baton/index.ts";
import {
  fromSqlTime,
  fromSqlTimeOrNull,
  parseJsonColumn,
  toSqlBool,
  toSqlTime,
  toSqlTimeOrNull,
} from "./sql-values.ts";

export interface SheetRow {
  jobId: string;
  num: number;
  status: string;
  movement: number;
  voice: number | null;
  voiceCount: number;
  description: string | null;
  instrument: string;
  instrumentChain: string;
  instrumentIndex: number;
  model: string | null;
  dependsOn: string;
  normalAttempts: number;
  completionAttempts: number;
  healingAttempts: number;
  validationPassRate: number | null;
  costUsd: number;
  durationMs: number;
  errorCode: string | null;
  errorMessage: string | null;
  stdoutTail: string | null;
  stderrTail: string | null;
  prompt: string | null;
  dispatchToken: string | null;
  processGroup: number | null;
  processStartedAt: string | null;
  startedAt: string | null;
  completedAt: string | null;
  dueAt: string | null;
}

export interface JobRow {
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
  hooksPending: number;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
}

export interface EventRow {
  seq: number;
  jobId: string;
  sheetNum: number;
  name: string;
  data: string;
  timestamp: string;
}

/** Everything the conductor stores about a job besides its execution state. */
export interface StoredJob {
  record: JobRecord;
  name: string;
  scoreText: string;
  configHash: string;
  /** The JobSpec the baton was given at submission; null for dry runs and rows without one. */
  spec: JobSpec | null;
  workspace: string;
  idempotencyKey: string | null;
  warnings: string[];
  options: Record<string, unknown>;
  concertDepth: number;
  parentJobId: string | null;
  hooksPending: boolean;
  createdAt: number;
}

export function sheetToParams(sheet: SheetRecord, nowMs: number): Record<string, unknown> {
  return {
    ...sheet,
    instrumentChain: JSON.stringify(sheet.instrumentChain),
    dependsOn: JSON.stringify(sheet.dependsOn),
    startedAt: toSqlTimeOrNull(sheet.startedAt),
    completedAt: toSqlTimeOrNull(sheet.completedAt),
    dueAt: toSqlTimeOrNull(sheet.dueAt),
    updatedAt: toSqlTime(nowMs),
  };
}

export function sheetFromRow(row: SheetRow): SheetRecord {
  return {
    ...row,
    status: row.status as SheetStatus,
    instrumentChain: parseJsonColumn<string[]>(row.instrumentChain, "Sheet.instrumentChain"),
    dependsOn: parseJsonColumn<number[]>(row.dependsOn, "Sheet.dependsOn"),
    startedAt: fromSqlTimeOrNull(row.startedAt),
    completedAt: fromSqlTimeOrNull(row.completedAt),
    dueAt: fromSqlTimeOrNull(row.dueAt),
  };
}

export function jobUpdateParams(job: JobRecord, nowMs: number): Record<string, unknown> {
  return {
    ...job,
    pauseReasons: JSON.stringify(job.pauseReasons),
    startedAt: toSqlTimeOrNull(job.startedAt),
    completedAt: toSqlTimeOrNull(job.completedAt),
    updatedAt: toSqlTime(nowMs),
  };
}

export function storedJobFromRow(row: JobRow): StoredJob {
  return {
    record: {
      id: row.id,
      status: row.status as JobStatus,
      ...storedPauseReasons(row),
      totalSheets: row.totalSheets,
      completedSheets: row.completedSheets,
      costUsd: row.costUsd,
      errorMessage: row.errorMessage,
      startedAt: fromSqlTimeOrNull(row.startedAt),
      completedAt: fromSqlTimeOrNull(row.completedAt),
    },
    name: row.name,
    scoreText: row.scoreText,
    configHash: row.configHash,
    spec: row.spec === null ? null : parseJsonColumn<JobSpec>(row.spec, "Job.spec"),
    workspace: row.workspace,
    idempotencyKey: row.idempotencyKey,
    warnings: parseJsonColumn<string[]>(row.warnings, "Job.warnings"),
    options: parseJsonColumn<Record<string, unknown>>(row.options, "Job.options"),
    concertDepth: row.concertDepth,
    parentJobId: row.parentJobId,
    hooksPending: row.hooksPending === 1,
    createdAt: fromSqlTime(row.createdAt),
  };
}

export function attemptToParams(attempt: AttemptRecord): Record<string, unknown> {
  return {
    ...attempt,
    executionSuccess: toSqlBool(attempt.executionSuccess),
    rateLimited: toSqlBool(attempt.rateLimited),
    validationDetails: JSON.stringify(attempt.validationDetails),
    startedAt: toSqlTime(attempt.startedAt),
    finishedAt: toSqlTime(attempt.finishedAt),
  };
}

/** In the column order of the positional `insertEvent` statement. */
export function eventToParams(event: EventDraft): [string, number, string, string, string] {
  return [
    event.jobId,
    event.sheetNum,
    event.event,
    JSON.stringify(event.data),
    toSqlTime(event.timestamp),
  ];
}

export function eventFromRow(row: EventRow): EventRecord {
  return {
    seq: row.seq,
    jobId: row.jobId,
    sheetNum: row.sheetNum,
    event: row.name as EventName,
    data: parseJsonColumn<Record<string, unknown>>(row.data, "Event.data"),
    timestamp: fromSqlTime(row.timestamp),
  };
}

/** The stored set, with the single legacy column as a fallback for rows written before it. */
function storedPauseReasons(row: JobRow): Pick<JobRecord, "pauseReason" | "pauseReasons"> {
  const legacy = row.pauseReason as PauseReason | null;
  const listed = parseJsonColumn<unknown>(row.pauseReasons, "Job.pauseReasons");
  const reasons = normalizePauseReasons(Array.isArray(listed) ? listed : [], legacy);
  return { pauseReason: reasons[0] ?? null, pauseReasons: reasons };
}
