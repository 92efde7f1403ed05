/**
 * The in-process event bus (DESIGN.md §8). Committed events are published once and fanned out to
 * subscribers in `seq` order, with no gap and no duplicate, each subscriber behind its own
 * bounded queue, so a slow or failing subscriber never stalls the engine or the others.
 *
 * Ordering: on SQLite the baton's runtime is the one writer of the event log and publishes each
 * commit after it, in commit order; on PostgreSQL the bus is fed by the log tail
 * (store/postgres/log-tail.ts), which reads every process's events in seq order. Either way seqs
 * arrive consecutively. A seq seen before is dropped; a gap can only be a bug, and is reported
 * (the events are still delivered; a subscriber that must be complete replays from the log,
 * which has no gap).
 *
 * Overflow policy: when a subscriber's queue is full the subscription is disconnected and its
 * `overflowed` flag set. Dropping silently would leave a gap in what a client believes is a
 * complete stream; a disconnected subscriber instead knows it must replay from the event log
 * (from its last seq), which the log makes gap-free.
 */
import type { EventSink } from "../contracts/event-log.ts";
import {
  Subscriber,
  type EventHandler,
  type HandlerErrorReporter,
  type Subscription,
} from "./subscriber.ts";
import type { EventRecord } from "../contracts/event-log.ts";

export type { EventHandler, HandlerErrorReporter, Subscription } from "./subscriber.ts";

export const DEFAULT_SUBSCRIBER_QUEUE = 10_000;

export interface EventBusOptions {
  /** The last seq already in the log when the bus starts (nothing up to it is published). */
  startAfterSeq?: number;
  /** Told when a published seq skips past the next expected one (a bug: the log has one writer). */
  onSequenceGap?: (expectedSeq: number, publishedSeq: number) => void;
  /** Told of every error a subscriber's handler throws (the subscriber keeps receiving). */
  onHandlerError?: HandlerErrorReporter;
}

export interface SubscribeOptions {
  /** Only events of this job; all events when omitted. */
  jobId?: string | null;
  /** Queue bound for this subscriber. */
  maxQueue?: number;
}

export class EventBus implements EventSink {
  private readonly subscribers = new Set<Subscriber>();
  private nextId = 1;
  private lastSeq: number;
  private readonly onSequenceGap: EventBusOptions["onSequenceGap"];
  private readonly onHandlerError: EventBusOptions["onHandlerError"];

  constructor(options: EventBusOptions = {}) {
    this.lastSeq = options.startAfterSeq ?? 0;
    this.onSequenceGap = options.onSequenceGap;
    this.onHandlerError = options.onHandlerError;
  }

  /** The highest seq published so far (`startAfterSeq`, or 0, before any). */
  get lastPublishedSeq(): number {
    return this.lastSeq;
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  publish(events: readonly EventRecord[]): void {
    for (const event of events) {
      if (event.seq <= this.lastSeq) continue;
      if (event.seq > this.lastSeq + 1) this.onSequenceGap?.(this.lastSeq + 1, event.seq);
      this.fanOut(event);
    }
  }

  /**
   * Delivers every later event to `handler`, in order, from a queue of its own. The returned
   * subscription is also its own stop function.
   */
  subscribe(handler: EventHandler, options: SubscribeOptions = {}): Subscription {
    const subscriber = new Subscriber(
      this.nextId++,
      options.jobId ?? null,
      options.maxQueue ?? DEFAULT_SUBSCRIBER_QUEUE,
      handler,
      this.onHandlerError,
      (s) => this.subscribers.delete(s),
    );
    this.subscribers.add(subscriber);
    return subscriber.handle();
  }

  /**
   * Live events as an async iterator (for GraphQL subscriptions). The iterator ends when the
   * consumer returns, or throws `SubscriberOverflowError` when it fell too far behind.
   */
  iterate(
    options: SubscribeOptions = {},
  ): AsyncIterableIterator<EventRecord> & { subscription: Subscription } {
    const buffered: EventRecord[] = [];
    let wake: (() => void) | null = null;
    // The handler never blocks, so the bound is enforced on the consumer's own buffer.
    const maxQueue = options.maxQueue ?? DEFAULT_SUBSCRIBER_QUEUE;
    let overflowed = false;
    const subscription: Subscription = this.subscribe((event) => {
      if (buffered.length >= maxQueue) {
        overflowed = true;
        subscription.unsubscribe();
      } else buffered.push(event);
      wake?.();
    }, options);
    const iterator = {
      subscription,
      [Symbol.asyncIterator]() {
        return iterator;
      },
      async next(): Promise<IteratorResult<EventRecord>> {
        for (;;) {
          if (overflowed || subscription.overflowed) {
            subscription.unsubscribe();
            throw new SubscriberOverflowError(maxQueue);
          }
          const event = buffered.shift();
          if (event !== undefined) return { value: event, done: false };
          if (subscription.closed) return { value: undefined, done: true };
          await new Promise<void>((resolve) => (wake = resolve));
          wake = null;
        }
      },
      async return(): Promise<IteratorResult<EventRecord>> {
        subscription.unsubscribe();
        buffered.length = 0;
        wake?.();
        return { value: undefined, done: true };
      },
    };
    return iterator;
  }

  /** Hands one event to every subscriber's queue. */
  private fanOut(event: EventRecord): void {
    this.lastSeq = event.seq;
    for (const subscriber of this.subscribers) subscriber.offer(event);
  }
}

export class SubscriberOverflowError extends Error {
  constructor(readonly maxQueue: number) {
    super(
      `subscriber fell more than ${maxQueue} events behind and was disconnected; replay from the event log`,
    );
    this.name = "SubscriberOverflowError";
  }
}
