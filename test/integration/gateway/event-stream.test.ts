import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EventRecord } from "../../../apps/server/src/contracts/event-log.ts";
import {
  SlowConsumerError,
  StreamFailure,
  SubscriptionTracker,
} from "../../../apps/server/src/graphql/subscriptions/channel.ts";
import { openEventStream } from "../../../apps/server/src/graphql/subscriptions/event-stream.ts";
import { openJobStream } from "../../../apps/server/src/graphql/subscriptions/job-stream.ts";
import { liveEventsFromBus } from "../../../apps/server/src/graphql/services.ts";
import { draft, openEventLogFixture, type EventLogFixture } from "./fixtures.ts";

/** Reads up to `count` values; a stream failure fails the test. */
async function take<T>(iterator: AsyncIterator<T | StreamFailure>, count: number): Promise<T[]> {
  const values: T[] = [];
  while (values.length < count) {
    const next = await iterator.next();
    if (next.done) break;
    if (next.value instanceof StreamFailure) throw next.value.error;
    values.push(next.value);
  }
  return values;
}

describe("sheetEvents stream: replay then live", () => {
  let fixture: EventLogFixture;
  beforeEach(async () => {
    fixture = await openEventLogFixture();
  });
  afterEach(async () => {
    await fixture.close();
  });

  function open(jobId: string | null, afterSeq: number, replayPageSize = 3) {
    const tracker = new SubscriptionTracker();
    const stream = openEventStream({
      readModel: fixture.readModel,
      liveEvents: liveEventsFromBus(fixture.bus),
      tracker,
      jobId,
      afterSeq,
      replayPageSize,
    });
    return { stream, tracker };
  }

  it("replays after the cursor, then follows live, in seq order", async () => {
    const early = await fixture.commit(
      Array.from({ length: 10 }, (_, i) => draft("job-a", i, "sheet.dispatched", { i })),
    );
    const { stream } = open(null, early[3]!.seq);
    const late = await fixture.commit([draft("job-a", 0, "job.completed")]);
    const received = await take(stream, 7);
    expect(received.map((e) => e.seq)).toEqual([...early.slice(4), ...late].map((e) => e.seq));
    expect(received.at(-1)).toMatchObject({ jobId: "job-a", event: "job.completed", sheetNum: 0 });
    await stream.return();
  });

  it("misses nothing and repeats nothing when events commit while the replay pages", async () => {
    await fixture.commit(
      Array.from({ length: 30 }, (_, i) => draft("job-a", 1, "sheet.dispatched", { i })),
    );
    const { stream } = open(null, 0, 2);
    // Commit in small steps while the replay reads pages of two.
    const writer = (async () => {
      for (let round = 0; round < 20; round += 1) {
        await fixture.commit([draft("job-a", 1, "sheet.waiting", { round })]);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const received = await take(stream, 50);
    await writer;
    expect(received.map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    await stream.return();
  });

  it("keeps only the requested job's events", async () => {
    await fixture.commit([
      draft("job-a", 1, "sheet.dispatched"),
      draft("job-b", 1, "sheet.dispatched"),
    ]);
    const { stream } = open("job-b", 0);
    await fixture.commit([draft("job-a", 0, "job.completed"), draft("job-b", 0, "job.failed")]);
    const received: EventRecord[] = await take(stream, 2);
    expect(received.map((e) => [e.jobId, e.event])).toEqual([
      ["job-b", "sheet.dispatched"],
      ["job-b", "job.failed"],
    ]);
    await stream.return();
  });

  it("releases its bus listener and buffers when the client leaves mid-wait", async () => {
    const { stream, tracker } = open(null, 0);
    const pending = stream.next();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fixture.bus.subscriberCount).toBe(1);
    expect(tracker.active).toBe(1);
    await stream.return();
    await expect(pending).resolves.toEqual({ value: undefined, done: true });
    expect(fixture.bus.subscriberCount).toBe(0);
    expect(tracker.active).toBe(0);
    expect(stream.queued).toBe(0);
  });

  it("cuts off a client that falls too far behind, telling it to resume from its cursor", async () => {
    const tracker = new SubscriptionTracker();
    const stream = openEventStream({
      readModel: fixture.readModel,
      liveEvents: liveEventsFromBus(fixture.bus),
      tracker,
      jobId: null,
      afterSeq: 0,
      maxQueued: 5,
    });
    await fixture.commit(
      Array.from({ length: 8 }, (_, i) => draft("job-a", 1, "sheet.dispatched", { i })),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const received = await take(stream, 5);
    expect(received.map((event) => event.seq)).toEqual([1, 2, 3, 4, 5]);
    const last = await stream.next();
    expect(last.value).toBeInstanceOf(StreamFailure);
    expect((last.value as StreamFailure).error).toBeInstanceOf(SlowConsumerError);
    expect(String((last.value as StreamFailure).error)).toMatch(/resubscribe with the last cursor/);
    expect(await stream.next()).toEqual({ value: undefined, done: true });
    expect(fixture.bus.subscriberCount).toBe(0);
    expect(tracker.active).toBe(0);
  });

  it("cuts off a client whose unread events pass the byte limit, however few they are", async () => {
    const tracker = new SubscriptionTracker();
    const stream = openEventStream({
      readModel: fixture.readModel,
      liveEvents: liveEventsFromBus(fixture.bus),
      tracker,
      jobId: null,
      afterSeq: 0,
      maxQueuedBytes: 3_500,
    });
    await fixture.commit(
      Array.from({ length: 4 }, (_, i) =>
        draft("job-a", 1, "sheet.dispatched", { i, pad: "x".repeat(1_000) }),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const received = await take(stream, 3);
    expect(received.map((event) => event.seq)).toEqual([1, 2, 3]);
    const last = await stream.next();
    expect((last.value as StreamFailure).error).toBeInstanceOf(SlowConsumerError);
    expect(String((last.value as StreamFailure).error)).toMatch(
      /more than 3500 bytes behind; resubscribe with the last cursor/,
    );
    expect(tracker.active).toBe(0);
  });
});

describe("jobUpdated stream", () => {
  let fixture: EventLogFixture;
  beforeEach(async () => {
    fixture = await openEventLogFixture();
  });
  afterEach(async () => {
    await fixture.close();
  });

  it("sends the stored job when one of its events commits, and frees its listener on return", async () => {
    await fixture.db.prisma.job.create({
      data: {
        id: "job-a",
        name: "demo",
        status: "running",
        scoreText: "name: demo",
        configHash: "h",
        workspace: "/tmp/w",
        totalSheets: 2,
      },
    });
    const tracker = new SubscriptionTracker();
    const stream = openJobStream({
      readModel: fixture.readModel,
      liveEvents: liveEventsFromBus(fixture.bus),
      tracker,
      jobId: "job-a",
    });
    await fixture.commit([draft("job-b", 1, "sheet.dispatched")]);
    await fixture.db.prisma.job.update({ where: { id: "job-a" }, data: { completedSheets: 1 } });
    await fixture.commit([draft("job-a", 1, "sheet.completed")]);
    const [update] = await take(stream, 1);
    expect(update).toMatchObject({ id: "job-a", completedSheets: 1, status: "running" });
    await stream.return();
    expect(fixture.bus.subscriberCount).toBe(0);
    expect(tracker.active).toBe(0);
  });

  it("holds only the ids of changed jobs for a client that does not read, then sends each once, as it is now", async () => {
    for (const id of ["job-a", "job-b"]) {
      await fixture.db.prisma.job.create({
        data: {
          id,
          name: id,
          status: "running",
          scoreText: "x".repeat(100_000),
          configHash: "h",
          workspace: "/tmp/w",
          totalSheets: 50,
        },
      });
    }
    const tracker = new SubscriptionTracker();
    const stream = openJobStream({
      readModel: fixture.readModel,
      liveEvents: liveEventsFromBus(fixture.bus),
      tracker,
      jobId: null,
    });
    for (let done = 1; done <= 50; done += 1) {
      await fixture.db.prisma.job.update({
        where: { id: "job-a" },
        data: { completedSheets: done },
      });
      await fixture.commit([
        draft("job-a", done, "sheet.completed"),
        draft("job-b", done, "sheet.dispatched"),
      ]);
    }
    expect(stream.pending).toBe(2);
    const updates = await take(stream, 2);
    expect(updates.map((job) => [job.id, job.completedSheets])).toEqual([
      ["job-a", 50],
      ["job-b", 0],
    ]);
    expect(stream.pending).toBe(0);
    await stream.return();
    expect(tracker.active).toBe(0);
    expect(fixture.bus.subscriberCount).toBe(0);
  });
});
