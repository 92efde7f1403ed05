/** Finding the job and sheet an event names, rejecting (as data) what does not exist. */
import { isTerminalJob } from "../../contracts/status.ts";
import type { JobState, SheetState } from "./state.ts";
import type { Ctx } from "./context.ts";

export function liveJob(ctx: Ctx, jobId: string): JobState | null {
  const job = ctx.state.jobs.get(jobId);
  if (job === undefined) {
    ctx.reject({ kind: "unknown_job", message: `no job ${jobId}`, jobId });
    return null;
  }
  return job;
}

export function openJob(ctx: Ctx, jobId: string): JobState | null {
  const job = liveJob(ctx, jobId);
  if (job !== null && isTerminalJob(job.record.status)) {
    ctx.reject({
      kind: "terminal_job",
      message: `job ${jobId} is already ${job.record.status}`,
      jobId,
    });
    return null;
  }
  return job;
}

export function sheetOf(ctx: Ctx, job: JobState, sheetNum: number): SheetState | null {
  const sheet = job.sheets.get(sheetNum);
  if (sheet === undefined) {
    ctx.reject({
      kind: "unknown_sheet",
      message: `job ${job.record.id} has no sheet ${sheetNum}`,
      jobId: job.record.id,
      sheetNum,
    });
    return null;
  }
  return sheet;
}

/** The sheet of a dispatch, when the token is still current. */
export function dispatchedSheet(
  ctx: Ctx,
  jobId: string,
  sheetNum: number,
  token: string,
): { job: JobState; sheet: SheetState } | null {
  const job = liveJob(ctx, jobId);
  if (job === null) return null;
  const sheet = sheetOf(ctx, job, sheetNum);
  if (sheet === null) return null;
  if (sheet.record.dispatchToken !== token) {
    ctx.reject({
      kind: "stale_token",
      message: `dispatch ${token} was superseded`,
      jobId,
      sheetNum,
    });
    return null;
  }
  return { job, sheet };
}
