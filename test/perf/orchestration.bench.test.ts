/**
 * End-to-end orchestration figures through a real server process (submit over GraphQL, SQLite,
 * a subscription open, default server settings), each beside a plain loop that spawns
 * `bash -c true` with the same concurrency and dependency shape in the same run:
 * - 200 independent sheets, 10 at a time (target: wall time within 1.5x of the loop);
 * - a 1 -> 100 -> 1 fan-out, 10 at a time (target: within 1.5x);
 * - a 50-sheet chain (target: at most 3 ms of Podium's own time per step);
 * - 10 jobs of 50 independent sheets, each job with its own subscriber (target: >= 100 sheets/s).
 * Every sheet runs `true` on the `cli` instrument.
 */
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { submitScore, wsClient, type Endpoint } from "../reliability/support/client.ts";
import {
  removeDataDir,
  startServerProcess,
  type ServerProcess,
} from "../reliability/support/server-process.ts";

const CONCURRENCY = 10;

function bench(
  name: string,
  value: number,
  unit: string,
  baseline: number,
  baselineUnit = unit,
  ratio = value / baseline,
): void {
  console.log(
    `bench: ${name} ${value.toFixed(1)} ${unit} | baseline ${baseline.toFixed(1)} ${baselineUnit} | ratio ${ratio.toFixed(3)}`,
  );
}

function spawnTrue(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", "true"], { stdio: "ignore" });
    child.once("error", reject);
    child.once("exit", () => resolve());
  });
}

/** `count` spawns of `bash -c true`, at most `concurrency` at once. */
async function spawnLoop(count: number, concurrency: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next += 1;
      await spawnTrue();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

function score(name: string, sheetLines: string[], maxConcurrent = CONCURRENCY): string {
  return [
    `name: ${name}`,
    "instrument: cli",
    "pause_between_sheets_seconds: 0",
    "parallel:",
    "  enabled: true",
    `  max_concurrent: ${maxConcurrent}`,
    "sheet:",
    "  size: 1",
    ...sheetLines.map((line) => `  ${line}`),
    "prompt:",
    '  template: "true"',
    "",
  ].join("\n");
}

/** Every sheet independent: one declared edge makes the others independent (2 waits for 1). */
const independent = (name: string, sheets: number): string =>
  score(name, [`total_items: ${sheets}`, "dependencies:", "  2: [1]"]);
const chain = (name: string, sheets: number): string => score(name, [`total_items: ${sheets}`], 1);
const fanOut = (name: string, width: number): string =>
  score(name, [
    "total_items: 3",
    "fan_out:",
    `  2: ${width}`,
    "dependencies:",
    "  2: [1]",
    "  3: [2]",
  ]);

let server: ServerProcess;
let endpoint: Endpoint;

beforeAll(async () => {
  server = await startServerProcess();
  endpoint = { url: server.url, wsUrl: server.wsUrl };
});

afterAll(async () => {
  await server?.stop();
  if (server) removeDataDir(server.dataDir);
});

const JOB_FINISHED = /* GraphQL */ `
  subscription ($jobId: ID) {
    sheetEvents(jobId: $jobId) {
      event
    }
  }
`;

/**
 * Submits `scores` at once, each with its own subscriber open before the submit, and resolves
 * with the wall time until every job reported its end. Fails on a job that did not complete.
 */
async function runJobs(scores: string[]): Promise<number> {
  const client = wsClient(endpoint);
  try {
    const started = performance.now();
    const jobs = await Promise.all(scores.map((text) => submitScore(endpoint, text)));
    await Promise.all(
      jobs.map(
        (job) =>
          new Promise<void>((resolve, reject) => {
            const stop = client.subscribe<{ sheetEvents: { event: string } }>(
              { query: JOB_FINISHED, variables: { jobId: job.id } },
              {
                next: ({ data }) => {
                  const event = data?.sheetEvents.event ?? "";
                  if (event === "job.completed") {
                    stop();
                    resolve();
                  } else if (event === "job.failed" || event === "job.cancelled") {
                    stop();
                    reject(new Error(`job ${job.id} ended with ${event}`));
                  }
                },
                error: reject,
                complete: () => undefined,
              },
            );
          }),
      ),
    );
    return performance.now() - started;
  } finally {
    await client.dispose();
  }
}

describe("orchestration through the real server", () => {
  it("warms up", async () => {
    await runJobs([independent("warm-up", 20)]);
    await spawnLoop(20, CONCURRENCY);
  });

  it("200 independent sheets at 10 concurrent", async () => {
    const loop = await timed(() => spawnLoop(200, CONCURRENCY));
    const podium = await runJobs([independent("independent-200", 200)]);
    bench("independent-200-wall", podium, "ms", loop);
    bench("independent-200-sheets-per-s", 200_000 / podium, "sheets/s", 200_000 / loop);
    expect(podium).toBeGreaterThan(0);
  });

  it("a 1 -> 100 -> 1 fan-out at 10 concurrent", async () => {
    const loop = await timed(async () => {
      await spawnLoop(1, 1);
      await spawnLoop(100, CONCURRENCY);
      await spawnLoop(1, 1);
    });
    const podium = await runJobs([fanOut("fan-out-100", 100)]);
    bench("fan-out-1-100-1-wall", podium, "ms", loop);
    expect(podium).toBeGreaterThan(0);
  });

  it("a 50-sheet chain", async () => {
    const loop = await timed(() => spawnLoop(50, 1));
    const podium = await runJobs([chain("chain-50", 50)]);
    bench("chain-50-wall", podium, "ms", loop);
    const perStep = (podium - loop) / 50;
    bench(
      "chain-50-podium-ms-per-step",
      perStep,
      "ms",
      loop / 50,
      "ms (loop per step)",
      perStep / 3,
    );
    expect(podium).toBeGreaterThan(0);
  });

  it("10 jobs of 50 independent sheets, a subscriber each", async () => {
    const loop = await timed(() => spawnLoop(500, CONCURRENCY));
    const podium = await runJobs(
      Array.from({ length: 10 }, (_, i) => independent(`jobs-${i}`, 50)),
    );
    bench(
      "ten-jobs-sheets-per-s",
      500_000 / podium,
      "sheets/s",
      500_000 / loop,
      "sheets/s",
      podium === 0 ? 0 : loop / podium,
    );
    expect(podium).toBeGreaterThan(0);
  });
});
