/**
 * A push-to-pull bridge for subscriptions: producers `push`, GraphQL pulls with `next()`.
 * Unlike an async generator, `return()` takes effect at once even while the consumer waits, so
 * the producer's resources (bus listener, buffers) are released the moment a client leaves.
 * The queue is bounded in values and in bytes: a client that falls `maxQueued` values or
 * `maxQueuedBytes` behind is ended with an error telling it to resume from its last cursor,
 * instead of growing the server's memory without end.
 *
 * A failure is delivered in band, as a final `StreamFailure` value after the queued ones, so that
 * the field resolver can turn it into a GraphQL error result (with `extensions.code`) followed by
 * a normal completion, instead of tearing down the client's whole connection.
 */

/** Counts live subscriptions of one server, for the `health` query and leak tests. */
export class SubscriptionTracker {
  #active = 0;
  get active(): number {
    return this.#active;
  }
  opened(): void {
    this.#active += 1;
  }
  closed(): void {
    this.#active -= 1;
  }
}

export class SlowConsumerError extends Error {
  /** `behind`: how far, e.g. 50000 (events) or "16 MB". */
  constructor(behind: number | string) {
    const how = typeof behind === "number" ? `${behind} events` : behind;
    super(`subscriber fell more than ${how} behind; resubscribe with the last cursor`);
    this.name = "SlowConsumerError";
  }
}

export function describeBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : `${bytes} bytes`;
}

/** The last value of a stream that ended because of `error`. */
export class StreamFailure {
  constructor(readonly error: unknown) {}
}

export interface ChannelOptions<T> {
  maxQueued: number;
  /** With `sizeOf`: most bytes held for a client that does not read. */
  maxQueuedBytes?: number;
  sizeOf?: (value: T) => number;
  /** Runs exactly once, when the channel ends for any reason. */
  onClose: () => void;
}

export class Channel<T> implements AsyncIterableIterator<T | StreamFailure> {
  // A queue with a moving head: `shift()` on a long array is linear, and slow clients have long queues.
  #queue: (T | StreamFailure)[] = [];
  #sizes: number[] = [];
  #head = 0;
  #queuedBytes = 0;
  #waiter: ((result: IteratorResult<T | StreamFailure>) => void) | null = null;
  #roomWaiters: { limit: number; resolve: () => void }[] = [];
  #closed = false;
  readonly #options: ChannelOptions<T>;

  constructor(options: ChannelOptions<T>) {
    this.#options = options;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get queued(): number {
    return this.#queue.length - this.#head;
  }

  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /**
   * Resolves once at most `limit` values are queued (or the channel has ended), so a producer
   * that can wait (the log replay) goes no faster than its consumer.
   */
  waitForRoom(limit: number): Promise<void> {
    if (this.#closed || this.queued <= limit) return Promise.resolve();
    return new Promise((resolve) => this.#roomWaiters.push({ limit, resolve }));
  }

  push(value: T): void {
    if (this.#closed) return;
    if (this.queued >= this.#options.maxQueued) {
      this.fail(new SlowConsumerError(this.#options.maxQueued));
      return;
    }
    const { maxQueuedBytes, sizeOf } = this.#options;
    const size = sizeOf && maxQueuedBytes !== undefined && !this.#waiter ? sizeOf(value) : 0;
    if (maxQueuedBytes !== undefined && this.#queuedBytes + size > maxQueuedBytes) {
      this.fail(new SlowConsumerError(describeBytes(maxQueuedBytes)));
      return;
    }
    this.#deliver(value, size);
  }

  /** Ends the stream: the values already queued, then a `StreamFailure` carrying `error`. */
  fail(error: unknown): void {
    if (this.#closed) return;
    this.#deliver(new StreamFailure(error));
    this.#close();
  }

  next(): Promise<IteratorResult<T | StreamFailure>> {
    if (this.#head < this.#queue.length) {
      const value = this.#queue[this.#head]!;
      this.#queuedBytes -= this.#sizes[this.#head]!;
      this.#queue[this.#head] = undefined as never;
      this.#head += 1;
      if (this.#head === this.#queue.length) {
        this.#queue = [];
        this.#sizes = [];
        this.#head = 0;
      } else if (this.#head >= 1024 && this.#head * 2 >= this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#sizes = this.#sizes.slice(this.#head);
        this.#head = 0;
      }
      this.#wakeProducers();
      return Promise.resolve({ value, done: false });
    }
    this.#wakeProducers();
    if (this.#closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  return(): Promise<IteratorResult<T | StreamFailure>> {
    this.#queue = [];
    this.#sizes = [];
    this.#head = 0;
    this.#queuedBytes = 0;
    this.#close();
    if (this.#waiter) {
      const waiter = this.#waiter;
      this.#waiter = null;
      waiter({ value: undefined, done: true });
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<IteratorResult<T | StreamFailure>> {
    void this.return();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #deliver(value: T | StreamFailure, size = 0): void {
    if (this.#waiter) {
      const waiter = this.#waiter;
      this.#waiter = null;
      waiter({ value, done: false });
    } else {
      this.#queue.push(value);
      this.#sizes.push(size);
      this.#queuedBytes += size;
    }
  }

  #wakeProducers(): void {
    if (this.#roomWaiters.length === 0) return;
    const queued = this.queued;
    const stillWaiting = this.#roomWaiters.filter((waiter) => {
      if (!this.#closed && queued > waiter.limit) return true;
      waiter.resolve();
      return false;
    });
    this.#roomWaiters = stillWaiting;
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#options.onClose();
    this.#wakeProducers();
  }
}
