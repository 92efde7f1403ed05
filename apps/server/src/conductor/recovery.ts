/**
 * Handing stored jobs to the baton (DESIGN.md §7): on boot for every unfinished job, and later
 * for a failed job resumed with retryFailed. The baton resets interrupted sheets to pending
 * (budgets kept), re-runs the cascade and writes `job.recovered`; this module supplies the
 * stored spec and re-applies the deliberate skips of `startSheet`.
 */
import type { BatonRuntime } from "../baton/index.ts";
import type { JobSpec } from "../contracts/job-spec.ts";
import { isTerminalSheet } from "../contracts/status.ts";
import type { ScoreParseResult } from "../score/parse.ts";
import type { PodiumStore, StoredJobWithSheets } from "../store/contract.ts";
import type { StoredJob } from "../store/rows.ts";
import { buildJobSpec, type JobOptions } from "./job-spec.ts";

export interface RecoveryDeps {
  store: PodiumStore;
  baton: BatonRuntime;
  parse(text: string): ScoreParseResult;
  cwd: string;
}

export type RecoveryOutcome = { ok: true } | { ok: false; message: string };

/** The options a job was stored with, read defensively (older rows may lack newer keys). */
export function storedJobOptions(options: Record<string, unknown>): JobOptions {
  const stored = options as Partial<JobOptions>;
  return {
    selfHealing: stored.selfHealing ?? false,
    escalation: stored.escalation ?? false,
    startSheet: stored.startSheet ?? 1,
    jobTimeoutSeconds: stored.jobTimeoutSeconds ?? null,
    concert: stored.concert ?? null,
  };
}

/**
 * The spec stored at submission, so a job resumes exactly as it was planned; rows without one
 * are planned again from their score.
 */
export function specFromStored(
  deps: Pick<RecoveryDeps, "parse" | "cwd">,
  job: StoredJob,
): { ok: true; spec: JobSpec } | { ok: false; message: string } {
  if (job.spec !== null) return { ok: true, spec: job.spec };
  const parsed = deps.parse(job.scoreText);
  if (!parsed.ok)
    return {
      ok: false,
      message: `stored score of job ${job.record.id} no longer parses: ${parsed.message}`,
    };
  return buildJobSpec(parsed, {
    jobId: job.record.id,
    workspace: job.workspace,
    options: storedJobOptions(job.options),
    cwd: deps.cwd,
  });
}

/**
 * Deliberate skips of the sheets before `startSheet`. Call them in the same synchronous turn as
 * the registration (or recovery) so they share its inbox batch and land before any dispatch.
 */
export function skipBeforeStart(
  baton: BatonRuntime,
  jobId: string,
  nums: number[],
  startSheet: number,
): Promise<unknown>[] {
  return nums.map((sheetNum) =>
    baton.publishSheetSkipped({ jobId, sheetNum, reason: `before start sheet ${startSheet}` }),
  );
}

/** Sends the checkpoint to the baton; does not wait for the baton loop, only for the answer. */
export async function handBack(
  deps: RecoveryDeps,
  stored: StoredJobWithSheets,
): Promise<RecoveryOutcome> {
  const { job, sheets } = stored;
  const spec = specFromStored(deps, job);
  if (!spec.ok) return spec;
  const startSheet = storedJobOptions(job.options).startSheet;
  const unskipped = sheets
    .filter((s) => s.num < startSheet && !isTerminalSheet(s.status))
    .map((s) => s.num);
  const [outcome] = await Promise.all([
    deps.baton.recoverJob({ spec: spec.spec, job: job.record, sheets }),
    ...skipBeforeStart(deps.baton, job.record.id, unskipped, startSheet),
  ]);
  return outcome.ok ? { ok: true } : { ok: false, message: outcome.rejection.message };
}
