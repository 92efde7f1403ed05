import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { renderTemplate } from "../../../apps/server/src/prompt/template.ts";
import type { SheetPlan } from "../../../apps/server/src/score/index.ts";
import { examplesDir, parseValid, type ParsedScore } from "./support.ts";

const exampleFiles = fs
  .readdirSync(examplesDir)
  .filter((file) => file.endsWith(".yaml"))
  .sort();

function readExample(file: string): ParsedScore {
  return parseValid(fs.readFileSync(path.join(examplesDir, file), "utf8"), {
    baseDir: examplesDir,
  });
}

/**
 * Plays a `cli` sheet the way the engine does: render the template (§33 variables), then
 * `bash -c` it in the workspace. This checks the example scripts themselves.
 */
async function playSheet(
  parsed: ParsedScore,
  sheet: SheetPlan,
  workspace: string,
  outputs: Record<number, string>,
) {
  const context = {
    ...parsed.config.prompt.variables,
    sheet_num: sheet.num,
    total_sheets: parsed.sheets.length,
    workspace,
    movement: sheet.movement,
    stage: sheet.movement,
    voice: sheet.voice ?? 1,
    instance: sheet.voice ?? 1,
    voice_count: sheet.voiceCount,
    fan_count: sheet.voiceCount,
    total_movements: parsed.totalMovements,
    previous_outputs: outputs,
    previous_files: {},
  };
  const script = await renderTemplate({
    name: "prompt.template",
    template: parsed.config.prompt.template ?? "",
    context,
  });
  const run = spawnSync("bash", ["-c", script], { cwd: workspace, encoding: "utf8" });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

async function playInOrder(parsed: ParsedScore, workspace: string) {
  const outputs: Record<number, string> = {};
  const statuses: Array<number | null> = [];
  for (const sheet of parsed.sheets) {
    expect(sheet.dependsOn.every((dep) => dep < sheet.num)).toBe(true);
    const run = await playSheet(parsed, sheet, workspace, outputs);
    statuses.push(run.status);
    outputs[sheet.num] = run.stdout;
  }
  return statuses;
}

describe("examples/", () => {
  it("has the three example scores", () => {
    expect(exampleFiles).toEqual(
      expect.arrayContaining([
        "fan-out-fan-in.yaml",
        "retry-then-pass.yaml",
        "linear-pipeline.yaml",
      ]),
    );
  });

  it.each(exampleFiles)(
    "%s parses with no problems and no warnings, on the cli instrument",
    (file) => {
      const parsed = readExample(file);
      expect(parsed.warnings).toEqual([]);
      expect(parsed.sheets.every((sheet) => sheet.instrument === "cli")).toBe(true);
      expect(parsed.config.pause_between_sheets_seconds).toBe(0);
    },
  );

  it("fan-out-fan-in: 1 -> 3 voices -> 1, and the scripts merge the voices' files", async () => {
    const parsed = readExample("fan-out-fan-in.yaml");
    expect(parsed.sheets.map((s) => [s.num, s.movement, s.voice, s.dependsOn])).toEqual([
      [1, 1, null, []],
      [2, 2, 1, [1]],
      [3, 2, 2, [1]],
      [4, 2, 3, [1]],
      [5, 3, null, [2, 3, 4]],
    ]);
    const types = parsed.config.validations.map((rule) => rule.type);
    expect(new Set(types)).toEqual(
      new Set(["file_exists", "content_contains", "command_succeeds"]),
    );

    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), "podium-example-"));
    expect(await playInOrder(parsed, workspace)).toEqual([0, 0, 0, 0, 0]);
    expect(fs.readFileSync(path.join(workspace, "merged.txt"), "utf8")).toBe(
      "section 1 of 3: rivers\nsection 2 of 3: mountains\nsection 3 of 3: deserts\n",
    );
    for (const num of [1, 2, 3, 4, 5])
      expect(fs.existsSync(path.join(workspace, `done-${num}.flag`))).toBe(true);
  });

  it("retry-then-pass: the first attempt fails, the second passes, and retries are fast", async () => {
    const parsed = readExample("retry-then-pass.yaml");
    expect(parsed.config.retry.base_delay_seconds).toBeLessThanOrEqual(1);
    expect(parsed.config.retry.max_retries).toBeGreaterThanOrEqual(1);
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), "podium-example-"));
    const [sheet] = parsed.sheets;
    expect((await playSheet(parsed, sheet!, workspace, {})).status).toBe(1);
    expect(fs.existsSync(path.join(workspace, "result.txt"))).toBe(false);
    expect((await playSheet(parsed, sheet!, workspace, {})).status).toBe(0);
    expect(fs.readFileSync(path.join(workspace, "result.txt"), "utf8")).toContain(
      "passed on retry",
    );
  });

  it("linear-pipeline: a 3-movement chain whose last step reports earlier outputs", async () => {
    const parsed = readExample("linear-pipeline.yaml");
    expect(parsed.sheets.map((s) => s.dependsOn)).toEqual([[], [1], [2]]);
    expect(parsed.config.cross_sheet?.auto_capture_stdout).toBe(true);
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), "podium-example-"));
    expect(await playInOrder(parsed, workspace)).toEqual([0, 0, 0]);
    const report = fs.readFileSync(path.join(workspace, "report.txt"), "utf8");
    expect(report).toContain("sheet 1: counted 4 words");
    expect(report).toContain("sheet 2: doubled to 8");
    expect(report).toContain("doubled value: 8");
  });
});
