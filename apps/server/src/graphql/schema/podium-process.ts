import type { ProcessRecord } from "../../contracts/cluster.ts";
import { builder } from "../builder.ts";

/** A process record as the gateway answers it: with its lease age and whether it is the answerer. */
export interface PodiumProcessShape extends Omit<ProcessRecord, "startedAt" | "heartbeatAt"> {
  startedAt: Date;
  heartbeatAt: Date;
  leaseAgeSeconds: number;
  isSelf: boolean;
}

export function describeProcess(
  record: ProcessRecord,
  self: string,
  now: number,
): PodiumProcessShape {
  return {
    ...record,
    instruments: record.instruments === null ? null : [...record.instruments],
    startedAt: new Date(record.startedAt),
    heartbeatAt: new Date(record.heartbeatAt),
    leaseAgeSeconds: Math.max(0, (now - record.heartbeatAt) / 1000),
    isSelf: record.name === self,
  };
}

export const PodiumProcessRef = builder.objectRef<PodiumProcessShape>("PodiumProcess").implement({
  description:
    "A Podium process playing this database's jobs. A SQLite server is the only process of its database.",
  fields: (t) => ({
    name: t.exposeString("name", { description: "Unique among the database's processes." }),
    host: t.exposeString("host"),
    pid: t.exposeInt("pid"),
    capacity: t.exposeInt("capacity", {
      description: "Sheets it plays at once at most (its PODIUM_MAX_CONCURRENT_SHEETS).",
    }),
    instruments: t.exposeStringList("instruments", {
      nullable: true,
      description: "Instruments it may play; null when it takes whatever it can run.",
    }),
    runningSheets: t.exposeInt("runningSheets", {
      description: "Sheets playing on it at its last heartbeat.",
    }),
    ownedJobs: t.exposeInt("ownedJobs", { description: "Jobs whose lease it holds." }),
    startedAt: t.expose("startedAt", { type: "DateTime" }),
    heartbeatAt: t.expose("heartbeatAt", {
      type: "DateTime",
      description: "Its last heartbeat; its leases were renewed with it.",
    }),
    leaseAgeSeconds: t.exposeFloat("leaseAgeSeconds", {
      description: "Seconds since its last heartbeat, as the answering process sees it.",
    }),
    alive: t.exposeBoolean("alive", {
      description: "Its last heartbeat is within the lease time: its leases still hold.",
    }),
    isSelf: t.exposeBoolean("isSelf", { description: "It is the process answering this query." }),
  }),
});
