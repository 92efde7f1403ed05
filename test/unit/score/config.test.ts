import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolvePromptTemplate } from "../../../apps/server/src/score/index.ts";
import { parseInvalid, parseValid } from "./support.ts";

describe("config defaults", () => {
  it("fills every section the engine reads with the schema's defaults", () => {
    const { config } = parseValid(
      "name: t\nsheet: {size: 1, total_items: 1}\nprompt: {template: go}\n",
    );
    expect(config.retry).toEqual({
      max_retries: 3,
      base_delay_seconds: 10,
      max_delay_seconds: 3600,
      exponential_base: 2,
      jitter: true,
      max_completion_attempts: 5,
      completion_delay_seconds: 5,
      completion_threshold_percent: 50,
    });
    expect(config.rate_limit.wait_minutes).toBe(60);
    expect(config.rate_limit.detection_patterns).toContain("too many requests");
    expect(config.circuit_breaker).toMatchObject({
      enabled: true,
      failure_threshold: 5,
      recovery_timeout_seconds: 300,
    });
    expect(config.cost_limits).toMatchObject({
      enabled: false,
      max_cost_per_sheet: null,
      max_cost_per_job: null,
    });
    expect(config.parallel.max_concurrent).toBe(3);
    expect(config.stale_detection).toEqual({
      enabled: false,
      idle_timeout_seconds: 300,
      check_interval_seconds: 30,
    });
    expect(config.cross_sheet).toBeNull();
    expect(config.validations).toEqual([]);
    expect(config.on_success).toEqual([]);
    expect(config.concert.enabled).toBe(false);
    expect(config.pause_between_sheets_seconds).toBe(2);
    expect(config.workspace).toBeNull();
    expect(config.prompt.variables).toEqual({});
  });

  it("turns an empty cross_sheet block on with its defaults", () => {
    const { config } = parseValid(
      "name: t\nsheet: {size: 1, total_items: 1}\nprompt: {template: go}\ncross_sheet: {}\n",
    );
    expect(config.cross_sheet).toEqual({
      auto_capture_stdout: false,
      max_output_chars: 2000,
      capture_files: [],
      lookback_sheets: 3,
    });
  });
});

describe("resolvePromptTemplate", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "podium-score-"));
  fs.writeFileSync(path.join(dir, "prompt.j2"), "Sheet {{ sheet_num }}\n");
  fs.writeFileSync(path.join(dir, "broken.j2"), "{% for x in y %}\n");
  const withFile = (file: string) =>
    `name: t\nsheet: {size: 1, total_items: 1}\nprompt:\n  template_file: ${file}\n`;

  it("reads template_file relative to baseDir", () => {
    const { config } = parseValid(withFile("prompt.j2"), { baseDir: dir });
    expect(resolvePromptTemplate(config, dir)).toEqual({ template: "Sheet {{ sheet_num }}\n" });
  });

  it("returns the inline template, or null when there is none", () => {
    const inline = parseValid(
      "name: t\nsheet: {size: 1, total_items: 1}\nprompt: {template: hi}\n",
    ).config;
    expect(resolvePromptTemplate(inline, dir)).toEqual({ template: "hi" });
    const none = parseValid("name: t\nsheet: {size: 1, total_items: 1}\nprompt: {}\n").config;
    expect(resolvePromptTemplate(none, dir)).toEqual({ template: null });
  });

  it("reports a missing template file as a problem, and parseScore does too when given baseDir", () => {
    const { config } = parseValid(withFile("absent.j2"));
    const resolved = resolvePromptTemplate(config, dir);
    expect(resolved).toEqual({
      problem: {
        path: "prompt.template_file",
        message: `template file not found or outside the allowed roots: ${path.join(dir, "absent.j2")}`,
      },
    });
    expect(parseInvalid(withFile("absent.j2"), { baseDir: dir }).problems[0]).toMatchObject({
      path: "prompt.template_file",
      line: 4,
    });
  });

  it("checks the template file's Jinja syntax when given baseDir", () => {
    expect(parseInvalid(withFile("broken.j2"), { baseDir: dir }).problems[0]!.message).toMatch(
      /template syntax error/,
    );
  });
});
