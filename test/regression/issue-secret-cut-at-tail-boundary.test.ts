/**
 * A secret printed just before the last 10 KB of a sheet's output was stored half-redacted: the
 * cli backend cut stdout/stderr to their tails (instruments/cli-backend.ts, `tailOf`) before the
 * musician redacted them (musician/musician.ts, `redactSecrets` on the tails), so the secret's
 * end, cut off from its start, no longer matched and was stored and served as is.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readJob, submitScore, waitForJob, type Endpoint } from "../reliability/support/client.ts";
import {
  removeDataDir,
  startServerProcess,
  type ServerProcess,
} from "../reliability/support/server-process.ts";

const SECRET = "sk-test-Zq8rT3vLm9Xw2Yp6Kd4Hs1Nb7Cf5Gj0A";
const TAIL_CHARS = 10 * 1024;

const SCORE = `name: secret-at-tail-boundary
instrument: cli
sheet: {size: 1, total_items: 1}
prompt:
  template: |
    printf '%s' "$OPENAI_API_KEY"; head -c ${TAIL_CHARS - 20} /dev/zero | tr '\\0' 'x'
    printf '%s' "$OPENAI_API_KEY" >&2; head -c ${TAIL_CHARS - 20} /dev/zero | tr '\\0' 'y' >&2
`;

describe("a secret straddling the stored tail's boundary", () => {
  let server: ServerProcess;
  let endpoint: Endpoint;
  beforeAll(async () => {
    server = await startServerProcess({ env: { OPENAI_API_KEY: SECRET } });
    endpoint = { url: server.url, wsUrl: server.wsUrl };
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    if (server) removeDataDir(server.dataDir);
  });

  it("leaves no piece of the secret in stdoutTail or stderrTail", async () => {
    const job = await submitScore(endpoint, SCORE);
    await waitForJob(endpoint, job.id, 30_000);
    const sheet = (await readJob(endpoint, job.id)).sheets[0]!;
    const tails = `${sheet.stdoutTail}\n${sheet.stderrTail}`;
    expect(tails).toContain("xxxx");
    // The last 20 characters of the key are what the cut tail began with.
    expect(tails).not.toContain(SECRET.slice(-20));
    expect(tails).not.toContain(SECRET.slice(-12));
  }, 60_000);
});
