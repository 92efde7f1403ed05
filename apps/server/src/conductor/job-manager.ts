/**
 * The conductor (DESIGN.md §5, §7): plans submissions and hands them to the baton as events (the
 * baton commits every row and event), relays commands to the baton as typed outcomes, and on boot ends orphaned musicians and hands every unfinished job back to the
 * baton. Around a job it runs the score's on_success hooks and chains concerts (hooks.ts).
 */
import { randomUUID } from "node:crypto";
import { toCommandOutcome, type BatonRuntime } from "../baton/index.ts";
import type { Clock } from "../contracts/clock.ts";
import { isTerminalJob } from "../contracts/status.ts";
import type { EventBus } from "../bus/event-bus.ts";
import { parseScore, type ScoreParseResult } from "../score/parse.ts";
import type { PodiumStore, StoredJobWithSheets } from "../store/contract.ts";
import { buildJobSpec, resolveWorkspace, type JobOptions } from "./job-spec.ts";
import { reapOrphans, type OrphanStore, type ReapedGroup } from "./orphans.ts";
import { HookRunner, hookPlanOf } from "./hooks.ts";
import { handBack, specFromStored, storedJobOptions, type RecoveryDeps } from "./recovery.ts";
import { replannedSheets, structureChange } from "./rescore.ts";
import type {
  CommandError,
  CommandOutcome,
  ConductorCommands,
  FermataDecision,
  ScoreValidationResult,
  SubmitJobOptions,
  SubmitJobOutcome,
} from "../contracts/commands.ts";

export const DRY_RUN_MESSAGE = "Dry run: the score was validated and planned; nothing was run.";

export interface JobManagerOptions {
  store: PodiumStore;
  baton: BatonRuntime;
  /** Where the baton publishes committed events; hooks start when a job.completed arrives. */
  bus: EventBus;
  clock: Clock;
  /** Relative score workspaces and the default `<dataDir>/workspaces/<job-id>` live here. */
  dataDir: string;
  /** Where relative `prompt.template_file` and `run_job` paths are read from. Default: process.cwd(). */
  cwd?: string;
  /** Instrument names known besides the built-ins (user profiles). */
  knownInstruments?: Iterable<string>;
  /** Where `prompt.template_file` may be read from, besides the data dir (PODIUM_ALLOWED_ROOTS). */
  allowedRoots?: readonly string[];
  /** Why an instrument cannot be played here, or null (submit-time warnings). */
  instrumentUnusable?: (instrument: string) => string | null;
  /** Wall-clock limit applied to every job; null (default) for none. */
  jobTimeoutSeconds?: number | null;
  newJobId?: () => string;
  /** The database's process tag: orphans carrying it are ended at boot (see orphans.ts). */
  processTag?: string | null;
  /**
   * With several processes (cluster/member.ts): claims the jobs this process will play and
   * returns their ids; boot recovers those alone. Without it every unfinished job is recovered.
   */
  claimAtBoot?: () => Promise<string[]>;
  /** Whether this process plays the job (hooks run only where the job is played). */
  owns?: (jobId: string) => boolean;
  /** Where boot finds the process groups to end (default: every group the store recorded). */
  orphanLedger?: OrphanStore;
  /**
   * Takes the job's lease before a job that is not in the baton is handed to it again (a failed
   * job resumed); false when another process plays it. Absent: a lone process holds everything.
   */
  claim?: (jobId: string) => Promise<boolean>;
}

/** Links a job to the concert that started it. */
export interface ConcertLink {
  parentJobId: string;
  depth: number;
  idempotencyKey: string;
}

export interface RecoveryReport {
  recoveredJobs: string[];
  reapedProcessGroups: ReapedGroup[];
  /** Jobs whose stored score no longer parses or whose checkpoint the baton refused. */
  failedToRecover: { jobId: string; message: string }[];
  /** Orphan clean-up plus loading and handing back every job, until the baton accepted them. */
  durationMs: number;
}

const invalidState = (message: string): { ok: false; error: CommandError } => ({
  ok: false,
  error: { code: "INVALID_STATE", message },
});

