/** Maps a baton outcome to the conductor's command outcome (conductor/types.ts). */
import type { CommandOutcome } from "../../contracts/commands.ts";
import type { BatonOutcome } from "./baton-runtime.ts";

export function toCommandOutcome(outcome: BatonOutcome): CommandOutcome {
  if (outcome.ok) return { ok: true };
  const { kind, message } = outcome.rejection;
  const code = kind === "unknown_job" || kind === "unknown_sheet" ? "NOT_FOUND" : "INVALID_STATE";
  return { ok: false, error: { code, message } };
}
