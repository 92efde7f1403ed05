/**
 * A job's on_success hooks (SCORE-SCHEMA.md §13) and concerts (§12). Hooks run once the job has
 * completed, in order; each leaves hook.* / concert.* events in the log. A restart resumes at
 * the first hook with no outcome event; a run_job hook submits its child under an idempotency
 * key derived from the parent and the hook index, so a crash never chains a score twice.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  isEvent,
  type EventData,
  type EventName,
  type EventRecord,
} from "../contracts/event-log.ts";
import type { BatonRuntime, HookEventName } from "../baton/index.ts";
import type { EventBus } from "../bus/event-bus.ts";
import type { OnSuccessHook, ScoreConfig } from "../score/config.ts";
import type { ScoreParseResult } from "../score/parse.ts";
import type { PodiumStore } from "../store/contract.ts";
import type { StoredJob } from "../store/rows.ts";
import { runShell, substitutePlaceholders, tagEnvironment } from "../musician/shell.ts";
import type { SubmitJobOptions, SubmitJobOutcome } from "../contracts/commands.ts";
import type { ConcertLink } from "./job-manager.ts";

const OUTCOME_EVENTS = [
  "hook.completed",
  "hook.failed",
  "concert.chained",
  "concert.refused",
] as const satisfies readonly EventName[];
const FINGERPRINT_FILE_LIMIT = 20_000;

export interface HookRunnerOptions {
  store: PodiumStore;
  baton: BatonRuntime;
  bus: EventBus;
  cwd: string;
  dataDir: string;
  parse(text: string): ScoreParseResult;
  submitChild(options: SubmitJobOptions, link: ConcertLink): Promise<SubmitJobOutcome>;
  /** The database's process tag, set in hook commands' environment (see orphans.ts). */
  processTag?: string | null;
  /** Whether this process plays the job; hooks run only there (default: every job). */
  owns?: (jobId: string) => boolean;
}

/** `interrupted`: the server is stopping; the hook left no outcome and runs again on boot. */
type HookOutcome = "continue" | "stop" | "interrupted";

/** Paths, sizes and modification times of a workspace: equal fingerprints mean nothing changed. */
export function workspaceFingerprint(root: string): string {
  // A workspace that does not exist yet fingerprints like an empty one: creating the folder is
  // not work.
  const hash = createHash("sha256");
  if (!existsSync(root)) return hash.digest("hex");
  const stack = [root];
  let seen = 0;
  while (stack.length > 0 && seen < FINGERPRINT_FILE_LIMIT) {
    const dir = stack.pop()!;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
        a.name.localeCompare(b.name),
      );
    } catch {
      continue;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        stack.push(full);
        continue;
      }
      try {
        const stat = statSync(full);
        hash.update(`${path.relative(root, full)}\0${stat.size}\0${stat.mtimeMs}\n`);
        seen += 1;
      } catch {
        // Removed while we looked.
      }
    }
  }
  return hash.digest("hex");
}

/** What the hooks of a job need from its score, stored with the job at submission. */
export interface HookPlan {
  onSuccess: ScoreConfig["on_success"];
  concert: ScoreConfig["concert"];
}

export function hookPlanOf(config: ScoreConfig): HookPlan {
  return { onSuccess: config.on_success, concert: config.concert };
}

/** The stored plan, or null for a job stored before plans carried it. */
function storedHookPlan(options: Record<string, unknown>): HookPlan | null {
  const { onSuccess, concert } = options as Partial<HookPlan>;
  return Array.isArray(onSuccess) && concert !== undefined && concert !== null
    ? { onSuccess, concert }
    : null;
}

export class HookRunner {
  private readonly inFlight = new Map<string, Promise<void>>();
  private unsubscribe: (() => void) | null = null;
  /** Aborted on shutdown: running hook commands are ended and re-run by the next boot. */
  private stopping = new AbortController();

  constructor(private readonly options: HookRunnerOptions) {}

  /** Starts running hooks of jobs as they complete. */
  attach(): void {
    if (this.stopping.signal.aborted) this.stopping = new AbortController();
    this.unsubscribe ??= this.options.bus.subscribe((event) => this.onEvent(event));
  }

