import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  collectEvents,
  exampleScore,
  startGatewayHarness,
  submit,
  TERMINAL_JOB_EVENTS,
  type GatewayHarness,
  type SheetEventData,
} from "./harness.ts";

const EVENTS_PAGE = /* GraphQL */ `
  query Log($jobId: ID, $after: String) {
    events(jobId: $jobId, after: $after, first: 500) {
      edges {
        cursor
        node {
          cursor
          seq
          jobId
          sheetNum
          event
          data
          timestamp
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

interface EventPage {
  edges: { node: SheetEventData }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

async function wholeLog(harness: GatewayHarness, jobId: string): Promise<SheetEventData[]> {
  const events: SheetEventData[] = [];
  let after: string | null = null;
  for (;;) {
    const response: { body: { data?: { events: EventPage } } } = await harness.request<{
      events: EventPage;
    }>(EVENTS_PAGE, { jobId, after });
    const page = response.body.data!.events;
    events.push(...page.edges.map((edge) => edge.node));
    if (!page.pageInfo.hasNextPage) return events;
    after = page.pageInfo.endCursor;
  }
}

const isTerminal = (event: SheetEventData): boolean =>
  event.sheetNum === 0 && TERMINAL_JOB_EVENTS.has(event.event);

async function waitForSubscriptions(harness: GatewayHarness, count: number): Promise<void> {
  for (let tries = 0; tries < 200; tries += 1) {
    const { body } = await harness.request<{ health: { activeSubscriptions: number } }>(
      "{ health { activeSubscriptions } }",
    );
    if (body.data!.health.activeSubscriptions === count) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`active subscriptions never reached ${count}`);
}

describe("sheetEvents over graphql-ws", () => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    harness = await startGatewayHarness();
  });
  afterAll(async () => {
    await harness.close();
  });

  it("delivers every event of an example job through completion, as in the log", async () => {
    const client = harness.wsClient();
    const jobId = await submit(harness, exampleScore("linear-pipeline"));
    const live = await collectEvents(client, { jobId }, isTerminal);
    expect(live.at(-1)!.event).toBe("job.completed");
    expect(live[0]!.event).toBe("job.submitted");
    expect(
      live.filter((event) => event.event === "sheet.completed").map((event) => event.sheetNum),
    ).toEqual([1, 2, 3]);
    expect(live).toEqual(await wholeLog(harness, jobId));
    const seqs = live.map((event) => event.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    await waitForSubscriptions(harness, 0);
  });

  it("after a disconnect mid-run, resuming from the last cursor gives exactly the missed events", async () => {
    const score = exampleScore("fan-out-fan-in");
    const first = harness.wsClient();
    const jobId = await submit(harness, score);
    // Leave after the second event, long before the job ends.
    const before = await collectEvents(
      first,
      { jobId },
      (_event, received) => received.length === 2,
    );
    await first.dispose();
    await waitForSubscriptions(harness, 0);
    const second = harness.wsClient();
    const after = await collectEvents(second, { jobId, after: before.at(-1)!.cursor }, isTerminal);
    const log = await wholeLog(harness, jobId);
    expect([...before, ...after]).toEqual(log);
    expect(after[0]!.seq).toBe(before.at(-1)!.seq + 1);
  });

  it("gives 50 concurrent subscribers of one job the identical sequence", async () => {
    const clients = Array.from({ length: 50 }, () => harness.wsClient());
    // The job is already running when the clients join, so each stream mixes replay and live.
    const jobId = await submit(harness, exampleScore("linear-pipeline"));
    const streams = await Promise.all(
      clients.map((client) => collectEvents(client, { jobId }, isTerminal)),
    );
    const log = await wholeLog(harness, jobId);
    for (const stream of streams) expect(stream).toEqual(log);
    await Promise.all(clients.map((client) => client.dispose()));
    await waitForSubscriptions(harness, 0);
  });

  it("gives clients of the same job different selections their own shapes", async () => {
    const narrow = harness.wsClient();
    const wide = harness.wsClient();
    const jobId = await submit(harness, exampleScore("retry-then-pass"));
    const collect = async (client: typeof narrow, selection: string) => {
      const received: Record<string, unknown>[] = [];
      for await (const result of client.iterate<{ sheetEvents: Record<string, unknown> }>({
        query: `subscription ($jobId: ID) { sheetEvents(jobId: $jobId) { ${selection} } }`,
        variables: { jobId },
      })) {
        received.push(result.data!.sheetEvents);
        if (TERMINAL_JOB_EVENTS.has(String(result.data!.sheetEvents.event))) break;
      }
      return received;
    };
    const [narrowEvents, wideEvents] = await Promise.all([
      collect(narrow, "seq event"),
      collect(wide, "seq event jobId sheetNum"),
    ]);
    expect(narrowEvents.every((event) => Object.keys(event).join() === "seq,event")).toBe(true);
    expect(
      wideEvents.every((event) => event.jobId === jobId && typeof event.sheetNum === "number"),
    ).toBe(true);
    expect(narrowEvents.map((event) => event.seq)).toEqual(wideEvents.map((event) => event.seq));
  });

  it("frees the server's subscription when a client completes it", async () => {
    const client = harness.wsClient();
    const seen: unknown[] = [];
    const stop = client.subscribe(
      { query: 'subscription { sheetEvents(jobId: "no-such-job") { seq } }' },
      { next: (value) => seen.push(value), error: () => undefined, complete: () => undefined },
    );
    await waitForSubscriptions(harness, 1);
    stop();
    await waitForSubscriptions(harness, 0);
    const { body } = await harness.request<{ health: { ok: boolean } }>("{ health { ok } }");
    expect(body.data!.health.ok).toBe(true);
    expect(seen).toEqual([]);
  });

  it("sends jobUpdated with the committed job until it completes", async () => {
    const client = harness.wsClient();
    const updates: { id: string; status: string; completedSheets: number }[] = [];
    const done = new Promise<void>((resolve, reject) => {
      client.subscribe<{ jobUpdated: { id: string; status: string; completedSheets: number } }>(
        { query: "subscription { jobUpdated { id status completedSheets } }" },
        {
          next: (result) => {
            updates.push(result.data!.jobUpdated);
            if (result.data!.jobUpdated.status === "COMPLETED") resolve();
          },
          error: reject,
          complete: () => undefined,
        },
      );
    });
    await waitForSubscriptions(harness, 1);
    const jobId = await submit(harness, exampleScore("retry-then-pass"));
    await done;
    expect(updates.every((update) => update.id === jobId)).toBe(true);
    expect(updates.at(-1)).toEqual({ id: jobId, status: "COMPLETED", completedSheets: 1 });
    await client.dispose();
    await waitForSubscriptions(harness, 0);
  });
});
