/** The names available to validation placeholders and conditions (SCORE-SCHEMA.md §33 C). */
import type { AttemptRequest } from "../contracts/attempt.ts";
import type { PlaceholderValues } from "./placeholders.ts";

export function validationValues(request: AttemptRequest): PlaceholderValues {
  const sheet = request.sheet;
  const builtIns = {
    sheet_num: sheet.num,
    total_sheets: request.totalSheets,
    workspace: request.workspace,
    instrument_name: request.instrument,
    movement: sheet.movement,
    stage: sheet.movement,
    voice: sheet.voice,
    instance: sheet.voice,
    voice_count: sheet.voiceCount,
    fan_count: sheet.voiceCount,
    total_movements: request.totalMovements,
    total_stages: request.totalMovements,
  };
  // Built-ins win over score variables here (unlike in prompts).
  return { ...request.prompt.variables, ...builtIns };
}