  /** Stops taking new work and ends running hook commands (they leave no outcome event). */
  detach(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.stopping.abort();
  }

  /** Resolves when no hook is running. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Hooks of jobs that completed before the last restart but did not finish them. */
  async resumePending(): Promise<void> {
    for (const job of await this.options.store.loadJobsWithPendingHooks())
      if (this.plays(job.record.id)) this.runFor(job.record.id);
  }

  /** A job taken over from another process: its hooks run again if they did not finish. */
  resumeIfPending(jobId: string): void {
    void this.options.store.loadJob(jobId).then((stored) => {
      if (stored?.job.hooksPending && stored.job.record.status === "completed") this.runFor(jobId);
    });
  }

  private plays(jobId: string): boolean {
    return this.options.owns?.(jobId) ?? true;
  }

  /** Only scores that chain others need a fingerprint (the self-chaining guard compares it). */
  fingerprintIfChaining(config: ScoreConfig, workspace: string): string | null {
    return config.on_success.some((hook) => hook.type === "run_job")
      ? workspaceFingerprint(workspace)
      : null;
  }

  private onEvent(event: EventRecord): void {
    if (event.event === "job.completed" && this.plays(event.jobId)) this.runFor(event.jobId);
  }

  private runFor(jobId: string): void {
    if (this.inFlight.has(jobId)) return;
    const task = this.runHooks(jobId)
      .catch((error) => console.error(`on_success hooks of job ${jobId} failed:`, error))
      .finally(() => this.inFlight.delete(jobId));
    this.inFlight.set(jobId, task);
  }

  private async runHooks(jobId: string): Promise<void> {
    const stored = await this.options.store.loadJob(jobId);
    if (stored === null || !stored.job.hooksPending || stored.job.record.status !== "completed")
      return;
    const job = stored.job;
    const plan = this.planOf(job);
    if (!plan.ok) {
      await this.emit(jobId, "hook.failed", {
        index: -1,
        message: `stored score no longer parses: ${plan.message}`,
      });
      await this.options.baton.finishHooks(jobId);
      return;
    }
    const done = await this.finishedHookIndexes(jobId);
    const hooks = plan.onSuccess;
    for (let index = 0; index < hooks.length; index += 1) {
      if (done.has(index)) continue;
      const outcome = await this.runHook(job, plan, hooks[index]!, index);
      if (outcome === "interrupted") return;
      if (outcome === "stop") break;
    }
    await this.options.baton.finishHooks(jobId);
  }

  private planOf(job: StoredJob): (HookPlan & { ok: true }) | { ok: false; message: string } {
    const stored = storedHookPlan(job.options);
    if (stored !== null) return { ok: true, ...stored };
    const parsed = this.options.parse(job.scoreText);
    return parsed.ok ? { ok: true, ...hookPlanOf(parsed.config) } : parsed;
  }

  private async finishedHookIndexes(jobId: string): Promise<Set<number>> {
    const done = new Set<number>();
    let after = 0;
    for (;;) {
      const page = await this.options.store.readEvents({ jobId, afterSeq: after, limit: 500 });
      for (const event of page) {
        if (isEvent(event, ...OUTCOME_EVENTS)) done.add(event.data.index);
      }
      if (page.length < 500) return done;
      after = page[page.length - 1]!.seq;
    }
  }

