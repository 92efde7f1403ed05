/**
 * The store contract (contract.ts, DESIGN.md §7) on SQLite: the baton's commits and what the
 * conductor stores (new jobs, process groups) through the one raw better-sqlite3 writer, its
 * reads (recovery, replay) on the same connection, the read model through Prisma.
 * Every write that appends events goes through one group-commit queue (group-commit.ts), so
 * `seq` follows call order and a caller learns of its commit only once it is durable.
 */
import type Database from "better-sqlite3";
import type { CheckpointCommit } from "../baton/index.ts";
import type { SheetRecord } from "../contracts/records.ts";
import type { EventDraft, EventRecord } from "../contracts/event-log.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";
import type {
  InsertJobOutcome,
  NewJob,
  PodiumStore,
  ReadEventsQuery,
  RecordedProcessGroup,
  StoredJobWithSheets,
} from "./contract.ts";
import { createReadModel, toJobRow, type ReadModel } from "./read-model.ts";
import {
  attemptToParams,
  eventFromRow,
  eventToParams,
  jobUpdateParams,
  sheetFromRow,
  sheetToParams,
  storedJobFromRow,
  type EventRow,
  type JobRow,
  type SheetRow,
  type StoredJob,
} from "./rows.ts";

export type {
  InsertJobOutcome,
  NewJob,
  ReadEventsQuery,
  RecordedProcessGroup,
  StoredJobWithSheets,
} from "./contract.ts";
import { createRedactor, type Redact } from "../secrets/redact.ts";
import { redactAttempt, redactEvent, redactJob, redactSheet } from "../secrets/redact-records.ts";
import { GroupCommitQueue } from "./group-commit.ts";
import { prepareStatements, type Statements } from "./statements.ts";
import { toSqlBool, toSqlTime } from "./sql-values.ts";
import { boundEventData } from "./event-data.ts";

/** The longest a process-group record or clear waits for a commit to ride with. */
export const PROCESS_LEDGER_DELAY_MS = 20;

export interface CheckpointStoreOptions {
  /** Wall clock for `updatedAt` columns only; event timestamps come with the events. */
  now?: () => number;
  /** Applied to every text stored or published (secrets/redact-records.ts). Default: process.env's secrets. */
  redact?: Redact;
  /** The Prisma client the read model queries through (needed only by the gateway's reads). */
  prisma?: PrismaClient;
}

export class SqliteCheckpointStore implements PodiumStore {
  private readonly statements: Statements;
  private readonly now: () => number;
  private readonly queue: GroupCommitQueue;
  private readonly redact: Redact;

  private readonly replaceScoreStatement: Database.Statement;
  private readonly prisma: PrismaClient | null;
  private readModelOnce: ReadModel | null = null;

  constructor(writer: Database.Database, options: CheckpointStoreOptions = {}) {
    this.statements = prepareStatements(writer);
    this.replaceScoreStatement = writer.prepare(
      `UPDATE Job SET scoreText = @scoreText, configHash = @configHash, spec = @spec, name = @name,
       updatedAt = @updatedAt WHERE id = @id`,
    );
    this.now = options.now ?? Date.now;
    this.redact = options.redact ?? createRedactor(process.env);
    this.queue = new GroupCommitQueue(writer);
    this.prisma = options.prisma ?? null;
  }

  get readModel(): ReadModel {
    if (this.prisma === null)
      throw new Error("This checkpoint store was opened without a read model");
    this.readModelOnce ??= {
      ...createReadModel(this.prisma),
      // What every submit (its payload) and every new subscriber (its replay) reads, from the
      // writer's prepared statements: Prisma compiles each query anew, several ms per job. The
      // writer holds no transaction between flushes, so it reads only what is committed.
      getJob: async (id) => {
        const row = this.statements.jobById.get(id) as (JobRow & { updatedAt: string }) | undefined;
        return row === undefined ? null : toJobRow(row);
      },
      listEvents: async ({ jobId, afterSeq, limit }) => {
        const rows = await this.readEvents({ jobId, afterSeq, limit: limit + 1 });
        return { rows: rows.slice(0, limit), hasNextPage: rows.length > limit };
      },
    };
    return this.readModelOnce;
  }

  /** How many transactions the queue ran and how much work they carried. */
  get stats(): GroupCommitQueue["stats"] {
    return this.queue.stats;
  }

