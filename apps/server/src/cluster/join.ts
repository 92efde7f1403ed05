/**
 * Joining the processes of a PostgreSQL database (docs/DESIGN.md §12): the composition root
 * (app.ts) calls `joinCluster` once the store is open, hands `claimAtBoot` and `holds` to the
 * conductor, and `serve` gives it what clients are served.
 */
import { randomUUID } from "node:crypto";
import os from "node:os";
import type { BatonRuntime } from "../baton/index.ts";
import type { JobManager } from "../conductor/job-manager.ts";
import type { ConductorCommands } from "../contracts/commands.ts";
import type { ClusterView } from "../contracts/cluster.ts";
import { PgCommandQueue } from "../store/postgres/commands.ts";
import type { PostgresDatabase } from "../store/postgres/database.ts";
import { PgLeases } from "../store/postgres/leases.ts";
import type { PostgresStore } from "../store/postgres/store.ts";
import type { OrphanStore } from "../conductor/orphans.ts";
import { ClusterMember } from "./member.ts";
import { RoutedConductor } from "./routed-commands.ts";
import type { EventSink } from "../contracts/event-log.ts";
import { LogTail } from "../store/postgres/log-tail.ts";
import { PgNotifier } from "../store/postgres/notifier.ts";

export const DEFAULT_LEASE_SECONDS = 15;

export interface ClusterOptions {
  /** `PODIUM_PROCESS_NAME`; default: the host name. */
  processName?: string | null;
  /**
   * `PODIUM_INSTRUMENTS`: the instruments this process may play; "any" for every one; absent:
   * those usable on this machine (a CLI found on PATH, an API key set).
   */
  instruments?: readonly string[] | "any" | null;
  /** `PODIUM_LEASE_SECONDS`: how long a lease outlives its last renewal. */
  leaseSeconds?: number;
}

export interface ClusterMembership {
  readonly name: string;
  readonly view: ClusterView;
  /**
   * Where the baton publishes its commits: the bus follows the shared log (every process's
   * events, in seq order), and this process's own commits reach it without a read.
   */
  readonly sink: EventSink;
  holds: (jobId: string) => boolean;
  /** Takes a job's lease unless another living process holds it. */
  claim: (jobId: string) => Promise<boolean>;
  claimAtBoot: () => Promise<string[]>;
  /**
   * The recorded process groups of the jobs this process name played (before a restart): the
   * others' groups may be live runs of other processes, maybe on other machines.
   */
  orphanLedger: OrphanStore;
  /** Starts the heartbeat and the command service; returns what clients are served. */
  serve(conductor: JobManager, baton: BatonRuntime): ConductorCommands;
  /** Stops the heartbeat and the command service; the leases stay until `leave` or expiry. */
  stop(): Promise<void>;
  /**
   * Releases this process's leases, removes its row (others take its jobs at once) and stops
   * following the log.
   */
  leave(): Promise<void>;
}

/** This process's name among the others (`PODIUM_PROCESS_NAME`, default the host name). */
export function processNameOf(options: ClusterOptions | undefined): string {
  return options?.processName?.trim() || os.hostname();
}

export interface JoinOptions extends Omit<ClusterOptions, "instruments"> {
  /** Resolved: the instruments offered, or null for any. */
  instruments: readonly string[] | null;
  /** The database URL, password included (the notification connection is its own). */
  url: string;
  /** The bus of this process, fed from the shared log. */
  bus: EventSink & { readonly lastPublishedSeq: number };
  capacity?: number;
  onError: (error: unknown) => void;
}

export async function joinCluster(
  db: PostgresDatabase,
  store: PostgresStore,
  options: JoinOptions,
): Promise<ClusterMembership> {
  const name = processNameOf(options);
  const ttlMs = (options.leaseSeconds ?? DEFAULT_LEASE_SECONDS) * 1000;
  const leases = new PgLeases(db.pool, name, ttlMs);
  const commands = new PgCommandQueue(db.pool, name);
  const notifier = new PgNotifier({ connectionString: options.url, onError: options.onError });
  await notifier.start();
  const wakeUps = notifier;
  const member = new ClusterMember({
    leases,
    commands,
    wakeUps,
    onError: options.onError,
    announcement: {
      name,
      host: os.hostname(),
      pid: process.pid,
      incarnation: randomUUID(),
      capacity: options.capacity ?? 10,
      instruments: options.instruments ?? null,
    },
  });
  try {
    await member.announce();
  } catch (error) {
    await notifier.close();
    throw error;
  }
  store.useLeases(leases);
  const tail = new LogTail({
    store,
    sink: options.bus,
    afterSeq: options.bus.lastPublishedSeq,
    notifier,
    onError: options.onError,
  });
  let left: Promise<void> | null = null;
  return {
    name,
    view: {
      self: name,
      // This process's own row is told live, not as of its last heartbeat.
      processes: async () =>
        (await leases.processes()).map((record) =>
          record.name === name && member.playing !== null
            ? { ...record, runningSheets: member.playing }
            : record,
        ),
      ownersOf: (jobIds) => leases.ownersOf(jobIds),
    },
    sink: { publish: (events) => tail.publishCommitted(events) },
    holds: (jobId) => leases.holds(jobId),
    claim: async (jobId) => leases.holds(jobId) || (await leases.claim(jobId)),
    claimAtBoot: () => member.claimAtBoot(),
    orphanLedger: {
      async listProcessGroups() {
        const mine = await leases.ownedJobIds();
        return (await store.listProcessGroups()).filter((group) => mine.has(group.jobId));
      },
      // Cleared sheet by sheet as runs end; a stale record is harmless (start times differ).
      forgetProcessGroups: () => undefined,
    },
    serve(conductor, baton) {
      member.start(conductor, baton);
      return new RoutedConductor({ local: conductor, leases, commands, wakeUps, self: name });
    },
    stop: () => member.stop(),
    leave() {
      left ??= (async () => {
        await leases.leave().catch(options.onError);
        await tail.close();
        await notifier.close();
      })();
      return left;
    },
  };
}
