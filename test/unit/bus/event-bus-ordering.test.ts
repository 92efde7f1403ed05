import { describe, expect, it } from "vitest";
import { EventBus } from "../../../apps/server/src/bus/event-bus.ts";
import type { EventRecord } from "../../../apps/server/src/contracts/event-log.ts";

function record(seq: number, jobId = "j"): EventRecord {
  return { seq, jobId, sheetNum: 0, event: "job.started", data: {}, timestamp: seq };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** An append-only log as the store keeps it: seqs handed out in commit order. */
function eventLog(jobOf: (seq: number) => string = () => "j") {
  const committed: EventRecord[] = [];
  return {
    commit(count: number): EventRecord[] {
      const batch = Array.from({ length: count }, (_, i) => {
        const seq = committed.length + i + 1;
        return record(seq, jobOf(seq));
      });
      committed.push(...batch);
      return batch;
    },
    lastSeq: () => committed.length,
  };
}

describe("EventBus ordering", () => {
  it("delivers each commit in seq order and drops a commit published twice", async () => {
    const log = eventLog();
    const gaps: Array<[number, number]> = [];
    const bus = new EventBus({
      startAfterSeq: log.lastSeq(),
      onSequenceGap: (expected, got) => void gaps.push([expected, got]),
    });
    const seen: number[] = [];
    bus.subscribe((event) => void seen.push(event.seq));
    const first = log.commit(2);
    const second = log.commit(1);
    bus.publish(first);
    bus.publish(second);
    bus.publish(second);
    await tick();
    expect(seen).toEqual([1, 2, 3]);
    expect(gaps).toEqual([]);
    expect(bus.lastPublishedSeq).toBe(3);
  });

  it("never publishes what was in the log before it started", async () => {
    const log = eventLog();
    const before = log.commit(5);
    const bus = new EventBus({ startAfterSeq: log.lastSeq() });
    const seen: number[] = [];
    bus.subscribe((event) => void seen.push(event.seq));
    bus.publish(before);
    bus.publish(log.commit(2));
    await tick();
    expect(seen).toEqual([6, 7]);
    expect(bus.lastPublishedSeq).toBe(7);
  });

  it("reports a seq gap as a bug, still delivers, and drops stale seqs", async () => {
    const gaps: Array<[number, number]> = [];
    const bus = new EventBus({ onSequenceGap: (expected, got) => void gaps.push([expected, got]) });
    const seen: number[] = [];
    bus.subscribe((event) => void seen.push(event.seq));
    bus.publish([record(1), record(2), record(2), record(1)]);
    bus.publish([record(2), record(4), record(3)]);
    await tick();
    expect(seen).toEqual([1, 2, 4]);
    expect(gaps).toEqual([[3, 4]]);
  });

  it("events go through each subscriber's job filter and queue bound", async () => {
    const log = eventLog((seq) => (seq % 2 === 0 ? "even" : "odd"));
    const bus = new EventBus();
    const even: number[] = [];
    bus.subscribe((event) => void even.push(event.seq), { jobId: "even" });
    const stuck = bus.subscribe(() => new Promise<void>(() => undefined), { maxQueue: 3 });
    bus.publish(log.commit(6));
    await tick();
    expect(even).toEqual([2, 4, 6]);
    expect(stuck.overflowed).toBe(true);
    expect(bus.subscriberCount).toBe(1);
  });

  it("keeps every subscriber in order when a handler publishes while being delivered to", async () => {
    const log = eventLog();
    const bus = new EventBus();
    const first: number[] = [];
    const second: number[] = [];
    bus.subscribe((event) => {
      first.push(event.seq);
      // A subscriber whose reaction is committed (as on_success hooks are) publishes re-entrantly.
      if (event.seq === 1) bus.publish(log.commit(1));
    });
    bus.subscribe((event) => void second.push(event.seq));
    bus.publish(log.commit(1));
    await tick();
    expect(first).toEqual([1, 2]);
    expect(second).toEqual([1, 2]);
  });
});
