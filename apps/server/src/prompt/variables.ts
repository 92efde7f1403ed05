/** The variables a sheet's templates see (SCORE-SCHEMA.md §33 A). */
import type { AttemptRequest } from "../contracts/attempt.ts";

export interface InjectedTexts {
  context: string[];
  skill: string[];
  tool: string[];
}

/** Template variables of §33 A; `prompt.variables` are laid over the built-ins. */
export function templateVariables(
  request: AttemptRequest,
  injected: InjectedTexts = { context: [], skill: [], tool: [] },
): Record<string, unknown> {
  const sheet = request.sheet;
  const builtIns: Record<string, unknown> = {
    sheet_num: sheet.num,
    total_sheets: request.totalSheets,
    start_item: sheet.startItem,
    end_item: sheet.endItem,
    workspace: request.workspace,
    stage: sheet.movement,
    movement: sheet.movement,
    instance: sheet.voice ?? 1,
    voice: sheet.voice ?? 1,
    fan_count: sheet.voiceCount,
    voice_count: sheet.voiceCount,
    total_stages: request.totalMovements,
    total_movements: request.totalMovements,
    previous_outputs: request.prompt.previousOutputs,
    previous_files: request.prompt.previousFiles,
    skipped_upstream: [],
    injected_context: injected.context,
    injected_skills: injected.skill,
    injected_tools: injected.tool,
    instrument_name: request.instrument,
    // The job's spec lays the score's stakes and thinking_method over every variable.
    stakes: "",
    thinking_method: "",
  };
  return { ...builtIns, ...request.prompt.variables };
}
