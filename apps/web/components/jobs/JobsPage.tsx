"use client";
import Link from "next/link";
import { useCallback, useMemo, useState } from "react";
import { useQuery } from "urql";
import { useInBrowser } from "../../app/providers.tsx";
import { formatAge, formatCost } from "../../lib/format.ts";
import { readFragment, type ResultOf } from "../../lib/graphql.ts";
import { useLastGoodData, useRefreshWhenNotLive } from "../../lib/live-hooks.ts";
import { JobSummaryFields, JobsQuery, JobUpdatedSubscription } from "../../lib/operations.ts";
import { useLiveSubscription } from "../../lib/use-live-subscription.ts";
import { useNow } from "../../lib/use-now.ts";
import { StatusBadge } from "../StatusBadge.tsx";
import { jobHref } from "../../lib/routes.ts";

type JobSummary = ResultOf<typeof JobSummaryFields>;
type JobStatus = JobSummary["status"];

const FILTERS: ReadonlyArray<JobStatus | "ALL"> = [
  "ALL",
  "RUNNING",
  "PAUSED",
  "PENDING",
  "COMPLETED",
  "FAILED",
  "CANCELLED",
];
export const JOBS_PAGE_SIZE = 200; // under the server's page-size limit
const NO_LIVE_JOBS: ReadonlyMap<string, JobSummary> = new Map();

/** `initial` is the unfiltered first page as the server rendered it, shown until the browser's own query answers. */
export function JobsPage({ initial = null }: { initial?: ResultOf<typeof JobsQuery> | null }) {
  const inBrowser = useInBrowser();
  const now = useNow();
  const [filter, setFilter] = useState<JobStatus | "ALL">("ALL");
  const variables = useMemo(
    () => ({ first: JOBS_PAGE_SIZE, status: filter === "ALL" ? null : [filter] }),
    [filter],
  );
  const [result, reexecute] = useQuery({ query: JobsQuery, variables, pause: !inBrowser });
  const data =
    useLastGoodData(result.data, JSON.stringify(variables)) ??
    (filter === "ALL" ? (initial ?? undefined) : undefined);

  // Jobs as the subscription last reported them; whichever of these and the query's rows was
  // updated later wins, so a slow refetch never rolls a row back.
  const [liveJobs, setLiveJobs] = useState<ReadonlyMap<string, JobSummary>>(NO_LIVE_JOBS);
  const onJobUpdated = useCallback((update: ResultOf<typeof JobUpdatedSubscription>) => {
    const job = readFragment(JobSummaryFields, update.jobUpdated);
    setLiveJobs((previous) => new Map(previous).set(job.id, job));
  }, []);
  useLiveSubscription(JobUpdatedSubscription, { id: null }, onJobUpdated);
  useRefreshWhenNotLive(() => reexecute({ requestPolicy: "network-only" }), inBrowser);

  const jobs = useMemo(() => {
    const fromQuery = (data?.jobs.edges ?? []).map((edge) =>
      readFragment(JobSummaryFields, edge.node),
    );
    const merged = new Map(fromQuery.map((job) => [job.id, job]));
    for (const [id, job] of liveJobs) {
      const fromList = merged.get(id);
      if (!fromList || Date.parse(job.updatedAt) >= Date.parse(fromList.updatedAt))
        merged.set(id, job);
    }
    return [...merged.values()]
      .filter((job) => filter === "ALL" || job.status === filter)
      .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  }, [data, liveJobs, filter]);

  return (
    <section className="panel">
      <div className="spread">
        <h1>Jobs</h1>
        <div className="filters" role="group" aria-label="Filter by status">
          {FILTERS.map((status) => (
            <button
              key={status}
              aria-pressed={filter === status}
              onClick={() => setFilter(status)}
              data-testid={`filter-${status}`}
            >
              {status === "ALL" ? "All" : status.toLowerCase()}
            </button>
          ))}
        </div>
      </div>
      {result.error ? (
        <p className="error-text">Could not refresh the jobs: {result.error.message}</p>
      ) : null}
      <table className="list" data-testid="jobs-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Status</th>
            <th>Progress</th>
            <th className="num">Cost</th>
            <th className="num">Age</th>
            <th>Id</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => (
            <tr key={job.id} data-testid="job-row" data-job-id={job.id} data-status={job.status}>
              <td>
                <Link href={jobHref(job.id)}>{job.name || "(unnamed)"}</Link>
              </td>
              <td>
                <StatusBadge status={job.status} />
              </td>
              <td>
                <span className="progress" aria-hidden>
                  <span
                    style={{
                      width: `${job.totalSheets ? (100 * job.completedSheets) / job.totalSheets : 0}%`,
                    }}
                  />
                </span>
                <span data-testid="job-progress">
                  {job.completedSheets}/{job.totalSheets}
                </span>
              </td>
              <td className="num">{formatCost(job.costUsd)}</td>
              <td className="num">{formatAge(job.createdAt, now)}</td>
              <td className="mono muted small">{job.id.slice(0, 12)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {jobs.length === 0 ? (
        <p className="empty">
          {!data && !result.error
            ? "Loading jobs…"
            : filter === "ALL"
              ? "No jobs yet. Start one from New job."
              : "No jobs with this status."}
        </p>
      ) : null}
    </section>
  );
}
