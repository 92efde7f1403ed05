/**
 * The processes of a database and the owner of each job, through the gateway in process
 * (`yoga.fetch`): a lone server is a cluster of one that owns what it plays; a cluster of several
 * (a stand-in of our own ClusterView port) is shown as it reports itself.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPodium } from "../../../apps/server/src/app.ts";
import type { ClusterView, ProcessRecord } from "../../../apps/server/src/contracts/cluster.ts";
import { readServerConfig } from "../../../apps/server/src/graphql/server-config.ts";
import { createGatewayServices } from "../../../apps/server/src/graphql/services.ts";
import { createGatewayYoga, type GatewayYoga } from "../../../apps/server/src/graphql/yoga.ts";
import { suiteDatabase, type ThrowAwayDatabase } from "../../support/databases.ts";

type Podium = Awaited<ReturnType<typeof createPodium>>;

interface ProcessView {
  name: string;
  host: string;
  pid: number;
  capacity: number;
  instruments: string[] | null;
  runningSheets: number;
  ownedJobs: number;
  startedAt: string;
  heartbeatAt: string;
  leaseAgeSeconds: number;
  alive: boolean;
  isSelf: boolean;
}

const PROCESSES = /* GraphQL */ `
  {
    processes {
      name
      host
      pid
      capacity
      instruments
      runningSheets
      ownedJobs
      startedAt
      heartbeatAt
      leaseAgeSeconds
      alive
      isSelf
    }
  }
`;

const OWNERS = /* GraphQL */ `
  {
    jobs(first: 50) {
      edges {
        node {
          id
          status
          owner
        }
      }
    }
  }
`;

const SUBMIT = /* GraphQL */ `
  mutation ($score: String!) {
    submitJob(input: { score: $score }) {
      __typename
      ... on SubmitJobSuccess {
        job {
          id
        }
      }
    }
  }
`;

/** One sheet that plays until `gate` exists, so the test decides when it ends. */
function gatedScore(name: string, gate: string): string {
  return `name: ${name}
instrument: cli
sheet:
  size: 1
  total_items: 1
prompt:
  template: |
    while [ ! -e '${gate}' ]; do sleep 0.05; done
    echo released
`;
}

