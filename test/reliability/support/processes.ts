/**
 * Reading the process table from /proc: whether a pid or a whole process group is still alive.
 * Zombies count as gone: they hold no resources but a table slot, and reaping them is the job of
 * whichever process adopted them.
 */
import { readdirSync, readFileSync } from "node:fs";

interface ProcessStat {
  pid: number;
  state: string;
  pgid: number;
}

function readStat(pid: number): ProcessStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may itself contain spaces or parentheses.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { pid, state: fields[0]!, pgid: Number(fields[2]) };
  } catch {
    return null;
  }
}

export function processAlive(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== null && stat.state !== "Z" && stat.state !== "X";
}

export function processGroupOf(pid: number): number | null {
  return readStat(pid)?.pgid ?? null;
}

/** Live (non-zombie) members of a process group. */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat && stat.pgid === pgid && stat.state !== "Z" && stat.state !== "X")
      members.push(stat.pid);
  }
  return members;
}
