/**
 * Many logical timers on one host timer. Timers are keyed by id: scheduling an id again replaces
 * it, cancelling removes it. The host timer always points at the earliest deadline; when it
 * fires, every due timer fires in deadline order (ties in scheduling order).
 */
import type { Clock, TimerHost } from "./ports.ts";

interface Entry<T> {
  id: string;
  at: number;
  seq: number;
  payload: T;
}

/** Node timers cannot wait longer than this; longer deadlines are reached in hops. */
const MAX_HOST_DELAY_MS = 2_147_483_647;

export class TimerWheel<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private heap: Entry<T>[] = [];
  private seq = 0;
  private hostHandle: unknown = null;
  private hostDeadline: number | null = null;
  private stopped = false;

  constructor(
    private readonly host: TimerHost,
    private readonly clock: Clock,
    private readonly onFire: (payload: T, id: string) => void,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  deadlineOf(id: string): number | null {
    return this.entries.get(id)?.at ?? null;
  }

  schedule(id: string, at: number, payload: T): void {
    if (this.stopped) return;
    const entry: Entry<T> = { id, at, seq: ++this.seq, payload };
    this.entries.set(id, entry);
    this.push(entry);
    if (this.heap.length > 64 && this.heap.length > 2 * this.entries.size) this.compact();
    this.arm();
  }

  cancel(id: string): boolean {
    const removed = this.entries.delete(id);
    if (removed) this.arm();
    return removed;
  }

  /** Cancels everything and releases the host timer. */
  shutdown(): void {
    this.stopped = true;
    this.entries.clear();
    this.heap = [];
    this.disarm();
  }

  private live(entry: Entry<T>): boolean {
    return this.entries.get(entry.id) === entry;
  }

  private arm(): void {
    while (this.heap.length > 0 && !this.live(this.heap[0]!)) this.pop();
    const next = this.heap[0];
    if (next === undefined) {
      this.disarm();
      return;
    }
    if (this.hostDeadline === next.at && this.hostHandle !== null) return;
    this.disarm();
    const delay = Math.min(Math.max(0, next.at - this.clock.now()), MAX_HOST_DELAY_MS);
    this.hostDeadline = next.at;
    this.hostHandle = this.host.setTimeout(() => this.fire(), delay);
  }

  private disarm(): void {
    if (this.hostHandle !== null) this.host.clearTimeout(this.hostHandle);
    this.hostHandle = null;
    this.hostDeadline = null;
  }

  private fire(): void {
    this.hostHandle = null;
    this.hostDeadline = null;
    const now = this.clock.now();
    const due: Entry<T>[] = [];
    while (this.heap.length > 0 && this.heap[0]!.at <= now) {
      const entry = this.pop()!;
      if (!this.live(entry)) continue;
      this.entries.delete(entry.id);
      due.push(entry);
    }
    for (const entry of due) {
      try {
        this.onFire(entry.payload, entry.id);
      } catch {
        // A failing receiver must not stop the other timers; the receiver reports its own errors.
      }
    }
    if (!this.stopped) this.arm();
  }

  /** Drops replaced and cancelled entries so rescheduling in a loop cannot grow the heap. */
  private compact(): void {
    const live = this.heap.filter((e) => this.live(e));
    this.heap = [];
    for (const entry of live) this.push(entry);
  }

  private less(a: Entry<T>, b: Entry<T>): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(entry: Entry<T>): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): Entry<T> | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && this.less(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && this.less(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  }
}
