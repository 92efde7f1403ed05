/**
 * Runs one prompt through a CLI instrument as its profile describes: a process group of its
 * own, a timeout, an optional idle limit (score `stale_detection`), an abort signal, and the
 * group killed (TERM, 2 s, KILL) on every way out, including success, since agents leave
 * helpers running. Podium starts every run in a new process group whatever the profile's
 * `start_new_session` says: that is what makes the cleanup reliable.
 */
import type { Clock } from "../contracts/clock.ts";
import {
  failedRun,
  type BackendRunRequest,
  type BackendRunResult,
  type InstrumentBackend,
} from "./backend.ts";
import { classifyFailedRun, compileErrorPatterns, type CompiledErrorPatterns } from "./classify.ts";
import { compilePatterns, firstMatch, type CompiledPatterns } from "./patterns.ts";
import { buildInvocation } from "./cli-command.ts";
import { LiveOutput } from "./live-output.ts";
import { parseOutput } from "./output-parse.ts";
import { progressParserFor, type LineParser } from "./progress-parse.ts";
import {
  endGroupAndEscapees,
  killGroup,
  OutputCollector,
  spawnInGroup,
  tailOf,
  type GroupProcess,
} from "./process-group.ts";
import type { CliProfile, InstrumentProfile } from "./profile-schema.ts";

/** How long to wait for pipes to drain after the group is gone. */
const PIPE_DRAIN_MS = 1_000;

export interface CliBackendOptions {
  env: NodeJS.ProcessEnv;
  clock: Clock;
  killGraceMs?: number;
}

export class CliBackend implements InstrumentBackend {
  private readonly cli: CliProfile;
  private readonly patterns: CompiledErrorPatterns;
  private readonly failFast: CompiledPatterns;
  private readonly progress: LineParser;
  private readonly running = new Set<number>();
  /**
   * Called by `close`, so that shutdown takes every run's ordinary cancel path (a set, not an
   * AbortSignal every run listens to: adding and removing such a listener costs more per run).
   */
  private readonly shutdownCancels = new Set<() => void>();
  private closed = false;

  constructor(
    readonly profile: InstrumentProfile,
    private readonly options: CliBackendOptions,
  ) {
    if (profile.cli === null) throw new Error(`instrument '${profile.name}' has no cli section`);
    this.cli = profile.cli;
    this.patterns = compileErrorPatterns(profile.cli.errors);
    this.failFast = compilePatterns(profile.cli.errors.fail_fast_patterns);
    this.progress = progressParserFor(profile.cli.output);
  }

  async run(request: BackendRunRequest): Promise<BackendRunResult> {
    if (request.signal.aborted)
      return failedRun("CANCELLED", "cancelled before the instrument started");
    if (this.closed) return failedRun("CANCELLED", "the instrument is shut down");
    const invocation = buildInvocation(
      this.cli,
      this.profile.default_model,
      {
        prompt: request.prompt,
        model: request.model,
        workspace: request.workspace,
        timeoutSeconds: request.timeoutSeconds,
      },
      this.options.env,
    );
    // The cancel is watched from before the spawn: an abort that lands while the process is
    // still starting (or inside onSpawn) must still end it, and a listener added later never fires.
    const cancel = watchAbort(request.signal);
    this.shutdownCancels.add(cancel.abort);
    let group: GroupProcess | null = null;
    try {
      try {
        group = await spawnInGroup(invocation.executable, invocation.args, {
          cwd: request.workspace,
          env: invocation.env,
          stdin: invocation.stdin,
        });
      } catch (error) {
        // A missing executable is no failure of the sheet: the instrument is unavailable here,
        // so the engine moves the sheet along its fallback chain without spending retries.
        if ((error as NodeJS.ErrnoException).code === "ENOENT") {
          return failedRun(
            "UNKNOWN_INSTRUMENT",
            `instrument '${this.profile.name}' is not usable here: executable '${invocation.executable}' not found on PATH`,
          );
        }
        return failedRun(
          "EXECUTION_ERROR",
          `cannot start '${invocation.executable}': ${(error as Error).message}`,
        );
      }
      this.running.add(group.pgid);
      try {
        return await this.supervise(group, request, cancel.aborted);
      } catch (error) {
        // `supervise` ends the group on each of its ways out but this one.
        await killGroup(group.pgid, this.options.killGraceMs);
        throw error;
      }
    } finally {
      cancel.dispose();
      this.shutdownCancels.delete(cancel.abort);
      if (group !== null) this.running.delete(group.pgid);
    }
  }

