/**
 * A CheckpointStore kept in memory: the reference behaviour the SQLite store must match, and the
 * oracle of the engine tests. It keeps the latest record of every job and sheet, every attempt,
 * and the event log with seq 1, 2, 3...
 */
import type { CheckpointCommit, CheckpointStore } from "../baton/index.ts";
import type { AttemptRecord, JobRecord, SheetRecord } from "../contracts/records.ts";
import type { EventRecord } from "../contracts/event-log.ts";
import type { NewJob } from "../contracts/job-spec.ts";

export class MemoryCheckpointStore implements CheckpointStore {
  readonly jobs = new Map<string, JobRecord>();
  readonly sheets = new Map<string, SheetRecord>();
  readonly attempts: AttemptRecord[] = [];
  readonly events: EventRecord[] = [];
  /** Job rows as submitted, by id. */
  readonly newJobs = new Map<string, NewJob>();
  private readonly idempotencyKeys = new Map<string, string>();
  /** Every commit as received, for tests that check grouping and order. */
  readonly commits: CheckpointCommit[] = [];
  private seq = 0;
  /** Called before a commit is applied; a test can record ordering or make the commit fail. */
  beforeCommit: ((batch: CheckpointCommit) => void | Promise<void>) | null = null;

  async commit(batch: CheckpointCommit): Promise<EventRecord[]> {
    if (this.beforeCommit !== null) await this.beforeCommit(batch);
    this.commits.push(batch);
    this.checkIdempotencyKeys(batch.newJobs ?? []);
    for (const job of batch.newJobs ?? []) {
      if (job.idempotencyKey !== null) this.idempotencyKeys.set(job.idempotencyKey, job.id);
      this.newJobs.set(job.id, { ...job });
      this.jobs.set(job.id, {
        id: job.id,
        status: job.status,
        pauseReason: null,
        pauseReasons: [],
        totalSheets: job.totalSheets,
        completedSheets: 0,
        costUsd: 0,
        errorMessage: null,
        startedAt: null,
        completedAt: null,
      });
    }
    // Copies, so a caller that edits its objects afterwards cannot change what was committed.
    for (const job of batch.jobs) this.jobs.set(job.id, { ...job });
    for (const sheet of batch.sheets) {
      this.sheets.set(`${sheet.jobId}#${sheet.num}`, {
        ...sheet,
        instrumentChain: [...sheet.instrumentChain],
        dependsOn: [...sheet.dependsOn],
      });
    }
    for (const attempt of batch.attempts) {
      this.attempts.push({
        ...attempt,
        validationDetails: attempt.validationDetails.map((d) => ({ ...d })),
      });
    }
    const logged = batch.events.map((draft) => ({
      ...draft,
      data: { ...draft.data },
      seq: ++this.seq,
    }));
    this.events.push(...logged);
    return logged;
  }

  /** Before anything is applied: a taken key fails the whole commit, as a transaction would. */
  private checkIdempotencyKeys(newJobs: NewJob[]): void {
    const claimed = new Map<string, string>();
    for (const job of newJobs) {
      if (job.idempotencyKey === null) continue;
      const holder =
        this.idempotencyKeys.get(job.idempotencyKey) ?? claimed.get(job.idempotencyKey);
      if (holder !== undefined)
        throw new Error(`commit: idempotency key of job ${job.id} already names job ${holder}`);
      claimed.set(job.idempotencyKey, job.id);
    }
  }

  sheet(jobId: string, num: number): SheetRecord | undefined {
    return this.sheets.get(`${jobId}#${num}`);
  }

  sheetsOf(jobId: string): SheetRecord[] {
    return [...this.sheets.values()].filter((s) => s.jobId === jobId).sort((a, b) => a.num - b.num);
  }

  /** The checkpoint of a job as recovery reads it. */
  checkpoint(jobId: string): { job: JobRecord; sheets: SheetRecord[] } | undefined {
    const job = this.jobs.get(jobId);
    if (job === undefined) return undefined;
    return {
      job: structuredClone(job),
      sheets: this.sheetsOf(jobId).map((s) => structuredClone(s)),
    };
  }
}
