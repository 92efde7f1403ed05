/**
 * A `command_succeeds` check read the command's output as soon as its exit was reported. The
 * exit can be relayed before the last output (spawner helper), so a failing check's message
 * sometimes lacked what the command printed. The output is now read once the pipes closed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCheckCommand } from "../../apps/server/src/validation/command.ts";

const dir = mkdtempSync(path.join(tmpdir(), "podium-check-output-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a command check's output", () => {
  it("holds everything the command printed before it exited, on every run", async () => {
    // One at a time: the race is between one process's exit and its own last output.
    for (let i = 0; i < 60; i += 1) {
      const outcome = await runCheckCommand(
        `echo err-${i} >&2; exit 3`,
        dir,
        30,
        new AbortController().signal,
        process.env,
      );
      expect(outcome.exitCode).toBe(3);
      expect(outcome.output).toContain(`err-${i}`);
    }
  });
});
