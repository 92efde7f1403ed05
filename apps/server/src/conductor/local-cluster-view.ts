/**
 * A lone server (every SQLite server, or one process on PostgreSQL without leases) is a cluster of
 * one: itself, alive, holding every job its baton plays. Its "heartbeat" is the moment it answers.
 */
import { hostname } from "node:os";
import type { Clock } from "../contracts/clock.ts";
import type { ClusterView, ProcessRecord } from "../contracts/cluster.ts";

/** What the lone process knows of its own work (BatonRuntime provides it). */
export interface LocalActivity {
  /** Musicians playing a sheet now. */
  readonly activeMusicians: number;
  readonly maxConcurrentSheets: number;
  /** Jobs registered here that have not ended. */
  ownedJobIds(): readonly string[];
}

export interface LocalClusterViewOptions {
  /** This process's name (`PODIUM_PROCESS_NAME`). */
  name: string;
  activity: LocalActivity;
  clock: Clock;
}

export class LocalClusterView implements ClusterView {
  readonly self: string;
  private readonly startedAt: number;

  constructor(private readonly options: LocalClusterViewOptions) {
    this.self = options.name;
    this.startedAt = options.clock.now();
  }

  processes(): Promise<ProcessRecord[]> {
    const { activity, clock } = this.options;
    return Promise.resolve([
      {
        name: this.self,
        host: hostname(),
        pid: process.pid,
        capacity: activity.maxConcurrentSheets,
        instruments: null,
        runningSheets: activity.activeMusicians,
        ownedJobs: activity.ownedJobIds().length,
        startedAt: this.startedAt,
        heartbeatAt: clock.now(),
        alive: true,
      },
    ]);
  }

  ownersOf(jobIds: readonly string[]): Promise<Map<string, string>> {
    const owned = new Set(this.options.activity.ownedJobIds());
    const owners = new Map<string, string>();
    for (const jobId of jobIds) if (owned.has(jobId)) owners.set(jobId, this.self);
    return Promise.resolve(owners);
  }
}
