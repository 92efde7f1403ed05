/**
 * A process that prints and exits at once could have its output reported empty: the spawner
 * helper relayed the exit before the last output, and the exit reached callers before the
 * relayed output had flowed to their listeners (an on_success hook's stdout was stored as "").
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runShell } from "../../apps/server/src/musician/shell.ts";

const cwd = mkdtempSync(path.join(tmpdir(), "podium-quick-output-"));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe("output of a process that exits at once", () => {
  it("is whole on stdout and stderr every time", async () => {
    for (let run = 0; run < 40; run += 1) {
      const printed = await runShell(`echo "out ${run}"; echo "err ${run}" >&2; exit 3`, {
        cwd,
        timeoutSeconds: 10,
      });
      expect(printed).toMatchObject({
        exitCode: 3,
        stdoutTail: `out ${run}\n`,
        stderrTail: `err ${run}\n`,
      });
    }
  });
});
