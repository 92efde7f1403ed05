/** Time as the engine sees it: passed in everywhere, so a fake clock drives every engine test. */

/** Milliseconds since the epoch. */
export interface Clock {
  now(): number;
}

/** Host timers, so that a fake clock can replace them in tests. */
export interface TimerHost {
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}
