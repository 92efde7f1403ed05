/**
 * Builds the gateway's ports from the pieces of a running Podium: the conductor's commands, a
 * Prisma client for reads, and the event bus (bus/event-bus.ts, whose subscriptions are also their
 * own stop functions).
 */
import { readdir, readFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { EventRecord } from "../contracts/event-log.ts";
import type { ConductorCommands } from "../contracts/commands.ts";
import type { ClusterView } from "../contracts/cluster.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";
import { createReadModel, type ReadModel } from "../store/read-model.ts";
import type { ExampleScore, GatewayServices, InstrumentInfo, LiveEventSource } from "./context.ts";

export const EXAMPLES_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../../examples",
);

export const SERVER_VERSION = "0.1.0";

export interface BusLike {
  subscribe(listener: (event: EventRecord) => void, options?: { maxQueue?: number }): () => void;
}

/**
 * The bus may bound each subscriber's queue; the gateway's own streams bound theirs (and tell the
 * client to resume from its cursor), so the bus queue is only a hand-off and is left unbounded.
 */
export function liveEventsFromBus(bus: BusLike): LiveEventSource {
  return {
    subscribe(listener) {
      return bus.subscribe(listener, { maxQueue: Number.MAX_SAFE_INTEGER });
    },
  };
}

/** Reads examples/*.yaml (sorted by name); a missing folder means no examples. */
export async function readExamples(dir: string = EXAMPLES_DIR): Promise<ExampleScore[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const files = names.filter((name) => /\.ya?ml$/i.test(name)).sort();
  return Promise.all(
    files.map(async (fileName) => ({
      name: fileName.replace(/\.ya?ml$/i, ""),
      fileName,
      text: await readFile(path.join(dir, fileName), "utf8"),
    })),
  );
}

export interface GatewayServicesInput {
  conductor: ConductorCommands;
  prisma: PrismaClient;
  /**
   * The store's read model (`PodiumStore.readModel`), which may answer its hottest reads without
   * Prisma; by default one over `prisma`.
   */
  readModel?: ReadModel;
  bus: BusLike;
  listInstruments: () => readonly InstrumentInfo[] | Promise<readonly InstrumentInfo[]>;
  examplesDir?: string;
  draining?: () => boolean;
  /** The processes and job owners (Podium's `cluster`); without it the gateway knows of none. */
  cluster?: ClusterView;
}

/** A gateway built without an engine behind it: it names itself, and sees no process and no owner. */
function detachedCluster(): ClusterView {
  return {
    self: hostname(),
    processes: () => Promise.resolve([]),
    ownersOf: () => Promise.resolve(new Map()),
  };
}

export function createGatewayServices(input: GatewayServicesInput): GatewayServices {
  const examplesDir = input.examplesDir ?? EXAMPLES_DIR;
  return {
    conductor: input.conductor,
    readModel: input.readModel ?? createReadModel(input.prisma),
    liveEvents: liveEventsFromBus(input.bus),
    listInstruments: input.listInstruments,
    listExamples: () => readExamples(examplesDir),
    async checkDatabase() {
      await input.prisma.$queryRawUnsafe("SELECT 1");
      return true;
    },
    version: SERVER_VERSION,
    startedAt: new Date(),
    draining: input.draining,
    cluster: input.cluster ?? detachedCluster(),
  };
}
