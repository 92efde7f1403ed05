/**
 * `command_succeeds`: bash in its own process group, with a timeout, killed on every way out.
 * The command gets the minimal child environment, never the server's secrets.
 */
import { buildChildEnv } from "../instruments/child-env.ts";
import { killGroup, OutputCollector, spawnInGroup, tailOf } from "../instruments/process-group.ts";

/** How long output still in the pipes is waited for once the command exited. */
const PIPE_DRAIN_MS = 1_000;

export interface CommandOutcome {
  passed: boolean;
  exitCode: number | null;
  reason: string | null;
  output: string;
}

export async function runCheckCommand(
  command: string,
  cwd: string,
  timeoutSeconds: number,
  signal: AbortSignal,
  /** The server's environment; only what buildChildEnv lets through reaches the command. */
  parentEnv: NodeJS.ProcessEnv,
): Promise<CommandOutcome> {
  let group;
  try {
    group = await spawnInGroup("bash", ["-c", command], {
      cwd,
      env: buildChildEnv(parentEnv),
      stdin: null,
    });
  } catch (error) {
    return {
      passed: false,
      exitCode: null,
      reason: `cannot start bash: ${(error as Error).message}`,
      output: "",
    };
  }
  const output = new OutputCollector(64 * 1024);
  group.child.stdout?.on("data", (chunk: Buffer) => output.push(chunk));
  group.child.stderr?.on("data", (chunk: Buffer) => output.push(chunk));
  // The exit can be reported before the last output arrives: it is read once the pipes closed.
  const pipesClosed = new Promise<void>((resolve) => group.child.once("close", () => resolve()));
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    const stopped = new Promise<"timeout" | "abort">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutSeconds * 1000);
      onAbort = () => resolve("abort");
      signal.addEventListener("abort", onAbort, { once: true });
      if (signal.aborted) resolve("abort");
    });
    const ending = await Promise.race([group.exited.then(() => "exit" as const), stopped]);
    if (ending !== "exit") {
      await killGroup(group.pgid);
      const reason = ending === "timeout" ? `timed out after ${timeoutSeconds} s` : "cancelled";
      return { passed: false, exitCode: null, reason, output: tailOf(output.text(), 2000) };
    }
    const { code, signal: exitSignal } = await group.exited;
    // Leftover children would hold the pipes open: they are ended first.
    await killGroup(group.pgid);
    let drainTimer: NodeJS.Timeout | undefined;
    await Promise.race([
      pipesClosed,
      new Promise((resolve) => (drainTimer = setTimeout(resolve, PIPE_DRAIN_MS))),
    ]);
    clearTimeout(drainTimer);
    const passed = code === 0;
    const reason = passed
      ? null
      : exitSignal
        ? `killed by ${exitSignal}`
        : `exited with code ${code}`;
    return { passed, exitCode: code, reason, output: tailOf(output.text(), 2000) };
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener("abort", onAbort);
    await killGroup(group.pgid);
    group.child.stdout?.destroy();
    group.child.stderr?.destroy();
  }
}
