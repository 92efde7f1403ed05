import { describe, expect, it } from "vitest";
import { ACTED_ON_KEYS } from "../../../apps/server/src/score/index.ts";
import { parseValid } from "./support.ts";

const minimal = "name: t\nsheet: {size: 1, total_items: 1}\nprompt: {template: go}\n";

describe("warnings for keys Podium accepts but does not act on", () => {
  it("lists the acted-on keys in one place", () => {
    expect(ACTED_ON_KEYS).toEqual(
      expect.arrayContaining([
        "retry.max_retries",
        "rate_limit.max_waits",
        "parallel.enabled",
        "parallel.max_concurrent",
        "sheet.fan_out",
        "prompt.template",
        "on_success",
        "concert",
      ]),
    );
    expect(ACTED_ON_KEYS).not.toContain("learning");
    expect(ACTED_ON_KEYS).not.toContain("parallel.stagger_delay_ms");
    expect(ACTED_ON_KEYS).not.toContain("retry.completion_threshold_percent");
  });

  it("gives no warning for a minimal score", () => {
    expect(parseValid(minimal).warnings).toEqual([]);
  });

  it("warns once per not-acted-on key with a non-default value", () => {
    const result = parseValid(
      `${minimal}learning: {enabled: false}
parallel: {enabled: true, max_concurrent: 5, stagger_delay_ms: 100}
backend: {cli_model: opus, timeout_seconds: 60}
movements: {1: {voices: 2}}
on_success:
  - {type: run_script, command: x}
`,
    );
    expect(result.warnings).toEqual([
      "backend.cli_model: accepted but not acted on by Podium",
      "parallel.stagger_delay_ms: accepted but not acted on by Podium",
      "learning: accepted but not acted on by Podium",
      "movements.1.voices: accepted but not acted on by Podium (use sheet.fan_out for voices)",
      "on_success.0.type: run_script is accepted but not acted on by Podium",
    ]);
  });

  it("does not warn for keys written with their default values", () => {
    const result = parseValid(
      `${minimal}learning: {enabled: true}\nparallel: {enabled: false}\nstate_backend: sqlite\nbackend: {type: claude_cli}\n`,
    );
    expect(result.warnings).toEqual([]);
  });

  it("warns about per-sheet and per-movement entries beyond the score's sheets", () => {
    const result = parseValid(`name: t
prompt: {template: go}
sheet:
  size: 1
  total_items: 2
  descriptions: {1: ok, 5: lost}
  per_sheet_instruments: {3: cli}
  instrument_map: {cli: [2, 7]}
backend: {timeout_overrides: {9: 60}}
movements: {2: {name: ok}, 4: {name: gone}}
`);
    expect(result.warnings).toEqual([
      "sheet.descriptions.5: sheet 5 does not exist; ignored",
      "sheet.per_sheet_instruments.3: sheet 3 does not exist; ignored",
      "backend.timeout_overrides.9: sheet 9 does not exist; ignored",
      "sheet.instrument_map.cli: sheet 7 does not exist; ignored",
      "movements.4: movement 4 does not exist; ignored",
    ]);
  });

  it("warns about sheet.total_sheets, which is computed", () => {
    const result = parseValid(
      "name: t\nsheet: {size: 1, total_items: 2, total_sheets: 9}\nprompt: {template: go}\n",
    );
    expect(result.warnings).toContain(
      "sheet.total_sheets: ignored; Podium computes the sheet count",
    );
    expect(result.sheets).toHaveLength(2);
  });

  it("keeps Marianne's own warnings (prompt without template, unknown backend type)", () => {
    const result = parseValid(
      "name: t\nsheet: {size: 1, total_items: 1}\nprompt: {}\nbackend: {type: cli}\n",
    );
    expect(result.warnings).toEqual([
      "backend.type: 'cli' is not a native backend type; it is treated as an instrument name",
      "prompt: neither template nor template_file is set; the default prompt is used",
    ]);
    expect(result.sheets[0]!.instrument).toBe("cli");
  });
});
