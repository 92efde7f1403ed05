/**
 * Podium's composition root: opens the database, builds the bus, the checkpoint store, the
 * instrument pool, the musician, the baton and the conductor, recovers what a previous run left
 * behind, and starts dispatching. The gateway (server.ts, main.ts) calls this and nothing else.
 */
import { collectCapturedFiles } from "./prompt/context-files.ts";
import { createRedactor } from "./secrets/redact.ts";
import { hostname } from "node:os";
import path from "node:path";
import { BatonRuntime } from "./baton/index.ts";
import type { Clock, TimerHost } from "./contracts/clock.ts";
import { EventBus } from "./bus/event-bus.ts";
import type { InstrumentInfo, ProfileProblem } from "./instruments/loader.ts";
import { DEFAULT_USER_PROFILE_DIRS } from "./instruments/loader.ts";
import { createBackendPool, type BackendPool } from "./instruments/pool.ts";
import { createMusician } from "./musician/musician.ts";
import type { PodiumDatabase, SqliteSynchronous } from "./store/database.ts";
import type { PodiumStore } from "./store/contract.ts";
import { openStore } from "./store/open-store.ts";
import type { PostgresDatabase } from "./store/postgres/database.ts";
import { PostgresStore } from "./store/postgres/store.ts";
import { createGuardedMusician } from "./musician/guarded-musician.ts";
import { JobManager, type RecoveryReport } from "./conductor/job-manager.ts";
import { LocalClusterView } from "./conductor/local-cluster-view.ts";
import type { ClusterView } from "./contracts/cluster.ts";
import { DATABASE_TAG_VARIABLE, databaseTag, endTaggedProcesses } from "./conductor/orphans.ts";
import type { ConductorCommands } from "./contracts/commands.ts";
import {
  joinCluster,
  processNameOf,
  type ClusterMembership,
  type ClusterOptions,
} from "./cluster/join.ts";

export interface PodiumOptions {
  /** `file:` URL (or path) of a SQLite database, or a `postgresql://` URL; migrated at start. */
  databaseUrl: string;
  /** SQLite `synchronous` level (default NORMAL). */
  sqliteSynchronous?: SqliteSynchronous;
  /** Job workspaces default to `<dataDir>/workspaces/<job-id>`. */
  dataDir: string;
  /** Extra instrument profile directories (default: ~/.podium/instruments, ./.podium/instruments). */
  instrumentDirs?: readonly string[];
  clock?: Clock;
  timers?: TimerHost;
  /** Global cap on sheets playing at once (DESIGN.md §5; default 10). */
  maxConcurrentSheets?: number;
  /** Wall-clock limit applied to every job; null (default) for none. */
  jobTimeoutSeconds?: number | null;
  /** Where relative template files and chained scores are read from (default: process.cwd()). */
  cwd?: string;
  /** Directories template files may be read from besides the data dir (PODIUM_ALLOWED_ROOTS). */
  allowedRoots?: readonly string[];
  /** Environment handed to instruments (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Errors nobody can be told about (a failing listener, a crashing musician). */
  onError?: (error: unknown) => void;
  /**
   * This process among those sharing the database (docs/DESIGN.md §12): its name (default: the
   * host name); on PostgreSQL also its instruments and lease time.
   */
  cluster?: ClusterOptions;
}

export interface Podium {
  /** This process's conductor: the jobs it plays. */
  conductor: JobManager;
  /**
   * What clients are served: on PostgreSQL every command reaches the process playing its job
   * and new jobs are placed where there is room; on SQLite, the conductor itself.
   */
  commands: ConductorCommands;
  /** On PostgreSQL: this process's membership (its name, leases, routed commands). */
  membership: ClusterMembership | null;
  bus: EventBus;
  store: PodiumStore;
  db: PodiumDatabase | PostgresDatabase;
  pool: BackendPool;
  baton: BatonRuntime;
  /** The processes playing this database's jobs, and which one owns each job. */
  cluster: ClusterView;
  /** What boot found and did: recovered jobs, ended orphan processes. */
  recovery: RecoveryReport;
  /** Instrument profiles that could not be loaded (shown, not fatal). */
  profileProblems: ProfileProblem[];
  listInstruments(): InstrumentInfo[];
  /** Stops dispatch (musicians are ended), flushes the store and closes the database. */
  close(): Promise<void>;
}

