/**
 * The baton's in-memory state, the effects a transition asks the runtime to carry out, and the
 * typed rejections returned for events that do not apply. The persisted part of a sheet or job
 * is its record (records.ts); the rest is runtime bookkeeping rebuilt on recovery.
 */
import type { AttemptMode } from "../../contracts/attempt.ts";
import type { BatonEvent } from "./events.ts";
import type { JobSpec, NewJob, ScoreReplacement } from "./policy.ts";
import type { AttemptRecord, JobRecord, SheetRecord } from "../../contracts/records.ts";
import type { SheetPlan } from "../../contracts/plan.ts";
import type { EventDraft } from "../../contracts/event-log.ts";

export interface SheetState {
  plan: SheetPlan;
  /** Mutable working copy; commits carry snapshots of it. */
  record: SheetRecord;
  /** Dispatches so far; the next token and attempt number come from it. */
  dispatchCount: number;
  /** True from dispatch until the musician's result (or its absence) is known. */
  musicianAlive: boolean;
  /** Instrument key counted in the running totals while the musician is alive. */
  runningKey: string | null;
  /** Mode of the next dispatch. */
  nextMode: AttemptMode;
  /** Dependencies not yet satisfied (completed or deliberately skipped). */
  unmetDeps: number;
  /** Key under which the sheet sits in its job's ready list, or null when not listed. */
  readyKey: string | null;
  lastError: string | null;
  lastFailedValidations: string[];
  /** Consecutive rate-limit waits; reset by any other outcome. */
  rateLimitWaits: number;
  /** Incremented on every fermata so a stale escalation timeout is recognised. */
  fermataGeneration: number;
  /** Whether the sheet was counted in its job's blocking total when it became terminal. */
  wasBlocking: boolean;
  /** The transition that last marked this sheet changed (dedupes without a Set per event). */
  touchedIn: number;
}

export interface JobState {
  spec: JobSpec;
  record: JobRecord;
  sheets: Map<number, SheetState>;
  /** Sheet numbers that depend directly on a sheet. */
  dependents: Map<number, number[]>;
  ready: ReadyList;
  running: number;
  pacingUntil: number | null;
  pacingGeneration: number;
  terminalCount: number;
  /** Terminal sheets that block the job's success: failed, cancelled, skipped with a code. */
  blockingCount: number;
  fermataCount: number;
  touchedIn: number;
}

export interface BreakerState {
  state: "closed" | "open" | "half_open";
  consecutiveFailures: number;
  /** Delay of the next recovery timer; 30 s doubling to the policy ceiling. */
  nextRecoveryMs: number;
  generation: number;
}

export interface RateLimitState {
  until: number;
  generation: number;
}

export interface BatonState {
  /** Insertion order is submission order. */
  jobs: Map<string, JobState>;
  rateLimits: Map<string, RateLimitState>;
  rateLimitGeneration: number;
  breakers: Map<string, BreakerState>;
  runningTotal: number;
  runningByKey: Map<string, number>;
  shuttingDown: boolean;
  /** Idempotency keys of the jobs submitted since start, so a repeat cannot race the commit. */
  idempotencyKeys: Map<string, string>;
  /** Seed for backoff jitter, so the same inputs always give the same delay. */
  jitterSeed: number;
}

export function createBatonState(jitterSeed = 0x5eed): BatonState {
  return {
    jobs: new Map(),
    rateLimits: new Map(),
    rateLimitGeneration: 0,
    breakers: new Map(),
    runningTotal: 0,
    runningByKey: new Map(),
    shuttingDown: false,
    idempotencyKeys: new Map(),
    jitterSeed,
  };
}

export function instrumentKey(instrument: string, model: string | null): string {
  return model === null ? instrument : `${instrument}\u0000${model}`;
}

/**
 * Pending sheets whose dependencies are satisfied, kept in sheet-number order. Dispatch takes
 * sheets from the front, so the list keeps a moving head instead of shifting the array each time.
 */
export class ReadyList {
  private nums: number[] = [];
  private head = 0;
  /** How many listed sheets use each instrument key, so a pass can stop when all are blocked. */
  readonly keyCounts = new Map<string, number>();

  get size(): number {
    return this.nums.length - this.head;
  }

  /** The i-th listed sheet number in order (0-based). */
  at(i: number): number | undefined {
    return this.nums[this.head + i];
  }

  has(num: number): boolean {
    const i = this.search(num);
    return this.nums[i] === num;
  }

