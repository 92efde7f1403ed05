"use client";
import { useCallback } from "react";
import { useQuery } from "urql";
import { useInBrowser } from "../../app/providers.tsx";
import { formatAge, formatCost, formatDuration } from "../../lib/format.ts";
import { readFragment } from "../../lib/graphql.ts";
import {
  useLastGoodData,
  useRefreshWhenNotLive,
  useThrottledCallback,
} from "../../lib/live-hooks.ts";
import { JobQuery, JobSummaryFields, JobUpdatedSubscription } from "../../lib/operations.ts";
import { useLiveSubscription } from "../../lib/use-live-subscription.ts";
import { useNow } from "../../lib/use-now.ts";
import { StatusBadge } from "../StatusBadge.tsx";
import { AttemptTimeline } from "./AttemptTimeline.tsx";
import { EventLog } from "./EventLog.tsx";
import { JobActions } from "./JobActions.tsx";
import { LiveOutputPane } from "./LiveOutputPane.tsx";
import { SheetDag } from "./SheetDag.tsx";
import { useEventLog } from "./use-event-log.ts";

/** How often, at most, a burst of events refetches the job (DAG, timeline, header). */
const REFETCH_THROTTLE_MS = 400;

export function JobPage({ jobId }: { jobId: string }) {
  const inBrowser = useInBrowser();
  const now = useNow();
  const [result, reexecute] = useQuery({
    query: JobQuery,
    variables: { id: jobId },
    pause: !inBrowser,
  });
  const refetch = useCallback(() => reexecute({ requestPolicy: "network-only" }), [reexecute]);
  const refetchSoon = useThrottledCallback(refetch, REFETCH_THROTTLE_MS);

  const log = useEventLog(jobId, refetchSoon);
  useLiveSubscription(JobUpdatedSubscription, { id: jobId }, refetchSoon);
  useRefreshWhenNotLive(refetch, inBrowser);

  const data = useLastGoodData(result.data, jobId);
  if (!data) {
    if (result.error)
      return (
        <p className="panel error-text">
          Could not load job {jobId}: {result.error.message}
        </p>
      );
    return <p className="panel muted">Loading job…</p>;
  }
  const job = data.job;
  if (!job)
    return (
      <p className="panel">
        There is no job with id <code>{jobId}</code>.
      </p>
    );
  const summary = readFragment(JobSummaryFields, job);
  const runningFor =
    summary.startedAt && now !== null
      ? (summary.completedAt ? Date.parse(summary.completedAt) : now) -
        Date.parse(summary.startedAt)
      : null;

  return (
    <>
      {result.error ? (
        <p className="muted small" role="status">
          Showing the last known state: {result.error.message}
        </p>
      ) : null}
      <section className="panel" data-testid="job-header" data-status={summary.status}>
        <div className="spread">
          <div>
            <h1>{summary.name || "(unnamed)"}</h1>
            <div className="muted small mono">{summary.id}</div>
          </div>
          <div className="row">
            <StatusBadge status={summary.status} />
            {summary.pauseReason ? (
              <span className="muted small">({summary.pauseReason.toLowerCase()})</span>
            ) : null}
          </div>
        </div>
        <dl className="kv" style={{ marginTop: 12 }}>
          <dt>Progress</dt>
          <dd data-testid="job-progress">
            {summary.completedSheets}/{summary.totalSheets} sheets
          </dd>
          <dt>Cost</dt>
          <dd>{formatCost(summary.costUsd)}</dd>
          <dt>Age</dt>
          <dd>
            {formatAge(summary.createdAt, now)}
            {runningFor !== null ? ` (ran ${formatDuration(runningFor)})` : ""}
          </dd>
          <dt>Owner</dt>
          <dd data-testid="job-owner" title="The Podium process playing this job">
            {job.owner ?? <span className="muted">none</span>}
          </dd>
          <dt>Workspace</dt>
          <dd className="mono small">{job.workspace}</dd>
          {job.errorMessage ? (
            <>
              <dt>Error</dt>
              <dd className="error-text" data-testid="job-error">
                {job.errorMessage}
              </dd>
            </>
          ) : null}
        </dl>
        {job.warnings.length > 0 ? (
          <ul className="small" data-testid="job-warnings">
            {job.warnings.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        ) : null}
      </section>

      <JobActions
        jobId={jobId}
        status={summary.status}
        fermataSheets={job.sheets
          .filter((sheet) => sheet.status === "FERMATA")
          .map((sheet) => sheet.num)}
        hasWaitingSheets={job.sheets.some((sheet) => sheet.status === "WAITING")}
        onChanged={refetch}
      />

      <section className="panel">
        <h2>Sheets</h2>
        <SheetDag jobId={jobId} sheets={job.sheets} />
      </section>

      <LiveOutputPane events={log.events} />

      <section className="panel">
        <h2>Timeline of attempts</h2>
        <AttemptTimeline jobId={jobId} sheets={job.sheets} now={now} />
      </section>

      <section className="panel">
        <div className="spread">
          <h2>Event log</h2>
          <span className="muted small" data-testid="event-log-status">
            <span data-testid="event-count">{log.events.length}</span> events
            {log.live ? " · live" : log.historyLoaded ? "" : " · loading…"}
            {log.error ? <span className="error-text"> · {log.error}</span> : null}
          </span>
        </div>
        <EventLog events={log.events} />
      </section>
    </>
  );
}
