/**
 * Drives the pure core the way the runtime does (transition, then a dispatch pass) and keeps
 * every effect, so tests read like a script of events.
 */
import type { BatonEvent } from "../../../../apps/server/src/baton/core/events.ts";
import type { JobSpec } from "../../../../apps/server/src/baton/core/policy.ts";
import {
  createBatonState,
  type BatonState,
  type CommitEffect,
  type DispatchOrder,
  type Effect,
  type TransitionResult,
} from "../../../../apps/server/src/baton/core/state.ts";
import { transition } from "../../../../apps/server/src/baton/core/transition.ts";
import {
  dispatchReady,
  DEFAULT_DISPATCH_LIMITS,
  type DispatchLimits,
  type DispatchResult,
} from "../../../../apps/server/src/baton/core/dispatch.ts";
import type { SheetRecord } from "../../../../apps/server/src/contracts/records.ts";
import { resultFor, type ResultShape } from "./fixtures.ts";

export class Engine {
  readonly state: BatonState = createBatonState(7);
  now = 1_000_000;
  readonly effects: Effect[] = [];
  /** The latest dispatch of each sheet, by `${jobId}#${num}`. */
  readonly orders = new Map<string, DispatchOrder>();
  lastResult: TransitionResult | null = null;
  lastDispatch: DispatchResult | null = null;

  constructor(readonly limits: DispatchLimits = DEFAULT_DISPATCH_LIMITS) {}

  /** Applies an event then runs a dispatch pass, as the adapter does after every event. */
  send(event: BatonEvent): TransitionResult {
    const result = transition(this.state, event, this.now);
    this.lastResult = result;
    this.effects.push(...result.effects);
    this.dispatch();
    return result;
  }

  dispatch(): DispatchResult {
    const pass = dispatchReady(this.state, this.now, this.limits);
    this.lastDispatch = pass;
    this.effects.push(...pass.effects);
    for (const order of pass.dispatched) this.orders.set(`${order.jobId}#${order.sheetNum}`, order);
    return pass;
  }

  register(spec: JobSpec): TransitionResult {
    return this.send({ kind: "RegisterJob", spec });
  }

  order(jobId: string, sheetNum: number): DispatchOrder {
    const order = this.orders.get(`${jobId}#${sheetNum}`);
    if (order === undefined) throw new Error(`sheet ${jobId}#${sheetNum} was never dispatched`);
    return order;
  }

  /** Reports a result for the sheet's latest dispatch. */
  report(jobId: string, sheetNum: number, shape: ResultShape = {}): TransitionResult {
    return this.send({
      kind: "SheetAttemptResult",
      result: resultFor(this.order(jobId, sheetNum), shape),
    });
  }

  sheet(jobId: string, num: number): SheetRecord {
    const sheet = this.state.jobs.get(jobId)?.sheets.get(num);
    if (sheet === undefined) throw new Error(`no sheet ${jobId}#${num}`);
    return sheet.record;
  }

  status(jobId: string, num: number): string {
    return this.sheet(jobId, num).status;
  }

  jobStatus(jobId: string): string {
    return this.state.jobs.get(jobId)!.record.status;
  }

  /** Fires the latest scheduled, not cancelled, timer with this id. */
  fire(id: string, patch: Partial<BatonEvent> = {}): TransitionResult {
    const timer = this.pendingTimer(id);
    if (timer === null) throw new Error(`no pending timer ${id}`);
    this.now = Math.max(this.now, timer.at);
    return this.send({ ...timer.event, ...patch } as BatonEvent);
  }

  pendingTimer(id: string): { at: number; event: BatonEvent } | null {
    let found: { at: number; event: BatonEvent } | null = null;
    for (const effect of this.effects) {
      if (effect.kind === "scheduleTimer" && effect.id === id)
        found = { at: effect.at, event: effect.event };
      if (effect.kind === "cancelTimer" && effect.id === id) found = null;
    }
    return found;
  }

  commits(): CommitEffect[] {
    return this.effects.filter((e): e is CommitEffect => e.kind === "commit");
  }

  eventNames(jobId?: string, sheetNum?: number): string[] {
    return this.commits()
      .flatMap((c) => c.events)
      .filter(
        (e) =>
          (jobId === undefined || e.jobId === jobId) &&
          (sheetNum === undefined || e.sheetNum === sheetNum),
      )
      .map((e) => e.event);
  }
}
