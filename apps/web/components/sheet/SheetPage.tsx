"use client";
import Link from "next/link";
import { useCallback, useEffect } from "react";
import { useQuery } from "urql";
import { useInBrowser } from "../../app/providers.tsx";
import { formatClock, formatCost, formatDuration } from "../../lib/format.ts";
import type { ResultOf } from "../../lib/graphql.ts";
import {
  POLL_INTERVAL_MS,
  useLastGoodData,
  useRefreshWhenNotLive,
  useThrottledCallback,
} from "../../lib/live-hooks.ts";
import { JobUpdatedSubscription, SheetQuery } from "../../lib/operations.ts";
import { useLiveSubscription } from "../../lib/use-live-subscription.ts";
import { StatusBadge } from "../StatusBadge.tsx";
import { LiveOutputPane } from "../job/LiveOutputPane.tsx";
import { useEventLog } from "../job/use-event-log.ts";
import { jobHref } from "../../lib/routes.ts";

const TERMINAL_SHEET_STATUSES: ReadonlySet<string> = new Set([
  "COMPLETED",
  "FAILED",
  "SKIPPED",
  "CANCELLED",
]);

type Sheet = NonNullable<NonNullable<ResultOf<typeof SheetQuery>["job"]>["sheet"]>;

export function SheetPage({ jobId, sheetNum }: { jobId: string; sheetNum: number }) {
  const inBrowser = useInBrowser();
  const [result, reexecute] = useQuery({
    query: SheetQuery,
    variables: { id: jobId, num: sheetNum },
    pause: !inBrowser,
  });
  const refetch = useCallback(() => reexecute({ requestPolicy: "network-only" }), [reexecute]);
  const refetchSoon = useThrottledCallback(refetch, 400);
  useLiveSubscription(JobUpdatedSubscription, { id: jobId }, refetchSoon);
  useRefreshWhenNotLive(refetch, inBrowser);
  const log = useEventLog(jobId);
  // Tails and attempts change without a job-level update while the sheet runs: poll until it ends.
  const sheetStatus = result.data?.job?.sheet?.status;
  const sheetEnded = sheetStatus !== undefined && TERMINAL_SHEET_STATUSES.has(sheetStatus);
  useEffect(() => {
    if (!inBrowser || sheetEnded) return;
    const timer = setInterval(refetch, POLL_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [inBrowser, sheetEnded, refetch]);

  const data = useLastGoodData(result.data, `${jobId}/${sheetNum}`);
  if (!data) {
    if (result.error)
      return <p className="panel error-text">Could not load sheet: {result.error.message}</p>;
    return <p className="panel muted">Loading sheet…</p>;
  }
  const job = data.job;
  if (!job)
    return (
      <p className="panel">
        There is no job with id <code>{jobId}</code>.
      </p>
    );
  const sheet = job.sheet;
  if (!sheet)
    return (
      <p className="panel">
        Job {job.name} has no sheet {sheetNum} (it has {job.totalSheets}).
      </p>
    );

  return (
    <>
      <p className="small">
        <Link href={jobHref(jobId)}>← {job.name || jobId}</Link>
      </p>
      <SheetSummary sheet={sheet} />
      <LiveOutputPane events={log.events} sheetNum={sheetNum} />
      <div className="grid2">
        <section className="panel">
          <h2>stdout (tail)</h2>
          <pre data-testid="stdout">{sheet.stdoutTail || "(empty)"}</pre>
        </section>
        <section className="panel">
          <h2>stderr (tail)</h2>
          <pre data-testid="stderr">{sheet.stderrTail || "(empty)"}</pre>
        </section>
      </div>
      <section className="panel">
        <h2>Rendered prompt</h2>
        <pre data-testid="prompt">{sheet.prompt ?? "(not rendered yet)"}</pre>
      </section>
      <Validations sheet={sheet} />
      <Attempts sheet={sheet} />
    </>
  );
}

function SheetSummary({ sheet }: { sheet: Sheet }) {
  const usedInstruments = [...new Set(sheet.attempts.map((attempt) => attempt.instrument))];
  return (
    <section className="panel" data-testid="sheet-header" data-status={sheet.status}>
      <div className="spread">
        <div>
          <h1>Sheet {sheet.num}</h1>
          {sheet.description ? <div className="muted">{sheet.description}</div> : null}
        </div>
        <StatusBadge status={sheet.status} />
      </div>
      <dl className="kv" style={{ marginTop: 12 }}>
        <dt>Movement / voice</dt>
        <dd>
          {sheet.movement}
          {sheet.voice !== null ? ` / voice ${sheet.voice}` : ""}
        </dd>
        <dt>Instrument</dt>
        <dd data-testid="sheet-instrument">
          {sheet.instrument}
          {sheet.model ? ` (${sheet.model})` : ""}
        </dd>
        <dt>Instrument chain</dt>
        <dd data-testid="instrument-chain">
          {sheet.instrumentChain.map((name, index) => (
            <span key={`${index}-${name}`}>
              {index > 0 ? " → " : ""}
              {index === sheet.instrumentIndex ? <strong>{name}</strong> : name}
            </span>
          ))}
          {sheet.fallbacks.length === 0 ? <span className="muted"> (no fallbacks)</span> : null}
        </dd>
        <dt>Played by</dt>
        <dd>{usedInstruments.length > 0 ? usedInstruments.join(", ") : "—"}</dd>
        <dt>Depends on</dt>
        <dd>
          {sheet.dependsOn.length > 0
            ? sheet.dependsOn.map((num) => `sheet ${num}`).join(", ")
            : "nothing"}
        </dd>
        <dt>Attempts</dt>
        <dd>
          {sheet.attempts.length} played · retries used: {sheet.normalAttempts} normal,{" "}
          {sheet.completionAttempts} completion
        </dd>
        <dt>Validation pass rate</dt>
        <dd>
          {sheet.validationPassRate === null ? "—" : `${Math.round(sheet.validationPassRate)}%`}
        </dd>
        <dt>Cost</dt>
        <dd>{formatCost(sheet.costUsd)}</dd>
        <dt>Started / completed</dt>
        <dd className="mono small">
          {formatClock(sheet.startedAt)} / {formatClock(sheet.completedAt)}
        </dd>
        {sheet.errorCode || sheet.errorMessage ? (
          <>
            <dt>Error</dt>
            <dd className="error-text" data-testid="sheet-error">
              {sheet.errorCode ? `${sheet.errorCode}: ` : ""}
              {sheet.errorMessage}
            </dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}

function Validations({ sheet }: { sheet: Sheet }) {
  const latest = sheet.attempts.at(-1);
  return (
    <section className="panel" data-testid="validations">
      <h2>
        Validations{" "}
        {latest ? <span className="muted small">(attempt {latest.attemptNumber})</span> : null}
      </h2>
      {!latest || latest.validationDetails.length === 0 ? (
        <p className="muted">No validations ran for this sheet.</p>
      ) : (
        <table className="list">
          <thead>
            <tr>
              <th>#</th>
              <th>Type</th>
              <th>Description</th>
              <th>Result</th>
            </tr>
          </thead>
          <tbody>
            {latest.validationDetails.map((detail) => (
              <tr key={detail.index}>
                <td>{detail.index + 1}</td>
                <td className="mono">{detail.type}</td>
                <td>{detail.description ?? "—"}</td>
                <td className={detail.passed ? "" : "error-text"}>
                  {detail.passed
                    ? "passed"
                    : `failed${detail.message ? `: ${detail.message}` : ""}`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Attempts({ sheet }: { sheet: Sheet }) {
  return (
    <section className="panel" data-testid="attempts">
      <h2>Attempts</h2>
      {sheet.attempts.length === 0 ? (
        <p className="muted">No attempts yet.</p>
      ) : (
        <table className="list">
          <thead>
            <tr>
              <th>#</th>
              <th>Mode</th>
              <th>Instrument</th>
              <th>Exit</th>
              <th className="num">Duration</th>
              <th className="num">Validations</th>
              <th className="num">Cost</th>
              <th>Error class</th>
              <th>Started</th>
            </tr>
          </thead>
          <tbody>
            {sheet.attempts.map((attempt) => (
              <tr key={attempt.attemptNumber} data-testid="attempt-row">
                <td>{attempt.attemptNumber}</td>
                <td>{attempt.mode}</td>
                <td>
                  {attempt.instrument}
                  {attempt.model ? <span className="muted"> ({attempt.model})</span> : null}
                </td>
                <td>{attempt.exitCode ?? "—"}</td>
                <td className="num">{formatDuration(attempt.durationMs)}</td>
                <td className="num">
                  {attempt.validationsPassed}/{attempt.validationsTotal}
                </td>
                <td className="num">{formatCost(attempt.costUsd)}</td>
                <td
                  className={attempt.errorClass ? "error-text" : ""}
                  title={attempt.errorMessage ?? undefined}
                >
                  {attempt.errorClass ?? (attempt.executionSuccess ? "—" : "failed")}
                  {attempt.rateLimited ? " (rate limited)" : ""}
                </td>
                <td className="mono small">{formatClock(attempt.startedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
