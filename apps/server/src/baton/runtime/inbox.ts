/**
 * The baton's inbox: many producers (musicians, timers, commands), one consumer. The consumer
 * takes batches in arrival order and sleeps while the inbox is empty; `whenIdle` lets callers
 * wait until everything posted so far has been handled.
 *
 * A sleeping consumer is not woken by the first entry itself but through `wakeLater`, which the
 * runtime makes "once this turn's I/O has been read": results that reach the server together
 * (several processes ending at once, a helper's batch of messages) are then handled as one
 * batch, with one commit and one dispatch pass, instead of one each.
 */
export type WakeLater = (wake: () => void) => void;

/** Wakes at once (the next microtask): for hosts without an I/O turn to wait for. */
export const wakeAtOnce: WakeLater = (wake) => queueMicrotask(wake);

export class Inbox<T> {
  private readonly entries: T[] = [];
  private wake: (() => void) | null = null;
  private wakeScheduled = false;
  private idleWaiters: Array<() => void> = [];
  private handling = false;
  private closed = false;

  constructor(private readonly wakeLater: WakeLater = wakeAtOnce) {}

  get size(): number {
    return this.entries.length;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** False when the inbox is closed; the entry was not taken. */
  push(entry: T): boolean {
    if (this.closed) return false;
    this.entries.push(entry);
    if (this.wake !== null && !this.wakeScheduled) {
      this.wakeScheduled = true;
      this.wakeLater(() => {
        this.wakeScheduled = false;
        const wake = this.wake;
        this.wake = null;
        wake?.();
      });
    }
    return true;
  }

  some(predicate: (entry: T) => boolean): boolean {
    return this.entries.some(predicate);
  }

  /** Waits for entries, then takes up to `max` of them; marks the consumer busy until `done`. */
  async take(max: number): Promise<T[]> {
    while (this.entries.length === 0 && !this.closed) {
      this.handling = false;
      this.notifyIdle();
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    this.handling = true;
    return this.entries.splice(0, max);
  }

  /** The consumer finished the batch it took. */
  done(): void {
    this.handling = false;
    if (this.entries.length === 0) this.notifyIdle();
  }

  /** Stops accepting entries, wakes the consumer and hands back what was never taken. */
  close(): T[] {
    this.closed = true;
    this.handling = false;
    const wake = this.wake;
    this.wake = null;
    wake?.();
    const left = this.entries.splice(0);
    this.notifyIdle();
    return left;
  }

  whenIdle(): Promise<void> {
    if (this.closed || (!this.handling && this.entries.length === 0 && this.wake !== null)) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
