/**
 * The store contract on PostgreSQL (DESIGN.md §7): writes through `pg` in group-committed
 * transactions (group-commit.ts, statements.ts), reads through the PostgreSQL Prisma client,
 * every row decoded by codec.ts. This process is the only writer until scale-out.
 */
import type { CheckpointCommit } from "../../baton/index.ts";
import type { SheetRecord } from "../../contracts/records.ts";
import type { EventDraft, EventRecord } from "../../contracts/event-log.ts";
import { createRedactor, type Redact } from "../../secrets/redact.ts";
import {
  redactAttempt,
  redactEvent,
  redactJob,
  redactSheet,
} from "../../secrets/redact-records.ts";
import {
  decodeEvent,
  decodeJob,
  decodeSheet,
  type JobColumns,
  type SheetColumns,
} from "../codec.ts";
import type {
  GroupCommitStats,
  InsertJobOutcome,
  NewJob,
  PodiumStore,
  ReadEventsQuery,
  RecordedProcessGroup,
  StoredJob,
  StoredJobWithSheets,
} from "../contract.ts";
import { boundEventData } from "../event-data.ts";
import { createReadModel, type ReadModel } from "../read-model.ts";
import type { PostgresDatabase } from "./database.ts";
import { PgGroupCommitQueue, noEvents, type PgWorkDone } from "./group-commit.ts";
import * as sql from "./statements.ts";
import type pg from "pg";
import type { PgLeases } from "./leases.ts";
import { isTerminalJob } from "../../contracts/status.ts";

export interface PostgresStoreOptions {
  now?: () => number;
  redact?: Redact;
}

export class PostgresStore implements PodiumStore {
  readonly readModel: ReadModel;
  private readonly queue: PgGroupCommitQueue;
  private readonly now: () => number;
  private readonly redact: Redact;
  private readonly pool: pg.Pool;
  private readonly prisma: PostgresDatabase["prismaPostgres"];
  /** With several processes: commits are fenced by job leases (leases.ts). */
  private leases: PgLeases | null = null;
  /** Process groups being recorded outside the queue; reads of the ledger wait for them. */
  private readonly directWrites = new Set<Promise<void>>();

  constructor(db: PostgresDatabase, options: PostgresStoreOptions = {}) {
    this.pool = db.pool;
    this.prisma = db.prismaPostgres;
    this.queue = new PgGroupCommitQueue(db.pool);
    this.now = options.now ?? Date.now;
    this.redact = options.redact ?? createRedactor(process.env);
    this.readModel = createReadModel(db.prisma);
  }

  get stats(): GroupCommitStats {
    return this.queue.stats;
  }

  observeCommits(listener: (seconds: number, work: number) => void): void {
    this.queue.onTransaction = listener;
  }

  /**
   * From now on a commit is written only for jobs whose lease this process holds (others fail it
   * with LeaseLostError), and new jobs are leased to this process in the commit creating them.
   */
  useLeases(leases: PgLeases): void {
    this.leases = leases;
  }

  commit(batch: CheckpointCommit): Promise<EventRecord[]> {
    const redact = this.redact;
    const leases = this.leases;
    const jobs = batch.jobs.map((job) => redactJob(job, redact));
    const sheets = batch.sheets.map((sheet) => redactSheet(sheet, redact));
    const attempts = batch.attempts.map((attempt) => redactAttempt(attempt, redact));
    const events = batch.events.map((event) => redactEvent(event, redact));
    const newJobs = batch.newJobs ?? [];
    const rescored = batch.rescored ?? [];
    const hooksFinished = batch.hooksFinished ?? [];
    const leased = newJobs.filter((job) => !isTerminalJob(job.status)).map((job) => job.id);
    const committed = this.queue.enqueue(async (client) => {
      const now = this.now();
      if (leases !== null) await leases.fence(client, touchedJobs(batch));
      for (const job of newJobs) {
        // The baton checks keys before it commits; a taken key here means two writers.
        if (!(await sql.insertJob(client, job, now))) {
          const holder = await sql.jobIdByIdempotencyKey(client, job.idempotencyKey);
          throw new Error(`commit: idempotency key of job ${job.id} already names job ${holder}`);
        }
      }
      for (const score of rescored) await sql.replaceScore(client, score, now);
      for (const jobId of hooksFinished)
        await client.query(sql.SET_HOOKS_DONE, [jobId, new Date(now).toISOString()]);
      for (const job of jobs) {
        if (!(await sql.updateJob(client, job, now)))
          throw new Error(`commit: job ${job.id} does not exist`);
      }
      await sql.upsertSheets(client, sheets, now);
      if (leases !== null) await leases.leaseNew(client, leased);
      await sql.insertAttempts(client, attempts);
      return this.logging(events, (logged) => logged);
    });
    if (leases === null || leased.length === 0) return committed;
    return committed.then((logged) => {
      leases.holdNew(leased);
      return logged;
    });
  }

