import { describe, expect, it } from "vitest";
import { BatonRuntime } from "../../../apps/server/src/baton/runtime/baton-runtime.ts";
import { MemoryCheckpointStore } from "../../../apps/server/src/store/memory-store.ts";
import { EventBus } from "../../../apps/server/src/bus/event-bus.ts";
import type { EventRecord } from "../../../apps/server/src/contracts/event-log.ts";
import { chain, spec } from "./support/fixtures.ts";
import { FakeClock, FakeTimerHost } from "./support/fake-time.ts";
import { ScriptedMusician } from "./support/scripted-musician.ts";

describe("BatonRuntime publishing on the EventBus", () => {
  it("a job subscriber sees every committed event of its job, in seq order, and a failing one harms nobody", async () => {
    const bus = new EventBus();
    const clock = new FakeClock();
    const store = new MemoryCheckpointStore();
    const adapter = new BatonRuntime({
      store,
      sink: bus,
      clock,
      timers: new FakeTimerHost(clock),
      musician: new ScriptedMusician(),
    });
    const seen: EventRecord[] = [];
    bus.subscribe((e) => void seen.push(e), { jobId: "j" });
    bus.subscribe(() => {
      throw new Error("broken subscriber");
    });
    void adapter.run();
    await adapter.registerJob(spec("j", chain(2)));
    await adapter.registerJob(spec("other", chain(1)));
    expect(await adapter.waitForCompletion("j")).toBe(true);
    await adapter.waitForCompletion("other");
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(seen.map((e) => e.seq)).toEqual(
      store.events.filter((e) => e.jobId === "j").map((e) => e.seq),
    );
    expect(seen.map((e) => e.event)).toEqual([
      "job.started",
      "sheet.dispatched",
      "sheet.completed",
      "sheet.dispatched",
      "sheet.completed",
      "job.completed",
    ]);
    await adapter.shutdown();
  });
});
