/**
 * Several Podium processes on one PostgreSQL (DESIGN.md §12): who runs, what each can take, and
 * which one plays each job. A SQLite server is a cluster of one, described by the same types.
 */

/** One Podium process as the others see it. */
export interface ProcessRecord {
  /** Unique among the processes of one database (`PODIUM_PROCESS_NAME`). */
  name: string;
  host: string;
  pid: number;
  /** Sheets it plays at once at most (its `PODIUM_MAX_CONCURRENT_SHEETS`). */
  capacity: number;
  /** Instruments it may play; null when it takes whatever it can run. */
  instruments: string[] | null;
  /** Sheets playing on it at its last heartbeat. */
  runningSheets: number;
  /** Jobs whose lease it holds. */
  ownedJobs: number;
  startedAt: number;
  /** Its last heartbeat (its leases were renewed with it). */
  heartbeatAt: number;
  /** Heartbeat within the lease time: its leases still hold. */
  alive: boolean;
}

/** What the gateway shows of the cluster. */
export interface ClusterView {
  /** The name of the process answering. */
  readonly self: string;
  /** Every process known to the database, the living first. */
  processes(): Promise<ProcessRecord[]>;
  /** The process holding each job's lease; jobs nobody holds are absent from the map. */
  ownersOf(jobIds: readonly string[]): Promise<Map<string, string>>;
}

/**
 * A commit touched jobs this process no longer holds the lease of (another process took them
 * over): nothing of the commit was written. The baton forgets those jobs and commits the rest.
 */
export class LeaseLostError extends Error {
  constructor(readonly jobIds: readonly string[]) {
    super(`the lease of job ${jobIds.join(", ")} is held by another process`);
    this.name = "LeaseLostError";
  }
}
