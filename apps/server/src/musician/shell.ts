/**
 * Shell commands run around a job's attempts (skip_when_command, on_success run_command):
 * `bash -c` in the workspace, in their own process group, killed as a group on timeout. They get
 * the minimal child environment (plus `env`), never the server's secrets.
 */
import { mkdirSync } from "node:fs";
import { buildChildEnv } from "../instruments/child-env.ts";
import {
  endGroupAndEscapees,
  killGroup,
  spawnInGroup,
  tailOf,
} from "../instruments/process-group.ts";
import { DATABASE_TAG_VARIABLE } from "../contracts/process-tag.ts";

export interface ShellOutcome {
  /** null when the command was killed or could not start. */
  exitCode: number | null;
  timedOut: boolean;
  stdoutTail: string;
  stderrTail: string;
  /** Why it could not start, when it could not. */
  spawnError: string | null;
}

export async function runShell(
  command: string,
  options: { cwd: string; timeoutSeconds: number; env?: NodeJS.ProcessEnv; signal?: AbortSignal },
): Promise<ShellOutcome> {
  mkdirSync(options.cwd, { recursive: true });
  let group;
  try {
    group = await spawnInGroup("bash", ["-c", command], {
      cwd: options.cwd,
      env: { ...buildChildEnv(process.env), ...options.env },
      stdin: null,
    });
  } catch (error) {
    return {
      exitCode: null,
      timedOut: false,
      stdoutTail: "",
      stderrTail: "",
      spawnError: (error as Error).message,
    };
  }
  let stdout = "";
  let stderr = "";
  group.child.stdout?.on(
    "data",
    (chunk: Buffer) => (stdout = tailOf(stdout + chunk.toString("utf8"))),
  );
  group.child.stderr?.on(
    "data",
    (chunk: Buffer) => (stderr = tailOf(stderr + chunk.toString("utf8"))),
  );
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void endGroupAndEscapees(group);
  }, options.timeoutSeconds * 1000);
  const onAbort = () => void endGroupAndEscapees(group);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  const exit = await group.exited;
  clearTimeout(timer);
  options.signal?.removeEventListener("abort", onAbort);
  // Helpers the command left behind in its group go with it.
  await killGroup(group.pgid, 500);
  return {
    exitCode: timedOut ? null : exit.code,
    timedOut,
    stdoutTail: stdout,
    stderrTail: stderr,
    spawnError: null,
  };
}

/** `{workspace}` and `{job_id}` placeholders, as Marianne substitutes them in hook fields. */
export function substitutePlaceholders(
  text: string,
  values: { workspace: string; jobId: string },
): string {
  return text.replaceAll("{workspace}", values.workspace).replaceAll("{job_id}", values.jobId);
}

/** The environment addition that marks a process as started for this database. */
export function tagEnvironment(processTag: string | null | undefined): NodeJS.ProcessEnv {
  return processTag ? { [DATABASE_TAG_VARIABLE]: processTag } : {};
}
