/**
 * Which instrument plays a sheet, with which config, model, fallbacks and timeout
 * (DESIGN.md §4, SCORE-SCHEMA.md §32).
 */
import type { ScoreConfig } from "./config.ts";
import type { Located } from "./problems.ts";

export const DEFAULT_INSTRUMENT = "claude-code";

/**
 * Profile names a score may use without defining them: Podium's built-ins, Marianne's built-in
 * profiles, and Marianne's native backend names. Callers add user profiles via `knownInstruments`.
 */
export const KNOWN_INSTRUMENTS: readonly string[] = [
  "cli",
  "claude-code",
  "codex-cli",
  "gemini-cli",
  "openai-compatible",
  "aider",
  "cline-cli",
  "crush",
  "goose",
  "opencode",
  "claude_cli",
  "anthropic_api",
  "ollama",
  "recursive_light",
];

/** Marianne's native `claude_cli` backend is Podium's `claude-code` profile. */
function canonicalProfile(name: string): string {
  return name === "claude_cli" ? DEFAULT_INSTRUMENT : name;
}

export interface SheetInstrument {
  instrument: string;
  instrumentConfig: Record<string, unknown>;
  fallbacks: string[];
  model: string | null;
}

function resolveAlias(
  config: ScoreConfig,
  name: string,
): { profile: string; aliasConfig: Record<string, unknown> } {
  const alias = config.instruments[name];
  if (alias) return { profile: canonicalProfile(alias.profile), aliasConfig: alias.config };
  return { profile: canonicalProfile(name), aliasConfig: {} };
}

function mappedInstrument(config: ScoreConfig, sheetNum: number): string | undefined {
  for (const [name, sheets] of Object.entries(config.sheet.instrument_map)) {
    if (sheets.includes(sheetNum)) return name;
  }
  return undefined;
}

export function resolveSheetInstrument(
  config: ScoreConfig,
  sheetNum: number,
  stage: number,
): SheetInstrument {
  const movement = config.movements[stage];
  const perSheet =
    config.sheet.per_sheet_instruments[sheetNum] ?? mappedInstrument(config, sheetNum);
  const backendType = config.backend.type === "claude_cli" ? undefined : config.backend.type;
  const chosen =
    perSheet ?? movement?.instrument ?? config.instrument ?? backendType ?? DEFAULT_INSTRUMENT;
  const { profile, aliasConfig } = resolveAlias(config, chosen);

  const instrumentConfig: Record<string, unknown> = {
    ...config.instrument_config,
    ...(perSheet === undefined ? movement?.instrument_config : {}),
    ...aliasConfig,
    ...config.sheet.per_sheet_instrument_config[sheetNum],
  };

  const perSheetFallbacks = config.sheet.per_sheet_fallbacks[sheetNum];
  const movementFallbacks = movement?.instrument_fallbacks ?? [];
  const fallbackNames =
    perSheetFallbacks ??
    (movementFallbacks.length > 0 ? movementFallbacks : config.instrument_fallbacks);

  const model = instrumentConfig["model"];
  return {
    instrument: profile,
    instrumentConfig,
    fallbacks: fallbackNames.map((name) => resolveAlias(config, name).profile),
    model: typeof model === "string" && model.length > 0 ? model : null,
  };
}

/**
 * Sheet timeout: backend.timeout_seconds, replaced by the sheet's instrument_config.timeout_seconds,
 * then backend.timeout_overrides[n], then backend.sheet_overrides[n].timeout_seconds (most specific last).
 * Non-positive overrides (which Marianne accepts) would time a sheet out at once, so they are skipped.
 */
export function resolveSheetTimeout(
  config: ScoreConfig,
  sheetNum: number,
  instrumentConfig: Record<string, unknown>,
): number {
  let timeout = config.backend.timeout_seconds;
  const fromInstrument = instrumentConfig["timeout_seconds"];
  if (typeof fromInstrument === "number" && fromInstrument > 0) timeout = fromInstrument;
  const override = config.backend.timeout_overrides[sheetNum];
  if (override !== undefined && override > 0) timeout = override;
  const sheetOverride = config.backend.sheet_overrides[sheetNum]?.timeout_seconds;
  if (sheetOverride != null) timeout = sheetOverride;
  return timeout;
}

/** Every instrument name the score mentions must be an alias or a known profile. */
export function checkInstrumentNames(config: ScoreConfig, known: ReadonlySet<string>): Located[] {
  const problems: Located[] = [];
  const aliases = new Set(Object.keys(config.instruments));
  const check = (name: string | null | undefined, path: string, allowAlias = true) => {
    if (name === null || name === undefined) return;
    if ((allowAlias && aliases.has(name)) || known.has(name)) return;
    const hint = allowAlias
      ? "neither an alias under instruments: nor a known instrument profile"
      : "not a known instrument profile";
    problems.push({ path, message: `unknown instrument '${name}': ${hint}` });
  };
  for (const [alias, definition] of Object.entries(config.instruments)) {
    check(definition.profile, `instruments.${alias}.profile`, false);
  }
  check(config.instrument, "instrument");
  config.instrument_fallbacks.forEach((name, index) =>
    check(name, `instrument_fallbacks.${index}`),
  );
  for (const [num, movement] of Object.entries(config.movements)) {
    check(movement.instrument, `movements.${num}.instrument`);
    movement.instrument_fallbacks.forEach((name, index) =>
      check(name, `movements.${num}.instrument_fallbacks.${index}`),
    );
  }
  for (const [num, name] of Object.entries(config.sheet.per_sheet_instruments)) {
    check(name, `sheet.per_sheet_instruments.${num}`);
  }
  for (const [num, names] of Object.entries(config.sheet.per_sheet_fallbacks)) {
    names.forEach((name, index) => check(name, `sheet.per_sheet_fallbacks.${num}.${index}`));
  }
  for (const name of Object.keys(config.sheet.instrument_map))
    check(name, `sheet.instrument_map.${name}`);
  return problems;
}
