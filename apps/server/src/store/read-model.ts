/**
 * Read-only queries over the checkpoint for the GraphQL gateway: jobs, sheets, attempts and the
 * event log, with keyset (cursor) pagination. JSON columns are decoded here so that callers see
 * the same shapes as the baton's records. Writes never go through this module.
 */
import type { ValidationDetail } from "../contracts/attempt.ts";
import type { SheetRecord } from "../contracts/records.ts";
import type { JobStatus, PauseReason, SheetStatus } from "../contracts/status.ts";
import { normalizePauseReasons } from "../baton/index.ts";
import type { EventName, EventRecord } from "../contracts/event-log.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";

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

export interface AttemptRow {
  jobId: string;
  sheetNum: number;
  attemptNumber: number;
  mode: string;
  instrument: string;
  model: string | null;
  executionSuccess: boolean;
  exitCode: number | null;
  durationMs: number;
  validationsPassed: number;
  validationsTotal: number;
  passRate: number;
  validationDetails: ValidationDetail[];
  errorClass: string | null;
  errorMessage: string | null;
  rateLimited: boolean;
  costUsd: number;
  inputTokens: number | null;
  outputTokens: number | null;
  stdoutTail: string | null;
  stderrTail: string | null;
  startedAt: Date;
  finishedAt: Date;
}

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

function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function readPauseReasons(
  listed: string,
  legacy: PauseReason | null,
): Pick<JobRow, "pauseReason" | "pauseReasons"> {
  const parsed = parseJson<unknown>(listed, []);
  const reasons = normalizePauseReasons(Array.isArray(parsed) ? parsed : [], legacy);
  return { pauseReason: reasons[0] ?? null, pauseReasons: reasons };
}

type PrismaJob = NonNullable<Awaited<ReturnType<PrismaClient["job"]["findUnique"]>>>;
type PrismaSheet = NonNullable<Awaited<ReturnType<PrismaClient["sheet"]["findUnique"]>>>;
type PrismaAttempt = NonNullable<Awaited<ReturnType<PrismaClient["attempt"]["findUnique"]>>>;
type PrismaEvent = NonNullable<Awaited<ReturnType<PrismaClient["event"]["findUnique"]>>>;

function toJobRow(job: PrismaJob): JobRow {
  return {
    id: job.id,
    name: job.name,
    status: job.status as JobStatus,
    ...readPauseReasons(job.pauseReasons, job.pauseReason as PauseReason | null),
    scoreText: job.scoreText,
    workspace: job.workspace,
    warnings: parseJson<string[]>(job.warnings, []),
    totalSheets: job.totalSheets,
    completedSheets: job.completedSheets,
    costUsd: job.costUsd,
    errorMessage: job.errorMessage,
    parentJobId: job.parentJobId,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    completedAt: job.completedAt,
    updatedAt: job.updatedAt,
  };
}

function toSheetRow(sheet: PrismaSheet): SheetRow {
  return {
    jobId: sheet.jobId,
    num: sheet.num,
    status: sheet.status as SheetStatus,
    movement: sheet.movement,
    voice: sheet.voice,
    voiceCount: sheet.voiceCount,
    description: sheet.description,
    instrument: sheet.instrument,
    instrumentChain: parseJson<string[]>(sheet.instrumentChain, []),
    instrumentIndex: sheet.instrumentIndex,
    model: sheet.model,
    dependsOn: parseJson<number[]>(sheet.dependsOn, []),
    normalAttempts: sheet.normalAttempts,
    completionAttempts: sheet.completionAttempts,
    healingAttempts: sheet.healingAttempts,
    validationPassRate: sheet.validationPassRate,
    costUsd: sheet.costUsd,
    durationMs: sheet.durationMs,
    errorCode: sheet.errorCode,
    errorMessage: sheet.errorMessage,
    stdoutTail: sheet.stdoutTail,
    stderrTail: sheet.stderrTail,
    prompt: sheet.prompt,
    startedAt: sheet.startedAt,
    completedAt: sheet.completedAt,
  };
}

function toAttemptRow(attempt: PrismaAttempt): AttemptRow {
  return {
    jobId: attempt.jobId,
    sheetNum: attempt.sheetNum,
    attemptNumber: attempt.attemptNumber,
    mode: attempt.mode,
    instrument: attempt.instrument,
    model: attempt.model,
    executionSuccess: attempt.executionSuccess,
    exitCode: attempt.exitCode,
    durationMs: attempt.durationMs,
    validationsPassed: attempt.validationsPassed,
    validationsTotal: attempt.validationsTotal,
    passRate: attempt.passRate,
    validationDetails: parseJson<ValidationDetail[]>(attempt.validationDetails, []),
    errorClass: attempt.errorClass,
    errorMessage: attempt.errorMessage,
    rateLimited: attempt.rateLimited,
    costUsd: attempt.costUsd,
    inputTokens: attempt.inputTokens,
    outputTokens: attempt.outputTokens,
    stdoutTail: attempt.stdoutTail,
    stderrTail: attempt.stderrTail,
    startedAt: attempt.startedAt,
    finishedAt: attempt.finishedAt,
  };
}

export function toEventRecord(event: PrismaEvent): EventRecord {
  return {
    seq: event.seq,
    jobId: event.jobId,
    sheetNum: event.sheetNum,
    event: event.name as EventName,
    data: parseJson<Record<string, unknown>>(event.data, {}),
    timestamp: event.timestamp.getTime(),
  };
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
      return last?.seq ?? 0;
    },
  };
}
