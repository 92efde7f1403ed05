/**
 * One subscriber of the event bus: a bounded queue drained in order into its handler, away from
 * the publisher's call stack. A slow handler only grows its own queue; a throwing one is counted
 * and keeps receiving; one that falls further behind than its bound is disconnected.
 */
import type { EventRecord } from "../contracts/event-log.ts";

export type EventHandler = (event: EventRecord) => void | Promise<void>;

export type HandlerErrorReporter = (error: unknown, event: EventRecord) => void;

export interface Subscription {
  /** The same as `unsubscribe()`, so a subscription can be held as a plain stop function. */
  (): void;
  readonly id: number;
  /** True once the queue overflowed; the subscription is then closed. */
  readonly overflowed: boolean;
  readonly closed: boolean;
  /** Events waiting to be delivered. */
  readonly pending: number;
  /** Errors thrown by the handler, counted (and reported, when the bus was given a reporter). */
  readonly handlerErrors: number;
  unsubscribe(): void;
}

/** Past this many delivered events the queue's consumed head is cut off, to bound its memory. */
const COMPACT_AFTER = 1024;

export class Subscriber {
  overflowed = false;
  closed = false;
  handlerErrors = 0;
  private readonly queue: EventRecord[] = [];
  private head = 0;
  private draining = false;

  constructor(
    readonly id: number,
    readonly jobId: string | null,
    private readonly maxQueue: number,
    private readonly handler: EventHandler,
    private readonly reportError: HandlerErrorReporter | undefined,
    private readonly onClose: (subscriber: Subscriber) => void,
  ) {}

  get pending(): number {
    return this.queue.length - this.head;
  }

  offer(event: EventRecord): void {
    if (this.closed) return;
    if (this.jobId !== null && event.jobId !== this.jobId) return;
    if (this.pending >= this.maxQueue) {
      this.overflowed = true;
      this.unsubscribe();
      return;
    }
    this.queue.push(event);
    if (!this.draining) {
      this.draining = true;
      queueMicrotask(() => void this.drain());
    }
  }

  unsubscribe(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.head = 0;
    this.onClose(this);
  }

  /** The caller-facing handle: callable to unsubscribe, with live views of the state. */
  handle(): Subscription {
    const stop = (): void => this.unsubscribe();
    return Object.defineProperties(stop, {
      id: { value: this.id, enumerable: true },
      overflowed: { get: () => this.overflowed, enumerable: true },
      closed: { get: () => this.closed, enumerable: true },
      pending: { get: () => this.pending, enumerable: true },
      handlerErrors: { get: () => this.handlerErrors, enumerable: true },
      unsubscribe: { value: stop },
    }) as Subscription;
  }

  private async drain(): Promise<void> {
    while (!this.closed && this.head < this.queue.length) {
      const event = this.queue[this.head++]!;
      if (this.head > COMPACT_AFTER && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      try {
        const maybe = this.handler(event);
        if (maybe !== undefined && typeof maybe.then === "function") await maybe;
      } catch (error) {
        this.handlerErrors += 1;
        this.report(error, event);
      }
    }
    this.draining = false;
  }

  private report(error: unknown, event: EventRecord): void {
    try {
      this.reportError?.(error, event);
    } catch {
      // A failing reporter must not stop this subscriber's deliveries either.
    }
  }
}
