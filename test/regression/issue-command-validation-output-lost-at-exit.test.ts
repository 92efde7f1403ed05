/**
 * A command_succeeds check that printed and exited at once sometimes reported no output: the
 * exit was seen before the last chunk came through the pipe, so the failure message lacked what
 * the command said. The output is now read until the pipes close.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCheckCommand } from "../../apps/server/src/validation/command.ts";

const workspace = mkdtempSync(path.join(tmpdir(), "podium-check-output-"));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

describe("regression: command validation output lost at exit", () => {
  it("keeps what a command printed just before exiting", async () => {
    for (let run = 0; run < 10; run += 1) {
      const outcome = await runCheckCommand(
        "echo nope >&2; exit 3",
        workspace,
        10,
        new AbortController().signal,
        process.env,
      );
      expect(outcome).toMatchObject({ passed: false, exitCode: 3 });
      expect(outcome.output).toContain("nope");
    }
  });
});
