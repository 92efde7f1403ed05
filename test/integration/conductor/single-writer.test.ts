/**
 * The baton's runtime is the only writer of the event log: submissions, dry runs, hooks and
 * sheets all reach SQLite through its commits, so the bus sees every logged event once, in seq
 * order, with no gap to fill from the log.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { EventRecord } from "../../../apps/server/src/contracts/event-log.ts";
import {
  allEvents,
  cliScore,
  startHarness,
  waitFor,
  waitForJob,
  type Harness,
} from "./support/podium-harness.ts";

describe("one writer of the event log", () => {
  let harness: Harness | null = null;
  afterEach(async () => {
    expect(harness?.inconsistencies ?? []).toEqual([]);
    await harness?.dispose();
    harness = null;
  });

  it("publishes every logged event exactly once, in order, across submits, dry runs and hooks", async () => {
    const errors: unknown[] = [];
    harness = await startHarness({ onError: (error) => errors.push(error) });
    const { podium } = harness;
    const published: EventRecord[] = [];
    podium.bus.subscribe((event) => void published.push(event));
    const hooked =
      cliScore({ name: "hooked", sheets: 2, body: "true" }) +
      'on_success:\n  - type: run_command\n    command: "true"\n';
    const outcomes = await Promise.all([
      podium.conductor.submitJob({ score: hooked }),
      podium.conductor.submitJob({ score: cliScore({ sheets: 3, body: "true" }), startSheet: 2 }),
      podium.conductor.submitJob({ score: cliScore({ sheets: 2, body: "true" }), dryRun: true }),
    ]);
    const ids = outcomes.map((outcome) => {
      if (!outcome.ok) throw new Error(outcome.message);
      return outcome.jobId;
    });
    expect(await waitForJob(podium, ids[0]!)).toBe("completed");
    expect(await waitForJob(podium, ids[1]!)).toBe("completed");
    await waitFor(
      async () => !(await podium.store.loadJob(ids[0]!))!.job.hooksPending,
      "hooks to finish",
    );

    const logged = await allEvents(podium);
    await waitFor(() => published.length === logged.length, "the bus to catch up");
    expect(published.map((e) => e.seq)).toEqual(logged.map((e) => e.seq));
    expect(logged.map((e) => e.seq)).toEqual(logged.map((_, i) => i + 1));
    expect(errors).toEqual([]);
    // Each job's row was in place before its first event: job.submitted opens its log.
    for (const id of ids) expect((await allEvents(podium, id))[0]!.event).toBe("job.submitted");
    expect((await allEvents(podium, ids[2])).map((e) => e.event)).toEqual([
      "job.submitted",
      "job.cancelled",
    ]);
    expect(
      (await allEvents(podium, ids[0])).filter((e) => e.event.startsWith("hook.")),
    ).toHaveLength(2);
  });

  it("refuses a second job under a taken idempotency key inside the commit itself", async () => {
    harness = await startHarness();
    const { store } = harness.podium;
    const row = (id: string) => ({
      id,
      name: id,
      status: "cancelled" as const,
      scoreText: "name: x",
      configHash: "h",
      spec: null,
      workspace: "/tmp/x",
      idempotencyKey: "only-once",
      warnings: [],
      options: {},
      totalSheets: 0,
      concertDepth: 0,
      parentJobId: null,
      hooksPending: false,
      createdAt: 0,
    });
    const empty = { jobs: [], sheets: [], attempts: [], events: [] };
    await store.commit({ ...empty, newJobs: [row("first")] });
    await expect(store.commit({ ...empty, newJobs: [row("second")] })).rejects.toThrow(
      /already names job first/,
    );
    expect((await store.findJobByIdempotencyKey("only-once"))?.record.id).toBe("first");
    expect(await store.loadJob("second")).toBeNull();
  });
});
