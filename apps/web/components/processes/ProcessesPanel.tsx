"use client";
import { useEffect } from "react";
import { useQuery } from "urql";
import { useInBrowser } from "../../app/providers.tsx";
import { formatDuration } from "../../lib/format.ts";
import { useLastGoodData } from "../../lib/live-hooks.ts";
import { ProcessesQuery } from "../../lib/operations.ts";

/** Heartbeats are seconds apart; a few seconds between looks keeps lease ages readable. */
export const PROCESSES_POLL_MS = 3_000;

/**
 * The Podium processes sharing this database: which are alive, how full each is, how many jobs
 * each owns and how old its lease is. A SQLite server shows itself alone.
 */
export function ProcessesPanel() {
  const inBrowser = useInBrowser();
  const [result, reexecute] = useQuery({
    query: ProcessesQuery,
    pause: !inBrowser,
    requestPolicy: "network-only",
  });
  useEffect(() => {
    if (!inBrowser) return;
    const timer = setInterval(
      () => reexecute({ requestPolicy: "network-only" }),
      PROCESSES_POLL_MS,
    );
    return () => clearInterval(timer);
  }, [inBrowser, reexecute]);
  const processes = useLastGoodData(result.data, "processes")?.processes;

  return (
    <section className="panel" data-testid="processes-panel">
      <div className="spread">
        <h2>Processes</h2>
        {processes ? (
          <span className="muted small" data-testid="processes-summary">
            {processes.filter((member) => member.alive).length} of {processes.length} alive
          </span>
        ) : null}
      </div>
      {result.error ? (
        <p className="error-text">Could not refresh the processes: {result.error.message}</p>
      ) : null}
      {processes && processes.length > 0 ? (
        <table className="list" data-testid="processes-table">
          <thead>
            <tr>
              <th>Process</th>
              <th>State</th>
              <th>Sheets playing</th>
              <th className="num">Jobs owned</th>
              <th className="num">Lease age</th>
              <th>Instruments</th>
              <th>Host</th>
            </tr>
          </thead>
          <tbody>
            {processes.map((member) => (
              <tr
                key={member.name}
                data-testid="process-row"
                data-process={member.name}
                data-alive={String(member.alive)}
                data-self={String(member.isSelf)}
              >
                <td>
                  <strong>{member.name}</strong>
                  {member.isSelf ? (
                    <span
                      className="muted small"
                      data-testid="process-self"
                      title="The process this page talks to"
                    >
                      {" "}
                      (this process)
                    </span>
                  ) : null}
                </td>
                <td>
                  <span className="liveness" data-alive={String(member.alive)}>
                    <span className="dot" aria-hidden />
                    <span data-testid="process-state">{member.alive ? "alive" : "dead"}</span>
                  </span>
                </td>
                <td>
                  <span className="progress" aria-hidden>
                    <span
                      style={{
                        width: `${member.capacity ? Math.min(100, (100 * member.runningSheets) / member.capacity) : 0}%`,
                      }}
                    />
                  </span>
                  <span data-testid="process-load">
                    {member.runningSheets}/{member.capacity}
                  </span>
                </td>
                <td className="num" data-testid="process-owned">
                  {member.ownedJobs}
                </td>
                <td className="num" data-testid="process-lease-age">
                  {formatDuration(member.leaseAgeSeconds * 1000)}
                </td>
                <td className="small">
                  {member.instruments ? member.instruments.join(", ") : "any"}
                </td>
                <td className="mono muted small">
                  {member.host} · pid {member.pid}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="empty">
          {processes ? "No process has reported yet." : result.error ? "" : "Loading processes…"}
        </p>
      )}
    </section>
  );
}
