/**
 * `podium run --watch` outlives its server: killed and restarted on the same port and data, the
 * server recovers the job, and the CLI resubscribes from its last cursor and still exits with
 * the job's outcome.
 */
import { afterEach, expect, it } from "vitest";
import {
  newDataDir,
  removeDataDir,
  startServerProcess,
  type ServerProcess,
} from "../../reliability/support/server-process.ts";
import { bashScore, freePort, podium, scoreDir, writeScore } from "./support.ts";

const servers: ServerProcess[] = [];
let dataDir: string | null = null;

afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
  if (dataDir) removeDataDir(dataDir);
});

it("resumes following after the server is killed and restarted", async () => {
  dataDir = newDataDir();
  const port = String(await freePort());
  const start = async (): Promise<ServerProcess> => {
    const server = await startServerProcess({ dataDir: dataDir!, env: { PORT: port } });
    servers.push(server);
    return server;
  };
  const first = await start();
  const file = writeScore(scoreDir(), "slow.yaml", bashScore("survives", "sleep 2\necho done", 2));
  const run = podium(["run", file, "--watch"], { PODIUM_URL: first.url });
  await run.waitFor(/sheet 1 sheet\.dispatched/);

  first.kill("SIGKILL");
  await first.exited;
  await run.waitFor(/connection lost/);
  await start();

  expect(await run.exited).toBe(0);
  const output = run.output();
  expect(output).toContain("reconnected; following from the last event received");
  expect(output).toMatch(/job\.recovered/);
  expect(output).toMatch(/job \S+ "survives": completed, 2\/2 sheets/);
  // Every event is shown once: the resubscription starts after the last one received.
  expect(output.match(/job\.submitted/g)).toHaveLength(1);
});
