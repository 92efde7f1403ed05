/**
 * Resuming with a corrected score (`resumeJob(id, score:)`): the new score must keep the job's
 * sheet structure (how many sheets, which depends on which, the fan-out), so that what completed
 * stays meaningful. Within it, prompts, validations, instruments and budgets change for every
 * sheet that has not completed; completed (and skipped) sheets keep their record untouched.
 */
import type { JobSpec } from "../contracts/job-spec.ts";
import type { SheetRecord } from "../contracts/records.ts";
import { isTerminalSheet } from "../contracts/status.ts";
import type { SheetPlan } from "../score/types.ts";

/** Why the corrected plan cannot replace the job's, or null when it can. */
export function structureChange(current: JobSpec, corrected: JobSpec): string | null {
  const before = current.sheets;
  const after = corrected.sheets;
  if (before.length !== after.length)
    return `the corrected score has ${after.length} sheets where the job has ${before.length}; resuming cannot change the number of sheets`;
  for (const [index, old] of before.entries()) {
    const plan = after[index]!;
    const where = `sheet ${old.num}`;
    if (
      plan.movement !== old.movement ||
      plan.voice !== old.voice ||
      plan.voiceCount !== old.voiceCount
    )
      return `${where} moves from movement ${old.movement} (voice ${old.voice ?? 1} of ${old.voiceCount}) to movement ${plan.movement} (voice ${plan.voice ?? 1} of ${plan.voiceCount}); resuming cannot change the fan-out`;
    if (plan.dependsOn.join(",") !== old.dependsOn.join(","))
      return `${where} would depend on [${plan.dependsOn.join(", ")}] instead of [${old.dependsOn.join(", ")}]; resuming cannot change the dependencies`;
  }
  return null;
}

/** The records of sheets that have not completed, re-planned from the corrected score. */
export function replannedSheets(records: SheetRecord[], corrected: JobSpec): SheetRecord[] {
  const plans = new Map<number, SheetPlan>(corrected.sheets.map((plan) => [plan.num, plan]));
  return records
    .filter((record) => !isTerminalSheet(record.status) || record.status === "failed")
    .map((record) => {
      const plan = plans.get(record.num)!;
      return {
        ...record,
        description: plan.description,
        instrument: plan.instrument,
        instrumentChain: [plan.instrument, ...plan.instrumentFallbacks],
        instrumentIndex: 0,
        model: plan.model,
      };
    });
}
