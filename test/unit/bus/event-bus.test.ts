import { describe, expect, it } from "vitest";
import { EventBus, SubscriberOverflowError } from "../../../apps/server/src/bus/event-bus.ts";
import type { EventRecord } from "../../../apps/server/src/contracts/event-log.ts";

function record(seq: number, jobId = "j"): EventRecord {
  return { seq, jobId, sheetNum: 0, event: "job.started", data: {}, timestamp: seq };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("EventBus", () => {
  it("delivers every event in order, to all subscribers or those of one job", async () => {
    const bus = new EventBus();
    const all: number[] = [];
    const onlyB: number[] = [];
    bus.subscribe((e) => void all.push(e.seq));
    bus.subscribe((e) => void onlyB.push(e.seq), { jobId: "b" });
    bus.publish([record(1, "a"), record(2, "b"), record(3, "a")]);
    await tick();
    expect(all).toEqual([1, 2, 3]);
    expect(onlyB).toEqual([2]);
    expect(bus.lastPublishedSeq).toBe(3);
  });

  it("publish returns before a slow subscriber handles anything, and others are not held up", async () => {
    const bus = new EventBus();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow: number[] = [];
    const fast: number[] = [];
    bus.subscribe(async (e) => {
      await gate;
      slow.push(e.seq);
    });
    bus.subscribe((e) => void fast.push(e.seq));
    bus.publish([record(1), record(2)]);
    await tick();
    expect(fast).toEqual([1, 2]);
    expect(slow).toEqual([]);
    release();
    await tick();
    expect(slow).toEqual([1, 2]);
  });

  it("a throwing subscriber is isolated and keeps receiving", async () => {
    const bus = new EventBus();
    const seen: number[] = [];
    const bad = bus.subscribe((e) => {
      if (e.seq === 1) throw new Error("subscriber bug");
      seen.push(e.seq);
    });
    const good: number[] = [];
    bus.subscribe((e) => void good.push(e.seq));
    bus.publish([record(1), record(2)]);
    await tick();
    expect(bad.handlerErrors).toBe(1);
    expect(seen).toEqual([2]);
    expect(good).toEqual([1, 2]);
  });

  it("a subscriber that falls behind its bound is disconnected with overflowed set", async () => {
    const bus = new EventBus();
    const sub = bus.subscribe(() => new Promise<void>(() => undefined), { maxQueue: 3 });
    bus.publish([record(1), record(2), record(3), record(4), record(5)]);
    expect(sub.overflowed).toBe(true);
    expect(sub.closed).toBe(true);
    expect(bus.subscriberCount).toBe(0);
  });

  it("reports handler errors to the bus's reporter while the subscriber keeps receiving", async () => {
    const reported: Array<[string, number]> = [];
    const bus = new EventBus({
      onHandlerError: (error, event) => reported.push([(error as Error).message, event.seq]),
    });
    const seen: number[] = [];
    const bad = bus.subscribe((e) => {
      if (e.seq % 2 === 1) throw new Error(`cannot handle ${e.seq}`);
      seen.push(e.seq);
    });
    bus.publish([record(1), record(2), record(3), record(4)]);
    await tick();
    expect(reported).toEqual([
      ["cannot handle 1", 1],
      ["cannot handle 3", 3],
    ]);
    expect(seen).toEqual([2, 4]);
    expect(bad.handlerErrors).toBe(2);
    expect(bad.closed).toBe(false);
  });

  it("a subscription is its own stop function", async () => {
    const bus = new EventBus();
    const seen: number[] = [];
    const stop = bus.subscribe((e) => void seen.push(e.seq));
    bus.publish([record(1)]);
    await tick();
    stop();
    expect(stop.closed).toBe(true);
    expect(bus.subscriberCount).toBe(0);
    bus.publish([record(2)]);
    await tick();
    expect(seen).toEqual([1]);
  });

  it("unsubscribe stops delivery", async () => {
    const bus = new EventBus();
    const seen: number[] = [];
    const sub = bus.subscribe((e) => void seen.push(e.seq));
    sub.unsubscribe();
    bus.publish([record(1)]);
    await tick();
    expect(seen).toEqual([]);
  });

  it("offers an async iterator that ends on return and throws on overflow", async () => {
    const bus = new EventBus();
    const it1 = bus.iterate({ jobId: "j" });
    bus.publish([record(1), record(2, "other"), record(3)]);
    expect((await it1.next()).value?.seq).toBe(1);
    expect((await it1.next()).value?.seq).toBe(3);
    const waiting = it1.next();
    bus.publish([record(4)]);
    expect((await waiting).value?.seq).toBe(4);
    await it1.return!();
    expect((await it1.next()).done).toBe(true);

    const it2 = bus.iterate({ maxQueue: 2 });
    bus.publish([record(5), record(6), record(7)]);
    await tick();
    await expect(it2.next()).rejects.toBeInstanceOf(SubscriberOverflowError);
    expect(bus.subscriberCount).toBe(0);
  });
});
