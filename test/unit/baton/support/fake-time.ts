/** A clock and timer host that move only when a test advances them. */
import type { Clock, TimerHost } from "../../../../apps/server/src/baton/runtime/ports.ts";

export class FakeClock implements Clock {
  constructor(public time = 1_700_000_000_000) {}
  now(): number {
    return this.time;
  }
}

interface HostTimer {
  id: number;
  at: number;
  callback: () => void;
}

export class FakeTimerHost implements TimerHost {
  private readonly timers = new Map<number, HostTimer>();
  private nextId = 1;
  /** How many host timers were ever set (the wheel should need few). */
  setCount = 0;

  constructor(readonly clock: FakeClock) {}

  setTimeout(callback: () => void, delayMs: number): unknown {
    const id = this.nextId++;
    this.setCount += 1;
    this.timers.set(id, { id, at: this.clock.time + Math.max(0, delayMs), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  get active(): number {
    return this.timers.size;
  }

  /** Moves time forward, firing every host timer due on the way, in order. */
  advance(ms: number): void {
    const target = this.clock.time + ms;
    for (;;) {
      let next: HostTimer | null = null;
      for (const timer of this.timers.values())
        if (timer.at <= target && (next === null || timer.at < next.at)) next = timer;
      if (next === null) break;
      this.timers.delete(next.id);
      this.clock.time = Math.max(this.clock.time, next.at);
      next.callback();
    }
    this.clock.time = target;
  }
}
