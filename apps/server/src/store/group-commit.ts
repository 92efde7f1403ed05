/**
 * Group commit on a synchronous SQLite writer. Nothing can arrive while a transaction runs, so
 * grouping happens before it: work handed in during one turn of the event loop is queued and
 * written by a single flush (a microtask, so a lone commit pays no extra wait) in ONE
 * transaction, in arrival order. Each caller's promise resolves only after COMMIT returned, i.e.
 * once its rows are durable (WAL: a killed process loses nothing committed).
 *
 * A failing piece of work fails alone: the group is rolled back and written again with each
 * piece in its own savepoint, so its neighbours still commit.
 *
 * Work that may wait (bookkeeping nobody awaits, such as the process-group ledger) is deferred:
 * it joins the next group that something else flushes, or is flushed on its own once it has
 * waited `maxDelayMs`. Each such write would otherwise be a transaction of its own.
 *
 * A database locked by someone else (SQLITE_BUSY past the writer's short busy timeout) fails
 * nothing: the group goes back to the head of the queue and is tried again with a growing
 * pause, without blocking the event loop meanwhile. Callers simply wait longer.
 */
import type Database from "better-sqlite3";

const RETRY_FIRST_MS = 25;
const RETRY_MAX_MS = 1_000;

/** SQLite could not take the write lock in time (another connection or process holds it). */
export function isBusyError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    typeof code === "string" && (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"))
  );
}

type WorkOutcome = { ok: true; value: unknown } | { ok: false; error: unknown };

interface QueuedWork {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class GroupCommitQueue {
  private queue: QueuedWork[] = [];
  private flushScheduled = false;
  private closed = false;
  private retryDelayMs = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private deferredTimer: NodeJS.Timeout | null = null;
  /** How many transactions ran and how much work they carried (read by the benchmark). */
  readonly stats = { transactions: 0, work: 0, busyRetries: 0 };
  /** Told how long each committed transaction took (metrics). */
  onTransaction: ((seconds: number, work: number) => void) | null = null;

  /** Built once: better-sqlite3 makes a new wrapper (and looks up its statements) per call. */
  private readonly fastGroup: Database.Transaction<(group: QueuedWork[]) => WorkOutcome[]>;
  private readonly isolatedGroup: Database.Transaction<(group: QueuedWork[]) => WorkOutcome[]>;
  private readonly savepoint: Database.Transaction<(run: () => unknown) => unknown>;

  constructor(writer: Database.Database) {
    this.fastGroup = writer.transaction((group: QueuedWork[]) =>
      group.map((work): WorkOutcome => ({ ok: true, value: work.run() })),
    );
    this.savepoint = writer.transaction((run: () => unknown) => run());
    this.isolatedGroup = writer.transaction((group: QueuedWork[]) =>
      group.map((work): WorkOutcome => {
        try {
          return { ok: true, value: this.savepoint(work.run) };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    );
  }

  /** Runs `run` inside the next group transaction; resolves with its result once committed. */
  enqueue<T>(run: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error("The checkpoint store is closed"));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve: resolve as (value: unknown) => void, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        queueMicrotask(() => this.flush());
      }
    });
  }

  /**
   * Like `enqueue`, but without a flush of its own unless nothing else flushes the queue within
   * `maxDelayMs`. Queue order still holds: it is written before anything enqueued after it.
   */
  enqueueDeferred<T>(run: () => T, maxDelayMs: number): Promise<T> {
    if (this.closed) return Promise.reject(new Error("The checkpoint store is closed"));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve: resolve as (value: unknown) => void, reject });
      if (this.flushScheduled || this.deferredTimer !== null) return;
      this.deferredTimer = setTimeout(() => {
        this.deferredTimer = null;
        if (this.flushScheduled) return;
        this.flushScheduled = true;
        this.flush();
      }, maxDelayMs);
      this.deferredTimer.unref();
    });
  }

  /** Resolves once everything queued so far is committed. */
  async drain(): Promise<void> {
    if (this.queue.length > 0) await this.enqueue(() => undefined);
  }

  /** Writes what is queued (one last try if the database is locked), then refuses further work. */
  close(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.cancelDeferredFlush();
    this.closed = true;
    if (this.queue.length > 0) this.flush();
    for (const work of this.queue.splice(0))
      work.reject(new Error("The checkpoint store closed with the database locked"));
  }

  private cancelDeferredFlush(): void {
    if (this.deferredTimer !== null) clearTimeout(this.deferredTimer);
    this.deferredTimer = null;
  }

  private flush(): void {
    this.flushScheduled = false;
    this.retryTimer = null;
    this.cancelDeferredFlush();
    const group = this.queue;
    this.queue = [];
    if (group.length === 0) return;
    let outcomes: WorkOutcome[];
    const startedAt = performance.now();
    try {
      outcomes = this.runGroupFast(group);
    } catch (fastError) {
      if (isBusyError(fastError)) return this.retryLater(group);
      try {
        outcomes = this.runGroupIsolated(group);
      } catch (error) {
        if (isBusyError(error)) return this.retryLater(group);
        for (const work of group) work.reject(error);
        return;
      }
    }
    this.retryDelayMs = 0;
    this.stats.transactions += 1;
    this.stats.work += group.length;
    this.onTransaction?.((performance.now() - startedAt) / 1000, group.length);
    group.forEach((work, index) => {
      const outcome = outcomes[index]!;
      if (outcome.ok) work.resolve(outcome.value);
      else work.reject(outcome.error);
    });
  }

  private retryLater(group: QueuedWork[]): void {
    this.queue = group.concat(this.queue);
    if (this.closed) return;
    this.stats.busyRetries += 1;
    this.retryDelayMs = Math.min(RETRY_MAX_MS, Math.max(RETRY_FIRST_MS, this.retryDelayMs * 2));
    // Holding `flushScheduled` keeps new work from jumping ahead of the waiting group.
    this.flushScheduled = true;
    this.retryTimer = setTimeout(() => this.flush(), this.retryDelayMs);
  }

  /** The common case: every piece of work succeeds; one transaction and no savepoints. */
  private runGroupFast(group: QueuedWork[]): WorkOutcome[] {
    return this.fastGroup.immediate(group);
  }

  /**
   * After a failure the whole group was rolled back; it is written again with each piece in its
   * own savepoint (a nested transaction). Nothing had been returned to anyone yet, so running
   * the work again is safe.
   */
  private runGroupIsolated(group: QueuedWork[]): WorkOutcome[] {
    return this.isolatedGroup.immediate(group);
  }
}
