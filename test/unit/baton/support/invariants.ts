/** Checks that the derived counters of the state agree with the sheets they summarise. */
import type { DispatchLimits } from "../../../../apps/server/src/baton/core/dispatch.ts";
import { jobConcurrencyCap } from "../../../../apps/server/src/baton/core/policy.ts";
import {
  SHEET_STATUSES,
  isTerminalJob,
  isTerminalSheet,
} from "../../../../apps/server/src/contracts/status.ts";
import type { BatonState } from "../../../../apps/server/src/baton/core/state.ts";

export function checkInvariants(state: BatonState, limits: DispatchLimits): string[] {
  const problems: string[] = [];
  let alive = 0;
  const byKey = new Map<string, number>();
  for (const job of state.jobs.values()) {
    let terminal = 0;
    let completed = 0;
    let jobAlive = 0;
    let successful = 0;
    for (const sheet of job.sheets.values()) {
      const r = sheet.record;
      if (!SHEET_STATUSES.includes(r.status))
        problems.push(`sheet ${r.num} has unknown status ${r.status}`);
      if (r.normalAttempts < 0 || r.completionAttempts < 0 || r.healingAttempts < 0)
        problems.push(`sheet ${r.num} has a negative budget`);
      if (isTerminalSheet(r.status)) terminal += 1;
      if (r.status === "completed") completed += 1;
      if (r.status === "completed" || (r.status === "skipped" && r.errorCode === null))
        successful += 1;
      if (sheet.musicianAlive) {
        alive += 1;
        jobAlive += 1;
        byKey.set(sheet.runningKey!, (byKey.get(sheet.runningKey!) ?? 0) + 1);
      }
      const listed = job.ready.has(r.num);
      const shouldList = r.status === "pending" && sheet.unmetDeps === 0;
      if (listed !== shouldList)
        problems.push(
          `sheet ${r.num} (${r.status}, unmet ${sheet.unmetDeps}) ready-listed=${listed}`,
        );
      if (r.status === "waiting" && state.rateLimits.get(r.instrument)?.until !== r.dueAt)
        problems.push(
          `sheet ${r.num} waits until ${r.dueAt}, not until its instrument's limit ends`,
        );
      if (
        (r.status === "retry_scheduled") !== (r.dueAt !== null) &&
        r.status !== "waiting" &&
        r.status !== "fermata"
      )
        problems.push(`sheet ${r.num} (${r.status}) has due time ${r.dueAt}`);
      if ((r.status === "dispatched" || r.status === "in_progress") && !sheet.musicianAlive)
        problems.push(`sheet ${r.num} plays without a musician`);
    }
    if (terminal !== job.terminalCount)
      problems.push(`job ${job.record.id} terminalCount ${job.terminalCount} != ${terminal}`);
    if (completed !== job.record.completedSheets)
      problems.push(`job ${job.record.id} completedSheets mismatch`);
    if (jobAlive !== job.running)
      problems.push(`job ${job.record.id} running ${job.running} != ${jobAlive}`);
    if (job.running > jobConcurrencyCap(job.spec.policy))
      problems.push(`job ${job.record.id} exceeds its cap`);
    const status = job.record.status;
    if (terminal === job.sheets.size && status !== "cancelled") {
      const expected = successful === job.sheets.size ? "completed" : "failed";
      if (status !== expected)
        problems.push(`job ${job.record.id} is ${status}, expected ${expected}`);
    }
    if (
      terminal < job.sheets.size &&
      status !== "cancelled" &&
      status !== "failed" &&
      status !== "completed"
    ) {
      const expected = job.record.pauseReason !== null ? "paused" : "running";
      if (status !== expected)
        problems.push(`job ${job.record.id} is ${status}, expected ${expected}`);
    }
    const held = job.record.pauseReasons.includes("escalation");
    if (!isTerminalJob(status) && held !== job.fermataCount > 0)
      problems.push(`job ${job.record.id} escalation pause ${held}, fermatas ${job.fermataCount}`);
    if ((job.record.pauseReasons[0] ?? null) !== job.record.pauseReason)
      problems.push(`job ${job.record.id} pauseReason is not the oldest of its reasons`);
    if (new Set(job.record.pauseReasons).size !== job.record.pauseReasons.length)
      problems.push(`job ${job.record.id} lists a pause reason twice`);
    if (status === "cancelled" && terminal !== job.sheets.size)
      problems.push(`cancelled job ${job.record.id} has live sheets`);
  }
  if (alive !== state.runningTotal) problems.push(`runningTotal ${state.runningTotal} != ${alive}`);
  if (state.runningTotal > limits.maxConcurrentSheets)
    problems.push(`global limit exceeded: ${state.runningTotal}`);
  for (const [key, count] of byKey) {
    if ((state.runningByKey.get(key) ?? 0) !== count) problems.push(`runningByKey ${key} mismatch`);
    const [instrument, model] = key.split("\u0000");
    if (count > limits.instrumentLimit(instrument!, model ?? null))
      problems.push(`instrument limit exceeded for ${key}`);
  }
  return problems;
}
