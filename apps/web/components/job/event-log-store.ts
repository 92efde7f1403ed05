/**
 * The event log of one job as the page holds it: ordered by seq, each seq at most once, however
 * often the same events arrive (history page, replay after a reconnect, polling). Pure, no React.
 */

export interface LogEvent {
  seq: number;
  cursor: string;
  sheetNum: number;
  event: string;
  data: unknown;
  timestamp: string;
}

export class EventLogStore {
  #events: LogEvent[] = [];
  #seen = new Set<number>();

  get events(): readonly LogEvent[] {
    return this.#events;
  }

  get size(): number {
    return this.#events.length;
  }

  /** Cursor of the newest event held: where a replay must start to miss nothing. */
  get lastCursor(): string | null {
    return this.#events.at(-1)?.cursor ?? null;
  }

  /** Adds the events not seen before; returns how many were new. */
  append(incoming: readonly LogEvent[]): number {
    // Copy on write: the array handed out last time may be held in React state and must not change.
    const next = this.#events.slice();
    let added = 0;
    let outOfOrder = false;
    for (const event of incoming) {
      if (this.#seen.has(event.seq)) continue;
      this.#seen.add(event.seq);
      const last = next.at(-1);
      if (last && last.seq > event.seq) outOfOrder = true;
      next.push(event);
      added += 1;
    }
    if (outOfOrder) next.sort((a, b) => a.seq - b.seq);
    // A new array identity on change lets React memo and the virtualiser notice.
    if (added > 0) this.#events = next;
    return added;
  }
}
