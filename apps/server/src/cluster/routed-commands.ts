/**
 * Any process serves any client (docs/DESIGN.md §12): a command about a job goes to the process
 * playing it, through the database (store/postgres/commands.ts); a job nobody plays is claimed
 * by the process the command reached; a new job is placed on the best process (placement.ts).
 */
import type { JobManager } from "../conductor/job-manager.ts";
import type {
  CommandOutcome,
  ConductorCommands,
  FermataDecision,
  ScoreValidationResult,
  SubmitJobOptions,
  SubmitJobOutcome,
} from "../contracts/commands.ts";
import type { PgCommandQueue, QueuedCommand } from "../store/postgres/commands.ts";
import { REPLIES_CHANNEL } from "../store/postgres/commands.ts";
import type { PgLeases } from "../store/postgres/leases.ts";
import { placementOrder } from "./placement.ts";
import type { WakeUps } from "./wake-ups.ts";

export type RoutedCommand =
  | { kind: "submit"; options: SubmitJobOptions }
  | { kind: "pause"; jobId: string }
  | { kind: "resume"; jobId: string; retryFailed?: boolean; score?: string | null }
  | { kind: "cancel"; jobId: string }
  | { kind: "fermata"; jobId: string; sheetNum: number; decision: FermataDecision }
  | { kind: "clearRateLimit"; instrument: string | null };

/** `answered: false`: the target does not play the job (any more); the sender looks again. */
export type RoutedAnswer = { answered: true; value: unknown } | { answered: false };

/** How long a target gets to take a command before it is withdrawn and the owner looked up again. */
const TAKE_TIMEOUT_MS = 10_000;
/** How long a command the target is running may take to answer. */
const ANSWER_TIMEOUT_MS = 120_000;
const POLL_MS = 250;
const ROUNDS = 3;

function jobOf(command: RoutedCommand): string | null {
  return "jobId" in command ? command.jobId : null;
}

/** Runs a command another process routed here. */
export async function runRoutedCommand(
  conductor: JobManager,
  member: { holds(jobId: string): boolean },
  queued: QueuedCommand,
): Promise<RoutedAnswer> {
  const command = JSON.parse(queued.payload) as RoutedCommand;
  const jobId = jobOf(command);
  if (jobId !== null && !member.holds(jobId)) return { answered: false };
  return { answered: true, value: await runHere(conductor, command) };
}

function runHere(conductor: JobManager, command: RoutedCommand): Promise<unknown> {
  switch (command.kind) {
    case "submit":
      return conductor.submitJob(command.options);
    case "pause":
      return conductor.pauseJob(command.jobId);
    case "resume":
      return conductor.resumeJob(command.jobId, {
        retryFailed: command.retryFailed,
        score: command.score,
      });
    case "cancel":
      return conductor.cancelJob(command.jobId);
    case "fermata":
      return conductor.resolveFermata(command.jobId, command.sheetNum, command.decision);
    case "clearRateLimit":
      return conductor.clearRateLimit(command.instrument);
    default: {
      const never: never = command;
      return Promise.reject(new Error(`unknown routed command ${JSON.stringify(never)}`));
    }
  }
}

export interface RoutedConductorOptions {
  local: JobManager;
  leases: PgLeases;
  commands: PgCommandQueue;
  wakeUps: WakeUps | null;
  self: string;
}

const unanswered = (jobId: string): CommandOutcome => ({
  ok: false,
  error: {
    code: "INVALID_STATE",
    message: `the process playing job ${jobId} did not answer; try again`,
  },
});

export class RoutedConductor implements ConductorCommands {
  private readonly waiting = new Map<number, () => void>();

  constructor(private readonly options: RoutedConductorOptions) {
    options.wakeUps?.listen(REPLIES_CHANNEL, (id) => this.waiting.get(Number(id))?.());
  }

  validateScore(score: string): ScoreValidationResult {
    return this.options.local.validateScore(score);
  }