  /** Told how long each group transaction took to commit, in seconds. */
  observeCommits(listener: (seconds: number, work: number) => void): void {
    this.queue.onTransaction = listener;
  }

  commit(batch: CheckpointCommit): Promise<EventRecord[]> {
    const redact = this.redact;
    const redacted: CheckpointCommit = {
      ...batch,
      jobs: batch.jobs.map((job) => redactJob(job, redact)),
      sheets: batch.sheets.map((sheet) => redactSheet(sheet, redact)),
      attempts: batch.attempts.map((attempt) => redactAttempt(attempt, redact)),
      events: batch.events.map((event) => redactEvent(event, redact)),
    };
    return this.queue.enqueue(() => this.writeCommit(redacted));
  }

  /** The job row, its sheets and its first events, in one transaction; idempotent on the key. */
  insertJob(job: NewJob, sheets: SheetRecord[], events: EventDraft[]): Promise<InsertJobOutcome> {
    sheets = sheets.map((sheet) => redactSheet(sheet, this.redact));
    events = events.map((event) => redactEvent(event, this.redact));
    return this.queue.enqueue((): InsertJobOutcome => {
      const now = this.now();
      const existing = this.insertJobRow(job, now);
      if (existing !== null) return { created: false, jobId: existing };
      for (const sheet of sheets) this.statements.upsertSheet.run(sheetToParams(sheet, now));
      return { created: true, jobId: job.id, events: this.writeEvents(events) };
    });
  }

  /** Every job that is not terminal, in submission order, with its sheets. */
  async loadRecoverableJobs(): Promise<StoredJobWithSheets[]> {
    const jobs = (this.statements.nonTerminalJobs.all() as JobRow[]).map(storedJobFromRow);
    const sheetsByJob = new Map<string, SheetRecord[]>();
    for (const row of this.statements.sheetsOfNonTerminalJobs.all() as SheetRow[]) {
      const list = sheetsByJob.get(row.jobId) ?? [];
      list.push(sheetFromRow(row));
      sheetsByJob.set(row.jobId, list);
    }
    return jobs.map((job) => ({ job, sheets: sheetsByJob.get(job.record.id) ?? [] }));
  }

  async loadJob(jobId: string): Promise<StoredJobWithSheets | null> {
    const row = this.statements.jobById.get(jobId) as JobRow | undefined;
    if (row === undefined) return null;
    const sheets = (this.statements.sheetsOfJob.all(jobId) as SheetRow[]).map(sheetFromRow);
    return { job: storedJobFromRow(row), sheets };
  }

  async findJobByIdempotencyKey(key: string): Promise<StoredJob | null> {
    const id = this.statements.jobIdByIdempotencyKey.get(key) as string | undefined;
    if (id === undefined) return null;
    const row = this.statements.jobById.get(id) as JobRow | undefined;
    return row === undefined ? null : storedJobFromRow(row);
  }

  /** Succeeded jobs whose on_success hooks a crash interrupted (or that never started). */
  async loadJobsWithPendingHooks(): Promise<StoredJob[]> {
    return (this.statements.completedJobsWithPendingHooks.all() as JobRow[]).map(storedJobFromRow);
  }

  async childJobIds(parentJobId: string): Promise<string[]> {
    return this.statements.childJobs.all(parentJobId) as string[];
  }

  /** Appends events alone, in queue order (tools and tests seed the log with it). */
  appendEvents(events: EventDraft[]): Promise<EventRecord[]> {
    const redacted = events.map((event) => redactEvent(event, this.redact));
    return this.queue.enqueue(() => this.writeEvents(redacted));
  }

  /** Committed events after a cursor, in `seq` order (replay for subscribers). */
  async readEvents(query: ReadEventsQuery): Promise<EventRecord[]> {
    const limit = Math.max(0, Math.floor(query.limit));
    const rows = (
      query.jobId
        ? this.statements.eventsOfJobAfter.all(query.jobId, query.afterSeq, limit)
        : this.statements.eventsAfter.all(query.afterSeq, limit)
    ) as EventRow[];
    return rows.map(eventFromRow);
  }

  async lastSeq(): Promise<number> {
    return (this.statements.lastSeq.get() as number | null) ?? 0;
  }