const systemClock: Clock = { now: () => Date.now() };
const systemTimers: TimerHost = {
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** The instruments this process offers the others: as configured, or those usable here. */
function offeredInstruments(
  configured: ClusterOptions["instruments"],
  pool: BackendPool,
): readonly string[] | null {
  if (configured === "any") return null;
  if (configured !== undefined && configured !== null) return configured;
  return pool
    .instruments()
    .map((instrument) => instrument.name)
    .filter((name) => pool.unusableReason(name) === null)
    .sort();
}

export async function createPodium(options: PodiumOptions): Promise<Podium> {
  const clock = options.clock ?? systemClock;
  const dataDir = path.resolve(options.dataDir);
  // Every text stored or published is redacted there, against the secrets instruments can see.
  const opened = await openStore(options.databaseUrl, {
    sqliteSynchronous: options.sqliteSynchronous,
    redact: createRedactor(options.env ?? process.env),
  });
  const { store, db } = opened;
  const onError = options.onError ?? ((error: unknown) => console.error("podium:", error));
  const bus = new EventBus({
    startAfterSeq: await store.lastSeq(),
    onSequenceGap: (expected, published) =>
      onError(new Error(`event log gap: expected seq ${expected}, published ${published}`)),
    onHandlerError: (error, event) =>
      onError(new Error(`event listener failed on seq ${event.seq}`, { cause: error })),
  });
  const clustered = opened.db.kind === "postgresql" && store instanceof PostgresStore;
  // Every process started for this database carries its tag, so a later boot finds orphans.
  // Among several processes the tag is this process's own: it never ends another's runs.
  const processTag = databaseTag(
    clustered ? `${opened.identity}#${processNameOf(options.cluster)}` : opened.identity,
  );
  const { pool, problems } = createBackendPool({
    userDirs: options.instrumentDirs ?? DEFAULT_USER_PROFILE_DIRS,
    clock,
    env: { ...(options.env ?? process.env), [DATABASE_TAG_VARIABLE]: processTag },
  });
  const membership = clustered
    ? await joinCluster(opened.db as PostgresDatabase, store as PostgresStore, {
        ...options.cluster,
        instruments: offeredInstruments(options.cluster?.instruments, pool),
        url: options.databaseUrl,
        bus,
        capacity: options.maxConcurrentSheets,
        onError,
      }).catch(async (error: unknown) => {
        await pool.close().catch(() => undefined);
        await opened.close();
        throw error;
      })
    : null;
  const musician = createGuardedMusician({
    inner: createMusician({ pool, clock }),
    ledger: store,
    clock,
    processTag,
  });
  const baton = new BatonRuntime({
    captureFiles: (query) => collectCapturedFiles(query),
    store,
    sink: membership?.sink ?? bus,
    clock,
    timers: options.timers ?? systemTimers,
    musician,
    instrumentLimit: pool.instrumentLimit,
    maxConcurrentSheets: options.maxConcurrentSheets,
    onError,
  });
  const localView = new LocalClusterView({
    name: options.cluster?.processName ?? hostname(),
    activity: baton,
    clock,
  });

  const conductor = new JobManager({
    store,
    baton,
    bus,
    clock,
    dataDir,
    cwd: options.cwd,
    allowedRoots: options.allowedRoots,
    knownInstruments: pool.profiles.keys(),
    instrumentUnusable: (name) => pool.unusableReason(name),
    jobTimeoutSeconds: options.jobTimeoutSeconds ?? null,
    processTag,
    claimAtBoot: membership?.claimAtBoot,
    owns: membership?.holds,
    claim: membership?.claim,
    orphanLedger: membership?.orphanLedger,
  });
  let recovery: RecoveryReport;
  try {
    recovery = await conductor.start();
  } catch (error) {
    await membership?.stop().catch(() => undefined);
    await membership?.leave();
    await pool.close().catch(() => undefined);
    await opened.close();
    throw error;
  }
  const commands = membership?.serve(conductor, baton) ?? conductor;

  let closing: Promise<void> | null = null;
  return {
    conductor,
    commands,
    membership,
    bus,
    store,
    db,
    pool,
    baton,
    cluster: membership?.view ?? localView,
    recovery,
    profileProblems: problems,
    listInstruments: () => pool.instruments(),
    close() {
      closing ??= (async () => {
        await membership?.stop();
        await conductor.stop();
        await pool.close();
        await endTaggedProcesses(processTag);
        await store.drain();
        // Only once nothing of them runs here may another process take the jobs over.
        await membership?.leave();
        await opened.close();
      })();
      return closing;
    },
  };
}