  insertJob(job: NewJob, sheets: SheetRecord[], events: EventDraft[]): Promise<InsertJobOutcome> {
    const redactedSheets = sheets.map((sheet) => redactSheet(sheet, this.redact));
    const redactedEvents = events.map((event) => redactEvent(event, this.redact));
    const committed = this.queue.enqueue(async (client): Promise<PgWorkDone<InsertJobOutcome>> => {
      const now = this.now();
      if (!(await sql.insertJob(client, job, now))) {
        const existing = await sql.jobIdByIdempotencyKey(client, job.idempotencyKey);
        if (existing === null) throw new Error(`Job ${job.id} could not be inserted`);
        return noEvents({ created: false, jobId: existing });
      }
      await sql.upsertSheets(client, redactedSheets, now);
      return this.logging(redactedEvents, (logged) => ({
        created: true,
        jobId: job.id,
        events: logged,
      }));
    });
    return committed;
  }

  appendEvents(events: EventDraft[]): Promise<EventRecord[]> {
    const redacted = events.map((event) => redactEvent(event, this.redact));
    return this.queue.enqueue(async () => this.logging(redacted, (logged) => logged));
  }

  /** Straight through `pg` (the boot path, where Prisma's row mapping costs most). */
  async loadRecoverableJobs(): Promise<StoredJobWithSheets[]> {
    const [jobs, sheets] = await this.snapshot((client) =>
      Promise.all([
        client.query<JobColumns>(sql.NON_TERMINAL_JOBS),
        client.query<SheetColumns>(sql.SHEETS_OF_NON_TERMINAL_JOBS),
      ]),
    );
    const sheetsByJob = new Map<string, SheetRecord[]>();
    for (const row of sheets.rows) {
      const list = sheetsByJob.get(row.jobId) ?? [];
      list.push(decodeSheet(row));
      sheetsByJob.set(row.jobId, list);
    }
    return jobs.rows.map((row) => ({
      job: decodeJob(row),
      sheets: sheetsByJob.get(row.id) ?? [],
    }));
  }

  async loadJob(jobId: string): Promise<StoredJobWithSheets | null> {
    const [jobs, sheets] = await this.snapshot((client) =>
      Promise.all([
        client.query<JobColumns>(sql.JOB_BY_ID, [jobId]),
        client.query<SheetColumns>(sql.SHEETS_OF_JOB, [jobId]),
      ]),
    );
    const job = jobs.rows[0];
    return job === undefined ? null : { job: decodeJob(job), sheets: sheets.rows.map(decodeSheet) };
  }

  async findJobByIdempotencyKey(key: string): Promise<StoredJob | null> {
    const job = await this.prisma.job.findUnique({ where: { idempotencyKey: key } });
    return job === null ? null : decodeJob(job);
  }

  async loadJobsWithPendingHooks(): Promise<StoredJob[]> {
    const jobs = await this.prisma.job.findMany({
      where: { status: "completed", hooksPending: true },
      orderBy: { submitOrder: "asc" },
    });
    return jobs.map(decodeJob);
  }

  async childJobIds(parentJobId: string): Promise<string[]> {
    const jobs = await this.prisma.job.findMany({
      where: { parentJobId },
      orderBy: { submitOrder: "asc" },
      select: { id: true },
    });
    return jobs.map((job) => job.id);
  }

