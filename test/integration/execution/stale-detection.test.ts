/**
 * Score `stale_detection` on real bash processes: an instrument that stays silent (no stdout,
 * no stderr) for the idle timeout is killed with its whole group and reported as STALE; one
 * that keeps talking runs to its end however long it takes.
 */
import { afterAll, describe, expect, it } from "vitest";
import { BackendPool } from "../../../apps/server/src/instruments/pool.ts";
import { livingGroupMembers } from "../../../apps/server/src/instruments/process-group.ts";
import { createMusician } from "../../../apps/server/src/musician/musician.ts";
import {
  attemptRequest,
  builtinWithExecutable,
  profileMap,
  signalNotAborted,
  tempDir,
} from "./helpers.ts";

const IDLE_SECONDS = 0.5;

const pool = new BackendPool({ profiles: profileMap(builtinWithExecutable("cli", "bash")) });
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

async function playScript(script: string, idleTimeoutSeconds: number | null) {
  let pgid = 0;
  const result = await musician.play(
    attemptRequest({
      workspace: tempDir(),
      instrument: "cli",
      timeoutSeconds: 30,
      idleTimeoutSeconds,
      prompt: { template: script } as never,
    }),
    { signal: signalNotAborted(), onSpawn: (group) => (pgid = group) },
  );
  return { result, pgid };
}

describe("stale detection (idle timeout on instrument output)", () => {
  it("kills a silent process and its helpers, and reports STALE naming the idle time", async () => {
    // The background sleep is a helper that must die with the group.
    const { result, pgid } = await playScript("sleep 30 &\nsleep 5", IDLE_SECONDS);
    expect(result.executionSuccess).toBe(false);
    expect(result.errorClass).toBe("STALE");
    expect(result.errorMessage).toContain(`${IDLE_SECONDS} s`);
    expect(result.rateLimited).toBe(false);
    // Well before the 5 s the script would take: the idle limit ended it, not the script.
    expect(result.durationMs).toBeLessThan(2_500);
    expect(pgid).toBeGreaterThan(0);
    expect(isGroupGone(pgid)).toBe(true);
  });

  it("counts the idle time from the last output, not from the start", async () => {
    const { result, pgid } = await playScript(
      "for i in 1 2 3 4; do echo tick $i; sleep 0.2; done\nsleep 5",
      IDLE_SECONDS,
    );
    expect(result.errorClass).toBe("STALE");
    expect(result.stdoutTail).toContain("tick 4");
    expect(isGroupGone(pgid)).toBe(true);
  });

  it("lets a process that prints every 0.2 s run past the idle timeout to success", async () => {
    const { result } = await playScript(
      "for i in 1 2 3 4 5 6 7 8; do echo tick $i; sleep 0.2; done",
      IDLE_SECONDS,
    );
    expect(result.errorMessage).toBeNull();
    expect(result.executionSuccess).toBe(true);
    expect(result.stdoutTail).toContain("tick 8");
    expect(result.durationMs).toBeGreaterThan(IDLE_SECONDS * 1000);
  });

  it("counts output on stderr as a sign of life too", async () => {
    const { result } = await playScript(
      "for i in 1 2 3 4 5 6 7 8; do echo tick $i >&2; sleep 0.2; done",
      IDLE_SECONDS,
    );
    expect(result.executionSuccess).toBe(true);
    expect(result.stderrTail).toContain("tick 8");
  });

  it("never declares a silent process stale when no idle limit is set", async () => {
    const { result } = await playScript("sleep 1\necho done", null);
    expect(result.executionSuccess).toBe(true);
    expect(result.stdoutTail.trim()).toBe("done");
  });
});
