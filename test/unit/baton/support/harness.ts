/** An adapter wired to the in-memory store, a recording sink, a fake clock and a scripted musician. */
import {
  BatonRuntime,
  type BatonRuntimeOptions,
} from "../../../../apps/server/src/baton/runtime/baton-runtime.ts";
import { MemoryCheckpointStore } from "../../../../apps/server/src/store/memory-store.ts";
import type { EventSink } from "../../../../apps/server/src/baton/runtime/ports.ts";
import type { EventRecord } from "../../../../apps/server/src/contracts/event-log.ts";
import { FakeClock, FakeTimerHost } from "./fake-time.ts";
import { ScriptedMusician, type Script } from "./scripted-musician.ts";

export class RecordingSink implements EventSink {
  readonly published: EventRecord[] = [];
  log: string[] | null = null;
  publish(events: readonly EventRecord[]): void {
    for (const e of events) this.log?.push(`publish ${e.event}`);
    this.published.push(...events);
  }
}

export function harness(
  script?: Script,
  options: Partial<BatonRuntimeOptions> = {},
  store = new MemoryCheckpointStore(),
) {
  const clock = new FakeClock();
  const timers = new FakeTimerHost(clock);
  const sink = new RecordingSink();
  const musician = new ScriptedMusician(script);
  const errors: unknown[] = [];
  const adapter = new BatonRuntime({
    store,
    sink,
    clock,
    timers,
    musician,
    onError: (e) => errors.push(e),
    ...options,
  });
  const running = adapter.run();
  /** Lets musicians report and the loop drain, without any real waiting. */
  const settle = async () => {
    for (let i = 0; i < 6; i++) {
      await adapter.whenIdle();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };
  /** Advances the fake clock, firing timers, and lets the loop handle what they posted. */
  const advance = async (ms: number) => {
    timers.advance(ms);
    await settle();
  };
  return { adapter, store, sink, clock, timers, musician, errors, running, settle, advance };
}