  toArray(): number[] {
    return this.nums.slice(this.head);
  }

  add(sheet: SheetState): void {
    if (sheet.readyKey !== null) return;
    const num = sheet.record.num;
    const nums = this.nums;
    if (this.size === 0 || nums[nums.length - 1]! < num) nums.push(num);
    else if (this.head > 0 && num < nums[this.head]!) nums[--this.head] = num;
    else nums.splice(this.search(num), 0, num);
    const key = instrumentKey(sheet.record.instrument, sheet.record.model);
    sheet.readyKey = key;
    this.keyCounts.set(key, (this.keyCounts.get(key) ?? 0) + 1);
  }

  remove(sheet: SheetState): void {
    const key = sheet.readyKey;
    if (key === null) return;
    const num = sheet.record.num;
    const i = this.search(num);
    if (this.nums[i] === num) {
      if (i === this.head) this.head += 1;
      else this.nums.splice(i, 1);
      if (this.head > 1024 && this.head * 2 > this.nums.length) {
        this.nums = this.nums.slice(this.head);
        this.head = 0;
      }
      if (this.head === this.nums.length) {
        this.nums = [];
        this.head = 0;
      }
    }
    sheet.readyKey = null;
    const count = (this.keyCounts.get(key) ?? 1) - 1;
    if (count <= 0) this.keyCounts.delete(key);
    else this.keyCounts.set(key, count);
  }

  /** First index at or after the head whose number is >= num. */
  private search(num: number): number {
    const nums = this.nums;
    let lo = this.head;
    let hi = nums.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (nums[mid]! < num) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** What the runtime needs to start one attempt; it adds the job's spec to build the request. */
export interface DispatchOrder {
  jobId: string;
  sheetNum: number;
  dispatchToken: string;
  attemptNumber: number;
  mode: AttemptMode;
  instrument: string;
  model: string | null;
  timeoutSeconds: number;
  retryNotice: string | null;
  failedValidations: string[];
}

/**
 * One commit: the new state of every job and sheet a handled event (or a group of events)
 * changed, the attempts it recorded and the events it appended. Applied atomically, new job rows
 * first, so a submission's sheets and events land with their job.
 */
export interface CheckpointCommit {
  newJobs?: NewJob[];
  jobs: JobRecord[];
  sheets: SheetRecord[];
  attempts: AttemptRecord[];
  events: EventDraft[];
  /** Jobs whose on_success hooks are over. */
  hooksFinished?: string[];
  /** Corrected scores replacing the stored ones. */
  rescored?: ScoreReplacement[];
}

export interface CommitEffect extends CheckpointCommit {
  kind: "commit";
}

export type Effect =
  | CommitEffect
  | { kind: "dispatch"; order: DispatchOrder }
  | { kind: "scheduleTimer"; id: string; at: number; event: BatonEvent }
  | { kind: "cancelTimer"; id: string }
  | { kind: "killMusician"; jobId: string; sheetNum: number; dispatchToken: string }
  | { kind: "jobFinished"; jobId: string; status: "completed" | "failed" | "cancelled" };

export type RejectionKind =
  | "unknown_job"
  | "unknown_sheet"
  | "terminal_sheet"
  | "terminal_job"
  | "stale_token"
  | "invalid_state"
  | "duplicate_job"
  | "invalid_spec"
  | "cost_limit"
  | "shutting_down"
  | "store_failed";

export interface Rejection {
  kind: RejectionKind;
  message: string;
  jobId?: string;
  sheetNum?: number;
}

export interface TransitionResult {
  state: BatonState;
  /** A commit effect, when anything persisted changed, always comes first. */
  effects: Effect[];
  rejection?: Rejection;
  /** Answer to ClearRateLimit: how many instruments were cleared. */
  cleared?: number;
}

/** Timer ids, one per purpose and owner, so a new schedule supersedes the old one. */
export const timerIds = {
  stale: (jobId: string, sheetNum: number) => `stale:${jobId}:${sheetNum}`,
  retry: (jobId: string, sheetNum: number) => `retry:${jobId}:${sheetNum}`,
  escalation: (jobId: string, sheetNum: number) => `escalation:${jobId}:${sheetNum}`,
  pacing: (jobId: string) => `pacing:${jobId}`,
  jobTimeout: (jobId: string) => `job_timeout:${jobId}`,
  rateLimit: (instrument: string) => `rate_limit:${instrument}`,
  breaker: (instrument: string) => `breaker:${instrument}`,
};
