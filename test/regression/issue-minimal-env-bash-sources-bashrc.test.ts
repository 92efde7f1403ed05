/**
 * With the minimal child environment, `bash -c` sheets started sourcing ~/.bashrc: SHLVL was
 * dropped, and bash with a socket on stdin (node's pipes) and no SHLVL takes itself for a
 * remote shell and reads ~/.bashrc, which can be slow or hang (a version manager's lock).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildChildEnv } from "../../apps/server/src/instruments/child-env.ts";

describe("a bash instrument under the minimal environment", () => {
  it("does not source ~/.bashrc", () => {
    const home = mkdtempSync(path.join(tmpdir(), "podium-bashrc-"));
    const marker = path.join(home, "bashrc-ran");
    writeFileSync(path.join(home, ".bashrc"), `touch '${marker}'\n`);
    const env = buildChildEnv({ PATH: process.env.PATH, HOME: home });
    const result = spawnSync("bash", ["-c", "echo ran"], {
      env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    expect(result.stdout.toString().trim()).toBe("ran");
    expect(existsSync(marker)).toBe(false);
  });
});
