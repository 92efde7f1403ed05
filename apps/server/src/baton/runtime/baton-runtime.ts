/**
 * The runtime around the pure core (the seed's BatonRuntime surfaces). One inbox, one consumer:
 * every result, timer and command becomes an event, handled in order. For each group of handled
 * events the new state is committed to the checkpoint store first; only then are the committed
 * events published and the effects carried out (timers, kills, dispatches).
 */
import type { AttemptRequest, MusicianPort } from "../../contracts/attempt.ts";
import type {
  BatonEvent,
  FailUnrecoverable,
  FermataDecision,
  HookEventName,
  HookReported,
  ReplaceScore,
  SheetSkipped,
  SubmitJob,
} from "../core/events.ts";
import type { JobSpec } from "../core/policy.ts";
import type { CheckpointCommit, CheckpointStore, Clock, EventSink, TimerHost } from "./ports.ts";
import type { JobRecord, SheetRecord } from "../../contracts/records.ts";
import type { PauseReason } from "../../contracts/status.ts";
import { isTerminalJob } from "../../contracts/status.ts";
import {
  createBatonState,
  type BatonState,
  type DispatchOrder,
  type Effect,
  type Rejection,
} from "../core/state.ts";
import { transition } from "../core/transition.ts";
import {
  DEFAULT_INSTRUMENT_MAX_CONCURRENT,
  DEFAULT_MAX_CONCURRENT_SHEETS,
  dispatchReady,
  type DispatchLimits,
} from "../core/dispatch.ts";
import { TimerWheel } from "./timer-wheel.ts";
import { buildAttemptRequest } from "../core/request.ts";
import { MusicianTasks } from "./musicians.ts";
import { Inbox, type WakeLater } from "./inbox.ts";
import { concernsForgottenJob, mergeCommits, splitEffects, withoutJobs } from "./commit-batch.ts";
import { LeaseLostError } from "../../contracts/cluster.ts";
import type { EventRecord } from "../../contracts/event-log.ts";
import type { SheetPlan } from "../../contracts/plan.ts";
import type { EventData } from "../../contracts/event-log.ts";

export interface BatonRuntimeOptions {
  store: CheckpointStore;
  sink: EventSink;
  clock: Clock;
  timers: TimerHost;
  musician: MusicianPort;
  instrumentLimit?: (instrument: string, model: string | null) => number;
  maxConcurrentSheets?: number;
  /** Most inbox events grouped into one commit. */
  maxBatch?: number;
  /**
   * How the sleeping loop is woken for a new event (inbox.ts). Default: once the current turn
   * of the event loop has read its I/O (`setImmediate`), so that what arrived together is
   * committed together.
   */
  wakeLater?: WakeLater;
  jitterSeed?: number;
  /**
   * Reads the files a score's `cross_sheet.capture_files` names, already cut to `maxChars` each,
   * for `previous_files`. Without it previous_files stays empty.
   */
  captureFiles?: (query: {
    workspace: string;
    patterns: string[];
    maxChars: number;
    /** The attempt being prepared: its variables render the patterns. */
    request: AttemptRequest;
  }) => Promise<Record<string, string>>;
  /** Errors that cannot be returned to anyone (a failing sink, a crashing musician). */
  onError?: (error: unknown) => void;
}

export type BatonOutcome = { ok: true; cleared?: number } | { ok: false; rejection: Rejection };

interface InboxEntry {
  event: BatonEvent;
  reply: ((outcome: BatonOutcome) => void) | null;
  /** A job another process now holds: ended and dropped here, with nothing committed. */
  forget?: true;
}

const afterThisTurnsIo: WakeLater = (wake) => setImmediate(wake);

export class BatonRuntime {
  private readonly state: BatonState;
  private readonly limits: DispatchLimits;
  private readonly wheel: TimerWheel<BatonEvent>;
  private readonly inbox: Inbox<InboxEntry>;
  private readonly musicians: MusicianTasks;
  private readonly waiters = new Map<string, Array<(completed: boolean) => void>>();
  private running: Promise<void> | null = null;
  private stopped = false;
  private draining = false;
  private readonly drainWaiters: Array<() => void> = [];

