/**
 * The wrapper around the instrument-playing musician: it records each attempt's process group the
 * moment the process exists (so a restart can end it if the server is killed), forgets it when
 * the attempt is over, and evaluates a sheet's `skip_when_command` just before the instrument
 * would start. Exit 0 reports the attempt as skipped (the baton skips the sheet deliberately, and
 * nothing is played); any other exit, a timeout or a command that
 * cannot start lets the sheet run (Marianne's rule).
 */
import type {
  AttemptRequest,
  AttemptResult,
  MusicianPort,
  PlayHooks,
} from "../contracts/attempt.ts";
import type { Clock } from "../contracts/clock.ts";
import { runShell, substitutePlaceholders, tagEnvironment } from "./shell.ts";

export interface ProcessGroupLedger {
  recordProcessGroup(
    jobId: string,
    sheetNum: number,
    processGroup: number,
    processStartedAt: string | null,
  ): void;
  clearProcessGroup(jobId: string, sheetNum: number, processGroup: number): void | Promise<void>;
}

export interface GuardedMusicianOptions {
  inner: MusicianPort;
  ledger: ProcessGroupLedger;
  clock: Clock;
  /** The database's process tag, set in the skip command's environment (see orphans.ts). */
  processTag?: string | null;
}

export function createGuardedMusician(options: GuardedMusicianOptions): MusicianPort {
  const { inner, ledger, clock } = options;
  return {
    async play(request: AttemptRequest, hooks: PlayHooks): Promise<AttemptResult> {
      const skip = request.sheet.skipWhenCommand;
      if (skip !== null && !hooks.signal.aborted) {
        const startedAt = clock.now();
        const command = substitutePlaceholders(skip.command, {
          workspace: request.workspace,
          jobId: request.jobId,
        });
        const outcome = await runShell(command, {
          cwd: request.workspace,
          timeoutSeconds: skip.timeoutSeconds,
          env: tagEnvironment(options.processTag),
          // Cancel and shutdown end a skip command that is still running.
          signal: hooks.signal,
        });
        if (outcome.exitCode === 0) {
          return {
            outcome: "skipped",
            jobId: request.jobId,
            sheetNum: request.sheetNum,
            instrument: request.instrument,
            attemptNumber: request.attemptNumber,
            dispatchToken: request.dispatchToken,
            mode: request.mode,
            reason: `skip_when_command exited 0${skip.description ? `: ${skip.description}` : ""}`,
            startedAt,
            finishedAt: clock.now(),
          };
        }
      }
      // The instrument ends its own group on cancel, even one that lands while it is starting.
      let recorded: number | null = null;
      const result = await inner.play(request, {
        ...hooks,
        onSpawn(processGroup, processStartedAt) {
          recorded = processGroup;
          ledger.recordProcessGroup(
            request.jobId,
            request.sheetNum,
            processGroup,
            processStartedAt,
          );
          hooks.onSpawn?.(processGroup, processStartedAt);
        },
      });
      // Not awaited: the result must not wait on the database (nor fail because of it).
      if (recorded !== null)
        void ledger.clearProcessGroup(request.jobId, request.sheetNum, recorded);
      return result;
    },
  };
}
