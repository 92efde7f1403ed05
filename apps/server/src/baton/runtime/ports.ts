/**
 * How the baton reaches the world. Everything here is passed in; the baton imports no database,
 * transport or timer of its own (DESIGN.md §1, §5).
 */
import type { CheckpointCommit } from "../core/state.ts";
import type { EventRecord } from "../../contracts/event-log.ts";

export type { MusicianPort } from "../../contracts/attempt.ts";

export type { Clock, TimerHost } from "../../contracts/clock.ts";
export type { EventSink } from "../../contracts/event-log.ts";
export type { CheckpointCommit } from "../core/state.ts";

export interface CheckpointStore {
  /** Commits the batch in one transaction; resolves with the events as logged, in order. */
  commit(batch: CheckpointCommit): Promise<EventRecord[]>;
}
