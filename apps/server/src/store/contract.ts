/**
 * The store contract (DESIGN.md §7): everything the rest of the server asks of storage, whatever
 * the backend (SQLite embedded, PostgreSQL, or the in-memory oracle of the engine tests). Every
 * read is asynchronous because a networked database cannot answer synchronously; every write
 * resolves only once it is committed. One suite (test/integration/store/contract.test.ts) runs
 * over every implementation.
 */
import type { CheckpointCommit, CheckpointStore } from "../baton/index.ts";
import type { NewJob, ScoreReplacement } from "../contracts/job-spec.ts";
import type { SheetRecord } from "../contracts/records.ts";
import type { EventDraft, EventRecord } from "../contracts/event-log.ts";
import type { StoredJob } from "./rows.ts";
import type { ReadModel } from "./read-model.ts";

export type { NewJob, StoredJob };

export type InsertJobOutcome =
  | { created: true; jobId: string; events: EventRecord[] }
  /** The idempotency key was taken: nothing was written. */
  | { created: false; jobId: string };

export interface StoredJobWithSheets {
  job: StoredJob;
  sheets: SheetRecord[];
}

export interface ReadEventsQuery {
  jobId?: string | null;
  /** Exclusive; 0 reads from the start. */
  afterSeq: number;
  limit: number;
}

export interface RecordedProcessGroup {
  jobId: string;
  sheetNum: number;
  processGroup: number;
  processStartedAt: string | null;
}

/** A resumed job's corrected score and plan. */
export type ReplacedScore = ScoreReplacement;

export interface GroupCommitStats {
  transactions: number;
  work: number;
  busyRetries: number;
}

export interface PodiumStore extends CheckpointStore {
  /**
   * The baton's commit, the server's only write of jobs, sheets, attempts and events: one
   * transaction per group of commits; seq follows commit order.
   */
  commit(batch: CheckpointCommit): Promise<EventRecord[]>;
  /**
   * Seeds a job row, its sheets and its first events, in one transaction; idempotent on the key.
   * For tools and tests: the server submits through the baton's commit (`newJobs`).
   */
  insertJob(job: NewJob, sheets: SheetRecord[], events: EventDraft[]): Promise<InsertJobOutcome>;
  /** Appends events alone, in call order (tools and tests seed the log with it). */
  appendEvents(events: EventDraft[]): Promise<EventRecord[]>;

  /** Every job that is not terminal, in submission order, with its sheets. */
  loadRecoverableJobs(): Promise<StoredJobWithSheets[]>;
  loadJob(jobId: string): Promise<StoredJobWithSheets | null>;
  findJobByIdempotencyKey(key: string): Promise<StoredJob | null>;
  /** Succeeded jobs whose on_success hooks a crash interrupted (or that never started). */
  loadJobsWithPendingHooks(): Promise<StoredJob[]>;
  childJobIds(parentJobId: string): Promise<string[]>;
  /** Committed events after a cursor, in `seq` order (replay for subscribers). */
  readEvents(query: ReadEventsQuery): Promise<EventRecord[]>;
  /** The highest committed seq (0 for an empty log). */
  lastSeq(): Promise<number>;

  /** The ledger of live musician processes (orphan clean-up after a crash). Never throws. */
  recordProcessGroup(
    jobId: string,
    sheetNum: number,
    processGroup: number,
    processStartedAt: string | null,
  ): void;
  /** Forgets a finished attempt's group; never rejects (a stale record is harmless). */
  clearProcessGroup(jobId: string, sheetNum: number, processGroup: number): Promise<void>;
  listProcessGroups(): Promise<RecordedProcessGroup[]>;
  forgetProcessGroups(): Promise<void>;

  /** What the GraphQL gateway reads. */
  readonly readModel: ReadModel;

  readonly stats: GroupCommitStats;
  /** Told how long each group transaction took to commit, in seconds. */
  observeCommits(listener: (seconds: number, work: number) => void): void;
  /** Resolves once everything handed in so far is committed. */
  drain(): Promise<void>;
  /** Writes what is queued, then refuses further work. */
  close(): Promise<void>;
}
