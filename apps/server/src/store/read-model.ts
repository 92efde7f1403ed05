/**
 * Read-only queries over the checkpoint for the GraphQL gateway: jobs, sheets, attempts and the
 * event log, with keyset (cursor) pagination, over either backend's Prisma client. Rows are decoded
 * by codec.ts, as every other reader's are, so callers see the baton's records. Writes never go
 * through this module.
 */
import type { ValidationDetail } from "../contracts/attempt.ts";
import type { AttemptRecord, SheetRecord } from "../contracts/records.ts";
import type { JobStatus, PauseReason, SheetStatus } from "../contracts/status.ts";
import type { EventRecord } from "../contracts/event-log.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";
import {
  decodeAttempt,
  decodeEvent,
  decodeJob,
  decodeSheet,
  decodeTime,
  type JobColumns,
  type StoredTime,
} from "./codec.ts";

// The vocabularies readers need, so that the gateway reads them from the store's side.
export { JOB_STATUSES, SHEET_STATUSES } from "../contracts/status.ts";
export type { JobStatus, PauseReason, SheetStatus, ValidationDetail };

export interface JobRow {
  id: string;
  name: string;
  status: JobStatus;
  pauseReason: PauseReason | null;
  /** Every reason holding the job, oldest first. */
  pauseReasons: PauseReason[];
  scoreText: string;
  workspace: string;
  warnings: string[];
  totalSheets: number;
  completedSheets: number;
  costUsd: number;
  errorMessage: string | null;
  parentJobId: string | null;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  updatedAt: Date;
}

/** A sheet as people read it: its checkpoint record without the engine's bookkeeping. */
export type SheetRow = Omit<
  SheetRecord,
  "dispatchToken" | "processGroup" | "processStartedAt" | "startedAt" | "completedAt" | "dueAt"
> & {
  startedAt: Date | null;
  completedAt: Date | null;
};

/** An attempt as people read it: its checkpoint record without the dispatch token, times as dates. */
export type AttemptRow = Omit<AttemptRecord, "dispatchToken" | "startedAt" | "finishedAt"> & {
  startedAt: Date;
  finishedAt: Date;
};

/** Position after which the next page of jobs starts (jobs are listed newest first). */
export interface JobPosition {
  createdAt: Date;
  id: string;
}

export interface JobPageRequest {
  first: number;
  after?: JobPosition | null;
  statuses?: readonly JobStatus[] | null;
}

export interface Page<Row> {
  rows: Row[];
  hasNextPage: boolean;
}

export interface EventPageRequest {
  jobId?: string | null;
  /** Events with `seq` strictly greater than this. */
  afterSeq: number;
  limit: number;
}

export interface ReadModel {
  listJobs(request: JobPageRequest): Promise<Page<JobRow>>;
  getJob(id: string): Promise<JobRow | null>;
  listSheets(jobId: string): Promise<SheetRow[]>;
  getSheet(jobId: string, num: number): Promise<SheetRow | null>;
  listAttempts(jobId: string, sheetNum: number): Promise<AttemptRow[]>;
  /** Events in `seq` order; `hasNextPage` is true when more follow the last row. */
  listEvents(request: EventPageRequest): Promise<Page<EventRecord>>;
  /** The highest committed `seq` (0 for an empty log). */
  lastEventSeq(): Promise<number>;
}

type PrismaJob = NonNullable<Awaited<ReturnType<PrismaClient["job"]["findUnique"]>>>;
type PrismaSheet = NonNullable<Awaited<ReturnType<PrismaClient["sheet"]["findUnique"]>>>;
type PrismaAttempt = NonNullable<Awaited<ReturnType<PrismaClient["attempt"]["findUnique"]>>>;
type PrismaEvent = NonNullable<Awaited<ReturnType<PrismaClient["event"]["findUnique"]>>>;

function dateOrNull(ms: number | null): Date | null {
  return ms === null ? null : new Date(ms);
}

