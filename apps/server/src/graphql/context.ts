/**
 * What the gateway needs from the rest of Podium, as narrow ports: commands go to the conductor,
 * reads go to the store's read model, live events come from the bus. Nothing here reaches into
 * the baton.
 */
import type { EventRecord } from "../contracts/event-log.ts";
import type { ConductorCommands } from "../contracts/commands.ts";
import type { ClusterView } from "../contracts/cluster.ts";
import type { ReadModel } from "../store/read-model.ts";
import type { SubscriptionTracker } from "./subscriptions/channel.ts";

/** Listens to every committed event, in commit order; returns the function that stops it. */
export interface LiveEventSource {
  subscribe(listener: (event: EventRecord) => void): () => void;
}

/** What the `instruments` query shows about one profile (as the instrument loader describes it). */
export interface InstrumentInfo {
  name: string;
  kind: "cli" | "http";
  displayName: string;
  description: string | null;
  defaultModel: string | null;
  models: {
    name: string;
    maxConcurrent: number;
    costPer1kInput: number;
    costPer1kOutput: number;
  }[];
  /** Concurrency cap of the default model; null when the instrument sets none of its own. */
  maxConcurrent: number | null;
  capabilities: string[];
  /** Whether it can be played here, and why not. */
  usable: boolean;
  unavailableReason: string | null;
}

export interface ExampleScore {
  /** File name without the extension, e.g. `hello-world`. */
  name: string;
  fileName: string;
  text: string;
}

export interface GatewayServices {
  conductor: ConductorCommands;
  readModel: ReadModel;
  liveEvents: LiveEventSource;
  listInstruments(): readonly InstrumentInfo[] | Promise<readonly InstrumentInfo[]>;
  listExamples(): readonly ExampleScore[] | Promise<readonly ExampleScore[]>;
  /** Cheap liveness probe of the database, for the `health` query. */
  checkDatabase(): Promise<boolean>;
  version: string;
  startedAt: Date;
  /** True once a shutdown signal arrived: nothing new is dispatched while attempts finish. */
  draining?(): boolean;
  /** Which processes play this database's jobs, and which one owns each job. */
  cluster: ClusterView;
}

export interface GraphQLContext {
  services: GatewayServices;
  subscriptions: SubscriptionTracker;
}
