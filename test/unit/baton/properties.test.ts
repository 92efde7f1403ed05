/**
 * Random event sequences against the core and the dispatch pass, with a model of the musicians
 * outside: terminal is absorbing, no sheet is dispatched while its musician lives, no limit is
 * exceeded, no budget goes negative, a job whose sheets are all terminal reports an outcome,
 * every retry spends a budget (attempts per sheet stay under a bound computed from the score),
 * a person's pause is never lost nor reported without effect, and a rate-limited sheet waits
 * only when no instrument of its chain is free.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { BatonEvent } from "../../../apps/server/src/baton/core/events.ts";
import { isTerminalSheet } from "../../../apps/server/src/contracts/status.ts";
import type { DispatchOrder, SheetState } from "../../../apps/server/src/baton/core/state.ts";
import type { JobSpec } from "../../../apps/server/src/baton/core/policy.ts";
import { isRateLimited } from "../../../apps/server/src/baton/core/rate-limit.ts";
import { isBreakerOpen } from "../../../apps/server/src/baton/core/circuit-breaker.ts";
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
      job: fc.nat(2),
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
    // Tight budgets and no escalation: the ladder alone decides when a sheet has had enough.
    spec(
      "j2",
      [plan(1, { instrument: "c" }), plan(2, { instrument: "c", instrumentFallbacks: ["d"] })],
      {
        parallel: { enabled: true, maxConcurrent: 2 },
        retry: { maxRetries: 1, maxCompletionAttempts: 1 },
        rateLimit: { maxWaits: 2 },
        circuitBreaker: { enabled: false },
      },
    ),
  ];
}

/**
 * Attempts one budget epoch (until a person resets the budgets) may spend: per instrument of the
 * chain, the completion and normal budgets plus the first attempt; one self-healing attempt.
 */
function attemptBound(job: JobSpec, sheet: SheetState): number {
  const { retry, selfHealing } = job.policy;
  const perInstrument = retry.maxCompletionAttempts + retry.maxRetries + 1;
  return sheet.record.instrumentChain.length * perInstrument + (selfHealing ? 1 : 0);
}

