/**
 * Nothing is silently ignored: every key Marianne accepts that Podium does not act on produces a
 * warning when the score gives it a non-default value, plus the warnings of SCORE-SCHEMA.md §31.
 */
import { isDeepStrictEqual } from "node:util";
import type { ScoreConfig } from "./config.ts";
import { NATIVE_BACKEND_TYPES } from "./schema/backend.ts";

/** `true`: the whole subtree is acted on; an object: only the listed children are. */
type ActedOn = true | { readonly [key: string]: ActedOn };

const ACTED_ON_TREE: { readonly [key: string]: ActedOn } = {
  name: true,
  description: true,
  workspace: true,
  instrument: true,
  instrument_config: true,
  instrument_fallbacks: true,
  instruments: true,
  movements: true, // per-movement `voices` is checked separately
  backend: { type: true, timeout_seconds: true, timeout_overrides: true, sheet_overrides: true },
  sheet: {
    size: true,
    total_items: true,
    start_item: true,
    fan_out: true,
    dependencies: true,
    descriptions: true,
    skip_when_command: true,
    prelude: true,
    cadenzas: true,
    per_sheet_instruments: true,
    per_sheet_instrument_config: true,
    per_sheet_fallbacks: true,
    instrument_map: true,
  },
  prompt: {
    template: true,
    template_file: true,
    variables: true,
    stakes: true,
    thinking_method: true,
  },
  cross_sheet: true,
  validations: true,
  retry: {
    max_retries: true,
    base_delay_seconds: true,
    max_delay_seconds: true,
    exponential_base: true,
    jitter: true,
    max_completion_attempts: true,
    completion_delay_seconds: true,
  },
  // Rate-limit detection comes from the instrument profile. The baton waits the reset time the
  // run reports, else wait_minutes.
  rate_limit: { max_waits: true, wait_minutes: true },
  circuit_breaker: { enabled: true, failure_threshold: true, recovery_timeout_seconds: true },
  // Cost comes from the instrument profile's pricing, not from score-level token prices.
  cost_limits: { enabled: true, max_cost_per_sheet: true, max_cost_per_job: true },
  parallel: { enabled: true, max_concurrent: true },
  // The CLI backend kills an instrument silent for idle_timeout_seconds (STALE). It restarts its
  // count on every output chunk, so it notices at once and check_interval_seconds only bounds a
  // delay Podium does not have.
  stale_detection: true,
  pause_between_sheets_seconds: true,
  notifications: true, // type email is checked separately
  on_success: true, // run_script and some run_job options are checked separately
  concert: true,
  // How long a fermata waits for a person when the job runs with escalation (then it fails).
  conductor: { preferences: { escalation_response_timeout_seconds: true } },
};

function flatten(tree: { readonly [key: string]: ActedOn }, prefix: string): string[] {
  return Object.entries(tree).flatMap(([key, node]) =>
    node === true ? [`${prefix}${key}`] : flatten(node, `${prefix}${key}.`),
  );
}

/** The score keys Podium acts on, as dotted paths (a path covers everything below it). */
export const ACTED_ON_KEYS: readonly string[] = flatten(ACTED_ON_TREE, "");

const NOT_ACTED = "accepted but not acted on by Podium";

function walk(
  value: Record<string, unknown>,
  defaults: Record<string, unknown>,
  tree: { readonly [key: string]: ActedOn },
  prefix: string,
  out: string[],
) {
  for (const [key, child] of Object.entries(value)) {
    const node = tree[key];
    if (node === true) continue;
    const path = `${prefix}${key}`;
    if (node === undefined) {
      if (!isDeepStrictEqual(child, defaults[key])) out.push(`${path}: ${NOT_ACTED}`);
      continue;
    }
    walk(
      child as Record<string, unknown>,
      (defaults[key] ?? {}) as Record<string, unknown>,
      node,
      `${path}.`,
      out,
    );
  }
}