  constructor(private readonly options: BatonRuntimeOptions) {
    this.state = createBatonState(options.jitterSeed);
    this.inbox = new Inbox<InboxEntry>(options.wakeLater ?? afterThisTurnsIo);
    this.limits = {
      maxConcurrentSheets: options.maxConcurrentSheets ?? DEFAULT_MAX_CONCURRENT_SHEETS,
      instrumentLimit: options.instrumentLimit ?? (() => DEFAULT_INSTRUMENT_MAX_CONCURRENT),
    };
    this.wheel = new TimerWheel<BatonEvent>(options.timers, options.clock, (event) =>
      this.post(event),
    );
    this.musicians = new MusicianTasks(
      options.musician,
      options.clock,
      (event) => this.post(event),
      (error) => options.onError?.(error),
    );
  }

  // ---- commands (each enters the inbox and resolves once its commit is done) ----

  registerJob(spec: JobSpec): Promise<BatonOutcome> {
    return this.send({ kind: "RegisterJob", spec });
  }

  recoverJob(checkpoint: {
    spec: JobSpec;
    job: JobRecord;
    sheets: SheetRecord[];
  }): Promise<BatonOutcome> {
    return this.send({ kind: "RecoverJob", ...checkpoint });
  }

  /**
   * Forgets jobs whose lease this process lost (another process plays them now): their musicians
   * are ended and their timers cancelled, and nothing about them is committed.
   */
  forgetJobs(jobIds: readonly string[]): Promise<void> {
    // Ended at once, not from the inbox: the loop may be waiting on a commit that cannot reach
    // the database, and another process may start these sheets as soon as the lease expires.
    this.musicians.abortJobs(new Set(jobIds));
    const forgotten = jobIds.map(
      (jobId) =>
        new Promise<void>((resolve) =>
          this.enqueue({
            event: { kind: "DeregisterJob", jobId },
            reply: () => resolve(),
            forget: true,
          }),
        ),
    );
    return Promise.all(forgotten).then(() => undefined);
  }

  deregisterJob(jobId: string): Promise<BatonOutcome> {
    return this.send({ kind: "DeregisterJob", jobId });
  }

  pauseJob(jobId: string, reason: PauseReason = "user"): Promise<BatonOutcome> {
    return this.send({ kind: "PauseJob", jobId, reason });
  }

  resumeJob(jobId: string, options: { retryFailed?: boolean } = {}): Promise<BatonOutcome> {
    return this.send({ kind: "ResumeJob", jobId, retryFailed: options.retryFailed ?? false });
  }

  cancelJob(jobId: string): Promise<BatonOutcome> {
    return this.send({ kind: "CancelJob", jobId });
  }

  resolveFermata(
    jobId: string,
    sheetNum: number,
    decision: FermataDecision,
  ): Promise<BatonOutcome> {
    return this.send({ kind: "EscalationResolved", jobId, sheetNum, decision });
  }

  /** Clears one instrument's rate limit (or all); resolves with how many were cleared. */
  async clearInstrumentRateLimit(instrument: string | null = null): Promise<number> {
    const outcome = await this.send({ kind: "ClearRateLimit", instrument });
    return outcome.ok ? (outcome.cleared ?? 0) : 0;
  }

  /** A deliberate skip: the sheet is skipped, committed, then `sheet.skipped` is published. */
  publishSheetSkipped(event: Omit<SheetSkipped, "kind">): Promise<BatonOutcome> {
    return this.send({
      kind: "SheetSkipped",
      jobId: event.jobId,
      sheetNum: event.sheetNum,
      reason: event.reason,
    });
  }

  /**
   * A new job (or dry run): its row, sheets and first events are committed together. A repeated
   * idempotency key is answered with a `duplicate_job` rejection naming the existing job.
   */
  submitJob(submission: Omit<SubmitJob, "kind">): Promise<BatonOutcome> {
    return this.send({ kind: "SubmitJob", ...submission });
  }

