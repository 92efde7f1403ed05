/**
 * A SIGKILLed server left its running sheets' processes behind: the spawner helper exited when
 * the server's IPC channel closed, and the sheets ran on unobserved until the next start reaped
 * them (or forever, with no next start on this machine).
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { eventually, submitScore } from "../reliability/support/client.ts";
import { groupMembers } from "../reliability/support/processes.ts";
import {
  removeDataDir,
  startServerProcess,
  type ServerProcess,
} from "../reliability/support/server-process.ts";

let server: ServerProcess | null = null;
let leader: number | null = null;
afterAll(async () => {
  if (leader !== null) {
    try {
      process.kill(-leader, "SIGKILL");
    } catch {
      // Gone, as it should be.
    }
  }
  await server?.stop();
  if (server) removeDataDir(server.dataDir);
});

describe("a sheet running when the server is SIGKILLed", () => {
  it("is killed with it", async () => {
    server = await startServerProcess();
    const job = await submitScore(
      { url: server.url, wsUrl: server.wsUrl },
      `name: sleeper
instrument: cli
sheet:
  size: 1
  total_items: 1
prompt:
  template: "echo $$ > leader.pid; sleep 300"
`,
    );
    const pidFile = path.join(job.workspace, "leader.pid");
    await eventually(
      "the sheet's sleep runs",
      () =>
        existsSync(pidFile) &&
        (leader = Number(readFileSync(pidFile, "utf8"))) > 0 &&
        groupMembers(leader).length > 0,
      30_000,
    );

    server.kill("SIGKILL");
    await server.exited;
    await eventually(
      "the sheet's processes are gone",
      () => groupMembers(leader!).length === 0,
      5_000,
    );
    expect(groupMembers(leader!)).toEqual([]);
  });
});
