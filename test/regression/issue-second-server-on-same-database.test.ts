/**
 * A second server started on a database another server is using must stop before it touches
 * anything: it used to reap the first server's live agents as orphans and re-dispatch its jobs.
 * The lock dies with its holder, so a SIGKILLed server does not block the next start. A
 * DATABASE_URL Podium cannot use is refused instead of becoming a relative SQLite path.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  eventually,
  readEventLog,
  readJob,
  submitScore,
  type Endpoint,
} from "../reliability/support/client.ts";
import { repoRoot } from "../reliability/support/paths.ts";
import { processAlive } from "../reliability/support/processes.ts";
import {
  newDataDir,
  removeDataDir,
  startServerProcess,
  type ServerProcess,
} from "../reliability/support/server-process.ts";

const started: ServerProcess[] = [];
const dataDir = newDataDir();

afterAll(async () => {
  for (const server of started) await server.stop();
  removeDataDir(dataDir);
});

async function start(env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  const server = await startServerProcess({ dataDir, env });
  started.push(server);
  return server;
}

const LONG_SHEET = `name: long-sheet
instrument: cli
sheet:
  size: 1
  total_items: 1
prompt:
  template: |
    echo $$ > agent.pid
    sleep 120
`;

describe("a second server on the same database", () => {
  it("refuses to start and leaves the first server's agents and jobs alone", async () => {
    const first = await start();
    const endpoint: Endpoint = { url: first.url, wsUrl: first.wsUrl };
    const job = await submitScore(endpoint, LONG_SHEET);
    const pidFile = path.join(job.workspace, "agent.pid");
    await eventually("the agent is running", () => existsSync(pidFile), 30_000);
    const agentPid = Number(readFileSync(pidFile, "utf8").trim());
    const eventsBefore = (await readEventLog(endpoint)).length;

    const refusal = await start().then(
      () => null,
      (error: Error) => error.message,
    );
    expect(refusal).toMatch(/another Podium server is already using the database/);
    expect(refusal).toContain(first.dbPath);

    expect(processAlive(agentPid), "the first server's agent survives").toBe(true);
    const after = await readJob(endpoint, job.id);
    expect(after.status).toBe("RUNNING");
    expect(after.sheets[0]!.attempts).toHaveLength(0);
    expect(await readEventLog(endpoint)).toHaveLength(eventsBefore);
  });

  it("starts once the holder was SIGKILLed: the lock dies with its process", async () => {
    const holder = started[0]!;
    holder.kill("SIGKILL");
    await holder.exited;
    const next = await start();
    expect(next.output()).toMatch(/Podium GraphQL on/);
  });
});

describe("a DATABASE_URL Podium cannot use", () => {
  it.each([
    ["mysql://db/podium", /DATABASE_URL must be a SQLite file .* or a PostgreSQL URL/],
    // Nothing listens on port 1: refused as unreachable, the password never shown.
    ["postgresql://podium:secret@127.0.0.1:1/podium", /cannot use the PostgreSQL database/],
  ])("%s is refused at start with a message naming the problem", async (url, message) => {
    const scheme = url.slice(0, url.indexOf(":") + 1);
    const scratch = newDataDir();
    const refusal = await startServerProcess({ dataDir: scratch, env: { DATABASE_URL: url } })
      .then(
        () => null,
        (error: Error) => error.message,
      )
      .finally(() => removeDataDir(scratch));
    expect(refusal).toMatch(message);
    expect(refusal).not.toContain("secret");
    expect(existsSync(path.join(repoRoot, scheme)), `no ${scheme} folder is created`).toBe(false);
  });
});