const playedElsewhere = (jobId: string): { ok: false; error: CommandError } =>
  invalidState(`job ${jobId} is played by another process`);

const notFound = (jobId: string): CommandOutcome => ({
  ok: false,
  error: { code: "NOT_FOUND", message: `no job ${jobId}` },
});

export class JobManager implements ConductorCommands {
  readonly store: PodiumStore;
  readonly baton: BatonRuntime;
  readonly hooks: HookRunner;
  private readonly bus: EventBus;
  private readonly clock: Clock;
  private readonly dataDir: string;
  private readonly cwd: string;
  private readonly allowedRoots: readonly string[];
  private readonly knownInstruments: string[];
  private readonly instrumentUnusable: ((instrument: string) => string | null) | undefined;
  private readonly jobTimeoutSeconds: number | null;
  private readonly newJobId: () => string;
  private readonly processTag: string | null;
  private running: Promise<void> | null = null;
  private readonly recoveryDeps: RecoveryDeps;
  private readonly claimAtBoot: (() => Promise<string[]>) | null;
  private readonly orphanLedger: OrphanStore;
  private readonly claim: (jobId: string) => Promise<boolean>;

  constructor(options: JobManagerOptions) {
    this.store = options.store;
    this.baton = options.baton;
    this.bus = options.bus;
    this.clock = options.clock;
    this.dataDir = options.dataDir;
    this.cwd = options.cwd ?? process.cwd();
    this.allowedRoots = [options.dataDir, ...(options.allowedRoots ?? [])];
    this.knownInstruments = [...(options.knownInstruments ?? [])];
    this.instrumentUnusable = options.instrumentUnusable;
    this.jobTimeoutSeconds = options.jobTimeoutSeconds ?? null;
    this.newJobId = options.newJobId ?? (() => randomUUID());
    this.processTag = options.processTag ?? null;
    this.claimAtBoot = options.claimAtBoot ?? null;
    this.orphanLedger = options.orphanLedger ?? this.store;
    this.claim = options.claim ?? (() => Promise.resolve(true));
    this.recoveryDeps = {
      store: this.store,
      baton: this.baton,
      parse: (text) => this.parse(text),
      cwd: this.cwd,
    };
    this.hooks = new HookRunner({
      store: this.store,
      baton: this.baton,
      bus: this.bus,
      cwd: this.cwd,
      dataDir: this.dataDir,
      parse: (text) => this.parse(text),
      submitChild: (options, link) => this.submit(options, link),
      processTag: this.processTag,
      owns: options.owns,
    });
  }

  // ---- lifecycle ----

  /**
   * Boot: end orphaned musicians first (nothing is dispatched before), hand every unfinished
   * job back to the baton, start dispatching, then finish hooks a crash interrupted.
   */
  async start(): Promise<RecoveryReport> {
    const startedAt = performance.now();
    const reapedProcessGroups = await reapOrphans(this.orphanLedger, { tag: this.processTag });
    const report: RecoveryReport = {
      recoveredJobs: [],
      reapedProcessGroups,
      failedToRecover: [],
      durationMs: 0,
    };
    // Every checkpoint enters the inbox before the loop starts, so the first dispatch pass sees
    // all recovered jobs, in submission order.
    const recoverable =
      this.claimAtBoot === null
        ? await this.store.loadRecoverableJobs()
        : await this.loadUnfinished(await this.claimAtBoot());
    const outcomes = recoverable.map((stored) => handBack(this.recoveryDeps, stored));
    this.hooks.attach();
    this.running = this.baton.run();
    this.running.catch(() => undefined);
    const settled = await Promise.all(outcomes);
    for (const [index, outcome] of settled.entries()) {
      const stored = recoverable[index]!;
      const jobId = stored.job.record.id;
      if (outcome.ok) {
        report.recoveredJobs.push(jobId);
      } else {
        report.failedToRecover.push({ jobId, message: outcome.message });
        await this.baton.failUnrecoverable({
          job: stored.job.record,
          sheets: stored.sheets,
          message: outcome.message,
        });
      }
    }
    report.durationMs = performance.now() - startedAt;
    await this.hooks.resumePending();
    return report;
  }

