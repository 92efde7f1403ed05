/**
 * The job page's event log: however events arrive (history pages, replay after a reconnect,
 * live pushes, polling), the page shows each seq once, in seq order, and resumes after the
 * newest event it holds.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventLogStore, type LogEvent } from "../../../apps/web/components/job/event-log-store.ts";

function event(seq: number, sheetNum = 1): LogEvent {
  return {
    seq,
    cursor: `cursor-${seq}`,
    sheetNum,
    event: "sheet.status",
    data: { seq },
    timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
  };
}

const events = (...seqs: number[]) => seqs.map((seq) => event(seq));
const seqsOf = (store: EventLogStore) => store.events.map((held) => held.seq);

describe("EventLogStore", () => {
  it("starts empty with no cursor to resume from", () => {
    const store = new EventLogStore();
    expect(store.events).toEqual([]);
    expect(store.size).toBe(0);
    expect(store.lastCursor).toBeNull();
  });

  it("keeps each seq once and counts only the new ones", () => {
    const store = new EventLogStore();
    expect(store.append(events(1, 2, 3))).toBe(3);
    expect(store.append(events(2, 3, 4))).toBe(1);
    expect(store.append(events(4, 4, 5, 5))).toBe(1);
    expect(seqsOf(store)).toEqual([1, 2, 3, 4, 5]);
    expect(store.size).toBe(5);
  });

  it("keeps the first copy of a seq when a later copy differs", () => {
    const store = new EventLogStore();
    store.append([{ ...event(7), data: "first" }]);
    store.append([{ ...event(7), data: "second" }]);
    expect(store.events).toHaveLength(1);
    expect(store.events[0]?.data).toBe("first");
  });

  it("orders events by seq whatever order they arrive in", () => {
    const store = new EventLogStore();
    store.append(events(5, 3));
    store.append(events(1, 4));
    store.append(events(2));
    expect(seqsOf(store)).toEqual([1, 2, 3, 4, 5]);
  });

  it("merges history pages with live events that arrived first and overlap them", () => {
    const store = new EventLogStore();
    // A live push lands before the history request answers.
    store.append(events(41, 42));
    // History, page by page; its last page overlaps the live events.
    store.append(events(...Array.from({ length: 20 }, (_, i) => i + 1)));
    store.append(events(...Array.from({ length: 22 }, (_, i) => i + 21)));
    // After a reconnect the replay starts at the cursor held and re-sends the boundary event.
    store.append(events(42, 43, 44));
    expect(seqsOf(store)).toEqual(Array.from({ length: 44 }, (_, i) => i + 1));
  });

  it("resumes after the newest seq held, even when an older event arrived last", () => {
    const store = new EventLogStore();
    store.append(events(10));
    expect(store.lastCursor).toBe("cursor-10");
    store.append(events(3));
    expect(store.lastCursor).toBe("cursor-10");
    store.append(events(11));
    expect(store.lastCursor).toBe("cursor-11");
  });

  it("hands out a new array when it changes and the same one when it does not", () => {
    const store = new EventLogStore();
    store.append(events(1, 2));
    const before = store.events;
    expect(store.append(events(1, 2))).toBe(0);
    expect(store.events).toBe(before);
    store.append(events(3));
    expect(store.events).not.toBe(before);
    expect(before.map((held) => held.seq)).toEqual([1, 2]);
  });
});

describe("EventLogStore properties", () => {
  const distinctSeqs = fc.uniqueArray(fc.integer({ min: 1, max: 10_000 }), {
    minLength: 0,
    maxLength: 60,
  });

  /** The same events delivered shuffled, some more than once, cut into batches of any size. */
  const deliveries = distinctSeqs.chain((seqs) =>
    fc
      .tuple(
        fc.shuffledSubarray(seqs, { minLength: seqs.length, maxLength: seqs.length }),
        fc.array(fc.constantFrom(...(seqs.length > 0 ? seqs : [0])), { maxLength: 40 }),
      )
      .chain(([everyEventOnce, duplicates]) =>
        fc
          .shuffledSubarray([...everyEventOnce, ...(seqs.length > 0 ? duplicates : [])], {
            minLength: everyEventOnce.length + (seqs.length > 0 ? duplicates.length : 0),
            maxLength: everyEventOnce.length + (seqs.length > 0 ? duplicates.length : 0),
          })
          .chain((stream) =>
            fc
              .array(fc.integer({ min: 1, max: 8 }), {
                minLength: stream.length,
                maxLength: stream.length,
              })
              .map((sizes) => ({ seqs, batches: cutIntoBatches(stream, sizes) })),
          ),
      ),
  );

  it("any interleaving and duplication of the same events gives the same ordered, duplicate-free log", () => {
    fc.assert(
      fc.property(deliveries, ({ seqs, batches }) => {
        const store = new EventLogStore();
        let added = 0;
        for (const batch of batches) added += store.append(events(...batch));

        const expected = [...seqs].sort((a, b) => a - b);
        expect(seqsOf(store)).toEqual(expected);
        expect(added).toBe(seqs.length);
        expect(store.lastCursor).toBe(expected.length > 0 ? `cursor-${expected.at(-1)}` : null);
      }),
      { numRuns: 300 },
    );
  });

  it("two deliveries of the same events end in identical logs", () => {
    fc.assert(
      fc.property(deliveries, deliveries, (first, second) => {
        const a = new EventLogStore();
        const b = new EventLogStore();
        for (const batch of first.batches) a.append(events(...batch));
        // The second store sees the first delivery's events again, in another order and cut.
        for (const batch of [...second.batches, ...first.batches.slice().reverse()])
          b.append(events(...batch));
        const union = [...new Set([...first.seqs, ...second.seqs])].sort((x, y) => x - y);
        expect(seqsOf(b)).toEqual(union);
        expect(seqsOf(a)).toEqual(union.filter((seq) => first.seqs.includes(seq)));
      }),
      { numRuns: 150 },
    );
  });
});

function cutIntoBatches(stream: readonly number[], sizes: readonly number[]): number[][] {
  const batches: number[][] = [];
  let start = 0;
  for (const size of sizes) {
    if (start >= stream.length) break;
    batches.push(stream.slice(start, start + size));
    start += size;
  }
  return batches;
}