  private async runHook(
    job: StoredJob,
    config: HookPlan,
    hook: OnSuccessHook,
    index: number,
  ): Promise<HookOutcome> {
    const jobId = job.record.id;
    const base = { index, type: hook.type, description: hook.description };
    await this.emit(jobId, "hook.started", base);
    switch (hook.type) {
      case "run_command":
      case "run_script": {
        const values = { workspace: job.workspace, jobId };
        const command = substitutePlaceholders(hook.command ?? "", values);
        const cwd = hook.working_directory
          ? path.resolve(job.workspace, substitutePlaceholders(hook.working_directory, values))
          : job.workspace;
        // run_script executes without a shell in Marianne; `exec` keeps the process the same
        // while still letting bash split the arguments.
        const shellCommand = hook.type === "run_script" ? `exec ${command}` : command;
        const result = await runShell(shellCommand, {
          cwd,
          timeoutSeconds: hook.timeout_seconds,
          signal: this.stopping.signal,
          env: tagEnvironment(this.options.processTag),
        });
        if (this.stopping.signal.aborted) return "interrupted";
        if (result.exitCode === 0) {
          await this.emit(jobId, "hook.completed", {
            ...base,
            exitCode: 0,
            stdoutTail: result.stdoutTail.slice(-2000),
          });
          return "continue";
        }
        const message =
          result.spawnError ??
          (result.timedOut
            ? `timed out after ${hook.timeout_seconds} s`
            : `exited with ${result.exitCode}`);
        await this.emit(jobId, "hook.failed", {
          ...base,
          exitCode: result.exitCode,
          message,
          stderrTail: result.stderrTail.slice(-2000),
        });
        return hook.on_failure === "abort" || config.concert.abort_concert_on_hook_failure
          ? "stop"
          : "continue";
      }
      case "run_job":
        return this.chain(job, config, hook, index);
      default: {
        const unreachable: never = hook.type;
        throw new Error(`unhandled hook type ${String(unreachable)}`);
      }
    }
  }

  private async chain(
    job: StoredJob,
    config: HookPlan,
    hook: OnSuccessHook,
    index: number,
  ): Promise<HookOutcome> {
    const jobId = job.record.id;
    const base = { index, type: hook.type, description: hook.description };
    const depth = job.concertDepth + 1;
    const maxDepth = config.concert.max_chain_depth;
    const refuse = async (reason: string): Promise<HookOutcome> => {
      await this.emit(jobId, "concert.refused", { ...base, reason, depth, maxDepth });
      return "stop";
    };
    if (depth > maxDepth)
      return refuse(`chain depth ${depth} would exceed concert.max_chain_depth ${maxDepth}`);

    const values = { workspace: job.workspace, jobId };
    const jobPath = path.resolve(
      this.options.cwd,
      substitutePlaceholders(hook.job_path ?? "", values),
    );
    let scoreText: string;
    try {
      scoreText = readFileSync(jobPath, "utf8");
    } catch (error) {
      await this.emit(jobId, "hook.failed", {
        ...base,
        message: `cannot read ${jobPath}: ${(error as Error).message}`,
      });
      return hook.on_failure === "abort" || config.concert.abort_concert_on_hook_failure
        ? "stop"
        : "continue";
    }
    const childParse = this.options.parse(scoreText);
    if (childParse.ok) {
      const childHash = childParse.hash;
      const recorded = job.options.workspaceFingerprint;
      if (
        childHash === job.configHash &&
        typeof recorded === "string" &&
        recorded === workspaceFingerprint(job.workspace)
      ) {
        return refuse("the score chains itself and its run changed nothing in the workspace");
      }
    }

    const cooldown = config.concert.cooldown_between_jobs_seconds;
    if (cooldown > 0)
      await sleep(cooldown * 1000, undefined, { signal: this.stopping.signal }).catch(
        () => undefined,
      );
    if (this.stopping.signal.aborted) return "interrupted";
    const workspace = hook.job_workspace
      ? substitutePlaceholders(hook.job_workspace, values)
      : config.concert.inherit_workspace
        ? job.workspace
        : null;
    const submitted = await this.options.submitChild(
      { score: scoreText, workspace },
      { parentJobId: jobId, depth, idempotencyKey: `concert:${jobId}:${index}` },
    );
    if (!submitted.ok) {
      await this.emit(jobId, "hook.failed", {
        ...base,
        message: `chained score ${jobPath} is invalid: ${submitted.message}`,
      });
      return "stop";
    }
    await this.emit(jobId, "concert.chained", {
      ...base,
      childJobId: submitted.jobId,
      depth,
      jobPath,
    });
    return "continue";
  }

  private async emit<E extends HookEventName>(
    jobId: string,
    event: E,
    data: EventData<E>,
  ): Promise<void> {
    await this.options.baton.reportHook(jobId, event, data);
  }
}
