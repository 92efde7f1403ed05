/**
 * Musicians left running by a server that was killed (SIGKILL leaves no chance to clean up).
 * Each dispatch records its process group and the leader's kernel start time; on boot, before
 * anything is dispatched, every recorded group that is still alive is ended. The start time
 * makes sure a pid the kernel has since given to someone else is never signalled.
 */
import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import type { RecordedProcessGroup } from "../store/contract.ts";
import { DATABASE_TAG_VARIABLE } from "../contracts/process-tag.ts";

export { DATABASE_TAG_VARIABLE };

export const ORPHAN_KILL_GRACE_MS = 2_000;

export function databaseTag(databaseFile: string): string {
  return createHash("sha256").update(databaseFile).digest("hex").slice(0, 16);
}

export interface OrphanStore {
  listProcessGroups(): RecordedProcessGroup[] | Promise<RecordedProcessGroup[]>;
  forgetProcessGroups(): void | Promise<void>;
}

export interface ReapedGroup extends RecordedProcessGroup {
  /** Pids that were signalled. */
  pids: number[];
}

interface ProcStat {
  pid: number;
  state: string;
  pgrp: number;
  startTime: string;
}

function readStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 2 (the command) is parenthesised and may hold spaces: parse after its last ")".
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { pid, state: fields[0]!, pgrp: Number(fields[2]), startTime: fields[19]! };
  } catch {
    return null;
  }
}

function allProcesses(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat && stat.state !== "Z" && stat.state !== "X") stats.push(stat);
  }
  return stats;
}

/**
 * The living members of a recorded group that are provably ours. With the leader alive its
 * start time must match the record. With the leader gone, the kernel cannot have handed its
 * pid out as a new group id while members of the old group remain, so members whose start
 * time is not earlier than the recorded leader's belong to the recorded group.
 */
export function ownedMembers(group: RecordedProcessGroup, processes = allProcesses()): number[] {
  if (group.processStartedAt === null) return [];
  const recordedStart = Number(group.processStartedAt);
  const members = processes.filter((p) => p.pgrp === group.processGroup);
  const leader = members.find((p) => p.pid === group.processGroup);
  if (leader) return leader.startTime === group.processStartedAt ? members.map((p) => p.pid) : [];
  return members.filter((p) => Number(p.startTime) >= recordedStart).map((p) => p.pid);
}

function signal(pids: number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // Already gone.
    }
  }
}

function stillAlive(pids: number[]): number[] {
  return pids.filter((pid) => {
    const stat = readStat(pid);
    return stat !== null && stat.state !== "Z" && stat.state !== "X";
  });
}

/** Our own process and its ancestors: never orphans, whatever their environment says. */
function selfAndAncestors(): Set<number> {
  const chain = new Set<number>();
  let pid = process.pid;
  while (pid > 1 && !chain.has(pid)) {
    chain.add(pid);
    try {
      const text = readFileSync(`/proc/${pid}/stat`, "utf8");
      pid = Number(text.slice(text.lastIndexOf(")") + 2).split(" ")[1]);
    } catch {
      break;
    }
  }
  return chain;
}

/** Living processes (other than us and our ancestors) whose environment carries `tag`. */
export function taggedProcesses(tag: string, processes = allProcesses()): number[] {
  const needle = `\0${DATABASE_TAG_VARIABLE}=${tag}\0`;
  const exclude = selfAndAncestors();
  return processes
    .filter((p) => !exclude.has(p.pid))
    .filter((p) => {
      try {
        return `\0${readFileSync(`/proc/${p.pid}/environ`, "latin1")}\0`.includes(needle);
      } catch {
        return false;
      }
    })
    .map((p) => p.pid);
}

/**
 * Ends every recorded group still alive and every process carrying the database's tag
 * (TERM, then KILL after the grace), then forgets the records. Call it before anything of this
 * database is started.
 */
export async function reapOrphans(
  store: OrphanStore,
  options: { graceMs?: number; tag?: string | null } = {},
): Promise<ReapedGroup[]> {
  const graceMs = options.graceMs ?? ORPHAN_KILL_GRACE_MS;
  const recorded = await store.listProcessGroups();
  if (recorded.length === 0 && !options.tag) return [];
  const processes = allProcesses();
  const reaped: ReapedGroup[] = [];
  for (const group of recorded) {
    const pids = ownedMembers(group, processes);
    if (pids.length > 0) reaped.push({ ...group, pids });
  }
  const targets = new Set(reaped.flatMap((g) => g.pids));
  const tagged = options.tag
    ? taggedProcesses(options.tag, processes).filter((pid) => !targets.has(pid))
    : [];
  if (tagged.length > 0) {
    // Not on record: reported as one pseudo-group without a job.
    reaped.push({ jobId: "", sheetNum: 0, processGroup: 0, processStartedAt: null, pids: tagged });
  }
  await endProcesses([...targets, ...tagged], graceMs);
  if (recorded.length > 0) await store.forgetProcessGroups();
  return reaped;
}

/**
 * At shutdown, once every run was ended: processes still carrying the database's tag escaped
 * their process group (`setsid`, daemons) and are ended too, so nothing outlives the server.
 */
export async function endTaggedProcesses(
  tag: string,
  graceMs = ORPHAN_KILL_GRACE_MS,
): Promise<number[]> {
  const tagged = taggedProcesses(tag);
  await endProcesses(tagged, graceMs);
  return tagged;
}

async function endProcesses(targets: number[], graceMs: number): Promise<void> {
  if (targets.length === 0) return;
  signal(targets, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (stillAlive(targets).length > 0 && Date.now() < deadline) await sleep(25);
  const survivors = stillAlive(targets);
  if (survivors.length === 0) return;
  signal(survivors, "SIGKILL");
  const killDeadline = Date.now() + 1_000;
  while (stillAlive(survivors).length > 0 && Date.now() < killDeadline) await sleep(10);
}
