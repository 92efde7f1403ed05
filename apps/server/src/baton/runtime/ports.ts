/**
 * How the baton reaches the world. Everything here is passed in; the baton imports no database,
 * transport or timer of its own (DESIGN.md §1, §5).
 */
import type { CheckpointCommit } from "../core/state.ts";
import type { EventRecord } from "../../contracts/event-log.ts";

export type { MusicianPort } from "../../contracts/attempt.ts";

/** Milliseconds since the epoch. A fake clock drives every engine test. */
export interface Clock {
  now(): number;
}

/** Host timers, so that a fake clock can replace them in tests. */
export interface TimerHost {
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

export type { CheckpointCommit } from "../core/state.ts";

export interface CheckpointStore {
  /** Commits the batch in one transaction; resolves with the events as logged, in order. */
  commit(batch: CheckpointCommit): Promise<EventRecord[]>;
}

/** Where committed events go after the commit (the bus, which feeds subscriptions). */
export interface EventSink {
  publish(events: readonly EventRecord[]): void;
}
