/**
 * How the raw SQLite writer binds records to columns (names match prisma/schema.prisma exactly);
 * reading them back is codec.ts's job, shared with every other reader.
 */
import type { AttemptRecord, JobRecord, SheetRecord } from "../contracts/records.ts";
import type { EventDraft } from "../contracts/event-log.ts";
import type { JobSpec } from "../contracts/job-spec.ts";
import { toSqlBool, toSqlTime, toSqlTimeOrNull } from "./sql-values.ts";
import {
  decodeEvent,
  decodeJob,
  decodeSheet,
  type EventColumns,
  type JobColumns,
  type SheetColumns,
} from "./codec.ts";

/** Rows as the raw SQLite writer reads them (times as text, booleans as 0/1). */
export type SheetRow = SheetColumns;
export type JobRow = JobColumns;
export type EventRow = EventColumns;

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

export function jobUpdateParams(job: JobRecord, nowMs: number): Record<string, unknown> {
  return {
    ...job,
    pauseReasons: JSON.stringify(job.pauseReasons),
    startedAt: toSqlTimeOrNull(job.startedAt),
    completedAt: toSqlTimeOrNull(job.completedAt),
    updatedAt: toSqlTime(nowMs),
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

export const sheetFromRow = decodeSheet;
export const storedJobFromRow = decodeJob;
export const eventFromRow = decodeEvent;
