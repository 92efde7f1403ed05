/**
 * End-to-end orchestration figures through a real server process (submit over GraphQL, SQLite,
 * a subscription open, default server settings), each beside a plain loop that spawns
 * `bash -c true` with the same concurrency and dependency shape in the same run (in a small
 * process of its own, support/spawn-loop.mjs):
 * - 200 independent sheets, 10 at a time (target: wall time within 1.5x of the loop);
 * - a 1 -> 100 -> 1 fan-out, 10 at a time (target: within 1.5x);
 * - a 50-sheet chain (target: at most 3 ms of Podium's own time per step);
 * - 10 jobs of 50 independent sheets, each job with its own subscriber (target: >= 100 sheets/s).
 * Every sheet runs `true` on the `cli` instrument. Each figure's ratio is value / baseline.
 * Apart from the server, the instrument path alone (the `cli` backend starting `true` through the
 * spawner helpers, in this process) is set against the same loop run in this process: what it adds to the loop is
 * the cost of running an attempt, the rest of the end-to-end difference is orchestration.
 * Beside the wall times, the CPU that Podium's processes spend per sheet (the server with its
 * spawner helper, and the server alone) is set against the CPU this process spends per spawn in
 * the loop: on a shared, noisy machine it varies far less than wall time.
 *
 * The figures are those of a server that has been working for a while: a just-started server
 * spends much of its CPU compiling its own hot paths (V8's optimising compiler, on threads of its
 * own) during its first few thousand sheets. So the server first plays a rehearsal (every
 * workload once, and WARM_UP_SHEETS more), then each workload is measured ROUNDS times, each
 * round the loop and then Podium, and the medians are compared. How a just-started server does
 * is one figure of its own, measured first (`first-job-independent-200-wall`).
 */
import { execFileSync, fork, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBackendPool } from "../../apps/server/src/instruments/pool.ts";
import { submitScore, wsClient, type Endpoint } from "../reliability/support/client.ts";
import {
  removeDataDir,
  startServerProcess,
  type ServerProcess,
} from "../reliability/support/server-process.ts";

const CONCURRENCY = 10;
const ROUNDS = 3;
const WARM_UP_SHEETS = 1500;
const CLOCK_TICKS_PER_S = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }));

function bench(
  name: string,
  value: number,
  unit: string,
  baseline: number,
  baselineUnit = unit,
): void {
  const ratio = baseline === 0 ? Number.NaN : value / baseline;
  console.log(
    `bench: ${name} ${value.toFixed(2)} ${unit} | baseline ${baseline.toFixed(2)} ${baselineUnit} | ratio ${ratio.toFixed(3)}`,
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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** [name, user + system CPU in ms] of a process, from /proc/<pid>/stat. */
function processCpu(pid: number): [string, number] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return [name, ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S];
  } catch {
    return null;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, "utf8")
        .split(" ")
        .filter(Boolean)
        .map(Number),
    );
  } catch {
    return [];
  }
}

/**
 * CPU ms used so far by the server itself, and by it with its Node children (the spawner
 * helper); the sheets' own processes are not counted.
 */
function podiumCpuMs(): { server: number; withHelper: number } {
  const own = processCpu(server.pid)?.[1] ?? 0;
  let helpers = 0;
  for (const pid of childrenOf(server.pid)) {
    const cpu = processCpu(pid);
    if (cpu && cpu[0] === "node") helpers += cpu[1];
  }
  return { server: own, withHelper: own + helpers };
}

/** Stages of [count, concurrency] of the plain loop, run one after another. */
type LoopStages = Array<[number, number]>;

let loopProcess: ChildProcess;

/** The plain loop, run by the loop process (support/spawn-loop.mjs): its wall time and CPU. */
function runLoop(stages: LoopStages): Promise<{ wallMs: number; cpuMs: number }> {
  return new Promise((resolve, reject) => {
    loopProcess.once("message", (answer: { wallMs: number; cpuMs: number; error?: string }) =>
      answer.error ? reject(new Error(answer.error)) : resolve(answer),
    );
    loopProcess.send({ stages });
  });
}

/**
 * Median wall time of the loop and of Podium over ROUNDS rounds (the loop, then Podium, in each),
 * and the CPU per sheet of each over all rounds, for one workload.
 */