  /** Fails a stored job that cannot be handed back, without registering it. */
  failUnrecoverable(stored: Omit<FailUnrecoverable, "kind">): Promise<BatonOutcome> {
    return this.send({ kind: "FailUnrecoverable", ...stored });
  }

  /** Stores a corrected score of a job that is not registered (deregister it first). */
  replaceScore(replacement: Omit<ReplaceScore, "kind">): Promise<BatonOutcome> {
    return this.send({ kind: "ReplaceScore", ...replacement });
  }

  /** Logs what an on_success hook or chained concert did, in inbox order. */
  reportHook<E extends HookEventName>(
    jobId: string,
    event: E,
    data: EventData<E>,
  ): Promise<BatonOutcome> {
    return this.send({ kind: "HookReported", jobId, event, data } as HookReported);
  }

  /** Records that a job's on_success hooks are over. */
  finishHooks(jobId: string): Promise<BatonOutcome> {
    return this.send({ kind: "HooksFinished", jobId });
  }

  /** Posts an event without waiting for it (timers and musicians use this). */
  post(event: BatonEvent): void {
    this.enqueue({ event, reply: null });
  }

  // ---- queries ----

  getSheet(jobId: string, sheetNum: number): SheetPlan | null {
    return this.state.jobs.get(jobId)?.sheets.get(sheetNum)?.plan ?? null;
  }

  getSheetRecord(jobId: string, sheetNum: number): SheetRecord | null {
    const sheet = this.state.jobs.get(jobId)?.sheets.get(sheetNum);
    return sheet === undefined
      ? null
      : { ...sheet.record, instrumentChain: [...sheet.record.instrumentChain] };
  }

  getJob(jobId: string): JobRecord | null {
    const job = this.state.jobs.get(jobId);
    return job === undefined ? null : { ...job.record };
  }

  hasCompletedSheets(jobId: string): boolean {
    return (this.state.jobs.get(jobId)?.record.completedSheets ?? 0) > 0;
  }

  /** Resolves true when the job completed, false when it failed, was cancelled or deregistered. */
  waitForCompletion(jobId: string): Promise<boolean> {
    const job = this.state.jobs.get(jobId);
    if (job === undefined && !this.inbox.some((e) => registers(e.event, jobId))) {
      return Promise.reject(new UnknownJobError(jobId));
    }
    if (job !== undefined && isTerminalJob(job.record.status))
      return Promise.resolve(job.record.status === "completed");
    return new Promise((resolve) => {
      const list = this.waiters.get(jobId) ?? [];
      list.push(resolve);
      this.waiters.set(jobId, list);
    });
  }

  /** Musicians currently playing (for tests and diagnostics). */
  get activeMusicians(): number {
    return this.musicians.size;
  }

  /** The most sheets this baton plays at once (its PODIUM_MAX_CONCURRENT_SHEETS). */
  get maxConcurrentSheets(): number {
    return this.limits.maxConcurrentSheets;
  }

  /** Jobs registered here that have not ended: the jobs this process plays. */
  ownedJobIds(): string[] {
    const owned: string[] = [];
    for (const [jobId, job] of this.state.jobs)
      if (!isTerminalJob(job.record.status)) owned.push(jobId);
    return owned;
  }

  get pendingTimers(): number {
    return this.wheel.size;
  }

  /** When the timer with this id (see `timerIds`) fires, or null when none is armed. */
  timerDeadline(id: string): number | null {
    return this.wheel.deadlineOf(id);
  }

  // ---- the loop ----

  /** Runs the single-consumer inbox loop until shutdown; rejects if a commit fails. */
  run(): Promise<void> {
    if (this.running === null) this.running = this.loop();
    return this.running;
  }

