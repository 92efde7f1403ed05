/**
 * One redaction choke point: an on_success hook that prints a secret of the server's
 * environment (stdout on success, stderr on failure), a sheet that fails with it in its error
 * and a validation command that prints it. Neither the stored event log, nor a live
 * subscription, nor any GraphQL answer, nor any stored row (nor, on SQLite, its files) carries
 * the secret afterwards.
 */
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  eventually,
  post,
  readEventLog,
  submitScore,
  waitForJob,
  wsClient,
  type Endpoint,
} from "./support/client.ts";
import { EventFollower } from "./support/follower.ts";
import { Heartbeat } from "./support/heartbeat.ts";
import { removeDataDir, startServerProcess, type ServerProcess } from "./support/server-process.ts";
import { readStoredRows } from "../support/stored.ts";

const SECRET = "hook-secret-4f9a1c7e2b8d6a3f5e0c";
const PIECE = 12;

const SCORE = `name: redaction
instrument: cli
pause_between_sheets_seconds: 0
retry: {max_retries: 0}
sheet: {size: 1, total_items: 1}
prompt:
  template: |
    echo "sheet sees $PODIUM_HOOK_SECRET_TOKEN"
validations:
  - type: command_succeeds
    command: "echo validating $PODIUM_HOOK_SECRET_TOKEN; true"
on_success:
  - type: run_command
    command: 'echo "hook says $PODIUM_HOOK_SECRET_TOKEN"'
  - type: run_command
    command: 'echo "hook fails with $PODIUM_HOOK_SECRET_TOKEN" >&2; exit 4'
`;

const JOB_TEXT = /* GraphQL */ `
  query Everything($id: ID!) {
    job(id: $id) {
      status
      errorMessage
      sheets {
        errorMessage
        stdoutTail
        stderrTail
        prompt
        attempts {
          errorMessage
          stdoutTail
          stderrTail
          validationDetails {
            message
          }
        }
      }
    }
  }
`;

let server: ServerProcess;
let endpoint: Endpoint;

beforeAll(async () => {
  // Instruments get a minimal environment: the secret is passed to them on purpose.
  server = await startServerProcess({
    env: { PODIUM_HOOK_SECRET_TOKEN: SECRET, PODIUM_PASS_ENV: "PODIUM_HOOK_SECRET_TOKEN" },
  });
  endpoint = { url: server.url, wsUrl: server.wsUrl };
});

afterAll(async () => {
  await server?.stop();
  if (server) removeDataDir(server.dataDir);
});

function leaks(text: string): string[] {
  const found: string[] = [];
  for (let start = 0; start + PIECE <= SECRET.length; start += 1) {
    const at = text.indexOf(SECRET.slice(start, start + PIECE));
    if (at >= 0) {
      found.push(text.slice(Math.max(0, at - 40), at + 60));
      break;
    }
  }
  return found;
}

describe("redaction at the choke point", () => {
  it("keeps a hook's secret out of the event log, the subscription and GraphQL", async () => {
    const heartbeat = new Heartbeat(endpoint).start();
    const follower = new EventFollower(wsClient(endpoint), { after: null }).start();
    const job = await submitScore(endpoint, SCORE);
    await waitForJob(endpoint, job.id, 120_000);
    let log = await readEventLog(endpoint, job.id);
    await eventually(
      "both hooks reported",
      async () => {
        log = await readEventLog(endpoint, job.id);
        return log.some((event) => event.event === "hook.failed");
      },
      60_000,
    );
    const hookEvents = log.filter((event) => event.event.startsWith("hook."));
    // The hooks really printed the secret: it arrives redacted, not missing.
    expect(JSON.stringify(hookEvents)).toContain("hook says [REDACTED]");
    expect(JSON.stringify(hookEvents)).toContain("hook fails with [REDACTED]");
    await follower.reach(log.at(-1)!.seq, 30_000);
    follower.stop();
    const answer = await post(endpoint, JOB_TEXT, { id: job.id });
    expect(answer.text).toContain("[REDACTED]");

    const found: Record<string, string[]> = {
      "event log": leaks(JSON.stringify(log)),
      subscription: leaks(JSON.stringify(follower.received)),
      "job query": leaks(answer.text),
    };
    // Every stored row, on either backend; on SQLite the raw files as well (freed pages and the
    // WAL keep what no row shows any more).
    found["stored rows"] = leaks(await readStoredRows(server.databaseUrl));
    for (const file of [server.dbPath, `${server.dbPath}-wal`]) {
      if (existsSync(file)) found[file] = leaks(readFileSync(file).toString("latin1"));
    }
    expect(Object.fromEntries(Object.entries(found).filter(([, hits]) => hits.length > 0))).toEqual(
      {},
    );
    expect((await heartbeat.stop()).misses).toEqual([]);
  });
});