  private async supervise(
    group: GroupProcess,
    request: BackendRunRequest,
    aborted: Promise<"abort">,
  ): Promise<BackendRunResult> {
    request.onSpawn?.(group.pgid, group.startedAt);
    const stdout = new OutputCollector();
    const stderr = new OutputCollector();
    const idle = idleWatchdog(request.idleTimeoutSeconds ?? null);
    const failFast = failFastWatch(this.failFast);
    const onOutput = request.onOutput;
    const live =
      onOutput === undefined ? null : new LiveOutput({ parse: this.progress, publish: onOutput });
    group.child.stdout?.on("data", (chunk: Buffer) => {
      idle.sawOutput();
      stdout.push(chunk);
      live?.push(chunk);
      failFast.scan("stdout", chunk);
    });
    group.child.stderr?.on("data", (chunk: Buffer) => {
      idle.sawOutput();
      stderr.push(chunk);
      failFast.scan("stderr", chunk);
    });
    const pipesClosed = new Promise<void>((resolve) => group.child.once("close", () => resolve()));

    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), Math.max(0, request.timeoutSeconds * 1000));
    });
    const ending = await Promise.race([
      group.exited.then(() => "exit" as const),
      aborted,
      timedOut,
      idle.stale,
      failFast.matched,
    ]);
    clearTimeout(timer);
    idle.stop();
    if (ending !== "exit") await endGroupAndEscapees(group, this.options.killGraceMs);
    const { code, signal } = await group.exited;
    // Leftover children (of a successful run, too) hold the pipes open; end them first.
    await killGroup(group.pgid, this.options.killGraceMs);
    let drainTimer: NodeJS.Timeout | undefined;
    await Promise.race([
      pipesClosed,
      new Promise((resolve) => (drainTimer = setTimeout(resolve, PIPE_DRAIN_MS))),
    ]);
    clearTimeout(drainTimer);
    group.child.stdout?.destroy();
    group.child.stderr?.destroy();
    live?.close();

    const stdoutText = stdout.text();
    const stderrText = stderr.text();
    const parsed = parseOutput(stdoutText, this.cli.output);
    const shownStdout =
      parsed.structured && parsed.resultText !== "" ? parsed.resultText : stdoutText;
    const common = {
      exitCode: code,
      exitSignal: signal,
      resultText: parsed.resultText,
      stdoutTail: tailOf(shownStdout),
      stderrTail: tailOf(stderrText),
      inputTokens: parsed.inputTokens,
      outputTokens: parsed.outputTokens,
      reportedCostUsd: parsed.costUsd,
      modelUsed: parsed.modelUsed ?? request.model ?? this.profile.default_model,
    };
    if (ending === "abort")
      return failedRun("CANCELLED", "cancelled; the instrument's processes were killed", common);
    if (ending === "stale") {
      return failedRun(
        "STALE",
        `stale: no output on stdout or stderr for ${request.idleTimeoutSeconds} s; the instrument's processes were killed`,
        common,
      );
    }
    if (ending === "timeout") {
      return failedRun(
        "TIMEOUT",
        `timed out after ${request.timeoutSeconds} s; the instrument's processes were killed`,
        common,
      );
    }
    if (
      ending === "exit" &&
      signal === null &&
      code !== null &&
      this.cli.errors.success_exit_codes.includes(code)
    ) {
      return {
        ...common,
        executionSuccess: true,
        plainFailure: false,
        errorClass: null,
        errorMessage: null,
        rateLimited: false,
        rateLimitWaitSeconds: null,
      };
    }
    const verdict = classifyFailedRun(this.cli.errors, this.patterns, {
      exitCode: code,
      exitSignal: signal,
      stderr: stderrText,
      stdout: stdoutText,
      structuredError: parsed.errorText,
      structured: parsed.structured,
      events: parsed.events,
      nowMs: this.options.clock.now(),
    });
    return { ...common, executionSuccess: false, ...verdict };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const abort of this.shutdownCancels) abort();
    await Promise.all([...this.running].map((pgid) => killGroup(pgid, this.options.killGraceMs)));
  }
}

/**
 * Resolves once `signal` aborts (at once if it already has) or `abort` is called; the listener
 * is removed when the run is over. Cheaper than `AbortSignal.any`, which every run would pay.
 */
function watchAbort(signal: AbortSignal): {
  aborted: Promise<"abort">;
  abort(): void;
  dispose(): void;
} {
  let resolveAborted!: (value: "abort") => void;
  const aborted = new Promise<"abort">((resolve) => (resolveAborted = resolve));
  const abort = () => resolveAborted("abort");
  if (signal.aborted) abort();
  else signal.addEventListener("abort", abort, { once: true });
  return {
    aborted,
    abort,
    dispose: () => signal.removeEventListener("abort", abort),
  };
}

/**
 * Watches output lines for the profile's fail_fast_patterns; resolves `matched` on the first
 * line that matches. Partial lines are kept per stream until their newline arrives.
 */
function failFastWatch(patterns: CompiledPatterns): {
  matched: Promise<"fail-fast">;
  scan(stream: "stdout" | "stderr", chunk: Buffer): void;
} {
  let resolveMatched!: (value: "fail-fast") => void;
  const matched = new Promise<"fail-fast">((resolve) => (resolveMatched = resolve));
  if (patterns.regexes.length === 0) return { matched, scan() {} };
  const pending = { stdout: "", stderr: "" };
  let done = false;
  return {
    matched,
    scan(stream, chunk) {
      if (done) return;
      const text = pending[stream] + chunk.toString("utf8");
      const lines = text.split("\n");
      pending[stream] = (lines.pop() ?? "").slice(-64 * 1024);
      if (lines.some((line) => firstMatch(patterns, line) !== null)) {
        done = true;
        resolveMatched("fail-fast");
      }
    },
  };
}

/**
 * Resolves `stale` once the process has been silent for `idleTimeoutSeconds` (score
 * `stale_detection`); every output chunk restarts the count. Null or non-positive: never.
 */
function idleWatchdog(idleTimeoutSeconds: number | null): {
  stale: Promise<"stale">;
  sawOutput(): void;
  stop(): void;
} {
  if (idleTimeoutSeconds === null || !(idleTimeoutSeconds > 0)) {
    return { stale: new Promise<"stale">(() => undefined), sawOutput() {}, stop() {} };
  }
  let timer: NodeJS.Timeout | undefined;
  const stale = new Promise<"stale">((resolve) => {
    timer = setTimeout(() => resolve("stale"), idleTimeoutSeconds * 1000);
  });
  return {
    stale,
    sawOutput: () => void timer?.refresh(),
    stop: () => clearTimeout(timer),
  };
}