function itemWarnings(config: ScoreConfig, out: string[]) {
  for (const [num, movement] of Object.entries(config.movements)) {
    if (movement.voices !== null)
      out.push(`movements.${num}.voices: ${NOT_ACTED} (use sheet.fan_out for voices)`);
  }
  for (const [num, override] of Object.entries(config.backend.sheet_overrides)) {
    for (const key of ["cli_model", "model", "temperature", "max_tokens"] as const) {
      if (override[key] !== null) out.push(`backend.sheet_overrides.${num}.${key}: ${NOT_ACTED}`);
    }
  }
  for (const [num, timeout] of Object.entries(config.backend.timeout_overrides)) {
    if (timeout <= 0)
      out.push(
        `backend.timeout_overrides.${num}: ${timeout} is not a usable timeout; the sheet keeps its other timeout`,
      );
  }
  config.notifications.forEach((notification, index) => {
    if (notification.type === "email")
      out.push(
        `notifications.${index}.type: email is ${NOT_ACTED} (use webhook, slack or desktop)`,
      );
  });
  config.on_success.forEach((hook, index) => {
    if (hook.type === "run_script")
      out.push(`on_success.${index}.type: run_script is ${NOT_ACTED}`);
    if (hook.detached) out.push(`on_success.${index}.detached: ${NOT_ACTED}`);
    if (hook.fresh) out.push(`on_success.${index}.fresh: ${NOT_ACTED}`);
    if (hook.pause_before_chain) out.push(`on_success.${index}.pause_before_chain: ${NOT_ACTED}`);
    if (!hook.inherit_learning) out.push(`on_success.${index}.inherit_learning: ${NOT_ACTED}`);
  });
}

/** Marianne's own warnings (§31) that still mean something for Podium. */
function marianneWarnings(config: ScoreConfig, out: string[]) {
  if (!(NATIVE_BACKEND_TYPES as readonly string[]).includes(config.backend.type)) {
    out.push(
      `backend.type: '${config.backend.type}' is not a native backend type; it is treated as an instrument name`,
    );
  }
  if (config.prompt.template === null && config.prompt.template_file === null) {
    out.push("prompt: neither template nor template_file is set; the default prompt is used");
  }
  if (config.parallel.enabled && config.isolation.enabled) {
    out.push(
      "parallel.enabled and isolation.enabled are both true: parallel sheets would share one worktree",
    );
  }
  if (
    config.sheet.start_item > config.sheet.total_items &&
    Object.keys(config.sheet.fan_out).length === 0
  ) {
    out.push(
      `sheet.start_item: ${config.sheet.start_item} is beyond total_items ${config.sheet.total_items}, so the score has no sheets`,
    );
  }
}

/** Per-sheet and per-movement entries for sheets or movements the score does not have. */
function outOfRangeWarnings(config: ScoreConfig, size: PlanSize, out: string[]) {
  const checkKeys = (path: string, map: Record<string, unknown>) => {
    for (const key of Object.keys(map)) {
      const num = Number(key);
      if (num < 1 || num > size.sheetCount)
        out.push(`${path}.${key}: sheet ${key} does not exist; ignored`);
    }
  };
  checkKeys("sheet.descriptions", config.sheet.descriptions);
  checkKeys("sheet.skip_when_command", config.sheet.skip_when_command);
  checkKeys("sheet.per_sheet_instruments", config.sheet.per_sheet_instruments);
  checkKeys("sheet.per_sheet_instrument_config", config.sheet.per_sheet_instrument_config);
  checkKeys("sheet.per_sheet_fallbacks", config.sheet.per_sheet_fallbacks);
  checkKeys("backend.timeout_overrides", config.backend.timeout_overrides);
  checkKeys("backend.sheet_overrides", config.backend.sheet_overrides);
  for (const [name, sheets] of Object.entries(config.sheet.instrument_map)) {
    for (const num of sheets.filter((listed) => listed > size.sheetCount)) {
      out.push(`sheet.instrument_map.${name}: sheet ${num} does not exist; ignored`);
    }
  }
  for (const key of Object.keys(config.movements)) {
    if (Number(key) > size.movementCount) {
      out.push(`movements.${key}: movement ${key} does not exist; ignored`);
    }
  }
}

export interface PlanSize {
  sheetCount: number;
  movementCount: number;
}

export function collectWarnings(
  config: ScoreConfig,
  defaults: ScoreConfig,
  raw: Record<string, unknown>,
  size: PlanSize,
): string[] {
  const out: string[] = [];
  const rawSheet = raw["sheet"] as Record<string, unknown> | undefined;
  if (rawSheet && "total_sheets" in rawSheet)
    out.push("sheet.total_sheets: ignored; Podium computes the sheet count");
  walk(
    config as unknown as Record<string, unknown>,
    defaults as unknown as Record<string, unknown>,
    ACTED_ON_TREE,
    "",
    out,
  );
  itemWarnings(config, out);
  outOfRangeWarnings(config, size, out);
  marianneWarnings(config, out);
  return out;
}
