/**
 * `retry_count` re-ran command_succeeds validations (a failing command with side effects ran
 * four times per attempt). As in Marianne, only file and content checks are re-checked.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runValidations, type ValidationRule } from "../../apps/server/src/validation/engine.ts";

async function check(workspace: string, rules: ValidationRule[]) {
  return runValidations({
    rules,
    values: { sheet_num: 1, total_sheets: 1, workspace },
    workspace,
    snapshot: new Map(),
    signal: new AbortController().signal,
    env: process.env,
  });
}

describe("regression: retry_count does not re-run commands", () => {
  it("runs a failing command once, and still re-checks a late file", async () => {
    const workspace = mkdtempSync(path.join(tmpdir(), "podium-retry-count-"));
    setTimeout(() => writeFileSync(path.join(workspace, "late.txt"), "here"), 150);
    const summary = await check(workspace, [
      {
        type: "command_succeeds",
        command: "echo ran >> runs.log; exit 1",
        retry_count: 3,
        retry_delay_ms: 50,
      },
      { type: "file_exists", path: "late.txt", retry_count: 10, retry_delay_ms: 50 },
    ]);
    expect(readFileSync(path.join(workspace, "runs.log"), "utf8")).toBe("ran\n");
    expect(summary.details.map((detail) => detail.passed)).toEqual([false, true]);
  });
});
