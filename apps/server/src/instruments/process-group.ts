/**
 * Child processes that run in their own process group and are always cleaned up as a group:
 * SIGTERM to the whole group, then SIGKILL after a grace period for anything still alive.
 * Agent CLIs start helpers (MCP servers, language servers, shells) that outlive their parent
 * unless the group is killed.
 */
import { randomUUID } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { spawnThroughHelper, type RelayedChild } from "./spawner.ts";

export const KILL_GRACE_MS = 2_000;

/**
 * Set to a fresh value in the environment of every process started here. A descendant that left
 * the group (`setsid`, a daemonising helper) keeps its environment, so when a run is cancelled
 * its escapees are found by this mark (see `endGroupAndEscapees`).
 */
export const PROCESS_MARK_VARIABLE = "PODIUM_PROCESS_MARK";

export interface GroupSpawnOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Written to stdin and then closed; null closes stdin at once. */
  stdin: string | null;
}

export interface GroupProcess {
  child: RelayedChild;
  /** Process group id (= the leader's pid, since it is spawned detached). */
  pgid: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks since boot), to tell a reused pid apart. */
  startedAt: string | null;
  /** Resolves when the leader exits (not when its pipes close). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The value of PROCESS_MARK_VARIABLE this run and its descendants carry. */
  mark: string;
}

/**
 * bash reads ~/.bashrc when its stdin is a socket and SHLVL is unset or 0 (it takes itself for
 * a remote shell), as under systemd, cron or a container; SHLVL=1 makes every instrument shell
 * an ordinary non-interactive one.
 */
function withShellLevel(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const level = Number(env.SHLVL);
  return Number.isInteger(level) && level >= 1 ? env : { ...env, SHLVL: "1" };
}

/**
 * Spawns `executable args` as the leader of a new process group, through the spawner helper
 * (spawner.ts), so that the server itself never forks. Throws if spawning fails.
 */
export async function spawnInGroup(
  executable: string,
  args: readonly string[],
  options: GroupSpawnOptions,
): Promise<GroupProcess> {
  const mark = randomUUID();
  const spawned = await spawnThroughHelper({
    executable,
    args,
    cwd: options.cwd,
    env: withShellLevel(options.env),
    envPerRun: { [PROCESS_MARK_VARIABLE]: mark },
    stdin: options.stdin,
  });
  const pid = spawned.child.pid;
  return {
    child: spawned.child,
    pgid: pid,
    startedAt: spawned.startedAt,
    exited: spawned.exited,
    mark,
  };
}

export function readProcessStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may contain spaces; count after it.
    const afterName = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return afterName[22 - 3] ?? null;
  } catch {
    return null;
  }
}

/**
 * Signal 0 to the group: false once no process (not even a zombie) is left in it. Asked at
 * least twice per attempt, and the answer is usually ESRCH: the error is made without a stack
 * trace, whose capture costs more than the system call.
 */
function groupExists(pgid: number): boolean {
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    // EPERM: a member exists but is not ours to signal.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/**
 * Pids of the group's members that are still running (zombies excluded: they are dead and only
 * wait to be reaped). Falls back to a signal-0 probe where /proc is not available.
 */
export function livingGroupMembers(pgid: number): number[] {
  // The usual case, a group whose leader exited and was reaped, costs one syscall instead of a
  // read of every /proc/<pid>/stat.
  if (!groupExists(pgid)) return [];
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch {
      return [];
    }
  }
  const members: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const state = fields[0];
      const group = Number(fields[2]);
      if (group === pgid && state !== "Z" && state !== "X") members.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return members;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

async function waitUntilGone(pgid: number, deadlineMs: number): Promise<boolean> {
  while (Date.now() < deadlineMs) {
    if (livingGroupMembers(pgid).length === 0) return true;
    await sleep(25);
  }
  return livingGroupMembers(pgid).length === 0;
}

/**
 * SIGTERM to the group, SIGKILL after `graceMs` if anything survived. Resolves once no member
 * is left running (or a short while after SIGKILL, which cannot be ignored).
 */
export async function killGroup(pgid: number, graceMs = KILL_GRACE_MS): Promise<void> {
  if (livingGroupMembers(pgid).length === 0) return;
  signalGroup(pgid, "SIGTERM");
  if (await waitUntilGone(pgid, Date.now() + graceMs)) return;
  signalGroup(pgid, "SIGKILL");
  await waitUntilGone(pgid, Date.now() + 1_000);
}

/** Living processes other than this one whose environment carries PROCESS_MARK_VARIABLE=`mark`. */
export function markedProcesses(marks: ReadonlySet<string>): number[] {
  if (marks.size === 0) return [];
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const found: number[] = [];
  const prefix = `${PROCESS_MARK_VARIABLE}=`;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${entry}/environ`, "latin1");
    } catch {
      continue;
    }
    const start = environ.indexOf(prefix);
    if (start === -1) continue;
    const end = environ.indexOf("\0", start);
    const value = environ.slice(start + prefix.length, end === -1 ? undefined : end);
    if (marks.has(value) && isRunning(Number(entry))) found.push(Number(entry));
  }
  return found;
}

function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/**
 * Ends processes carrying any of `marks` (TERM, then KILL after `graceMs`): descendants of runs
 * that escaped their group. Reads every process's environment, so it runs when a run is cut
 * short (cancel, timeout, drain), not after every run.
 */
export async function killMarked(
  marks: ReadonlySet<string>,
  graceMs = KILL_GRACE_MS,
): Promise<void> {
  const targets = markedProcesses(marks);
  if (targets.length === 0) return;
  const signalAll = (pids: number[], sig: NodeJS.Signals) => {
    for (const pid of pids) {
      try {
        process.kill(pid, sig);
      } catch {
        // Already gone.
      }
    }
  };
  signalAll(targets, "SIGTERM");
  const deadline = Date.now() + graceMs;
  let alive = targets.filter(isRunning);
  while (alive.length > 0 && Date.now() < deadline) {
    await sleep(25);
    alive = alive.filter(isRunning);
  }
  if (alive.length === 0) return;
  signalAll(alive, "SIGKILL");
  const killDeadline = Date.now() + 1_000;
  while (alive.some(isRunning) && Date.now() < killDeadline) await sleep(10);
}

/** A run cut short: its group, and descendants that left the group, are ended. */
export async function endGroupAndEscapees(
  group: Pick<GroupProcess, "pgid" | "mark">,
  graceMs = KILL_GRACE_MS,
): Promise<void> {
  await Promise.all([killGroup(group.pgid, graceMs), killMarked(new Set([group.mark]), graceMs)]);
}

/** Keeps the last `limit` characters of a growing text, plus the whole text up to `fullLimit`. */
export class OutputCollector {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  constructor(private readonly fullLimit = 16 * 1024 * 1024) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.fullLimit && this.chunks.length > 1) {
      this.size -= this.chunks.shift()!.length;
      this.truncated = true;
    }
  }

  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }
}

/** How much of stdout/stderr is stored and shown. */
export const TAIL_CHARS = 10 * 1024;

/**
 * Backends hand the musician a longer tail than is stored: a secret that straddles the cut would
 * otherwise lose its start and escape redaction. The musician redacts, then cuts to TAIL_CHARS.
 */
export const RAW_TAIL_CHARS = TAIL_CHARS + 4 * 1024;

export function tailOf(text: string, limit = RAW_TAIL_CHARS): string {
  return text.length <= limit ? text : text.slice(text.length - limit);
}
