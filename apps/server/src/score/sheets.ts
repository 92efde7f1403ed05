/** From a validated config to the planned sheets (DESIGN.md §4, SCORE-SCHEMA.md §32). */
import type { ScoreConfig } from "./config.ts";
import { buildDependencies, findCycles, layoutSheets, type SheetLayout } from "./dag.ts";
import type { Located } from "./problems.ts";
import { resolveSheetInstrument, resolveSheetTimeout } from "./instruments.ts";
import type { SheetPlan, SkipWhenCommand } from "./types.ts";

export type SheetPlanResult =
  { ok: true; sheets: SheetPlan[]; totalMovements: number } | { ok: false; problems: Located[] };

/** `skip_when_command` keys are stages when fan-out is used (copied to each voice), else sheets. */
function skipCommandsBySheet(
  config: ScoreConfig,
  layout: SheetLayout,
): Map<number, SkipWhenCommand> {
  const bySheet = new Map<number, SkipWhenCommand>();
  for (const [key, entry] of Object.entries(config.sheet.skip_when_command)) {
    const command: SkipWhenCommand = {
      command: entry.command,
      description: entry.description,
      timeoutSeconds: entry.timeout_seconds,
    };
    const stageSheets = layout.fannedOut ? layout.sheetsByStage.get(Number(key)) : undefined;
    for (const num of stageSheets ?? [Number(key)]) bySheet.set(num, command);
  }
  return bySheet;
}

function cycleProblem(cycle: number[], layout: SheetLayout): Located {
  const first = cycle[0]!;
  const key = layout.fannedOut ? layout.slots[first - 1]!.stage : first;
  return {
    path: `sheet.dependencies.${key}`,
    message: `dependency cycle: ${cycle.map((num) => `sheet ${num}`).join(" -> ")} (each waits for the next)`,
  };
}

export function planSheets(config: ScoreConfig): SheetPlanResult {
  const laidOut = layoutSheets(config.sheet);
  if ("problem" in laidOut) return { ok: false, problems: [laidOut.problem] };
  const { layout } = laidOut;

  const { dependsOn, problems } = buildDependencies(config.sheet, layout);
  if (problems.length > 0) return { ok: false, problems };
  const cycles = findCycles(dependsOn);
  if (cycles.length > 0)
    return { ok: false, problems: cycles.map((cycle) => cycleProblem(cycle, layout)) };

  const skipCommands = skipCommandsBySheet(config, layout);
  const sheets = layout.slots.map((slot): SheetPlan => {
    const { size, start_item: startItem } = config.sheet;
    const firstItem = layout.fannedOut ? slot.num : (slot.num - 1) * size + startItem;
    const lastItem = layout.fannedOut
      ? slot.num
      : Math.min(firstItem + size - 1, config.sheet.total_items);
    const resolved = resolveSheetInstrument(config, slot.num, slot.stage);
    return {
      num: slot.num,
      movement: slot.stage,
      voice: slot.fanCount > 1 ? slot.instance : null,
      voiceCount: slot.fanCount,
      startItem: firstItem,
      endItem: lastItem,
      description:
        config.sheet.descriptions[slot.num] ?? config.movements[slot.stage]?.name ?? null,
      instrument: resolved.instrument,
      instrumentFallbacks: resolved.fallbacks,
      model: resolved.model,
      timeoutSeconds: resolveSheetTimeout(config, slot.num, resolved.instrumentConfig),
      instrumentConfig: resolved.instrumentConfig,
      dependsOn: dependsOn.get(slot.num) ?? [],
      skipWhenCommand: skipCommands.get(slot.num) ?? null,
    };
  });
  return { ok: true, sheets, totalMovements: layout.sheetsByStage.size };
}
