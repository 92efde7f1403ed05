"use client";
import Link from "next/link";
import { formatDuration } from "../../lib/format.ts";
import { sheetHref } from "../../lib/routes.ts";

export interface TimelineAttempt {
  attemptNumber: number;
  mode: string;
  instrument: string;
  executionSuccess: boolean;
  errorClass: string | null;
  startedAt: string;
  finishedAt: string;
}

export interface TimelineSheet {
  num: number;
  status: string;
  startedAt: string | null;
  attempts: readonly TimelineAttempt[];
}

interface Bar {
  key: string;
  left: number;
  width: number;
  tone: "ok" | "bad" | "open";
  label: string;
}

/**
 * A Gantt chart of attempts: one row per sheet, one bar per attempt, on a shared time axis from
 * the first start to now (or the last finish). A sheet running right now shows an open bar.
 */
export function AttemptTimeline({
  jobId,
  sheets,
  now,
}: {
  jobId: string;
  sheets: readonly TimelineSheet[];
  now: number | null;
}) {
  const starts: number[] = [];
  const ends: number[] = [];
  for (const sheet of sheets) {
    for (const attempt of sheet.attempts) {
      starts.push(Date.parse(attempt.startedAt));
      ends.push(Date.parse(attempt.finishedAt));
    }
    if (sheet.startedAt && isRunning(sheet.status)) {
      const start = Date.parse(sheet.startedAt);
      starts.push(start);
      ends.push(openEnd(start, now));
    }
  }
  if (starts.length === 0) return <p className="empty">No attempts yet.</p>;
  const origin = Math.min(...starts);
  const span = Math.max(1, Math.max(...ends, origin + 1) - origin);
  const percent = (time: number) => (100 * (time - origin)) / span;

  return (
    <div className="gantt" data-testid="timeline">
      <div className="muted small spread">
        <span>0s</span>
        <span>{formatDuration(span)}</span>
      </div>
      {sheets.map((sheet) => {
        const bars: Bar[] = sheet.attempts.map((attempt) => {
          const start = Date.parse(attempt.startedAt);
          const end = Date.parse(attempt.finishedAt);
          return {
            key: `a${attempt.attemptNumber}`,
            left: percent(start),
            width: Math.max(0.4, percent(end) - percent(start)),
            tone: attempt.executionSuccess && !attempt.errorClass ? "ok" : "bad",
            label: `attempt ${attempt.attemptNumber} (${attempt.mode}, ${attempt.instrument}) ${formatDuration(end - start)}${attempt.errorClass ? ` — ${attempt.errorClass}` : ""}`,
          };
        });
        if (sheet.startedAt && isRunning(sheet.status) && now !== null) {
          const start = Date.parse(sheet.startedAt);
          bars.push({
            key: "open",
            left: percent(start),
            width: Math.max(0.4, percent(openEnd(start, now)) - percent(start)),
            tone: "open",
            label: "running",
          });
        }
        return (
          <div className="gantt-row" key={sheet.num}>
            <Link href={sheetHref(jobId, sheet.num)} className="small">
              Sheet {sheet.num}
            </Link>
            <div className="gantt-track">
              {bars.map((bar) => (
                <span
                  key={bar.key}
                  className={`gantt-bar ${bar.tone}`}
                  style={{
                    left: `${Math.min(bar.left, 100 - bar.width)}%`,
                    width: `${bar.width}%`,
                  }}
                  title={bar.label}
                  data-testid="timeline-bar"
                />
              ))}
            </div>
          </div>
        );
      })}
    </div>
  );
}

/**
 * Where a running attempt's bar ends: now, but never before it started (the browser's clock may
 * trail the server's, and `now` ticks only once a second).
 */
function openEnd(start: number, now: number | null): number {
  return Math.max(now ?? start, start + 1);
}

function isRunning(status: string): boolean {
  return status === "DISPATCHED" || status === "IN_PROGRESS";
}
