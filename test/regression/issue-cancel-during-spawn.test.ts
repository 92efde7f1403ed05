/**
 * A cancel that arrives while the instrument's process is still starting (between `spawn()` and
 * the child's "spawn" event) or from inside the onSpawn hook used to be missed by the CLI
 * backend: the abort listener was registered only afterwards, so the process ran until its
 * timeout. The attempt must end as CANCELLED at once, with its whole process group dead.
 */
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BackendPool } from "../../apps/server/src/instruments/pool.ts";
import { livingGroupMembers } from "../../apps/server/src/instruments/process-group.ts";
import { createMusician } from "../../apps/server/src/musician/musician.ts";
import {
  attemptRequest,
  fakeCliProfile,
  FAKE_CLI_DIR,
  profileMap,
  tempDir,
} from "../integration/execution/helpers.ts";

/** Long enough that reaching it means the cancel was missed. */
const TIMEOUT_SECONDS = 8;

const pool = new BackendPool({
  profiles: profileMap(fakeCliProfile("claude-code", path.join(FAKE_CLI_DIR, "fake-claude"))),
});
const musician = createMusician({ pool });

afterAll(async () => {
  await pool.close();
});

function isGroupGone(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return true;
  }
  // Only zombies (already dead, waiting to be reaped) may remain.
  return livingGroupMembers(pgid).length === 0;
}

/** Prompts render off the main thread, so the instrument starts a few ticks after play(). */
async function untilStarting(backends: BackendPool): Promise<void> {
  while (backends.inFlight("claude-code") === 0) await new Promise(setImmediate);
}

function hangingAttempt() {
  return attemptRequest({
    workspace: tempDir(),
    instrument: "claude-code",
    timeoutSeconds: TIMEOUT_SECONDS,
    // A helper child too, so the whole group has to be ended, not just the leader.
    prompt: { template: "FAKE leave-child\nFAKE hang" } as never,
  });
}

describe("regression: a cancel while the instrument is starting", () => {
  it("cancels an attempt aborted before its process has finished spawning", async () => {
    const controller = new AbortController();
    let pgid = 0;
    const playing = musician.play(hangingAttempt(), {
      signal: controller.signal,
      onSpawn: (group) => (pgid = group),
    });
    // The pool has called spawn() and the musician now waits for the child's "spawn" event.
    await untilStarting(pool);
    controller.abort();
    const result = await playing;

    expect(pgid).toBeGreaterThan(0);
    expect(result.errorClass).toBe("CANCELLED");
    expect(result.errorMessage).not.toMatch(/timed out/);
    expect(result.durationMs).toBeLessThan((TIMEOUT_SECONDS * 1000) / 2);
    expect(isGroupGone(pgid)).toBe(true);
    expect(pool.inFlight("claude-code")).toBe(0);
  });

  it("cancels an attempt aborted from inside the onSpawn hook", async () => {
    const controller = new AbortController();
    let pgid = 0;
    const result = await musician.play(hangingAttempt(), {
      signal: controller.signal,
      onSpawn: (group) => {
        pgid = group;
        controller.abort();
      },
    });

    expect(pgid).toBeGreaterThan(0);
    expect(result.errorClass).toBe("CANCELLED");
    expect(result.errorMessage).not.toMatch(/timed out/);
    expect(result.durationMs).toBeLessThan((TIMEOUT_SECONDS * 1000) / 2);
    expect(isGroupGone(pgid)).toBe(true);
  });

  it("cancels an attempt whose pool is closed while its process is spawning", async () => {
    const closing = new BackendPool({
      profiles: profileMap(fakeCliProfile("claude-code", path.join(FAKE_CLI_DIR, "fake-claude"))),
    });
    let pgid = 0;
    const playing = createMusician({ pool: closing }).play(hangingAttempt(), {
      signal: new AbortController().signal,
      onSpawn: (group) => (pgid = group),
    });
    await untilStarting(closing);
    const closed = closing.close();
    const result = await playing;
    await closed;

    expect(pgid).toBeGreaterThan(0);
    expect(result.errorClass).toBe("CANCELLED");
    expect(result.durationMs).toBeLessThan((TIMEOUT_SECONDS * 1000) / 2);
    expect(isGroupGone(pgid)).toBe(true);
  });
});
