/**
 * Baton benchmarks (opt-in: `vitest run --project perf`). Each figure is printed beside a
 * baseline measured in the same run:
 *   - transition: median µs per core transition (a result in a large job's steady state) vs a
 *     bare object update, and transitions/s of timed transition time;
 *   - dispatch: p99 µs per dispatched sheet (dispatch pass + request + no-op musician call) vs a
 *     bare EventEmitter emit;
 *   - a 10,000-sheet job through the whole adapter on a no-op instrument vs bare async round trips.
 */
import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { BatonRuntime } from "../../apps/server/src/baton/runtime/baton-runtime.ts";
import { dispatchReady } from "../../apps/server/src/baton/core/dispatch.ts";
import type { CheckpointStore } from "../../apps/server/src/baton/runtime/ports.ts";
import { buildAttemptRequest } from "../../apps/server/src/baton/core/request.ts";
import { createBatonState, type DispatchOrder } from "../../apps/server/src/baton/core/state.ts";
import { transition } from "../../apps/server/src/baton/core/transition.ts";
import { independent, resultFor, spec } from "../unit/baton/support/fixtures.ts";
import { FakeClock, FakeTimerHost } from "../unit/baton/support/fake-time.ts";

const UNLIMITED = { maxConcurrentSheets: 1_000_000, instrumentLimit: () => 1_000_000 };

function quantile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function line(
  name: string,
  value: number,
  unit: string,
  baseline: number,
  baselineUnit = unit,
): void {
  const ratio = baseline > 0 ? value / baseline : Number.POSITIVE_INFINITY;
  console.log(
    `bench: ${name} ${value.toFixed(3)} ${unit} | baseline ${baseline.toFixed(3)} ${baselineUnit} | ratio ${ratio.toFixed(2)}`,
  );
}

const nowNs = () => Number(process.hrtime.bigint());

/**
 * Times the result transition of every sheet of a large job in its steady state: ten sheets
 * playing, the oldest reports, the (untimed) dispatch pass refills the slot.
 */
function measureTransitions(sheets: number): { samples: number[]; totalNs: number; count: number } {
  const limits = { maxConcurrentSheets: 10, instrumentLimit: () => 10 };
  const state = createBatonState();
  const jobSpec = spec("bench", independent(sheets), {
    parallel: { enabled: true, maxConcurrent: 10 },
    circuitBreaker: { enabled: false },
  });
  transition(state, { kind: "RegisterJob", spec: jobSpec }, 0);
  const playing: DispatchOrder[] = [...dispatchReady(state, 0, limits).dispatched];
  const samples: number[] = [];
  let totalNs = 0;
  for (let i = 1; playing.length > 0; i++) {
    const event = {
      kind: "SheetAttemptResult" as const,
      result: resultFor(playing.shift()!, { costUsd: 0.001 }),
    };
    const t0 = nowNs();
    transition(state, event, 1000 + i);
    const elapsed = nowNs() - t0;
    samples.push(elapsed);
    totalNs += elapsed;
    playing.push(...dispatchReady(state, 1000 + i, limits).dispatched);
  }
  expect(state.jobs.get("bench")!.record.status).toBe("completed");
  expect(samples).toHaveLength(sheets);
  return { samples, totalNs, count: sheets };
}

/** The least a transition must do: one object update per event, timed the same way. */
function measureBaseline(count: number): { samples: number[]; totalNs: number; count: number } {
  const records = Array.from({ length: count }, (_, i) => ({
    num: i + 1,
    status: "dispatched",
    costUsd: 0,
  }));
  const samples: number[] = [];
  let totalNs = 0;
  for (let i = 0; i < records.length; i++) {
    const t0 = nowNs();
    records[i] = { ...records[i]!, status: "completed", costUsd: records[i]!.costUsd + 0.001 };
    const elapsed = nowNs() - t0;
    samples.push(elapsed);
    totalNs += elapsed;
  }
  expect(records.every((r) => r.status === "completed")).toBe(true);
  return { samples, totalNs, count };
}

/**
 * Times, per sheet, the dispatch pass that starts it, building its request and calling a no-op
 * musician; the previous sheet's result (untimed) frees the job's single slot each time.
 */
