/**
 * A push-to-pull bridge for subscriptions: producers `push`, GraphQL pulls with `next()`.
 * Unlike an async generator, `return()` takes effect at once even while the consumer waits, so
 * the producer's resources (bus listener, buffers) are released the moment a client leaves.
 * The queue is bounded: a client that falls `maxQueued` events behind is ended with an error
 * telling it to resume from its last cursor, instead of growing the server's memory without end.
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
  constructor(maxQueued: number) {
    super(`subscriber fell more than ${maxQueued} events behind; resubscribe with the last cursor`);
    this.name = "SlowConsumerError";
  }
}

/** The last value of a stream that ended because of `error`. */
export class StreamFailure {
  constructor(readonly error: unknown) {}
}

export interface ChannelOptions {
  maxQueued: number;
  /** Runs exactly once, when the channel ends for any reason. */
  onClose: () => void;
}

export class Channel<T> implements AsyncIterableIterator<T | StreamFailure> {
  // A queue with a moving head: `shift()` on a long array is linear, and slow clients have long queues.
  #queue: (T | StreamFailure)[] = [];
  #head = 0;
  #waiter: ((result: IteratorResult<T | StreamFailure>) => void) | null = null;
  #roomWaiters: { limit: number; resolve: () => void }[] = [];
  #closed = false;
  readonly #options: ChannelOptions;

  constructor(options: ChannelOptions) {
    this.#options = options;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get queued(): number {
    return this.#queue.length - this.#head;
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
    this.#deliver(value);
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
      this.#queue[this.#head] = undefined as never;
      this.#head += 1;
      if (this.#head === this.#queue.length) {
        this.#queue = [];
        this.#head = 0;
      } else if (this.#head >= 1024 && this.#head * 2 >= this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
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
    this.#head = 0;
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

  #deliver(value: T | StreamFailure): void {
    if (this.#waiter) {
      const waiter = this.#waiter;
      this.#waiter = null;
      waiter({ value, done: false });
    } else {
      this.#queue.push(value);
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
