/**
 * SIGTERM drains: nothing new is dispatched, attempts in flight finish within
 * PODIUM_DRAIN_GRACE_SECONDS and are recorded, GraphQL reports `health.draining`; what outlives
 * the grace is ended (no process left) and runs again at the next start with its budget kept; a
 * second signal ends everything at once.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { eventually, query, readJob, submitScore, type Endpoint } from "./support/client.ts";
import { processAlive } from "./support/processes.ts";
import { removeDataDir, startServerProcess, type ServerProcess } from "./support/server-process.ts";

const servers: ServerProcess[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    await server.stop();
    removeDataDir(server.dataDir);
  }
});

async function start(grace: number, dataDir?: string): Promise<ServerProcess> {
  const server = await startServerProcess({
    dataDir,
    env: { PODIUM_DRAIN_GRACE_SECONDS: String(grace) },
  });
  if (!dataDir) servers.push(server);
  return server;
}

const endpointOf = (server: ServerProcess): Endpoint => ({ url: server.url, wsUrl: server.wsUrl });

/** Sheet 1 runs `seconds`, sheet 2 depends on it; both record their shell's pid. */
function twoStepScore(seconds: number): string {
  return `name: drain
instrument: cli
sheet:
  size: 1
  total_items: 2
prompt:
  template: |
    echo $$ > sheet-{{ sheet_num }}.pid
    sleep ${seconds}
    echo {{ sheet_num }} >> counter.txt
`;
}

function pidOf(workspace: string, sheet: number): number | null {
  const file = path.join(workspace, `sheet-${sheet}.pid`);
  return existsSync(file) ? Number(readFileSync(file, "utf8").trim()) : null;
}

const draining = async (endpoint: Endpoint): Promise<boolean> =>
  (await query<{ health: { draining: boolean } }>(endpoint, "{ health { draining } }")).health
    .draining;

describe("graceful drain on SIGTERM", () => {
  it("lets the attempt in flight finish, dispatches nothing new and shows the drain", async () => {
    const server = await start(60);
    const endpoint = endpointOf(server);
    expect(await draining(endpoint)).toBe(false);
    const job = await submitScore(endpoint, twoStepScore(3));
    await eventually("sheet 1 runs", () => pidOf(job.workspace, 1) !== null, 30_000);

    server.kill("SIGTERM");
    await eventually("GraphQL reports the drain", () => draining(endpoint), 5_000);
    expect(await server.exited).toBe(0);

    expect(readFileSync(path.join(job.workspace, "counter.txt"), "utf8")).toBe("1\n");
    expect(pidOf(job.workspace, 2), "sheet 2 was never dispatched").toBeNull();
    expect(server.output()).toMatch(/drained: every attempt in flight finished/);

    // The finished attempt was recorded: the next start runs sheet 2 only.
    const next = await start(60, server.dataDir);
    try {
      const done = await eventually(
        "the job completes after the restart",
        async () => (await readJob(endpointOf(next), job.id)).status === "COMPLETED",
        30_000,
      ).then(() => readJob(endpointOf(next), job.id));
      expect(done.sheets.map((sheet) => sheet.attempts.length)).toEqual([1, 1]);
      expect(readFileSync(path.join(job.workspace, "counter.txt"), "utf8")).toBe("1\n2\n");
    } finally {
      await next.stop();
    }
  });

  it("ends what outlives the grace and runs it again at the next start, budget kept", async () => {
    const server = await start(1);
    const job = await submitScore(endpointOf(server), twoStepScore(600));
    await eventually("sheet 1 runs", () => pidOf(job.workspace, 1) !== null, 30_000);
    const agent = pidOf(job.workspace, 1)!;

    const signalledAt = Date.now();
    server.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(15_000);
    expect(processAlive(agent), "the agent was ended").toBe(false);
    expect(server.output()).toMatch(/drain ended: stopping what is still running/);

    const next = await start(1, server.dataDir);
    try {
      await eventually(
        "sheet 1 runs again",
        () => pidOf(job.workspace, 1) !== agent && pidOf(job.workspace, 1) !== null,
        30_000,
      );
      // The process can be up before the commit saying so (its start is reported, then committed).
      await eventually(
        "sheet 1 is in progress again",
        async () => (await readJob(endpointOf(next), job.id)).sheets[0]!.status === "IN_PROGRESS",
        10_000,
      );
      const view = await readJob(endpointOf(next), job.id);
      expect(view.sheets[0]!.normalAttempts, "the ended attempt spent no retry").toBe(0);
    } finally {
      await next.stop();
    }
  });

  it("a second signal ends everything at once", async () => {
    const server = await start(600);
    const job = await submitScore(endpointOf(server), twoStepScore(600));
    await eventually("sheet 1 runs", () => pidOf(job.workspace, 1) !== null, 30_000);
    const agent = pidOf(job.workspace, 1)!;

    server.kill("SIGTERM");
    await eventually("GraphQL reports the drain", () => draining(endpointOf(server)), 5_000);
    const secondAt = Date.now();
    server.kill("SIGINT");
    await server.exited;
    expect(Date.now() - secondAt).toBeLessThan(12_000);
    expect(processAlive(agent), "the agent was ended").toBe(false);
  });
});