function measureDispatch(sheets: number): number[] {
  const state = createBatonState();
  const jobSpec = spec("bench", independent(sheets), {
    parallel: { enabled: true, maxConcurrent: 1 },
    circuitBreaker: { enabled: false },
  });
  transition(state, { kind: "RegisterJob", spec: jobSpec }, 0);
  const job = state.jobs.get("bench")!;
  const noopMusician = { play: (_request: unknown) => Promise.resolve() };
  const samples: number[] = [];
  let pending: DispatchOrder | undefined = dispatchReady(state, 0, UNLIMITED).dispatched[0];
  for (let i = 1; pending !== undefined; i++) {
    transition(state, { kind: "SheetAttemptResult", result: resultFor(pending) }, i);
    const t0 = nowNs();
    const pass = dispatchReady(state, i, UNLIMITED);
    for (const order of pass.dispatched) void noopMusician.play(buildAttemptRequest(job, order));
    const elapsed = nowNs() - t0;
    pending = pass.dispatched[0];
    if (pending !== undefined) samples.push(elapsed);
  }
  expect(samples.length).toBe(sheets - 1);
  return samples;
}

/** A bare EventEmitter emit with one listener, timed the same way. */
function measureEmit(count: number): number[] {
  const emitter = new EventEmitter();
  let received = 0;
  emitter.on("dispatch", () => {
    received += 1;
  });
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = nowNs();
    emitter.emit("dispatch", { jobId: "bench", sheetNum: i });
    samples.push(nowNs() - t0);
  }
  expect(received).toBe(count);
  return samples;
}

/**
 * Engine time of a whole job through the adapter: inbox, core, dispatch, timers and commits. The
 * store only numbers events and counts attempts (the SQLite store is measured on its own).
 */
async function runJobThroughAdapter(sheets: number): Promise<number> {
  const clock = new FakeClock();
  let seq = 0;
  let attempts = 0;
  const store: CheckpointStore = {
    commit: async (batch) => {
      attempts += batch.attempts.length;
      return batch.events.map((e) => ({ ...e, seq: ++seq }));
    },
  };
  const adapter = new BatonRuntime({
    store,
    sink: { publish: () => undefined },
    clock,
    timers: new FakeTimerHost(clock),
    musician: { play: (request) => Promise.resolve(resultFor(request)) },
    maxConcurrentSheets: 10,
  });
  void adapter.run();
  const jobSpec = spec("big", independent(sheets), {
    parallel: { enabled: true, maxConcurrent: 10 },
  });
  const started = performance.now();
  await adapter.registerJob(jobSpec);
  const completed = await adapter.waitForCompletion("big");
  const engineMs = performance.now() - started;
  expect(completed).toBe(true);
  expect(attempts).toBe(sheets);
  await adapter.shutdown();
  return engineMs;
}

describe("baton benchmarks", () => {
  it("core transition time", () => {
    // One untimed round first, so the figures describe optimised code, not the JIT warming up.
    measureTransitions(5_000);
    const { samples, totalNs, count } = measureTransitions(20_000);
    measureBaseline(5_000);
    const baseline = measureBaseline(20_000);
    const median = quantile(samples, 0.5) / 1000;
    line("baton.transition.median", median, "µs", quantile(baseline.samples, 0.5) / 1000);
    const perSecond = count / (totalNs / 1e9);
    const basePerSecond = baseline.count / (baseline.totalNs / 1e9);
    line("baton.transition.throughput", perSecond, "transitions/s", basePerSecond, "updates/s");
  });

  it("dispatch overhead per sheet", () => {
    measureDispatch(5_000);
    const samples = measureDispatch(20_000);
    measureEmit(5_000);
    const baseline = measureEmit(20_000);
    line(
      "baton.dispatch.p99",
      quantile(samples, 0.99) / 1000,
      "µs",
      quantile(baseline, 0.99) / 1000,
    );
    line(
      "baton.dispatch.median",
      quantile(samples, 0.5) / 1000,
      "µs",
      quantile(baseline, 0.5) / 1000,
    );
  });

  it("a 10,000-sheet job on a no-op instrument", async () => {
    const sheets = 10_000;
    await runJobThroughAdapter(1_000);
    const engineMs = await runJobThroughAdapter(sheets);

    // Baseline: the same number of bare sequential async round trips.
    const baseStarted = performance.now();
    let sink = 0;
    for (let i = 0; i < sheets; i++) sink += (await Promise.resolve(i)) & 1;
    const baseMs = performance.now() - baseStarted;
    expect(sink).toBe(sheets / 2);
    line("baton.job10k.engine_time", engineMs, "ms", baseMs);
  });
});
