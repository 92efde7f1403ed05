import { describe, expect, it } from "vitest";
import { parseInvalid, parseValid } from "./support.ts";

/** YAML 1.1 as PyYAML reads it, and pydantic's lax coercions (SCORE-SCHEMA.md §0). */
describe("YAML 1.1 scalars and lax coercion", () => {
  const withPrompt = (extra: string) =>
    `name: t\nsheet: {size: 1, total_items: 1}\nprompt: {template: go}\n${extra}`;

  it("reads yes/no/on/off as booleans", () => {
    const result = parseValid(
      withPrompt(
        "retry: {jitter: off}\nparallel: {enabled: Yes}\ncross_sheet: {auto_capture_stdout: ON}\n",
      ),
    );
    expect(result.config.retry.jitter).toBe(false);
    expect(result.config.parallel.enabled).toBe(true);
    expect(result.config.cross_sheet?.auto_capture_stdout).toBe(true);
  });

  it("keeps y and n as strings (a bool field still accepts them, as pydantic does)", () => {
    const result = parseValid(withPrompt("description: y\nretry: {jitter: n}\n"));
    expect(result.config.description).toBe("y");
    expect(result.config.retry.jitter).toBe(false);
  });

  it("reads 1e3 as a string, so a float field coerces it; 1.0e+3 is a float", () => {
    const result = parseValid(
      withPrompt("description: 1e3\nretry: {max_delay_seconds: 1.0e+3, base_delay_seconds: 1e1}\n"),
    );
    expect(result.config.description).toBe("1e3");
    expect(result.config.retry.max_delay_seconds).toBe(1000);
    expect(result.config.retry.base_delay_seconds).toBe(10);
  });

  it("keeps PyYAML's strings: a lone dot, 0o17, and exponents without a sign", () => {
    const result = parseValid(withPrompt("description: .\nworkspace: 0o17\nstate_path: 1.0e3\n"));
    expect(result.config.description).toBe(".");
    expect(result.config.workspace).toBe("0o17");
    expect(result.config.state_path).toBe("1.0e3");
    const floats = parseValid(
      withPrompt("retry: {base_delay_seconds: +.5, max_delay_seconds: 3.}\n"),
    );
    expect(floats.config.retry.base_delay_seconds).toBe(0.5);
    expect(floats.config.retry.max_delay_seconds).toBe(3);
  });

  it("reads octal, hex, underscores and base-60 integers", () => {
    const result = parseValid(
      withPrompt(
        "retry: {max_retries: 010, max_completion_attempts: 0x1F}\nrate_limit: {wait_minutes: 1_000, max_waits: 1:30}\n",
      ),
    );
    expect(result.config.retry.max_retries).toBe(8);
    expect(result.config.retry.max_completion_attempts).toBe(31);
    expect(result.config.rate_limit.wait_minutes).toBe(1000);
    expect(result.config.rate_limit.max_waits).toBe(90);
  });

  it("coerces numeric strings and whole floats into int fields, and rejects fractions", () => {
    const result = parseValid(
      withPrompt("retry: {max_retries: ' 4 ', max_completion_attempts: 2.0}\n"),
    );
    expect(result.config.retry.max_retries).toBe(4);
    expect(result.config.retry.max_completion_attempts).toBe(2);
    expect(parseInvalid(withPrompt("retry: {max_retries: 2.5}\n")).problems[0]).toMatchObject({
      path: "retry.max_retries",
      line: 4,
    });
  });

  it("coerces int-like map keys and collapses duplicates, last wins", () => {
    const result = parseValid(
      `name: t\nprompt: {template: go}\nsheet:\n  size: 1\n  total_items: 3\n  descriptions: {1: one, "01": uno, "3": three}\n`,
    );
    expect(result.config.sheet.descriptions).toEqual({ 1: "uno", 3: "three" });
  });

  it("supports anchors, aliases and << merge keys", () => {
    const result = parseValid(
      `name: t\nprompt: {template: go}\nsheet: {size: 1, total_items: 2}\nbase: &retry {max_retries: 7, jitter: false}\n`.replace(
        "base: &retry",
        "retry: &retry",
      ) +
        `movements:\n  1: &m {name: first, instrument: cli}\n  2:\n    <<: *m\n    name: second\n`,
    );
    expect(result.config.retry.max_retries).toBe(7);
    expect(result.config.movements[2]).toMatchObject({ name: "second", instrument: "cli" });
    expect(result.sheets.map((sheet) => sheet.instrument)).toEqual(["cli", "cli"]);
  });

  it("accepts duplicate keys, last one wins (PyYAML does), and points at the last one", () => {
    const result = parseValid(withPrompt("description: first\ndescription: second\n"));
    expect(result.config.description).toBe("second");
    const invalid = parseInvalid(withPrompt("retry: {max_retries: 1}\nretry: {max_retries: -1}\n"));
    expect(invalid.problems[0]).toMatchObject({ path: "retry.max_retries", line: 5 });
  });

  it("auto-enables cost limits when a limit is given, and keeps an explicit false", () => {
    expect(
      parseValid(withPrompt("cost_limits: {max_cost_per_job: 5}\n")).config.cost_limits.enabled,
    ).toBe(true);
    expect(
      parseValid(withPrompt("cost_limits: {enabled: false, max_cost_per_job: 5}\n")).config
        .cost_limits.enabled,
    ).toBe(false);
    expect(parseValid(withPrompt("")).config.cost_limits.enabled).toBe(false);
  });

  it("turns validations[].sheet into a condition unless a condition is given", () => {
    const result = parseValid(
      withPrompt(
        "validations:\n  - {type: file_exists, path: a, sheet: 2}\n  - {type: file_exists, path: b, sheet: 2, condition: 'stage >= 1'}\n",
      ),
    );
    expect(result.config.validations.map((rule) => rule.condition)).toEqual([
      "sheet_num == 2",
      "stage >= 1",
    ]);
  });

  it("forces honor_other_jobs_rate_limits off without cross-workspace coordination", () => {
    const result = parseValid(
      withPrompt("circuit_breaker: {cross_workspace_coordination: false}\n"),
    );
    expect(result.config.circuit_breaker.honor_other_jobs_rate_limits).toBe(false);
  });
});