  /**
   * Deferred (see group-commit.ts): it rides with the next commit, which comes within a few
   * milliseconds while sheets are playing, and is written on its own at the latest
   * PROCESS_LEDGER_DELAY_MS after the spawn. Until then only a crash of both the server and its
   * spawner helper (which ends every run when the server dies) could orphan the process unseen.
   * Never throws; a locked database retries it like any queued write.
   */
  recordProcessGroup(
    jobId: string,
    sheetNum: number,
    processGroup: number,
    processStartedAt: string | null,
  ): void {
    this.queue
      .enqueueDeferred(() => {
        this.statements.recordProcessGroup.run(processGroup, processStartedAt, jobId, sheetNum);
      }, PROCESS_LEDGER_DELAY_MS)
      .catch(() => undefined);
  }

  /** Forgets a finished attempt's group (deferred; never rejects: a stale record is harmless). */
  clearProcessGroup(jobId: string, sheetNum: number, processGroup: number): Promise<void> {
    return this.queue
      .enqueueDeferred(() => {
        this.statements.clearProcessGroup.run(jobId, sheetNum, processGroup);
      }, PROCESS_LEDGER_DELAY_MS)
      .catch(() => undefined);
  }

  async listProcessGroups(): Promise<RecordedProcessGroup[]> {
    await this.queue.drain();
    return (
      this.statements.liveProcessGroups.all() as {
        jobId: string;
        num: number;
        processGroup: number;
        processStartedAt: string | null;
      }[]
    ).map((row) => ({
      jobId: row.jobId,
      sheetNum: row.num,
      processGroup: row.processGroup,
      processStartedAt: row.processStartedAt,
    }));
  }

  forgetProcessGroups(): Promise<void> {
    return this.queue.enqueue(() => {
      this.statements.clearAllProcessGroups.run();
    });
  }

  /** Resolves once everything queued so far is committed. */
  drain(): Promise<void> {
    return this.queue.drain();
  }

  /** Writes what is queued, then refuses further work. */
  async close(): Promise<void> {
    this.queue.close();
  }

  /** Inserts a job row; returns the job already holding its idempotency key, or null. */
  private insertJobRow(job: NewJob, now: number): string | null {
    const inserted = this.statements.insertJob.run({
      ...job,
      pauseReason: null,
      pauseReasons: "[]",
      warnings: JSON.stringify(job.warnings),
      options: JSON.stringify(job.options),
      spec: job.spec === null ? null : JSON.stringify(job.spec),
      hooksPending: toSqlBool(job.hooksPending),
      completedSheets: 0,
      costUsd: 0,
      errorMessage: null,
      createdAt: toSqlTime(job.createdAt),
      startedAt: null,
      completedAt: null,
      updatedAt: toSqlTime(now),
    });
    if (inserted.changes > 0) return null;
    const existing = this.statements.jobIdByIdempotencyKey.get(job.idempotencyKey) as
      string | undefined;
    if (existing === undefined) throw new Error(`Job ${job.id} could not be inserted`);
    return existing;
  }

  private writeCommit(batch: CheckpointCommit): EventRecord[] {
    const now = this.now();
    for (const job of batch.newJobs ?? []) {
      // The baton checks keys before it commits; a taken key here means two writers.
      const existing = this.insertJobRow(job, now);
      if (existing !== null)
        throw new Error(`commit: idempotency key of job ${job.id} already names job ${existing}`);
    }
    for (const score of batch.rescored ?? []) {
      this.replaceScoreStatement.run({
        ...score,
        spec: JSON.stringify(score.spec),
        updatedAt: toSqlTime(now),
      });
    }
    for (const jobId of batch.hooksFinished ?? [])
      this.statements.setHooksPending.run(0, toSqlTime(now), jobId);
    for (const job of batch.jobs) {
      const result = this.statements.updateJob.run(jobUpdateParams(job, now));
      if (result.changes === 0) throw new Error(`commit: job ${job.id} does not exist`);
    }
    for (const sheet of batch.sheets) this.statements.upsertSheet.run(sheetToParams(sheet, now));
    for (const attempt of batch.attempts)
      this.statements.insertAttempt.run(attemptToParams(attempt));
    return this.writeEvents(batch.events);
  }

  private writeEvents(events: EventDraft[]): EventRecord[] {
    return events.map((draft) => {
      const event = { ...draft, data: boundEventData(draft.data) };
      const info = this.statements.insertEvent.run(...eventToParams(event));
      return { ...event, seq: Number(info.lastInsertRowid) };
    });
  }
}
