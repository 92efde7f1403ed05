/**
 * Group commit on PostgreSQL. Work handed in while a transaction is out (or during one turn of
 * the event loop) is written by the next single transaction, in arrival order, on one pooled
 * connection; each caller's promise resolves only after COMMIT returned. The events of the whole
 * group are appended last, by ONE statement and one bump of the seq counter (updating the counter
 * row once per piece of work would leave a chain of row versions each update walks). A failing
 * piece of work fails alone: the group is rolled back and written again with each piece, its
 * events included, in its own savepoint. Nothing had been returned to anyone yet, so running the
 * work again is safe. The append also notifies `podium_events` with its last seq (statements.ts),
 * so other processes following the log hear of the group on COMMIT.
 */
import type pg from "pg";
import type { EventDraft, EventRecord } from "../../contracts/event-log.ts";
import type { GroupCommitStats } from "../contract.ts";
import { appendEvents } from "./statements.ts";

/** What a piece of work leaves to the end of the group: its events, and its result once logged. */
export interface PgWorkDone<T> {
  events: EventDraft[];
  result(logged: EventRecord[]): T;
}

export type PgWork<T> = (client: pg.ClientBase) => Promise<PgWorkDone<T>>;

/** Work that appends no events. */
export function noEvents<T>(value: T): PgWorkDone<T> {
  return { events: [], result: () => value };
}

async function logEvents(client: pg.ClientBase, events: EventDraft[]): Promise<EventRecord[]> {
  const seqs = await appendEvents(client, events);
  return events.map((event, index) => ({ ...event, seq: seqs[index]! }));
}

type WorkOutcome = { ok: true; value: unknown } | { ok: false; error: unknown };

interface QueuedWork {
  run: PgWork<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class PgGroupCommitQueue {
  private queue: QueuedWork[] = [];
  private flushing: Promise<void> | null = null;
  private closed = false;
  readonly stats: GroupCommitStats = { transactions: 0, work: 0, busyRetries: 0 };
  onTransaction: ((seconds: number, work: number) => void) | null = null;

  constructor(private readonly pool: pg.Pool) {}

  enqueue<T>(run: PgWork<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error("The checkpoint store is closed"));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        run: run as PgWork<unknown>,
        resolve: resolve as (v: unknown) => void,
        reject,
      });
      this.flushing ??= this.flushAll();
    });
  }

  /** Resolves once everything queued so far is committed. */
  async drain(): Promise<void> {
    while (this.flushing !== null) await this.flushing;
  }

  /** Writes what is queued, then refuses further work. */
  async close(): Promise<void> {
    this.closed = true;
    await this.drain();
  }

  private async flushAll(): Promise<void> {
    // Lets the rest of this turn's work join the first group.
    await Promise.resolve();
    try {
      while (this.queue.length > 0) {
        const group = this.queue;
        this.queue = [];
        await this.flushGroup(group);
      }
    } finally {
      this.flushing = null;
    }
  }

  private async flushGroup(group: QueuedWork[]): Promise<void> {
    const startedAt = performance.now();
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      for (const work of group) work.reject(error);
      return;
    }
    let outcomes: WorkOutcome[];
    let broken = false;
    try {
      outcomes = await this.runFast(client, group).catch(async () => {
        await client.query("ROLLBACK").catch(() => undefined);
        return this.runIsolated(client, group);
      });
    } catch (error) {
      broken = true;
      await client.query("ROLLBACK").catch(() => undefined);
      for (const work of group) work.reject(error);
      return;
    } finally {
      client.release(broken);
    }
    this.stats.transactions += 1;
    this.stats.work += group.length;
    this.onTransaction?.((performance.now() - startedAt) / 1000, group.length);
    group.forEach((work, index) => {
      const outcome = outcomes[index]!;
      if (outcome.ok) work.resolve(outcome.value);
      else work.reject(outcome.error);
    });
  }

  private async runFast(client: pg.ClientBase, group: QueuedWork[]): Promise<WorkOutcome[]> {
    await client.query("BEGIN");
    const done: PgWorkDone<unknown>[] = [];
    for (const work of group) done.push(await work.run(client));
    const logged = await logEvents(
      client,
      done.flatMap((piece) => piece.events),
    );
    await client.query("COMMIT");
    let offset = 0;
    return done.map((piece) => {
      const own = logged.slice(offset, offset + piece.events.length);
      offset += piece.events.length;
      return { ok: true, value: piece.result(own) };
    });
  }

  private async runIsolated(client: pg.ClientBase, group: QueuedWork[]): Promise<WorkOutcome[]> {
    await client.query("BEGIN");
    const outcomes: WorkOutcome[] = [];
    for (const work of group) {
      await client.query("SAVEPOINT work");
      try {
        const piece = await work.run(client);
        const value = piece.result(await logEvents(client, piece.events));
        await client.query("RELEASE SAVEPOINT work");
        outcomes.push({ ok: true, value });
      } catch (error) {
        await client.query("ROLLBACK TO SAVEPOINT work");
        outcomes.push({ ok: false, error });
      }
    }
    await client.query("COMMIT");
    return outcomes;
  }
}