  async readEvents(query: ReadEventsQuery): Promise<EventRecord[]> {
    const rows = await this.prisma.event.findMany({
      where: { seq: { gt: query.afterSeq }, ...(query.jobId ? { jobId: query.jobId } : {}) },
      orderBy: { seq: "asc" },
      take: Math.max(0, Math.floor(query.limit)),
    });
    return rows.map(decodeEvent);
  }

  async lastSeq(): Promise<number> {
    const counter = await this.prisma.eventSeq.findUnique({ where: { id: 1 } });
    return Number(counter?.last ?? 0);
  }

  recordProcessGroup(
    jobId: string,
    sheetNum: number,
    processGroup: number,
    processStartedAt: string | null,
  ): void {
    const params = [processGroup, processStartedAt, jobId, sheetNum];
    // At once, not queued: the sooner the group is on record the smaller the orphan window.
    const write: Promise<void> = this.pool
      .query(sql.RECORD_PROCESS_GROUP, params)
      .then(
        () => undefined,
        () =>
          this.queue
            .enqueue(async (client) => {
              await client.query(sql.RECORD_PROCESS_GROUP, params);
              return noEvents(undefined);
            })
            .catch(() => undefined),
      )
      .finally(() => this.directWrites.delete(write));
    this.directWrites.add(write);
  }

  /** After the recording of the same group (a separate connection) has landed. */
  async clearProcessGroup(jobId: string, sheetNum: number, processGroup: number): Promise<void> {
    await Promise.all(this.directWrites);
    return this.queue
      .enqueue(async (client) => {
        await client.query(sql.CLEAR_PROCESS_GROUP, [jobId, sheetNum, processGroup]);
        return noEvents(undefined);
      })
      .catch(() => undefined);
  }

  async listProcessGroups(): Promise<RecordedProcessGroup[]> {
    await Promise.all(this.directWrites);
    const sheets = await this.prisma.sheet.findMany({
      where: { processGroup: { not: null } },
      select: { jobId: true, num: true, processGroup: true, processStartedAt: true },
    });
    return sheets.map((sheet) => ({
      jobId: sheet.jobId,
      sheetNum: sheet.num,
      processGroup: sheet.processGroup!,
      processStartedAt: sheet.processStartedAt,
    }));
  }

  async forgetProcessGroups(): Promise<void> {
    await Promise.all(this.directWrites);
    return this.queue.enqueue(async (client) => {
      await client.query(sql.CLEAR_ALL_PROCESS_GROUPS);
      return noEvents(undefined);
    });
  }

  async drain(): Promise<void> {
    await Promise.all(this.directWrites);
    await this.queue.drain();
  }

  async close(): Promise<void> {
    await Promise.all(this.directWrites);
    await this.queue.close();
  }

  /** The events (bounded) go to the end of the group; `result` is given them as logged. */
  private logging<T>(drafts: EventDraft[], result: (logged: EventRecord[]) => T): PgWorkDone<T> {
    const events = drafts.map((draft) => ({ ...draft, data: boundEventData(draft.data) }));
    return { events, result };
  }

  /**
   * Reads that must agree with each other (a job and its sheets) see one snapshot: a commit
   * landing between two separate queries would show a job its sheets contradict.
   */
  private async snapshot<T>(read: (client: pg.ClientBase) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      const result = await read(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

/** The existing jobs a commit writes to (the jobs it creates are leased by it, not fenced). */
function touchedJobs(batch: CheckpointCommit): string[] {
  const created = new Set((batch.newJobs ?? []).map((job) => job.id));
  const touched = new Set<string>();
  const add = (jobId: string) => {
    if (!created.has(jobId)) touched.add(jobId);
  };
  for (const job of batch.jobs) add(job.id);
  for (const sheet of batch.sheets) add(sheet.jobId);
  for (const attempt of batch.attempts) add(attempt.jobId);
  for (const event of batch.events) add(event.jobId);
  for (const score of batch.rescored ?? []) add(score.id);
  for (const jobId of batch.hooksFinished ?? []) add(jobId);
  return [...touched];
}
