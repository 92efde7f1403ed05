/**
 * This process as one of several on a PostgreSQL database (docs/DESIGN.md §12). It announces
 * itself, renews its heartbeat and its job leases together, claims the jobs nobody holds (their
 * process died or lost the database) while it has free sheet slots, answers the commands other
 * processes route to it, and forgets the jobs whose lease it lost.
 *
 * Self-fencing: a lease is renewed for `ttl` from the database's clock at the renewal, which is
 * never earlier than the moment this process sent it. When no renewal has succeeded for
 * `ttl - margin` since the last one was sent, this process ends and forgets all its jobs, before
 * any other process can claim them; the fencing token refuses whatever it might still commit.
 */
import type { BatonRuntime } from "../baton/index.ts";
import type { JobManager } from "../conductor/job-manager.ts";
import type { PgCommandQueue } from "../store/postgres/commands.ts";
import { COMMANDS_CHANNEL } from "../store/postgres/commands.ts";
import type { PgLeases, ProcessAnnouncement } from "../store/postgres/leases.ts";
import type { WakeUps } from "./wake-ups.ts";
import { runRoutedCommand } from "./routed-commands.ts";

export interface ClusterMemberOptions {
  leases: PgLeases;
  commands: PgCommandQueue;
  wakeUps: WakeUps | null;
  announcement: ProcessAnnouncement;
  onError: (error: unknown) => void;
  /** How often commands are looked for without a wake-up (default 1000 ms). */
  commandPollMs?: number;
}

/** Whether a pid is a living process on this host. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export class ClusterMember {
  private conductor: JobManager | null = null;
  private baton: BatonRuntime | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private fenceTimer: NodeJS.Timeout | null = null;
  private commandTimer: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;
  private serving: Promise<void> | null = null;
  private serveAgain = false;
  /** performance.now() when the last successful renewal was sent. */
  private renewedAt = performance.now();
  private fenced = false;
  private stopped = false;
  private beats = 0;
  private readonly unlisten: Array<() => void> = [];
  /** How long a lease lasts without renewal. */
  readonly ttlMs: number;

  constructor(private readonly options: ClusterMemberOptions) {
    this.ttlMs = options.leases.ttlMs;
  }

  get name(): string {
    return this.options.announcement.name;
  }

  get capacity(): number {
    return this.options.announcement.capacity;
  }

  get instruments(): readonly string[] | null {
    return this.options.announcement.instruments;
  }

  /** Sheets playing here now (null before the baton is running). */
  get playing(): number | null {
    return this.baton?.activeMusicians ?? null;
  }

  holds(jobId: string): boolean {
    return this.options.leases.holds(jobId);
  }

  /** Writes this process's row; refuses a name another living process uses. */
  async announce(): Promise<void> {
    await this.options.leases.announce(this.options.announcement, isAlive);
    this.renewedAt = performance.now();
  }

  /** The boot claim: what this name held before a restart, then unheld jobs up to capacity. */
  async claimAtBoot(): Promise<string[]> {
    const claimed = await this.options.leases.claimUnheld(this.capacity, this.instruments);
    return claimed.map((lease) => lease.jobId);
  }

  /** Starts the heartbeat, the fence watch and the command service. */
  start(conductor: JobManager, baton: BatonRuntime): void {
    this.conductor = conductor;
    this.baton = baton;
    const renewEvery = Math.max(100, Math.floor(this.ttlMs / 3));
    this.heartbeatTimer = setInterval(() => this.beat(), renewEvery);
    this.fenceTimer = setInterval(() => this.checkFence(), Math.max(50, this.ttlMs / 10));
    this.commandTimer = setInterval(() => this.serve(), this.options.commandPollMs ?? 1000);
    for (const timer of [this.heartbeatTimer, this.fenceTimer, this.commandTimer]) timer.unref();
    const wakeUps = this.options.wakeUps;
    if (wakeUps !== null) {
      this.unlisten.push(
        wakeUps.listen(COMMANDS_CHANNEL, (target) => {
          if (target === this.name) this.serve();
        }),
        wakeUps.onReconnect(() => this.serve()),
      );
    }
    this.serve();
  }

  /** Stops the heartbeat, the fence watch and the command service (the leases stay). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of [this.heartbeatTimer, this.fenceTimer, this.commandTimer])
      if (timer !== null) clearInterval(timer);
    for (const unlisten of this.unlisten.splice(0)) unlisten();
    await this.beating;
    await this.serving;
  }

  private beat(): void {
    if (this.beating !== null || this.stopped) return;
    this.beating = this.renew()
      .catch((error) => this.options.onError(error))
      .finally(() => {
        this.beating = null;
      });
  }

  private async renew(): Promise<void> {
    const sentAt = performance.now();
    const baton = this.baton!;
    const lost = await this.options.leases.heartbeat(baton.activeMusicians);
    this.renewedAt = sentAt;
    this.fenced = false;
    if (lost.length > 0) await baton.forgetJobs(lost);
    this.beats += 1;
    if (this.beats % 10 === 0) {
      await this.options.leases.dropFinished();
      await this.options.commands.prune();
    }
    await this.claimFree();
  }

  /** Claims unheld jobs while sheet slots are free (one per free slot per heartbeat). */
  private async claimFree(): Promise<void> {
    const conductor = this.conductor;
    if (conductor === null || this.baton === null || conductor.draining) return;
    const free = this.capacity - this.baton.activeMusicians;
    if (free <= 0) return;
    const claimed = await this.options.leases.claimUnheld(free, this.instruments);
    if (claimed.length > 0) await conductor.adopt(claimed.map((lease) => lease.jobId));
  }

  private checkFence(): void {
    if (this.fenced || this.stopped) return;
    const margin = Math.max(this.ttlMs / 3, 50);
    if (performance.now() - this.renewedAt < this.ttlMs - margin) return;
    this.fenced = true;
    const jobIds = this.options.leases.forgetAll();
    if (jobIds.length === 0) return;
    this.options.onError(
      new Error(
        `no lease renewal for ${Math.round(performance.now() - this.renewedAt)} ms: ` +
          `ending ${jobIds.length} job(s) here before another process may claim them`,
      ),
    );
    this.baton?.forgetJobs(jobIds).catch(this.options.onError);
  }

  /** Runs every command queued for this process, in order (one pass at a time). */
  private serve(): void {
    if (this.stopped || this.conductor === null) return;
    if (this.serving !== null) {
      this.serveAgain = true;
      return;
    }
    const conductor = this.conductor;
    this.serving = (async () => {
      do {
        this.serveAgain = false;
        for (const command of await this.options.commands.take()) {
          const result = await runRoutedCommand(conductor, this, command).catch(
            (error: unknown) => ({
              answered: true,
              value: {
                ok: false,
                error: { code: "INVALID_STATE", message: String(error) },
              },
            }),
          );
          await this.options.commands.answer(command.id, JSON.stringify(result));
        }
      } while (this.serveAgain && !this.stopped);
    })()
      .catch((error) => this.options.onError(error))
      .finally(() => {
        this.serving = null;
      });
  }
}
