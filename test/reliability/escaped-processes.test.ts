/**
 * A sheet whose script escapes its process group (`setsid sleep 1000 &`) leaves nothing behind
 * when the job is cancelled or the server drains, and a skip_when_command still running at
 * shutdown is ended with whatever it started.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { eventually, query, submitScore, waitForJob, type Endpoint } from "./support/client.ts";
import { processAlive, processGroupOf } from "./support/processes.ts";
import { removeDataDir, startServerProcess, type ServerProcess } from "./support/server-process.ts";

const servers: ServerProcess[] = [];
const leftovers: number[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    await server.stop();
    removeDataDir(server.dataDir);
  }
  // Never leave a sleeper behind, even when an assertion failed.
  for (const pid of leftovers.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Gone, as it should be.
    }
  }
});

async function start(): Promise<{ server: ServerProcess; endpoint: Endpoint }> {
  const server = await startServerProcess({ env: { PODIUM_DRAIN_GRACE_SECONDS: "1" } });
  servers.push(server);
  return { server, endpoint: { url: server.url, wsUrl: server.wsUrl } };
}

const ESCAPING_SHEET = `name: escapee
instrument: cli
sheet:
  size: 1
  total_items: 1
prompt:
  template: |
    echo $$ > leader.pid
    setsid sleep 1000 &
    echo $! > escapee.pid
    sleep 1000
`;

const SLOW_SKIP_COMMAND = `name: slow-skip
instrument: cli
sheet:
  size: 1
  total_items: 1
  skip_when_command:
    1:
      command: "setsid sleep 1000 & echo $! > {workspace}/escapee.pid; echo $$ > {workspace}/skip.pid; sleep 55"
      timeout_seconds: 60
prompt:
  template: "echo ran > ran.txt"
`;

async function pidFrom(workspace: string, file: string): Promise<number> {
  const full = path.join(workspace, file);
  await eventually(`${file} is written`, () => existsSync(full), 30_000);
  let pid = NaN;
  await eventually(
    `${file} holds a pid`,
    () => Number.isInteger((pid = Number(readFileSync(full, "utf8").trim()))) && pid > 0,
    5_000,
  );
  leftovers.push(pid);
  return pid;
}

async function expectGone(pids: number[]): Promise<void> {
  await eventually(
    `processes ${pids.join(", ")} are gone`,
    () => pids.every((pid) => !processAlive(pid)),
    10_000,
  );
}

describe("processes that escaped their process group", () => {
  it("are ended when the job is cancelled", async () => {
    const { endpoint } = await start();
    const job = await submitScore(endpoint, ESCAPING_SHEET);
    const leader = await pidFrom(job.workspace, "leader.pid");
    const escapee = await pidFrom(job.workspace, "escapee.pid");
    expect(processGroupOf(escapee), "the escapee really left the group").not.toBe(
      processGroupOf(leader),
    );

    await query(endpoint, "mutation ($id: ID!) { cancelJob(id: $id) { status } }", { id: job.id });
    expect((await waitForJob(endpoint, job.id, 30_000)).status).toBe("CANCELLED");
    await expectGone([leader, escapee]);
  });

  it("are ended when the server drains", async () => {
    const { server, endpoint } = await start();
    const job = await submitScore(endpoint, ESCAPING_SHEET);
    const leader = await pidFrom(job.workspace, "leader.pid");
    const escapee = await pidFrom(job.workspace, "escapee.pid");

    server.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    await expectGone([leader, escapee]);
  });

  it("a running skip_when_command, and what it started, is ended at shutdown", async () => {
    const { server, endpoint } = await start();
    const job = await submitScore(endpoint, SLOW_SKIP_COMMAND);
    const skip = await pidFrom(job.workspace, "skip.pid");
    const escapee = await pidFrom(job.workspace, "escapee.pid");

    server.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    await expectGone([skip, escapee]);
    expect(existsSync(path.join(job.workspace, "ran.txt")), "the sheet did not run").toBe(false);
  });
});