  async submitJob(options: SubmitJobOptions): Promise<SubmitJobOutcome> {
    const local = this.options.local;
    const needs = options.dryRun ? null : local.neededInstruments(options.score);
    if (needs === null) return local.submitJob(options);
    const order = placementOrder(await this.options.leases.processes(), needs, this.options.self);
    for (const target of order) {
      if (target.name === this.options.self) return local.submitJob(options);
      const answer = await this.route(target.name, { kind: "submit", options });
      if (answer.answered) return answer.value as SubmitJobOutcome;
    }
    // Nobody else took it: it is played here, whatever this process offers.
    return local.submitJob(options);
  }

  pauseJob(jobId: string): Promise<CommandOutcome> {
    return this.onOwner({ kind: "pause", jobId }, () => this.options.local.pauseJob(jobId));
  }

  resumeJob(
    jobId: string,
    options: { retryFailed?: boolean; score?: string | null } = {},
  ): Promise<CommandOutcome> {
    return this.onOwner({ kind: "resume", jobId, ...options }, () =>
      this.options.local.resumeJob(jobId, options),
    );
  }

  cancelJob(jobId: string): Promise<CommandOutcome> {
    return this.onOwner({ kind: "cancel", jobId }, () => this.options.local.cancelJob(jobId));
  }

  resolveFermata(
    jobId: string,
    sheetNum: number,
    decision: FermataDecision,
  ): Promise<CommandOutcome> {
    return this.onOwner({ kind: "fermata", jobId, sheetNum, decision }, () =>
      this.options.local.resolveFermata(jobId, sheetNum, decision),
    );
  }

  /** Rate limits are each process's own: every living process clears its own. */
  async clearRateLimit(instrument?: string | null): Promise<number> {
    let cleared = await this.options.local.clearRateLimit(instrument ?? null);
    const others = (await this.options.leases.processes()).filter(
      (p) => p.alive && p.name !== this.options.self,
    );
    const answers = await Promise.all(
      others.map((p) =>
        this.route(p.name, { kind: "clearRateLimit", instrument: instrument ?? null }),
      ),
    );
    for (const answer of answers) if (answer.answered) cleared += Number(answer.value) || 0;
    return cleared;
  }

  /** Runs a job's command on the process playing it, claiming the job when nobody does. */
  private async onOwner(
    command: RoutedCommand & { jobId: string },
    here: () => Promise<CommandOutcome>,
  ): Promise<CommandOutcome> {
    const { leases, local } = this.options;
    const { jobId } = command;
    for (let round = 0; round < ROUNDS; round++) {
      if (leases.holds(jobId)) return here();
      const owner = await leases.ownerOf(jobId);
      if (owner === null || owner.expired || owner.owner === this.options.self) {
        // Nobody plays it: a finished job, or one whose process is gone. Taken here.
        if ((await local.store.loadJob(jobId)) === null) return here();
        if (await leases.claim(jobId)) {
          await local.adopt([jobId]);
          return here();
        }
        continue;
      }
      const answer = await this.route(owner.owner, command);
      if (answer.answered) return answer.value as CommandOutcome;
    }
    return unanswered(jobId);
  }

  /** Sends a command and waits for its answer; unanswered when the target never took it. */
  private async route(target: string, command: RoutedCommand): Promise<RoutedAnswer> {
    const { commands } = this.options;
    const id = await commands.send(target, command.kind, JSON.stringify(command));
    const startedAt = Date.now();
    try {
      for (;;) {
        const state = await commands.state(id);
        if (state?.status === "done") return JSON.parse(state.result) as RoutedAnswer;
        if (state === null || state.status === "abandoned") return { answered: false };
        const waited = Date.now() - startedAt;
        if (state.status === "pending" && waited > TAKE_TIMEOUT_MS) {
          if (await commands.abandon(id)) return { answered: false };
        }
        if (waited > ANSWER_TIMEOUT_MS) return { answered: false };
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, POLL_MS);
          this.waiting.set(id, () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    } finally {
      this.waiting.delete(id);
    }
  }
}
