/** Grouping the commits of several handled events into one (DESIGN.md §7: one transaction). */
import type { CheckpointCommit } from "./ports.ts";
import type { AttemptRecord, JobRecord, SheetRecord } from "../../contracts/records.ts";
import type { Effect } from "../core/state.ts";
import type { NewJob, ScoreReplacement } from "../core/policy.ts";
import type { EventDraft } from "../../contracts/event-log.ts";

/** Moves commit effects to `commits` and everything else to `effects`, keeping order. */
export function splitEffects(from: Effect[], commits: CheckpointCommit[], effects: Effect[]): void {
  for (const effect of from) {
    if (effect.kind === "commit") commits.push(effect);
    else effects.push(effect);
  }
}

/** One commit for a group of events: the last record of each job and sheet, everything else in order. */
export function mergeCommits(commits: CheckpointCommit[]): CheckpointCommit | null {
  if (commits.length === 0) return null;
  if (commits.length === 1) {
    const { kind: _kind, ...only } = commits[0]! as CheckpointCommit & { kind?: string };
    return only;
  }
  const jobs = new Map<string, JobRecord>();
  const sheets = new Map<string, SheetRecord>();
  const attempts: AttemptRecord[] = [];
  const events: EventDraft[] = [];
  const newJobs: NewJob[] = [];
  const hooksFinished: string[] = [];
  const rescored: ScoreReplacement[] = [];
  for (const commit of commits) {
    if (commit.newJobs !== undefined) newJobs.push(...commit.newJobs);
    if (commit.hooksFinished !== undefined) hooksFinished.push(...commit.hooksFinished);
    if (commit.rescored !== undefined) rescored.push(...commit.rescored);
    for (const job of commit.jobs) {
      jobs.delete(job.id);
      jobs.set(job.id, job);
    }
    for (const sheet of commit.sheets) {
      const k = `${sheet.jobId}#${sheet.num}`;
      sheets.delete(k);
      sheets.set(k, sheet);
    }
    attempts.push(...commit.attempts);
    events.push(...commit.events);
  }
  const merged: CheckpointCommit = {
    jobs: [...jobs.values()],
    sheets: [...sheets.values()],
    attempts,
    events,
  };
  if (newJobs.length > 0) merged.newJobs = newJobs;
  if (hooksFinished.length > 0) merged.hooksFinished = hooksFinished;
  if (rescored.length > 0) merged.rescored = rescored;
  return merged;
}

/** The commit without anything of `jobIds` (jobs another process now holds); null when empty. */
export function withoutJobs(
  commit: CheckpointCommit | null,
  jobIds: ReadonlySet<string>,
): CheckpointCommit | null {
  if (commit === null || jobIds.size === 0) return commit;
  const kept: CheckpointCommit = {
    jobs: commit.jobs.filter((job) => !jobIds.has(job.id)),
    sheets: commit.sheets.filter((sheet) => !jobIds.has(sheet.jobId)),
    attempts: commit.attempts.filter((attempt) => !jobIds.has(attempt.jobId)),
    events: commit.events.filter((event) => !jobIds.has(event.jobId)),
  };
  const newJobs = commit.newJobs?.filter((job) => !jobIds.has(job.id)) ?? [];
  const hooksFinished = commit.hooksFinished?.filter((jobId) => !jobIds.has(jobId)) ?? [];
  const rescored = commit.rescored?.filter((score) => !jobIds.has(score.id)) ?? [];
  if (newJobs.length > 0) kept.newJobs = newJobs;
  if (hooksFinished.length > 0) kept.hooksFinished = hooksFinished;
  if (rescored.length > 0) kept.rescored = rescored;
  const empty =
    kept.jobs.length + kept.sheets.length + kept.attempts.length + kept.events.length === 0 &&
    newJobs.length + hooksFinished.length + rescored.length === 0;
  return empty ? null : kept;
}

/** Whether an effect still matters once its job is forgotten (ending and cancelling do). */
export function concernsForgottenJob(effect: Effect, jobIds: ReadonlySet<string>): boolean {
  switch (effect.kind) {
    case "dispatch":
      return jobIds.has(effect.order.jobId);
    case "scheduleTimer":
      return (
        "jobId" in effect.event &&
        typeof effect.event.jobId === "string" &&
        jobIds.has(effect.event.jobId)
      );
    case "jobFinished":
      return jobIds.has(effect.jobId);
    case "commit":
    case "cancelTimer":
    case "killMusician":
      return false;
    default: {
      const never: never = effect;
      return never;
    }
  }
}
