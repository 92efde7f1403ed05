/**
 * A live `sheetEvents` subscriber over graphql-ws that keeps everything it receives, so a test
 * can compare it with the event log afterwards.
 */
import type { Client } from "graphql-ws";
import { EVENT_FIELDS, type LoggedEvent } from "./client.ts";

export const SHEET_EVENTS = /* GraphQL */ `
  subscription Follow($jobId: ID, $after: String) {
    sheetEvents(jobId: $jobId, after: $after) { ${EVENT_FIELDS} }
  }
`;

/** One live `sheetEvents` subscription that keeps everything it receives. */
export class EventFollower {
  readonly received: LoggedEvent[] = [];
  error: unknown = null;
  completed = false;
  #dispose: (() => void) | null = null;
  #waiters: { seq: number; resolve: () => void }[] = [];

  constructor(
    readonly client: Client,
    readonly variables: { jobId?: string | null; after?: string | null },
  ) {}

  start(): this {
    this.#dispose = this.client.subscribe<{ sheetEvents: LoggedEvent }>(
      { query: SHEET_EVENTS, variables: this.variables },
      {
        next: (result) => {
          if (result.errors?.length) {
            this.error = new Error(JSON.stringify(result.errors));
            return;
          }
          const event = result.data?.sheetEvents;
          if (!event) return;
          this.received.push(event);
          this.#waiters = this.#waiters.filter((waiter) => {
            if (event.seq < waiter.seq) return true;
            waiter.resolve();
            return false;
          });
        },
        error: (error) => {
          this.error = error;
        },
        complete: () => {
          this.completed = true;
        },
      },
    );
    return this;
  }

  get lastSeq(): number {
    return this.received.at(-1)?.seq ?? 0;
  }

  /** Resolves once an event with seq ≥ `seq` has arrived; fails after `timeoutMs`. */
  async reach(seq: number, timeoutMs: number): Promise<void> {
    if (this.lastSeq >= seq) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(
            `subscriber (${JSON.stringify(this.variables)}) reached seq ${this.lastSeq}, not ${seq}, ` +
              `in ${timeoutMs} ms; error: ${String(this.error)}`,
          ),
        );
      }, timeoutMs);
      this.#waiters.push({
        seq,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  stop(): void {
    this.#dispose?.();
    this.#dispose = null;
  }
}
