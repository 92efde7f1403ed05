/**
 * `jobUpdated`: the Job as committed, each time an event of it (job-level or sheet) commits.
 *
 * Updates are coalesced to the latest state per job, and a job is read only when the client asks
 * for its next value: between two reads the stream holds just the ids of the jobs that changed.
 * A client that stops reading therefore costs the server a set of ids, never a backlog of Job
 * rows (each carries its whole score text); when it reads again it gets each changed job once,
 * as it is now.
 */
import type { JobRow, ReadModel } from "../../store/read-model.ts";
import type { LiveEventSource } from "../context.ts";
import { StreamFailure, type SubscriptionTracker } from "./channel.ts";

export interface JobStreamOptions {
  readModel: ReadModel;
  liveEvents: LiveEventSource;
  tracker: SubscriptionTracker;
  /** Only this job; null for every job. */
  jobId: string | null;
}

type Result = IteratorResult<JobRow | StreamFailure>;

export class JobStream implements AsyncIterableIterator<JobRow | StreamFailure> {
  /** Jobs changed since the client last read them, in the order they first changed. */
  readonly #changed = new Set<string>();
  #wake: (() => void) | null = null;
  #closed = false;
  readonly #readModel: ReadModel;
  readonly #tracker: SubscriptionTracker;
  readonly #unsubscribe: () => void;

  constructor(options: JobStreamOptions) {
    this.#readModel = options.readModel;
    this.#tracker = options.tracker;
    this.#tracker.opened();
    this.#unsubscribe = options.liveEvents.subscribe((event) => {
      if (options.jobId !== null && event.jobId !== options.jobId) return;
      this.#changed.add(event.jobId);
      this.#wakeReader();
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Ids waiting to be read (for tests: a stalled client's whole footprint). */
  get pending(): number {
    return this.#changed.size;
  }

  async next(): Promise<Result> {
    for (;;) {
      if (this.#closed) return { value: undefined, done: true };
      const [jobId] = this.#changed;
      if (jobId === undefined) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        continue;
      }
      this.#changed.delete(jobId);
      let job: JobRow | null;
      try {
        job = await this.#readModel.getJob(jobId);
      } catch (error) {
        this.#close();
        return { value: new StreamFailure(error), done: false };
      }
      if (this.#closed) return { value: undefined, done: true };
      if (job) return { value: job, done: false };
    }
  }

  return(): Promise<Result> {
    this.#close();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<Result> {
    this.#close();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #wakeReader(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#changed.clear();
    this.#unsubscribe();
    this.#tracker.closed();
    this.#wakeReader();
  }
}

export function openJobStream(options: JobStreamOptions): JobStream {
  return new JobStream(options);
}