async function compare(
  name: string,
  sheets: number,
  loop: LoopStages,
  podium: () => Promise<number>,
): Promise<{ loopMs: number; podiumMs: number }> {
  const loopWalls: number[] = [];
  const podiumWalls: number[] = [];
  let loopCpu = 0;
  const podiumCpu = { server: 0, withHelper: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    const { wallMs, cpuMs } = await runLoop(loop);
    loopWalls.push(wallMs);
    loopCpu += cpuMs;
    const podiumBefore = podiumCpuMs();
    podiumWalls.push(await podium());
    const podiumAfter = podiumCpuMs();
    podiumCpu.server += podiumAfter.server - podiumBefore.server;
    podiumCpu.withHelper += podiumAfter.withHelper - podiumBefore.withHelper;
  }
  const loopMs = median(loopWalls);
  const podiumMs = median(podiumWalls);
  bench(`${name}-wall`, podiumMs, "ms", loopMs);
  for (const [label, key] of [
    ["podium", "withHelper"],
    ["server", "server"],
  ] as const)
    bench(
      `${name}-${label}-cpu-per-sheet`,
      podiumCpu[key] / (sheets * ROUNDS),
      "ms",
      loopCpu / (sheets * ROUNDS),
      "ms (loop cpu per spawn)",
    );
  return { loopMs, podiumMs };
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
  loopProcess = fork(new URL("./support/spawn-loop.mjs", import.meta.url), [], {
    execArgv: [],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  server = await startServerProcess();
  endpoint = { url: server.url, wsUrl: server.wsUrl };
});

afterAll(async () => {
  loopProcess?.kill();
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

describe("the instrument path alone", () => {
  it("200 runs of `true` through the cli backend at 10 concurrent", async () => {
    const { pool } = createBackendPool({});
    const workspace = mkdtempSync(path.join(tmpdir(), "podium-bench-"));
    let failures = 0;
    const runTrue = async (): Promise<void> => {
      const result = await pool.run("cli", {
        prompt: "true",
        model: null,
        workspace,
        timeoutSeconds: 60,
        signal: new AbortController().signal,
      });
      if (!result.executionSuccess) failures += 1;
    };
    const runs = async (count: number): Promise<void> => {
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < count) {
          next += 1;
          await runTrue();
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    };
    try {
      await runs(20);
      const loopMs = await timed(() => spawnLoop(200, CONCURRENCY));
      const pathMs = await timed(() => runs(200));
      bench("instrument-path-200-wall", pathMs, "ms", loopMs);
    } finally {
      await pool.close();
      rmSync(workspace, { recursive: true, force: true });
    }
    expect(failures).toBe(0);
  });
});

const fanOutLoop: LoopStages = [
  [1, 1],
  [100, CONCURRENCY],
  [1, 1],
];
const tenJobs = (): string[] => Array.from({ length: 10 }, (_, i) => independent(`jobs-${i}`, 50));

describe("orchestration through the real server", () => {
  it("a just-started server: its first job of 200 independent sheets", async () => {
    await runLoop([[20, CONCURRENCY]]);
    const { wallMs: loopMs } = await runLoop([[200, CONCURRENCY]]);
    const podiumMs = await runJobs([independent("first-job", 200)]);
    bench("first-job-independent-200-wall", podiumMs, "ms", loopMs);
    expect(podiumMs).toBeGreaterThan(0);
  });

  it("rehearses every workload once", async () => {
    await runJobs([independent("warm-up", WARM_UP_SHEETS)]);
    await runJobs([independent("rehearsal", 200)]);
    await runJobs([fanOut("rehearsal", 100)]);
    await runJobs([chain("rehearsal", 50)]);
    await runJobs(tenJobs());
  });

  // Target: ratio <= 1.5.
  it("200 independent sheets at 10 concurrent", async () => {
    const { loopMs, podiumMs } = await compare("independent-200", 200, [[200, CONCURRENCY]], () =>
      runJobs([independent("independent-200", 200)]),
    );
    bench("independent-200-sheets-per-s", 200_000 / podiumMs, "sheets/s", 200_000 / loopMs);
    expect(podiumMs).toBeGreaterThan(0);
  });

  // Target: ratio <= 1.5.
  it("a 1 -> 100 -> 1 fan-out at 10 concurrent", async () => {
    const { podiumMs } = await compare("fan-out-1-100-1", 102, fanOutLoop, () =>
      runJobs([fanOut("fan-out-100", 100)]),
    );
    expect(podiumMs).toBeGreaterThan(0);
  });

  // Target: Podium's own time per step (its wall time beyond the loop's) <= 3 ms.
  it("a 50-sheet chain", async () => {
    const { loopMs, podiumMs } = await compare("chain-50", 50, [[50, 1]], () =>
      runJobs([chain("chain-50", 50)]),
    );
    bench(
      "chain-50-podium-ms-per-step",
      (podiumMs - loopMs) / 50,
      "ms",
      loopMs / 50,
      "ms (loop per step)",
    );
    expect(podiumMs).toBeGreaterThan(0);
  });

  // Target: >= 100 sheets/s.
  it("10 jobs of 50 independent sheets, a subscriber each", async () => {
    const { loopMs, podiumMs } = await compare("ten-jobs", 500, [[500, CONCURRENCY]], () =>
      runJobs(tenJobs()),
    );
    bench("ten-jobs-sheets-per-s", 500_000 / podiumMs, "sheets/s", 500_000 / loopMs);
    expect(podiumMs).toBeGreaterThan(0);
  });
});
