import { execFileSync } from "node:child_process";
import {
  mkdtempSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { conditionHolds } from "../../../apps/server/src/validation/condition.ts";
import {
  runValidations,
  snapshotModifiedTargets,
  type ValidationRule,
} from "../../../apps/server/src/validation/engine.ts";
import {
  expandCommandPlaceholders,
  expandPathPlaceholders,
} from "../../../apps/server/src/validation/placeholders.ts";

function workspace(): string {
  return mkdtempSync(path.join(tmpdir(), "podium-validate-"));
}

const signal = new AbortController().signal;
const fast = { retry_count: 0 };

function valuesFor(ws: string, sheetNum = 2) {
  return {
    sheet_num: sheetNum,
    total_sheets: 3,
    workspace: ws,
    movement: 2,
    voice: null,
    voice_count: 1,
    component: "api",
  };
}

async function check(ws: string, rules: ValidationRule[], sheetNum = 2) {
  const values = valuesFor(ws, sheetNum);
  return runValidations({
    rules,
    values,
    workspace: ws,
    snapshot: snapshotModifiedTargets(rules, values, ws),
    signal,
    env: process.env,
  });
}

describe("validation kinds", () => {
  it("file_exists passes and fails, with placeholders in the path", async () => {
    const ws = workspace();
    writeFileSync(path.join(ws, "out-2-api.txt"), "x");
    const summary = await check(ws, [
      { type: "file_exists", path: "{workspace}/out-{sheet_num}-{component}.txt", ...fast },
      { type: "file_exists", path: "missing.txt", description: "the missing file", ...fast },
    ]);
    expect(summary.details.map((d) => d.passed)).toEqual([true, false]);
    expect(summary.details[1]!.description).toBe("the missing file");
    expect(summary.details[1]!.message).toContain("not found");
    expect(summary).toMatchObject({ passed: 1, applicable: 2 });
  });

  it("an unknown placeholder fails the rule with its name", async () => {
    const ws = workspace();
    const summary = await check(ws, [
      { type: "file_exists", path: "{workspace}/{start_item}.txt", ...fast },
    ]);
    expect(summary.details[0]!.passed).toBe(false);
    expect(summary.details[0]!.message).toContain("{start_item}");
  });

  it("file_modified compares against the snapshot taken before the run", async () => {
    const ws = workspace();
    const touched = path.join(ws, "touched.txt");
    const untouched = path.join(ws, "untouched.txt");
    writeFileSync(touched, "old");
    writeFileSync(untouched, "old");
    const past = new Date(Date.now() - 60_000);
    utimesSync(touched, past, past);
    utimesSync(untouched, past, past);
    const rules: ValidationRule[] = [
      { type: "file_modified", path: "touched.txt", ...fast },
      { type: "file_modified", path: "untouched.txt", ...fast },
      { type: "file_modified", path: "created.txt", ...fast },
    ];
    const values = valuesFor(ws);
    const snapshot = snapshotModifiedTargets(rules, values, ws);
    writeFileSync(touched, "new");
    writeFileSync(path.join(ws, "created.txt"), "brand new");
    const summary = await runValidations({
      rules,
      values,
      workspace: ws,
      snapshot,
      signal,
      env: process.env,
    });
    expect(summary.details.map((d) => d.passed)).toEqual([true, false, true]);
    expect(summary.details[1]!.message).toContain("not modified");
  });

  it("content_contains and content_regex (Python syntax, multiline)", async () => {
    const ws = workspace();
    writeFileSync(path.join(ws, "report.md"), "# Report\nStatus: DONE\nitems: 12\n");
    const summary = await check(ws, [
      { type: "content_contains", path: "report.md", pattern: "Status: DONE", ...fast },
      { type: "content_contains", path: "report.md", pattern: "Status: FAILED", ...fast },
      { type: "content_regex", path: "report.md", pattern: "^items: \\d+$", ...fast },
      { type: "content_regex", path: "report.md", pattern: "(?i)^status: done", ...fast },
      { type: "content_regex", path: "report.md", pattern: "^items: [a-z]+$", ...fast },
      { type: "content_regex", path: "nope.md", pattern: "x", ...fast },
    ]);
    expect(summary.details.map((d) => d.passed)).toEqual([true, false, true, true, false, false]);
  });

  it("command_succeeds runs bash in the workspace with quoted placeholders", async () => {
    const ws = path.join(workspace(), "dir with space");
    mkdirSync(ws);
    writeFileSync(path.join(ws, "a.txt"), "x");
    const summary = await check(ws, [
      {
        type: "command_succeeds",
        command: 'test -f a.txt && test "$(pwd)" = {workspace}',
        ...fast,
      },
      { type: "command_succeeds", command: "echo nope >&2; exit 3", ...fast },
      {
        type: "command_succeeds",
        command: "test -d sub",
        working_directory: "{workspace}",
        ...fast,
      },
    ]);
    expect(summary.details.map((d) => d.passed)).toEqual([true, false, false]);
    expect(summary.details[1]!.message).toContain("exited with code 3");
    expect(summary.details[1]!.message).toContain("nope");
  });

  it("command_succeeds times out and kills the command", async () => {
    const ws = workspace();
    const started = Date.now();
    const summary = await check(ws, [
      { type: "command_succeeds", command: "sleep 30", timeout_seconds: 0.3, ...fast },
    ]);
    expect(summary.details[0]!.passed).toBe(false);
    expect(summary.details[0]!.message).toContain("timed out");
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("refuses special files: a FIFO or /dev/zero fails the rule without blocking", async () => {
    const ws = workspace();
    execFileSync("mkfifo", [path.join(ws, "pipe")]);
    symlinkSync("/dev/zero", path.join(ws, "zero"));
    const summary = await check(ws, [
      { type: "content_contains", path: "pipe", pattern: "x", ...fast },
      { type: "content_regex", path: "zero", pattern: "x", ...fast },
      { type: "file_exists", path: "pipe", ...fast },
    ]);
    expect(summary.details.map((d) => d.passed)).toEqual([false, false, false]);
    expect(summary.details[0]!.message).toContain("is not a regular file");
    expect(summary.details[1]!.message).toContain("is not a regular file");
    expect(summary.details[2]!.message).toContain("not a regular file");
  });

  it("content_regex matches in linear time and reports patterns RE2 cannot run", async () => {
    const ws = workspace();
    writeFileSync(path.join(ws, "big.txt"), `${"a".repeat(200_000)}!`);
    const summary = await check(ws, [
      { type: "content_regex", path: "big.txt", pattern: "^(a+)+$", ...fast },
      { type: "content_regex", path: "big.txt", pattern: "(a)\\1", ...fast },
    ]);
    expect(summary.details[0]).toMatchObject({ passed: false });
    expect(summary.details[0]!.message).toContain("does not match");
    expect(summary.details[1]!.message).toMatch(/invalid pattern/);
  });

  it("runs a failing command once: retry_count re-runs file and content checks only", async () => {
    const ws = workspace();
    const summary = await check(ws, [
      {
        type: "command_succeeds",
        command: "echo run >> runs.log; exit 1",
        retry_count: 3,
        retry_delay_ms: 10,
      },
      { type: "file_exists", path: "never.txt", retry_count: 2, retry_delay_ms: 10 },
    ]);
    expect(summary.details.map((d) => d.passed)).toEqual([false, false]);
    expect(readFileSync(path.join(ws, "runs.log"), "utf8")).toBe("run\n");
  });

  it("retries a failing check before giving up", async () => {
    const ws = workspace();
    const late = path.join(ws, "late.txt");
    setTimeout(() => writeFileSync(late, "arrived"), 100);
    const summary = await check(ws, [
      { type: "file_exists", path: "late.txt", retry_count: 5, retry_delay_ms: 100 },
    ]);
    expect(summary.details[0]!.passed).toBe(true);
  });
});

describe("targeting", () => {
  it("a condition or a sheet number excludes rules from other sheets", async () => {
    const ws = workspace();
    const rules: ValidationRule[] = [
      { type: "file_exists", path: "never.txt", condition: "sheet_num >= 3", ...fast },
      { type: "file_exists", path: "never.txt", sheet: 1, ...fast },
      {
        type: "command_succeeds",
        command: "true",
        condition: "sheet_num >= 2 and movement == 2",
        ...fast,
      },
    ];
    const summary = await check(ws, rules, 2);
    expect(summary.applicable).toBe(1);
    expect(summary.details[0]!.index).toBe(2);
    expect(summary.passed).toBe(1);
  });

  it("condition grammar: comparisons joined by and; unparseable clauses hold", () => {
    const values = { sheet_num: 4, movement: 2, voice: null };
    expect(conditionHolds("sheet_num >= 2", values)).toBe(true);
    expect(conditionHolds("sheet_num < 2", values)).toBe(false);
    expect(conditionHolds("sheet_num != 4", values)).toBe(false);
    expect(conditionHolds("sheet_num > 1 and movement == 3", values)).toBe(false);
    expect(conditionHolds("sheet_num in [1, 2]", values)).toBe(true);
    expect(conditionHolds("voice == 1", values)).toBe(true);
    expect(conditionHolds(null, values)).toBe(true);
  });
});

describe("placeholders", () => {
  it("paths: str.format style with literal double braces", () => {
    expect(
      expandPathPlaceholders("{workspace}/{{x}}/{voice}", { workspace: "/w", voice: null }),
    ).toBe("/w/{x}/None");
  });

  it("commands: quoted values, unknown names left as written", () => {
    expect(
      expandCommandPlaceholders("cat {workspace}/a {other} ${HOME}", { workspace: "/my ws" }),
    ).toBe("cat '/my ws'/a {other} ${HOME}");
  });
});
