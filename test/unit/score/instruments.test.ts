import { describe, expect, it } from "vitest";
import { parseInvalid, parseValid } from "./support.ts";

const base = (body: string) => `name: t\nprompt: {template: go}\n${body}`;

describe("instrument of a sheet", () => {
  it("defaults to claude-code", () => {
    const result = parseValid(base("sheet: {size: 1, total_items: 1}"));
    expect(result.sheets[0]).toMatchObject({
      instrument: "claude-code",
      instrumentFallbacks: [],
      model: null,
      timeoutSeconds: 1800,
    });
  });

  it("follows per_sheet_instruments > instrument_map > movement > score", () => {
    const result = parseValid(
      base(`instrument: codex-cli
movements:
  2: {instrument: gemini-cli}
  3: {instrument: gemini-cli}
  4: {instrument: gemini-cli}
sheet:
  size: 1
  total_items: 4
  instrument_map: {cli: [3, 4]}
  per_sheet_instruments: {4: claude-code}
`),
    );
    expect(result.sheets.map((s) => s.instrument)).toEqual([
      "codex-cli",
      "gemini-cli",
      "cli",
      "claude-code",
    ]);
  });

  it("resolves aliases to their profile and merges config score < movement < alias < per-sheet", () => {
    const result = parseValid(
      base(`instrument: fast
instrument_config: {model: base-model, temperature: 1, keep: score}
instruments:
  fast: {profile: codex-cli, config: {model: fast-model}}
movements:
  1: {instrument_config: {temperature: 2}}
sheet:
  size: 1
  total_items: 2
  per_sheet_instrument_config: {2: {model: sheet-two-model}}
`),
    );
    expect(result.sheets[0]).toMatchObject({
      instrument: "codex-cli",
      model: "fast-model",
      instrumentConfig: { model: "fast-model", temperature: 2, keep: "score" },
    });
    expect(result.sheets[1]).toMatchObject({
      model: "sheet-two-model",
      instrumentConfig: { temperature: 1, keep: "score" },
    });
  });

  it("skips the movement's config when a per-sheet instrument was chosen", () => {
    const result = parseValid(
      base(`movements: {1: {instrument_config: {model: movement-model}}}
sheet: {size: 1, total_items: 1, per_sheet_instruments: {1: cli}}
`),
    );
    expect(result.sheets[0]).toMatchObject({ instrument: "cli", model: null });
  });

  it("chooses fallbacks per-sheet > movement (when non-empty) > score, resolving aliases", () => {
    const result = parseValid(
      base(`instrument_fallbacks: [codex-cli]
instruments: {backup: {profile: gemini-cli}}
movements:
  2: {instrument_fallbacks: [backup]}
  3: {instrument_fallbacks: []}
sheet:
  size: 1
  total_items: 4
  per_sheet_fallbacks: {4: []}
`),
    );
    expect(result.sheets.map((s) => s.instrumentFallbacks)).toEqual([
      ["codex-cli"],
      ["gemini-cli"],
      ["codex-cli"],
      [],
    ]);
  });

  it("rejects unknown instrument names with their path and line", () => {
    const result = parseInvalid(
      base(`movements:
  1: {instrument: nonesuch}
sheet: {size: 1, total_items: 1, per_sheet_fallbacks: {1: [also-missing]}}
`),
    );
    expect(result.problems).toEqual([
      {
        path: "movements.1.instrument",
        message: expect.stringContaining("unknown instrument 'nonesuch'"),
        line: 4,
      },
      {
        path: "sheet.per_sheet_fallbacks.1.0",
        message: expect.stringContaining("'also-missing'"),
        line: 5,
      },
    ]);
  });

  it("accepts instruments named in knownInstruments (user profiles)", () => {
    const text = base("instrument: my-local\nsheet: {size: 1, total_items: 1}");
    expect(parseInvalid(text).problems[0]!.path).toBe("instrument");
    expect(parseValid(text, { knownInstruments: ["my-local"] }).sheets[0]!.instrument).toBe(
      "my-local",
    );
  });

  it("uses a non-default backend.type as the instrument when nothing else names one", () => {
    const result = parseValid(
      base("backend: {type: anthropic_api}\nsheet: {size: 1, total_items: 1}"),
    );
    expect(result.sheets[0]!.instrument).toBe("anthropic_api");
  });
});

describe("timeout of a sheet", () => {
  it("layers backend.timeout_seconds < instrument_config < timeout_overrides < sheet_overrides", () => {
    const result = parseValid(
      base(`backend:
  timeout_seconds: 100
  timeout_overrides: {3: 300, 4: 300, 5: -1}
  sheet_overrides: {4: {timeout_seconds: 400}}
sheet:
  size: 1
  total_items: 5
  per_sheet_instrument_config: {2: {timeout_seconds: 200}, 3: {timeout_seconds: 200}}
`),
    );
    expect(result.sheets.map((s) => s.timeoutSeconds)).toEqual([100, 200, 300, 400, 100]);
    expect(result.warnings).toContain(
      "backend.timeout_overrides.5: -1 is not a usable timeout; the sheet keeps its other timeout",
    );
  });
});
