/**
 * A `jobUpdated` subscriber that stopped reading had a whole Job row (with its score text) queued
 * for every commit of the job, up to 10,000 rows per subscription, until the heap ran out. The
 * stream (graphql/subscriptions/job-stream.ts) now holds only the ids of changed jobs and reads
 * a job when the client asks for it, so the client gets the latest state once.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SubscriptionTracker } from "../../apps/server/src/graphql/subscriptions/channel.ts";
import { openJobStream } from "../../apps/server/src/graphql/subscriptions/job-stream.ts";
import { liveEventsFromBus } from "../../apps/server/src/graphql/services.ts";
import {
  draft,
  openEventLogFixture,
  type EventLogFixture,
} from "../integration/gateway/fixtures.ts";

describe("a jobUpdated subscriber that does not read", () => {
  let fixture: EventLogFixture;
  beforeEach(async () => {
    fixture = await openEventLogFixture();
  });
  afterEach(async () => {
    await fixture.close();
  });

  it("is owed one id, not a row per commit", async () => {
    await fixture.db.prisma.job.create({
      data: {
        id: "big",
        name: "big",
        status: "running",
        scoreText: "s".repeat(500_000),
        configHash: "h",
        workspace: "/tmp/w",
        totalSheets: 200,
      },
    });
    const stream = openJobStream({
      readModel: fixture.readModel,
      liveEvents: liveEventsFromBus(fixture.bus),
      tracker: new SubscriptionTracker(),
      jobId: "big",
    });
    for (let sheet = 1; sheet <= 200; sheet += 1) {
      await fixture.commit([draft("big", sheet, "sheet.completed")]);
    }
    await fixture.db.prisma.job.update({ where: { id: "big" }, data: { status: "completed" } });
    expect(stream.pending).toBe(1);
    const next = await stream.next();
    expect(next.value).toMatchObject({ id: "big", status: "completed" });
    expect(stream.pending).toBe(0);
    await stream.return();
  });
});
