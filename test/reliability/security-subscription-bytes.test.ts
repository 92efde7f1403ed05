/**
 * Subscriptions are bounded in bytes. A client subscribes to `jobUpdated` twenty times, stops
 * reading its socket, and a 100-sheet job whose score text is 400 KB runs: every commit would owe
 * it a whole Job row per subscription. The server holds only which jobs changed, so its memory
 * stays within a budget far below what the stalled client is owed; once the client reads again it
 * gets the latest Job (COMPLETED), not a backlog. Another client is answered throughout.
 */
import { afterAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { post, readEventLog, sleep, submitScore, waitForJob } from "./support/client.ts";
import { counterScore } from "./support/scores.ts";
import {
  MB,
  removeDataDir,
  RssSampler,
  startServerProcess,
  type ServerProcess,
} from "./support/server-process.ts";

const SUBSCRIPTIONS = 20;
const SHEETS = 100;
const SCORE_PADDING = 400_000;
const RSS_BUDGET_MB = 100;
const JOB_UPDATED = "subscription { jobUpdated { id status completedSheets score } }";

interface JobUpdate {
  id: string;
  status: string;
  completedSheets: number;
  score: string;
}

/** A raw graphql-ws client that subscribes, then stops reading until `resume()`. */
async function openStalledSubscriber(wsUrl: string) {
  const socket = new WebSocket(wsUrl, "graphql-transport-ws");
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  socket.send(JSON.stringify({ type: "connection_init", payload: {} }));
  await new Promise<void>((resolve, reject) => {
    socket.once("message", (data) => {
      const message = JSON.parse(String(data)) as { type: string };
      if (message.type === "connection_ack") resolve();
      else reject(new Error(`expected connection_ack, got ${String(data)}`));
    });
  });
  const received = new Map<string, JobUpdate[]>();
  socket.on("message", (data) => {
    const message = JSON.parse(String(data)) as {
      id: string;
      type: string;
      payload?: { data?: { jobUpdated: JobUpdate } };
    };
    const update = message.payload?.data?.jobUpdated;
    if (message.type !== "next" || !update) return;
    received.set(message.id, [...(received.get(message.id) ?? []), update]);
  });
  const tcp = (socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
  tcp.pause();
  for (let index = 0; index < SUBSCRIPTIONS; index += 1) {
    socket.send(
      JSON.stringify({ id: `job-${index}`, type: "subscribe", payload: { query: JOB_UPDATED } }),
    );
  }
  return { socket, received, resume: () => tcp.resume() };
}

describe(`a jobUpdated subscriber that stops reading while a ${SHEETS}-sheet job with a ${SCORE_PADDING / 1000} KB score runs`, () => {
  let server: ServerProcess | null = null;
  afterAll(async () => {
    await server?.stop();
    if (server) removeDataDir(server.dataDir);
  });

  it("costs the server a bounded amount and then gets the latest job, not a backlog", async () => {
    server = await startServerProcess();
    const live = server;
    const endpoint = { url: server.url, wsUrl: server.wsUrl };
    // A small job of the same shape first, so the baseline already holds what any job starts
    // once (template workers, the spawner helper, warm caches): the growth is the subscriber's.
    const warmUp = await submitScore(
      endpoint,
      counterScore({
        name: "warm-up",
        sheets: 10,
        independent: true,
        maxConcurrent: 10,
        description: "d".repeat(SCORE_PADDING),
      }),
    );
    expect((await waitForJob(endpoint, warmUp.id, 120_000)).status).toBe("COMPLETED");
    await sleep(1_000);
    const baselineBytes = server.rssBytes()!;
    const sampler = new RssSampler(() => live.rssBytes(), 50).start();

    const stalled = await openStalledSubscriber(server.wsUrl);
    const score = counterScore({
      name: "big-score",
      sheets: SHEETS,
      independent: true,
      maxConcurrent: 10,
      description: "d".repeat(SCORE_PADDING),
    });
    const job = await submitScore(endpoint, score);
    let probes = 0;
    let finished = false;
    const probing = (async () => {
      while (!finished) {
        const probe = await post(endpoint, "{ __typename }");
        expect(probe.body?.data).toEqual({ __typename: "Query" });
        probes += 1;
        await sleep(200);
      }
    })();
    const done = await waitForJob(endpoint, job.id, 300_000);
    expect(done.status).toBe("COMPLETED");
    await sleep(2_000);
    finished = true;
    await probing;
    const { peakBytes } = sampler.stop();
    const events = (await readEventLog(endpoint, job.id)).length;

    stalled.resume();
    const latest = (id: string) => stalled.received.get(id)?.at(-1);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const ids = Array.from({ length: SUBSCRIPTIONS }, (_, index) => `job-${index}`);
      if (ids.every((id) => latest(id)?.status === "COMPLETED")) break;
      await sleep(200);
    }
    const counts = [...stalled.received.values()].map((updates) => updates.length);
    const growthMb = (peakBytes - baselineBytes) / MB;
    const owedMb = (events * SUBSCRIPTIONS * SCORE_PADDING) / MB;
    console.log(
      `reliability slow jobUpdated: ${events} job events, owed ${owedMb.toFixed(0)} MB over ${SUBSCRIPTIONS} stalled subscriptions; ` +
        `server RSS grew ${growthMb.toFixed(0)} MB (budget ${RSS_BUDGET_MB} MB); updates received per subscription ${counts.join(",")}; ${probes} probes answered`,
    );
    console.log(
      `bench: reliability-slow-job-subscriber-peak-rss ${(peakBytes / MB).toFixed(1)} MB | baseline ${(baselineBytes / MB).toFixed(1)} MB | ratio ${(peakBytes / baselineBytes).toFixed(2)}`,
    );
    expect(owedMb, "the test must owe the stalled client far more than the budget").toBeGreaterThan(
      RSS_BUDGET_MB * 3,
    );
    expect(growthMb, "server RSS growth while a jobUpdated client does not read (MB)").toBeLessThan(
      RSS_BUDGET_MB,
    );
    expect(probes).toBeGreaterThan(0);
    for (let index = 0; index < SUBSCRIPTIONS; index += 1) {
      const updates = stalled.received.get(`job-${index}`) ?? [];
      expect(updates.at(-1), `subscription job-${index} ends with the latest job`).toMatchObject({
        id: job.id,
        status: "COMPLETED",
        completedSheets: SHEETS,
      });
      expect(updates.at(-1)!.score).toBe(score);
      expect(updates.length, "updates sent once the client read again").toBeLessThan(events / 4);
    }
    expect(live.child.exitCode).toBeNull();
    stalled.socket.terminate();
  });
});