  /**
   * Graceful drain: nothing new is dispatched from now on, while playing musicians go on and
   * their results are still recorded. Resolves once none is playing (or the loop has ended).
   */
  drain(): Promise<void> {
    this.draining = true;
    const drained = new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    this.settleDrain();
    return drained;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  private settleDrain(): void {
    if (!this.draining || (this.musicians.size > 0 && !this.stopped)) return;
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  /** Stops dispatching, kills playing musicians, cancels timers and ends `run`. */
  async shutdown(): Promise<void> {
    if (this.running === null) {
      this.stopped = true;
      this.stopEverything();
      return;
    }
    this.post({ kind: "ShutdownRequested" });
    await this.running.catch(() => undefined);
  }

  private send(event: BatonEvent): Promise<BatonOutcome> {
    return new Promise((reply) => this.enqueue({ event, reply }));
  }

  private enqueue(entry: InboxEntry): void {
    if (this.stopped || !this.inbox.push(entry)) {
      entry.reply?.({
        ok: false,
        rejection: { kind: "shutting_down", message: "the baton has stopped" },
      });
    }
  }

  private async loop(): Promise<void> {
    try {
      // A first pass picks up recovered or registered jobs without waiting for an event.
      await this.process([]);
      while (!this.stopped) {
        const batch = await this.inbox.take(this.options.maxBatch ?? 64);
        try {
          await this.process(batch);
        } catch (error) {
          // The state in memory is now ahead of the checkpoint: stop, and let recovery rebuild.
          const message = error instanceof Error ? error.message : String(error);
          for (const entry of batch) {
            entry.reply?.({ ok: false, rejection: { kind: "store_failed", message } });
          }
          throw error;
        }
        this.inbox.done();
        this.settleDrain();
      }
    } finally {
      this.stopped = true;
      this.stopEverything();
      this.settleDrain();
    }
  }

  /** Resolves once everything posted so far has been handled (or the loop has ended). */
  whenIdle(): Promise<void> {
    return this.inbox.whenIdle();
  }

  private async process(batch: InboxEntry[]): Promise<void> {
    const commits: CheckpointCommit[] = [];
    const effects: Effect[] = [];
    const replies: Array<[(outcome: BatonOutcome) => void, BatonOutcome, string | null]> = [];
    const forgotten = new Set<string>();
    for (const entry of batch) {
      const event = this.withLiveness(entry.event);
      const result = transition(this.state, event, this.options.clock.now());
      if (entry.forget === true && event.kind === "DeregisterJob") forgotten.add(event.jobId);
      splitEffects(result.effects, commits, effects);
      if (entry.reply !== null) {
        const outcome: BatonOutcome =
          result.rejection !== undefined
            ? { ok: false, rejection: result.rejection }
            : result.cleared !== undefined
              ? { ok: true, cleared: result.cleared }
              : { ok: true };
        replies.push([entry.reply, outcome, jobOf(event)]);
      }
      if (event.kind === "ShutdownRequested") this.stopped = true;
      if (event.kind === "DeregisterJob") this.settle(event.jobId, false);
    }
    if (!this.stopped && !this.draining) {
      const pass = dispatchReady(this.state, this.options.clock.now(), this.limits);
      splitEffects(pass.effects, commits, effects);
    }
    const logged = await this.commitHeld(
      withoutJobs(mergeCommits(commits), forgotten),
      forgotten,
      effects,
    );
    if (logged.length > 0) {
      try {
        this.options.sink.publish(logged);
      } catch (error) {
        this.options.onError?.(error);
      }
    }
    for (const effect of effects)
      if (!concernsForgottenJob(effect, forgotten)) this.perform(effect);
    for (const [reply, outcome, jobId] of replies) {
      if (jobId !== null && forgotten.has(jobId) && outcome.ok) reply(leaseLost(jobId));
      else reply(outcome);
    }
  }

  /**
   * Commits, leaving out the jobs whose lease turns out to be held elsewhere: those are forgotten
   * (ended, their timers cancelled: the effects join `effects`) and the rest is committed again.
   */
  private async commitHeld(
    commit: CheckpointCommit | null,
    forgotten: Set<string>,
    effects: Effect[],
  ): Promise<EventRecord[]> {
    let pending = commit;
    while (pending !== null) {
      try {
        return await this.options.store.commit(pending);
      } catch (error) {
        if (!(error instanceof LeaseLostError)) throw error;
        for (const jobId of error.jobIds) {
          forgotten.add(jobId);
          const result = transition(
            this.state,
            { kind: "DeregisterJob", jobId },
            this.options.clock.now(),
          );
          splitEffects(result.effects, [], effects);
          this.settle(jobId, false);
        }
        pending = withoutJobs(pending, forgotten);
      }
    }
    return [];
  }

  /** A stale check learns whether the musician task is still running only when it fires. */
  private withLiveness(event: BatonEvent): BatonEvent {
    if (event.kind !== "StaleCheck") return event;
    return {
      ...event,
      musicianAlive: this.musicians.isPlaying(event.jobId, event.sheetNum, event.dispatchToken),
    };
  }

  private perform(effect: Effect): void {
    switch (effect.kind) {
      case "commit":
        return;
      case "dispatch":
        return this.startMusician(effect.order);
      case "scheduleTimer":
        return this.wheel.schedule(effect.id, effect.at, effect.event);
      case "cancelTimer":
        this.wheel.cancel(effect.id);
        return;
      case "killMusician":
        return this.musicians.kill(effect.jobId, effect.sheetNum, effect.dispatchToken);
      case "jobFinished":
        return this.settle(effect.jobId, effect.status === "completed");
      default: {
        const never: never = effect;
        void never;
      }
    }
  }

  private startMusician(order: DispatchOrder): void {
    this.musicians.start(order, () => {
      const job = this.state.jobs.get(order.jobId);
      if (job === undefined) throw new Error(`job ${order.jobId} is no longer registered`);
      // Built now, from the state this dispatch was decided on; files are added when read.
      const request = buildAttemptRequest(job, order);
      const crossSheet = job.spec.crossSheet;
      const capture = this.options.captureFiles;
      if (capture === undefined || crossSheet === null || crossSheet.captureFiles.length === 0) {
        return request;
      }
      const query = {
        workspace: request.workspace,
        patterns: crossSheet.captureFiles,
        maxChars: crossSheet.maxOutputChars,
        request,
      };
      return capture(query).then((previousFiles) => ({
        ...request,
        prompt: { ...request.prompt, previousFiles },
      }));
    });
  }

  private settle(jobId: string, completed: boolean): void {
    const list = this.waiters.get(jobId);
    if (list === undefined) return;
    this.waiters.delete(jobId);
    for (const resolve of list) resolve(completed);
  }

  private stopEverything(): void {
    this.musicians.abortAll();
    this.wheel.shutdown();
    for (const entry of this.inbox.close()) {
      entry.reply?.({
        ok: false,
        rejection: { kind: "shutting_down", message: "the baton has stopped" },
      });
    }
  }
}

/** The job an event is about, when it is about one. */
function jobOf(event: BatonEvent): string | null {
  if ("jobId" in event && typeof event.jobId === "string") return event.jobId;
  if (event.kind === "SubmitJob") return event.job.id;
  return null;
}

function leaseLost(jobId: string): BatonOutcome {
  return {
    ok: false,
    rejection: { kind: "unknown_job", message: `job ${jobId} is now played by another process` },
  };
}

/** Whether handling this event will register the job. */
function registers(event: BatonEvent, jobId: string): boolean {
  switch (event.kind) {
    case "RegisterJob":
    case "RecoverJob":
      return event.spec.jobId === jobId;
    case "SubmitJob":
      return event.job.id === jobId && event.dryRunReason === null;
    default:
      return false;
  }
}

export class UnknownJobError extends Error {
  constructor(readonly jobId: string) {
    super(`job ${jobId} is not registered with the baton`);
    this.name = "UnknownJobError";
  }
}