/** True when a person gave the sheet its budgets back (not a move along the chain). */
function budgetsReset(before: SheetState["record"], after: SheetState["record"]): boolean {
  if (after.instrumentIndex < before.instrumentIndex) return true;
  if (after.healingAttempts < before.healingAttempts) return true;
  return (
    after.instrumentIndex === before.instrumentIndex &&
    after.normalAttempts + after.completionAttempts <
      before.normalAttempts + before.completionAttempts
  );
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
        /** Per sheet: attempts not ended by a rate limit, in the current budget epoch. */
        const spent = new Map<string, number>();
        const userPaused = new Set<string>();
        const track = () => {
          for (const order of e.lastDispatch?.dispatched ?? []) {
            const key = `${order.jobId}#${order.sheetNum}`;
            if (live.some((o) => `${o.jobId}#${o.sheetNum}` === key))
              throw new Error(`dispatched ${key} while its musician lives`);
            live.push(order);
            spent.set(key, (spent.get(key) ?? 0) + 1);
          }
          // A killed musician stays live until it reports its CANCELLED failure (a "result" action).
        };
        for (const s of jobSpecs()) {
          e.register(s);
          track();
        }
        for (const a of actions) {
          const terminalBefore = new Map<string, boolean>();
          const recordsBefore = new Map<string, SheetState["record"]>();
          for (const job of e.state.jobs.values())
            for (const s of job.sheets.values()) {
              const k = `${job.record.id}#${s.record.num}`;
              terminalBefore.set(k, isTerminalSheet(s.record.status));
              recordsBefore.set(k, { ...s.record });
            }
          const pausesBefore = new Map(
            [...e.state.jobs.values()].map((j) => [j.record.id, [...j.record.pauseReasons]]),
          );
          let retryFailedJob: string | null = null;
          if (a.t === "result" && live.length > 0) {
            const order = live.splice(a.pick % live.length, 1)[0]!;
            const outcome = OUTCOMES[a.outcome]!;
            const job = e.state.jobs.get(order.jobId)!;
            const sheet = job.sheets.get(order.sheetNum)!;
            const chain = sheet.record.instrumentChain;
            const freeFallback = chain
              .slice(sheet.record.instrumentIndex + 1)
              .some((i) => !isRateLimited(e.state, i, e.now) && !isBreakerOpen(e.state, i));
            const result = e.send({
              kind: "SheetAttemptResult",
              result: resultFor(order, outcome),
            });
            if (outcome.rateLimited === true && result.rejection === undefined) {
              const key = `${order.jobId}#${order.sheetNum}`;
              spent.set(key, spent.get(key)! - 1);
              if (sheet.record.status === "waiting") expect(freeFallback).toBe(false);
            }
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
            const result = e.send(event);
            if (event.kind === "PauseJob") {
              const after = e.state.jobs.get(event.jobId)!.record.pauseReasons;
              if (result.rejection === undefined) {
                expect(after).not.toEqual(pausesBefore.get(event.jobId));
                userPaused.add(event.jobId);
              } else expect(after).toEqual(pausesBefore.get(event.jobId));
            }
            if (event.kind === "ResumeJob" && result.rejection === undefined)
              userPaused.delete(event.jobId);
          } else continue;
          track();
          for (const job of e.state.jobs.values()) {
            const id = job.record.id;
            if (userPaused.has(id) && job.terminalCount < job.sheets.size) {
              expect(job.record.pauseReasons).toContain("user");
              expect(job.record.status).toBe("paused");
            }
            for (const s of job.sheets.values()) {
              const k = `${id}#${s.record.num}`;
              const before = recordsBefore.get(k);
              // A reset starts a new epoch; the attempt just dispatched (if any) belongs to it.
              if (before !== undefined && budgetsReset(before, s.record))
                spent.set(k, live.some((o) => `${o.jobId}#${o.sheetNum}` === k) ? 1 : 0);
              expect(spent.get(k) ?? 0).toBeLessThanOrEqual(attemptBound(job.spec, s));
            }
          }
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

describe("every retry spends a budget", () => {
  const budgets = fc.record({
    maxRetries: fc.nat(3),
    maxCompletionAttempts: fc.integer({ min: 1, max: 4 }),
    fallbacks: fc.nat(2),
    selfHealing: fc.boolean(),
  });
  // Everything but success: the sheet must still come to an end.
  const failing = fc.array(fc.constantFrom(FAILED, partial(1, 2), partial(0, 2), partial(2, 3)), {
    minLength: 1,
    maxLength: 8,
  });

  it("a sheet that never succeeds ends failed within the bound its budgets and chain give", () => {
    fc.assert(
      fc.property(budgets, failing, (b, outcomes) => {
        const e = new Engine();
        const fallbacks = ["f1", "f2"].slice(0, b.fallbacks);
        const s = spec("j", [plan(1, { instrumentFallbacks: fallbacks })], {
          retry: { maxRetries: b.maxRetries, maxCompletionAttempts: b.maxCompletionAttempts },
          selfHealing: b.selfHealing,
          escalation: false,
          circuitBreaker: { enabled: false },
        });
        e.register(s);
        const sheet = e.state.jobs.get("j")!.sheets.get(1)!;
        const bound = attemptBound(s, sheet);
        let attempts = 0;
        while (!isTerminalSheet(sheet.record.status)) {
          if (sheet.musicianAlive) {
            attempts += 1;
            expect(attempts).toBeLessThanOrEqual(bound);
            e.report("j", 1, outcomes[attempts % outcomes.length]!);
          } else e.fire("retry:j:1");
        }
        expect(sheet.record.status).toBe("failed");
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
