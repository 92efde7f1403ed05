/**
 * A server killed with SIGKILL leaves no instrument process running: neither the sheet's process
 * group nor a descendant that left it (`setsid`), whether the kill hits the server alone or its
 * whole process group (a terminal's `kill -9 -PGID`).
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { eventually, submitScore } from "./support/client.ts";
import { groupMembers, processAlive, processGroupOf } from "./support/processes.ts";
import {
  removeDataDir,
  startServerProcess,
  type ServerProcess,
  type ServerProcessOptions,
} from "./support/server-process.ts";

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

const SHEETS_THAT_SLEEP = `name: sleepers
instrument: cli
sheet:
  size: 1
  total_items: 3
  # Declared dependencies are the whole DAG: sheets 1 and 2 depend on nothing and run together.
  dependencies:
    3: [1]
pause_between_sheets_seconds: 0
parallel:
  enabled: true
  max_concurrent: 2
prompt:
  template: |
    echo $$ > leader-{{ sheet_num }}.pid
    setsid sleep 300 &
    echo $! > escapee-{{ sheet_num }}.pid
    sleep 300
`;

async function pidFrom(workspace: string, file: string): Promise<number> {
  const full = path.join(workspace, file);
  let pid = NaN;
  await eventually(
    `${file} holds a pid`,
    () =>
      existsSync(full) &&
      Number.isInteger((pid = Number(readFileSync(full, "utf8").trim()))) &&
      pid > 0,
    30_000,
  );
  leftovers.push(pid);
  return pid;
}

async function runSleepers(
  options: ServerProcessOptions,
): Promise<{ server: ServerProcess; leaders: number[]; escapees: number[] }> {
  const server = await startServerProcess(options);
  servers.push(server);
  const job = await submitScore({ url: server.url, wsUrl: server.wsUrl }, SHEETS_THAT_SLEEP);
  const leaders = [await pidFrom(job.workspace, "leader-1.pid")];
  leaders.push(await pidFrom(job.workspace, "leader-2.pid"));
  const escapees = [await pidFrom(job.workspace, "escapee-1.pid")];
  escapees.push(await pidFrom(job.workspace, "escapee-2.pid"));
  // `echo $!` can run before the forked `setsid` has left the group.
  await eventually(
    "the escapees left their groups",
    () => escapees.every((escapee, index) => processGroupOf(escapee) !== leaders[index]),
    5_000,
  );
  return { server, leaders, escapees };
}

async function expectNothingLeft(leaders: number[], escapees: number[]): Promise<void> {
  await eventually(
    `groups ${leaders.join(", ")} and escapees ${escapees.join(", ")} are gone`,
    () =>
      leaders.every((leader) => groupMembers(leader).length === 0) &&
      escapees.every((pid) => !processAlive(pid)),
    5_000,
  );
}

describe("a SIGKILLed server", () => {
  it("takes its sheets' processes with it when it alone is killed", async () => {
    const { server, leaders, escapees } = await runSleepers({});
    process.kill(server.pid, "SIGKILL");
    await server.exited;
    await expectNothingLeft(leaders, escapees);
  });

  it("takes its sheets' processes with it when its whole process group is killed", async () => {
    const { server, leaders, escapees } = await runSleepers({ ownProcessGroup: true });
    expect(processGroupOf(server.pid)).toBe(server.pid);
    process.kill(-server.pid, "SIGKILL");
    await server.exited;
    await expectNothingLeft(leaders, escapees);
  });
});