  /**
   * Graceful drain (SIGTERM/SIGINT): stops dispatching and lets attempts in flight finish, for
   * at most `graceMs` or until `force` aborts. Whatever is still playing then is ended by `stop`;
   * its checkpoint still says dispatched, so the next boot runs it again with its budgets kept.
   * Resolves true when everything in flight finished.
   */
  async drain(graceMs: number, force?: AbortSignal): Promise<boolean> {
    const drained = this.baton.drain().then(() => true);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), graceMs);
      force?.addEventListener("abort", () => resolve(false), { once: true });
      if (force?.aborted) resolve(false);
    });
    try {
      return await Promise.race([drained, expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  get draining(): boolean {
    return this.baton.isDraining;
  }

  /** Stops dispatch and waits for in-flight musicians to be cancelled; the store stays open. */
  async stop(): Promise<void> {
    this.hooks.detach();
    await this.baton.shutdown();
    await this.hooks.idle();
  }

  /**
   * Jobs this process just claimed (their holder is gone): handed to the baton as at a restart,
   * or their interrupted hooks resumed.
   */
  async adopt(jobIds: readonly string[]): Promise<void> {
    for (const stored of await this.loadUnfinished(jobIds)) {
      const handed = await handBack(this.recoveryDeps, stored);
      if (!handed.ok)
        await this.baton.failUnrecoverable({
          job: stored.job.record,
          sheets: stored.sheets,
          message: handed.message,
        });
    }
    for (const jobId of jobIds) this.hooks.resumeIfPending(jobId);
  }

  /** The instruments a score's sheets name, or null when it does not parse. */
  neededInstruments(score: string): string[] | null {
    const parsed = this.parse(score);
    if (!parsed.ok) return null;
    return [...new Set(parsed.sheets.map((sheet) => sheet.instrument))].sort();
  }

  private async loadUnfinished(jobIds: readonly string[]): Promise<StoredJobWithSheets[]> {
    const loaded: StoredJobWithSheets[] = [];
    for (const jobId of jobIds) {
      if (this.baton.getJob(jobId) !== null) continue;
      const stored = await this.store.loadJob(jobId);
      if (stored !== null && !isTerminalJob(stored.job.record.status)) loaded.push(stored);
    }
    return loaded;
  }

  // ---- commands ----

  validateScore(score: string): ScoreValidationResult {
    const parsed = this.parse(score);
    if (!parsed.ok)
      return { valid: false, problems: parsed.problems, warnings: [], sheetCount: null };
    return {
      valid: true,
      problems: [],
      warnings: parsed.warnings,
      sheetCount: parsed.sheets.length,
    };
  }

  submitJob(options: SubmitJobOptions): Promise<SubmitJobOutcome> {
    return this.submit(options, null);
  }

  async pauseJob(jobId: string): Promise<CommandOutcome> {
    const stored = await this.store.loadJob(jobId);
    if (stored === null) return notFound(jobId);
    const status = stored.job.record.status;
    if (isTerminalJob(status))
      return {
        ok: false,
        error: { code: "INVALID_STATE", message: `job ${jobId} is already ${status}` },
      };
    return toCommandOutcome(await this.baton.pauseJob(jobId, "user"));
  }

  async resumeJob(
    jobId: string,
    options: { retryFailed?: boolean; score?: string | null } = {},
  ): Promise<CommandOutcome> {
    const stored = await this.store.loadJob(jobId);
    if (stored === null) return notFound(jobId);
    const retryFailed = options.retryFailed ?? false;
    if (options.score !== undefined && options.score !== null) {
      const rescored = await this.rescore(stored, options.score);
      if (!rescored.ok) return rescored;
      return toCommandOutcome(await this.baton.resumeJob(jobId, { retryFailed }));
    }
    const status = stored.job.record.status;
    if (status === "failed" && retryFailed && this.baton.getJob(jobId) === null) {
      // A job that failed before the last restart is not in the baton any more: hand it back first.
      if (!(await this.claim(jobId))) return playedElsewhere(jobId);
      const recovered = await handBack(this.recoveryDeps, stored);
      if (!recovered.ok)
        return { ok: false, error: { code: "INVALID_STATE", message: recovered.message } };
    }
    return toCommandOutcome(await this.baton.resumeJob(jobId, { retryFailed }));
  }

  async cancelJob(jobId: string): Promise<CommandOutcome> {
    const stored = await this.store.loadJob(jobId);
    if (stored === null) return notFound(jobId);
    const status = stored.job.record.status;
    if (isTerminalJob(status))
      return {
        ok: false,
        error: { code: "INVALID_STATE", message: `job ${jobId} is already ${status}` },
      };
    return toCommandOutcome(await this.baton.cancelJob(jobId));
  }

  async resolveFermata(
    jobId: string,
    sheetNum: number,
    decision: FermataDecision,
  ): Promise<CommandOutcome> {
    const stored = await this.store.loadJob(jobId);
    if (stored === null) return notFound(jobId);
    const sheet = stored.sheets.find((s) => s.num === sheetNum);
    if (sheet === undefined)
      return {
        ok: false,
        error: { code: "NOT_FOUND", message: `job ${jobId} has no sheet ${sheetNum}` },
      };
    if (sheet.status !== "fermata") {
      return {
        ok: false,
        error: {
          code: "INVALID_STATE",
          message: `sheet ${sheetNum} is not in fermata (status: ${sheet.status})`,
        },
      };
    }
    return toCommandOutcome(await this.baton.resolveFermata(jobId, sheetNum, decision));
  }

  clearRateLimit(instrument?: string | null): Promise<number> {
    return this.baton.clearInstrumentRateLimit(instrument ?? null);
  }

  // ---- internals ----

  /**
   * Replaces a paused or failed job's score, keeping its structure: stored first, then the job
   * is handed to the baton again under the new plan (completed sheets stay completed).
   */
  private async rescore(
    stored: StoredJobWithSheets,
    score: string,
  ): Promise<{ ok: true } | { ok: false; error: CommandError }> {
    const jobId = stored.job.record.id;
    const status = stored.job.record.status;
    if (status !== "paused" && status !== "failed")
      return invalidState(
        `job ${jobId} is ${status}: only a paused or failed job takes a corrected score`,
      );
    const playing = stored.sheets.filter(
      (s) => s.status === "dispatched" || s.status === "in_progress",
    );
    if (playing.length > 0)
      return invalidState(
        `sheet ${playing.map((s) => s.num).join(", ")} of job ${jobId} is still playing; resume with a corrected score once it has finished`,
      );
    const parsed = this.parse(score);
    if (!parsed.ok)
      return {
        ok: false,
        error: { code: "SCORE_INVALID", message: parsed.message, problems: parsed.problems },
      };
    const current = specFromStored(this.recoveryDeps, stored.job);
    if (!current.ok) return invalidState(current.message);
    const built = buildJobSpec(parsed, {
      jobId,
      workspace: stored.job.workspace,
      options: storedJobOptions(stored.job.options),
      cwd: this.cwd,
    });
    if (!built.ok) {
      const problems = [{ path: "prompt.template_file", message: built.message }];
      return { ok: false, error: { code: "SCORE_INVALID", message: built.message, problems } };
    }
    const refused = structureChange(current.spec, built.spec);
    if (refused !== null) return { ok: false, error: { code: "INVALID_INPUT", message: refused } };

    const sheets = replannedSheets(stored.sheets, built.spec);
    if (this.baton.getJob(jobId) !== null) await this.baton.deregisterJob(jobId);
    else if (!(await this.claim(jobId))) return playedElsewhere(jobId);
    const replaced = await this.baton.replaceScore({
      score: {
        id: jobId,
        name: parsed.config.name,
        scoreText: score,
        configHash: parsed.hash,
        spec: built.spec,
      },
      sheets,
    });
    if (!replaced.ok) return invalidState(replaced.rejection.message);
    const reloaded = (await this.store.loadJob(jobId))!;
    const handed = await handBack(this.recoveryDeps, reloaded);
    if (!handed.ok) return invalidState(handed.message);
    return { ok: true };
  }

  private parse(text: string): ScoreParseResult {
    return parseScore(text, {
      baseDir: this.cwd,
      knownInstruments: this.knownInstruments,
      allowedRoots: this.allowedRoots,
      instrumentUnusable: this.instrumentUnusable,
    });
  }

  private jobOptions(options: SubmitJobOptions, link: ConcertLink | null): JobOptions {
    return {
      selfHealing: options.selfHealing ?? false,
      escalation: options.escalation ?? false,
      startSheet: options.startSheet ?? 1,
      jobTimeoutSeconds: this.jobTimeoutSeconds,
      concert: link === null ? null : { parentJobId: link.parentJobId, depth: link.depth },
    };
  }

  private async submit(
    options: SubmitJobOptions,
    link: ConcertLink | null,
  ): Promise<SubmitJobOutcome> {
    const parsed = this.parse(options.score);
    if (!parsed.ok) return { ok: false, message: parsed.message, problems: parsed.problems };
    const total = parsed.sheets.length;
    const startSheet = options.startSheet ?? 1;
    if (!Number.isInteger(startSheet) || startSheet < 1 || (total > 0 && startSheet > total)) {
      const message = `startSheet must be a whole number from 1 to ${total}, got ${startSheet}`;
      return { ok: false, message, problems: [{ path: "startSheet", message }] };
    }
    const idempotencyKey = options.dryRun
      ? null
      : (link?.idempotencyKey ?? options.idempotencyKey ?? null);
    if (idempotencyKey !== null) {
      const existing = await this.store.findJobByIdempotencyKey(idempotencyKey);
      if (existing !== null)
        return { ok: true, jobId: existing.record.id, warnings: existing.warnings, created: false };
    }

    const jobId = this.newJobId();
    const workspace = resolveWorkspace({
      inputWorkspace: options.workspace,
      scoreWorkspace: parsed.config.workspace,
      scoreSetsWorkspace: parsed.explicitKeys.has("workspace"),
      dataDir: this.dataDir,
      jobId,
    });
    const jobOptions = this.jobOptions(options, link);
    const built = buildJobSpec(parsed, {
      jobId,
      workspace,
      options: jobOptions,
      cwd: this.cwd,
      allowedRoots: this.allowedRoots,
    });
    if (!built.ok)
      return {
        ok: false,
        message: built.message,
        problems: [{ path: "prompt.template_file", message: built.message }],
      };

    const now = this.clock.now();
    const warnings = options.dryRun ? [...parsed.warnings, DRY_RUN_MESSAGE] : parsed.warnings;
    const submitted = await this.baton.submitJob({
      job: {
        id: jobId,
        name: parsed.config.name,
        status: options.dryRun ? "cancelled" : "pending",
        scoreText: options.score,
        configHash: parsed.hash,
        spec: options.dryRun ? null : built.spec,
        workspace,
        idempotencyKey,
        warnings,
        options: {
          ...jobOptions,
          workspaceFingerprint: this.hooks.fingerprintIfChaining(parsed.config, workspace),
          ...hookPlanOf(parsed.config),
        },
        totalSheets: total,
        concertDepth: link?.depth ?? 0,
        parentJobId: link?.parentJobId ?? null,
        hooksPending: !options.dryRun && parsed.config.on_success.length > 0,
        createdAt: now,
      },
      sheets: parsed.sheets,
      dryRunReason: options.dryRun ? DRY_RUN_MESSAGE : null,
      startSheet,
    });
    if (submitted.ok) return { ok: true, jobId, warnings, created: true };
    const { rejection } = submitted;
    if (rejection.kind === "duplicate_job" && rejection.jobId !== undefined) {
      const existing = await this.store.loadJob(rejection.jobId);
      return {
        ok: true,
        jobId: rejection.jobId,
        warnings: existing?.job.warnings ?? [],
        created: false,
      };
    }
    return { ok: false, message: rejection.message, problems: [] };
  }
}