/** A job row as Prisma or a raw SQLite statement returns it (times as dates or as text). */
export function toJobRow(row: PrismaJob | (JobColumns & { updatedAt: StoredTime })): JobRow {
  const { record, ...job } = decodeJob(row);
  return {
    id: record.id,
    name: job.name,
    status: record.status,
    pauseReason: record.pauseReason,
    pauseReasons: record.pauseReasons,
    scoreText: job.scoreText,
    workspace: job.workspace,
    warnings: job.warnings,
    totalSheets: record.totalSheets,
    completedSheets: record.completedSheets,
    costUsd: record.costUsd,
    errorMessage: record.errorMessage,
    parentJobId: job.parentJobId,
    createdAt: new Date(job.createdAt),
    startedAt: dateOrNull(record.startedAt),
    completedAt: dateOrNull(record.completedAt),
    updatedAt: new Date(decodeTime(row.updatedAt, "Job.updatedAt")),
  };
}

function toSheetRow(row: PrismaSheet): SheetRow {
  const {
    dispatchToken: _token,
    processGroup: _group,
    processStartedAt: _started,
    dueAt: _due,
    ...sheet
  } = decodeSheet(row);
  return {
    ...sheet,
    startedAt: dateOrNull(sheet.startedAt),
    completedAt: dateOrNull(sheet.completedAt),
  };
}

function toAttemptRow(row: PrismaAttempt): AttemptRow {
  const { dispatchToken: _token, ...attempt } = decodeAttempt(row);
  return {
    ...attempt,
    startedAt: new Date(attempt.startedAt),
    finishedAt: new Date(attempt.finishedAt),
  };
}

export function toEventRecord(row: PrismaEvent): EventRecord {
  return decodeEvent(row);
}

export function createReadModel(prisma: PrismaClient): ReadModel {
  return {
    async listJobs({ first, after, statuses }) {
      const rows = await prisma.job.findMany({
        where: {
          ...(statuses && statuses.length > 0 ? { status: { in: [...statuses] } } : {}),
          ...(after
            ? {
                OR: [
                  { createdAt: { lt: after.createdAt } },
                  { createdAt: after.createdAt, id: { lt: after.id } },
                ],
              }
            : {}),
        },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: first + 1,
      });
      return { rows: rows.slice(0, first).map(toJobRow), hasNextPage: rows.length > first };
    },

    async getJob(id) {
      const job = await prisma.job.findUnique({ where: { id } });
      return job ? toJobRow(job) : null;
    },

    async listSheets(jobId) {
      const sheets = await prisma.sheet.findMany({ where: { jobId }, orderBy: { num: "asc" } });
      return sheets.map(toSheetRow);
    },

    async getSheet(jobId, num) {
      const sheet = await prisma.sheet.findUnique({ where: { jobId_num: { jobId, num } } });
      return sheet ? toSheetRow(sheet) : null;
    },

    async listAttempts(jobId, sheetNum) {
      const attempts = await prisma.attempt.findMany({
        where: { jobId, sheetNum },
        orderBy: [{ attemptNumber: "asc" }, { id: "asc" }],
      });
      return attempts.map(toAttemptRow);
    },

    async listEvents({ jobId, afterSeq, limit }) {
      const events = await prisma.event.findMany({
        where: { seq: { gt: afterSeq }, ...(jobId ? { jobId } : {}) },
        orderBy: { seq: "asc" },
        take: limit + 1,
      });
      return {
        rows: events.slice(0, limit).map(toEventRecord),
        hasNextPage: events.length > limit,
      };
    },

    async lastEventSeq() {
      const last = await prisma.event.findFirst({
        orderBy: { seq: "desc" },
        select: { seq: true },
      });
      // A BIGINT (bigint at run time) on PostgreSQL.
      return Number(last?.seq ?? 0);
    },
  };
}