async function execute<T>(gateway: GatewayYoga, query: string, variables = {}): Promise<T> {
  const response = await gateway.yoga.fetch("http://127.0.0.1/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors || !body.data) throw new Error(`GraphQL errors: ${JSON.stringify(body)}`);
  return body.data;
}

async function eventually(what: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for: ${what}`);
}

function gatewayFor(podium: Podium, cluster: ClusterView): GatewayYoga {
  return createGatewayYoga({
    services: createGatewayServices({
      conductor: podium.conductor,
      prisma: podium.db.prisma,
      bus: podium.bus,
      listInstruments: () => podium.listInstruments(),
      cluster,
    }),
  });
}

describe("processes and job owners", () => {
  let dataDir: string;
  let database: ThrowAwayDatabase;
  let podium: Podium;
  let gateway: GatewayYoga;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "podium-processes-"));
    database = await suiteDatabase(dataDir);
    // The settings reach the engine as main.ts passes them.
    const { settings } = readServerConfig(
      { PODIUM_MAX_CONCURRENT_SHEETS: "3", PODIUM_PROCESS_NAME: "conductor-1" },
      dataDir,
    );
    podium = await createPodium({
      databaseUrl: database.url,
      dataDir,
      maxConcurrentSheets: settings.maxConcurrentSheets,
      cluster: { processName: settings.processName, instruments: "any" },
    });
    gateway = gatewayFor(podium, podium.cluster);
  });

  afterAll(async () => {
    await gateway?.yoga.dispose();
    await podium?.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("shows a lone server as one living process: itself, with its capacity", async () => {
    const { processes } = await execute<{ processes: ProcessView[] }>(gateway, PROCESSES);
    expect(processes).toHaveLength(1);
    const [self] = processes;
    expect(self).toMatchObject({
      name: "conductor-1",
      host: hostname(),
      pid: process.pid,
      capacity: 3,
      instruments: null,
      runningSheets: 0,
      alive: true,
      isSelf: true,
    });
    expect(self!.leaseAgeSeconds).toBeGreaterThanOrEqual(0);
    expect(Date.parse(self!.startedAt)).toBeLessThanOrEqual(Date.parse(self!.heartbeatAt));
  });

  it("names the server as the owner of a running job, and nobody once it has ended", async () => {
    const gate = path.join(dataDir, "release-running");
    const submitted = await execute<{ submitJob: { job: { id: string } } }>(gateway, SUBMIT, {
      score: gatedScore("held-open", gate),
    });
    const jobId = submitted.submitJob.job.id;
    const ownerOf = async () => {
      const { jobs } = await execute<{
        jobs: { edges: { node: { id: string; status: string; owner: string | null } }[] };
      }>(gateway, OWNERS);
      return jobs.edges.find((edge) => edge.node.id === jobId)?.node;
    };

    await eventually("the sheet plays", async () => {
      const { processes } = await execute<{ processes: ProcessView[] }>(gateway, PROCESSES);
      return processes[0]!.runningSheets === 1;
    });
    expect(await ownerOf()).toMatchObject({ status: "RUNNING", owner: "conductor-1" });
    const { processes: whileRunning } = await execute<{ processes: ProcessView[] }>(
      gateway,
      PROCESSES,
    );
    expect(whileRunning[0]).toMatchObject({ runningSheets: 1, ownedJobs: 1 });

    writeFileSync(gate, "");
    await eventually("the job completes", async () => (await ownerOf())?.status === "COMPLETED");
    expect((await ownerOf())?.owner).toBeNull();
    const { processes: afterwards } = await execute<{ processes: ProcessView[] }>(
      gateway,
      PROCESSES,
    );
    expect(afterwards[0]).toMatchObject({ runningSheets: 0, ownedJobs: 0 });
  });

  describe("a cluster of several processes", () => {
    const now = Date.now();
    const record = (name: string, overrides: Partial<ProcessRecord>): ProcessRecord => ({
      name,
      host: `${name}.example`,
      pid: 100,
      capacity: 4,
      instruments: null,
      runningSheets: 0,
      ownedJobs: 0,
      startedAt: now - 3_600_000,
      heartbeatAt: now,
      alive: true,
      ...overrides,
    });
    const ownerCalls: string[][] = [];
    let owners = new Map<string, string>();
    const cluster: ClusterView = {
      self: "alpha",
      processes: async () => [
        record("alpha", { runningSheets: 2, ownedJobs: 1 }),
        record("beta", { instruments: ["claude-code", "cli"], capacity: 8 }),
        record("gamma", { heartbeatAt: now - 90_000, alive: false, ownedJobs: 2 }),
      ],
      async ownersOf(jobIds) {
        ownerCalls.push([...jobIds]);
        return new Map([...owners].filter(([jobId]) => jobIds.includes(jobId)));
      },
    };
    let several: GatewayYoga;

    beforeAll(() => {
      several = gatewayFor(podium, cluster);
    });
    afterAll(async () => {
      await several?.yoga.dispose();
    });

    it("shows each process as reported, a dead one dead with its lease age", async () => {
      const { processes } = await execute<{ processes: ProcessView[] }>(several, PROCESSES);
      expect(processes.map((p) => [p.name, p.alive, p.isSelf])).toEqual([
        ["alpha", true, true],
        ["beta", true, false],
        ["gamma", false, false],
      ]);
      const [alpha, beta, gamma] = processes;
      expect(alpha).toMatchObject({ runningSheets: 2, ownedJobs: 1, host: "alpha.example" });
      expect(beta).toMatchObject({ instruments: ["claude-code", "cli"], capacity: 8 });
      expect(gamma!.heartbeatAt).toBe(new Date(now - 90_000).toISOString());
      expect(gamma!.leaseAgeSeconds).toBeGreaterThanOrEqual(90);
      expect(gamma!.leaseAgeSeconds).toBeLessThan(90 + 60);
      expect(alpha!.startedAt).toBe(new Date(now - 3_600_000).toISOString());
    });

    it("asks the cluster for the owners of every listed job at once", async () => {
      const gates = [0, 1, 2].map((n) => path.join(dataDir, `release-batch-${n}`));
      const ids: string[] = [];
      for (const [n, gate] of gates.entries()) {
        const submitted = await execute<{ submitJob: { job: { id: string } } }>(several, SUBMIT, {
          score: gatedScore(`batch-${n}`, gate),
        });
        ids.push(submitted.submitJob.job.id);
      }
      owners = new Map([
        [ids[0]!, "beta"],
        [ids[1]!, "gamma"],
      ]);
      ownerCalls.length = 0;
      const { jobs } = await execute<{
        jobs: { edges: { node: { id: string; owner: string | null } }[] };
      }>(several, OWNERS);
      const ownerById = new Map(jobs.edges.map((edge) => [edge.node.id, edge.node.owner]));
      expect([ids[0], ids[1], ids[2]].map((id) => ownerById.get(id!))).toEqual([
        "beta",
        "gamma",
        null,
      ]);
      expect(ownerCalls).toHaveLength(1);
      expect([...ownerCalls[0]!].sort()).toEqual([...ownerById.keys()].sort());
      for (const gate of gates) writeFileSync(gate, "");
      for (const id of ids) await podium.baton.waitForCompletion(id);
    });
  });
});
