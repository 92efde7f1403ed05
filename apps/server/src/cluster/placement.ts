/**
 * Where a new job goes (docs/DESIGN.md §12): to a living process that offers every instrument
 * the job's sheets name and holds the fewest jobs for its capacity (then: the most free sheet
 * slots). Held jobs are counted from the lease rows, which every submission commits at once, so
 * a burst of submissions spreads even though heartbeats report running sheets only now and then.
 * The process that received the submission keeps it on a tie, which saves a round trip.
 */
import type { ProcessRecord } from "../contracts/cluster.ts";

export function canPlay(process: ProcessRecord, needs: readonly string[]): boolean {
  if (process.instruments === null) return true;
  const offered = new Set(process.instruments);
  return needs.every((instrument) => offered.has(instrument));
}

/** The processes to offer the job to, best first; empty when no living process can play it. */
export function placementOrder(
  processes: readonly ProcessRecord[],
  needs: readonly string[],
  self: string,
): ProcessRecord[] {
  const load = (p: ProcessRecord) => p.ownedJobs / Math.max(1, p.capacity);
  const free = (p: ProcessRecord) => p.capacity - p.runningSheets;
  return processes
    .filter((process) => process.alive && canPlay(process, needs))
    .sort((a, b) => {
      const byLoad = load(a) - load(b);
      if (Math.abs(byLoad) > 1e-9) return byLoad;
      const byFree = free(b) - free(a);
      if (byFree !== 0) return byFree;
      if (a.name === self) return -1;
      if (b.name === self) return 1;
      return a.name.localeCompare(b.name);
    });
}
