/**
 * Follows the shared event log (DESIGN.md §8): with several processes writing to one PostgreSQL
 * database, each process's bus is fed from the log, in seq order, rather than from its own
 * commits alone. The log is the truth and wake-ups are hints: a `podium_events` notification, a
 * local commit, the reconnect of the notification connection and a poll timer all only make the
 * tail read what follows its last seq, so a lost notification delays an event, never loses it.
 *
 * Reads are single-flight and bounded (`batchSize` events at a time, looping until caught up), so
 * memory stays flat however far behind the tail starts. Seqs are allocated in commit order
 * (statements.ts), so what a read returns after `lastSeq` has no hole that a later commit could
 * fill.
 */
import type { EventRecord, EventSink } from "../../contracts/event-log.ts";
import type { PodiumStore } from "../contract.ts";
import { CHANNELS, type PgNotifier } from "./notifier.ts";

export const DEFAULT_TAIL_POLL_MS = 1000;
export const DEFAULT_TAIL_BATCH = 500;

export interface LogTailOptions {
  store: Pick<PodiumStore, "readEvents">;
  /** Receives every event after `afterSeq` once, in seq order (the EventBus is one). */
  sink: EventSink;
  /** The last seq the sink already has (the bus's `startAfterSeq`). */
  afterSeq: number;
  /** Wake-ups from commits of every process; without it the tail relies on its poll. */
  notifier?: Pick<PgNotifier, "listen" | "onReconnect"> | null;
  /** How often the log is read even without a wake-up (default 1000 ms; 0 turns polling off). */
  pollIntervalMs?: number;
  /** Most events read per query (default 500). */
  batchSize?: number;
  /** Told of failed reads (retried on the next wake-up or poll) and of a sink that threw. */
  onError: (error: unknown) => void;
}

export class LogTailClosedError extends Error {
  constructor(readonly seq: number) {
    super(`the event-log tail was closed before it reached seq ${seq}`);
    this.name = "LogTailClosedError";
  }
}

interface Waiter {
  seq: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

export class LogTail {
  private last: number;
  private readonly batchSize: number;
  private readonly timer: NodeJS.Timeout | null = null;
  private readonly stops: (() => void)[] = [];
  private waiters: Waiter[] = [];
  private busy = false;
  /** The latest read (close waits for it). */
  private reading: Promise<void> = Promise.resolve();
  /** A wake-up came during the read: read once more when it ends. */
  private again = false;
  private closed = false;

  constructor(private readonly options: LogTailOptions) {
    if (!Number.isSafeInteger(options.afterSeq) || options.afterSeq < 0)
      throw new RangeError(`LogTail: afterSeq must be a seq (0 or more), not ${options.afterSeq}`);
    this.last = options.afterSeq;
    this.batchSize = Math.max(1, Math.floor(options.batchSize ?? DEFAULT_TAIL_BATCH));
    const notifier = options.notifier;
    if (notifier) {
      this.stops.push(notifier.listen(CHANNELS.events, (payload) => this.notified(payload)));
      // Notifications sent while the connection was down are lost: read what they announced.
      this.stops.push(notifier.onReconnect(() => this.poke()));
    }
    const pollMs = options.pollIntervalMs ?? DEFAULT_TAIL_POLL_MS;
    if (pollMs > 0) {
      this.timer = setInterval(() => this.poke(), pollMs);
      this.timer.unref();
    }
    this.poke();
  }

  /** The highest seq handed to the sink. */
  get lastSeq(): number {
    return this.last;
  }

  /** Reads the log now (a commit happened); joins the read in progress, if any. */
  poke(): void {
    if (this.closed) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    this.reading = this.follow();
  }

  /**
   * The local baton's logged events, after its commit: handed on at once when they continue
   * the tail directly, otherwise (another process committed in between) read from the log.
   */
  readonly publishCommitted = (events: readonly EventRecord[]): void => {
    if (this.closed) return;
    const next: EventRecord[] = [];
    let expected = this.last + 1;
    for (const event of events) {
      if (event.seq < expected) continue;
      if (event.seq > expected) {
        this.hand(next);
        this.poke();
        return;
      }
      next.push(event);
      expected += 1;
    }
    this.hand(next);
  };

  /**
   * Resolves once every event up to `seq` was handed to the sink (rejects with
   * LogTailClosedError if the tail closes first).
   */
  whenCaughtUp(seq: number): Promise<void> {
    if (seq <= this.last) return Promise.resolve();
    if (this.closed) return Promise.reject(new LogTailClosedError(seq));
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ seq, resolve, reject });
      this.poke();
    });
  }

  /** Stops following; resolves once a read in progress has ended (nothing is handed on after). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    for (const stop of this.stops.splice(0)) stop();
    for (const waiter of this.waiters.splice(0)) waiter.reject(new LogTailClosedError(waiter.seq));
    await this.reading;
  }

  /** The notification's payload is the notifying commit's last seq: nothing new if seen. */
  private notified(payload: string): void {
    const seq = Number(payload);
    if (payload !== "" && Number.isSafeInteger(seq) && seq <= this.last) return;
    this.poke();
  }

  private async follow(): Promise<void> {
    try {
      do {
        this.again = false;
        await this.readToEnd();
      } while (this.again && !this.closed);
    } catch (error) {
      if (!this.closed) this.report(error);
    } finally {
      this.busy = false;
    }
  }

  private async readToEnd(): Promise<void> {
    for (;;) {
      const batch = await this.options.store.readEvents({
        afterSeq: this.last,
        limit: this.batchSize,
      });
      if (this.closed) return;
      // The local baton may have handed some of these on while the read was out.
      this.hand(batch.filter((event) => event.seq > this.last));
      if (batch.length < this.batchSize) return;
    }
  }

  private hand(events: EventRecord[]): void {
    if (events.length === 0) return;
    this.last = events[events.length - 1]!.seq;
    try {
      this.options.sink.publish(events);
    } catch (error) {
      this.report(error);
    }
    if (this.waiters.length === 0) return;
    const waiting: Waiter[] = [];
    for (const waiter of this.waiters) {
      if (waiter.seq <= this.last) waiter.resolve();
      else waiting.push(waiter);
    }
    this.waiters = waiting;
  }

  private report(error: unknown): void {
    try {
      this.options.onError(error);
    } catch {
      // A failing error reporter must not stop the tail.
    }
  }
}
