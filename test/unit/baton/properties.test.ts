/**
 * Random event sequences against the core and the dispatch pass, with a model of the musicians
 * outside: terminal is absorbing, no sheet is dispatched while its musician lives, no limit is
 * exceeded, no budget goes negative, and a job whose sheets are all terminal reports an outcome.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { BatonEvent } from "../../../apps/server/src/baton/events.ts";
import { isTerminalSheet } from "../../../apps/server/src/baton/status.ts";
import type { DispatchOrder } from "../../../apps/server/src/baton/state.ts";
import { Engine } from "./support/engine.ts";
import {
  AUTH,
  FAILED,
  RATE_LIMITED,
  partial,
  plan,
  resultFor,
  spec,
  type ResultShape,
} from "./support/fixtures.ts";
import { checkInvariants } from "./support/invariants.ts";

const LIMITS = {
  maxConcurrentSheets: 3,
  instrumentLimit: (name: string) => (name === "a" ? 2 : 1),
};

const OUTCOMES: ResultShape[] = [
  {},
  FAILED,
  AUTH,
  RATE_LIMITED,
  partial(1, 2),
  partial(0, 2),
  { ...FAILED, costUsd: 3 },
];

type Action =
  | { t: "result"; pick: number; outcome: number }
  | { t: "crash"; pick: number }
  | { t: "timer"; pick: number }
  | { t: "command"; job: number; which: number; sheet: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant("result" as const),
      pick: fc.nat(),
      outcome: fc.nat(OUTCOMES.length - 1),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("crash" as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("timer" as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant("command" as const),
      job: fc.nat(1),
      which: fc.nat(10),
      sheet: fc.integer({ min: 1, max: 5 }),
    }),
  },
);

function jobSpecs() {
  const sheets = (chainOf: string[]) => [
    plan(1, { instrument: "a", instrumentFallbacks: chainOf }),
    plan(2, { instrument: "a", dependsOn: [1] }),
    plan(3, { instrument: "b", instrumentFallbacks: ["a"] }),
    plan(4, { instrument: "b", dependsOn: [2, 3] }),
    plan(5, { instrument: "a", model: "m", dependsOn: [3] }),
  ];
  return [
    spec("j0", sheets(["b"]), {
      parallel: { enabled: true, maxConcurrent: 2 },
      retry: { maxRetries: 2, maxCompletionAttempts: 2 },
      escalation: true,
      costLimits: { enabled: true, maxCostPerSheet: 5, maxCostPerJob: 8 },
    }),
    spec("j1", sheets([]), {
      retry: { maxRetries: 1 },
      selfHealing: true,
      circuitBreaker: { failureThreshold: 2 },
    }),
  ];
}

function command(e: Engine, a: Extract<Action, { t: "command" }>): BatonEvent {
  const jobId = `j${a.job}`;
  switch (a.which) {
    case 0:
      return { kind: "PauseJob", jobId, reason: "user" };
    case 1:
      return { kind: "ResumeJob", jobId, retryFailed: false };
    case 2:
      return { kind: "ResumeJob", jobId, retryFailed: true };
    case 3:
      return { kind: "CancelJob", jobId };
    case 4:
      return {
        kind: "EscalationResolved",
        jobId,
        sheetNum: a.sheet,
        decision: (["retry", "skip", "accept", "fail"] as const)[a.sheet % 4]!,
      };
    case 5:
      return { kind: "SheetSkipped", jobId, sheetNum: a.sheet, reason: "skip" };
    case 6:
      return { kind: "ClearRateLimit", instrument: a.sheet % 2 === 0 ? "a" : null };
    case 7:
      return { kind: "InstrumentFallback", jobId, sheetNum: a.sheet, reason: "test" };
    case 8:
      return { kind: "EscalationNeeded", jobId, sheetNum: a.sheet, reason: "test" };
    case 10:
      return { kind: "JobTimeout", jobId };
    default:
      return {
        kind: "RateLimitHit",
        instrument: a.sheet % 2 === 0 ? "a" : "b",
        waitSeconds: a.sheet * 10,
        jobId,
        sheetNum: a.sheet,
      };
  }
}

describe("baton properties over random event sequences", () => {
  it("holds its invariants", () => {
    fc.assert(
      fc.property(fc.array(action, { maxLength: 80 }), (actions) => {
        const e = new Engine(LIMITS);
        const live: DispatchOrder[] = [];
        const crashed: DispatchOrder[] = [];
        const track = () => {
          for (const order of e.lastDispatch?.dispatched ?? []) {
            const key = `${order.jobId}#${order.sheetNum}`;
            if (live.some((o) => `${o.jobId}#${o.sheetNum}` === key))
              throw new Error(`dispatched ${key} while its musician lives`);
            live.push(order);
          }
          // A killed musician stays live until it reports its CANCELLED failure (a "result" action).
        };
        for (const s of jobSpecs()) {
          e.register(s);
          track();
        }
        for (const a of actions) {
          const terminalBefore = new Map<string, boolean>();
          for (const job of e.state.jobs.values())
            for (const s of job.sheets.values())
              terminalBefore.set(
                `${job.record.id}#${s.record.num}`,
                isTerminalSheet(s.record.status),
              );
          let retryFailedJob: string | null = null;
          if (a.t === "result" && live.length > 0) {
            const order = live.splice(a.pick % live.length, 1)[0]!;
            e.send({ kind: "SheetAttemptResult", result: resultFor(order, OUTCOMES[a.outcome]!) });
          } else if (a.t === "crash" && live.length > 0) {
            crashed.push(live.splice(a.pick % live.length, 1)[0]!);
            continue;
          } else if (a.t === "timer") {
            const pending = pendingTimers(e);
            if (pending.length === 0) continue;
            const [id, timer] = pending[a.pick % pending.length]!;
            let event = timer.event;
            if (event.kind === "StaleCheck") {
              const token = event.dispatchToken;
              event = { ...event, musicianAlive: live.some((o) => o.dispatchToken === token) };
            }
            e.now = Math.max(e.now, timer.at);
            e.effects.push({ kind: "cancelTimer", id });
            e.send(event);
          } else if (a.t === "command") {
            const event = command(e, a);
            if (event.kind === "ResumeJob" && event.retryFailed) retryFailedJob = event.jobId;
            e.send(event);
          } else continue;
          track();
          expect(checkInvariants(e.state, LIMITS)).toEqual([]);
          for (const job of e.state.jobs.values()) {
            for (const s of job.sheets.values()) {
              const k = `${job.record.id}#${s.record.num}`;
              if (terminalBefore.get(k) && !isTerminalSheet(s.record.status)) {
                expect(retryFailedJob).toBe(job.record.id);
              }
            }
            if (job.terminalCount === job.sheets.size)
              expect(["completed", "failed", "cancelled"]).toContain(job.record.status);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

function pendingTimers(e: Engine): Array<[string, { at: number; event: BatonEvent }]> {
  const timers = new Map<string, { at: number; event: BatonEvent }>();
  for (const effect of e.effects) {
    if (effect.kind === "scheduleTimer")
      timers.set(effect.id, { at: effect.at, event: effect.event });
    if (effect.kind === "cancelTimer") timers.delete(effect.id);
  }
  return [...timers.entries()].sort((x, y) => x[0].localeCompare(y[0]));
}
