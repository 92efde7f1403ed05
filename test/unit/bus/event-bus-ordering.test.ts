import { describe, expect, it } from "vitest";
import { EventBus } from "../../../apps/server/src/bus/event-bus.ts";
import type { EventRecord } from "../../../apps/server/src/contracts/event-log.ts";

function record(seq: number, jobId = "j"): EventRecord {
  return { seq, jobId, sheetNum: 0, event: "job.started", data: {}, timestamp: seq };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** An append-only log as the store keeps it: seqs handed out in commit order, read by range. */
function eventLog(jobOf: (seq: number) => string = () => "j") {
  const committed: EventRecord[] = [];
  const reads: Array<[number, number]> = [];
  return {
    reads,
    commit(count: number): EventRecord[] {
      const batch = Array.from({ length: count }, (_, i) => {
        const seq = committed.length + i + 1;
        return record(seq, jobOf(seq));
      });
      committed.push(...batch);
      return batch;
    },
    lastSeq: () => committed.length,
    backfill(afterSeq: number, uptoSeq: number): EventRecord[] {
      reads.push([afterSeq, uptoSeq]);
      return committed.filter((e) => e.seq > afterSeq && e.seq <= uptoSeq);
    },
  };
}

describe("EventBus ordering", () => {
  it("delivers in seq order with no gap or duplicate when writers publish out of order", async () => {
    const log = eventLog();
    const bus = new EventBus({ startAfterSeq: log.lastSeq(), backfill: log.backfill });
    const seen: number[] = [];
    bus.subscribe((event) => void seen.push(event.seq));
    const first = log.commit(2);
    const second = log.commit(1);
    // The second writer publishes before the first, then the first, then the second again.
    bus.publish(second);
    bus.publish(first);
    bus.publish(second);
    await tick();
    expect(seen).toEqual([1, 2, 3]);
    expect(log.reads).toEqual([[0, 2]]);
    expect(bus.lastPublishedSeq).toBe(3);
  });

  it("never publishes what was in the log before it started, nor asks the log for it", async () => {
    const log = eventLog();
    const before = log.commit(5);
    const bus = new EventBus({ startAfterSeq: log.lastSeq(), backfill: log.backfill });
    const seen: number[] = [];
    bus.subscribe((event) => void seen.push(event.seq));
    bus.publish(before);
    const later = log.commit(2);
    bus.publish(later.slice(1));
    await tick();
    expect(seen).toEqual([6, 7]);
    expect(log.reads).toEqual([[5, 6]]);
    expect(bus.lastPublishedSeq).toBe(7);
  });

  it("drops duplicates and stale seqs even without a log to backfill from", async () => {
    const bus = new EventBus();
    const seen: number[] = [];
    bus.subscribe((event) => void seen.push(event.seq));
    bus.publish([record(1), record(2), record(2), record(1)]);
    bus.publish([record(2), record(4), record(3)]);
    await tick();
    // Without a log the gap before 4 cannot be filled, and 3 then arrives too late.
    expect(seen).toEqual([1, 2, 4]);
  });

  it("backfilled events go through each subscriber's job filter and queue bound", async () => {
    const log = eventLog((seq) => (seq % 2 === 0 ? "even" : "odd"));
    const bus = new EventBus({ backfill: log.backfill });
    const even: number[] = [];
    bus.subscribe((event) => void even.push(event.seq), { jobId: "even" });
    const stuck = bus.subscribe(() => new Promise<void>(() => undefined), { maxQueue: 3 });
    const batch = log.commit(6);
    bus.publish(batch.slice(5));
    await tick();
    expect(even).toEqual([2, 4, 6]);
    expect(stuck.overflowed).toBe(true);
    expect(bus.subscriberCount).toBe(1);
  });

  it("keeps every subscriber in order when a handler publishes while being delivered to", async () => {
    const log = eventLog();
    const bus = new EventBus({ backfill: log.backfill });
    const first: number[] = [];
    const second: number[] = [];
    bus.subscribe((event) => {
      first.push(event.seq);
      // A subscriber that commits in reaction (as on_success hooks do) publishes re-entrantly.
      if (event.seq === 1) bus.publish(log.commit(1));
    });
    bus.subscribe((event) => void second.push(event.seq));
    bus.publish(log.commit(1));
    await tick();
    expect(first).toEqual([1, 2]);
    expect(second).toEqual([1, 2]);
  });
});
