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
