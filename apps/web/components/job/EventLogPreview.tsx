"use client";
import { useEffect, useState } from "react";
import { EventLogStore, type LogEvent } from "./event-log-store.ts";
import { EventLog } from "./EventLog.tsx";

const NAMES = [
  "sheet.dispatched",
  "sheet.completed",
  "sheet.retry_scheduled",
  "sheet.failed",
  "rate_limit.active",
];

function generatedEvents(count: number): LogEvent[] {
  const start = Date.UTC(2026, 0, 1);
  return Array.from({ length: count }, (_, index) => ({
    seq: index + 1,
    cursor: `preview:${index + 1}`,
    sheetNum: (index % 40) + 1,
    event: NAMES[index % NAMES.length]!,
    data: { attempt: (index % 3) + 1, note: `generated event ${index + 1}` },
    timestamp: new Date(start + index * 250).toISOString(),
  }));
}

/**
 * Renders `count` events through the same store and component as the job page when asked, and
 * records how long that took (from handing the events over to the next painted frame) in
 * `data-render-ms`. Rendering waits for the button so that page loading does not blur the figure.
 */
export function EventLogPreview({ count }: { count: number }) {
  const [events, setEvents] = useState<readonly LogEvent[]>([]);
  const [renderMs, setRenderMs] = useState<number | null>(null);
  const [requestedAt, setRequestedAt] = useState<number | null>(null);
  const [generated] = useState(() => generatedEvents(count));

  useEffect(() => {
    if (requestedAt === null) return;
    requestAnimationFrame(() => setTimeout(() => setRenderMs(performance.now() - requestedAt), 0));
  }, [requestedAt]);

  const render = () => {
    const started = performance.now();
    const store = new EventLogStore();
    store.append(generated);
    setRenderMs(null);
    setEvents(store.events);
    setRequestedAt(started);
  };

  return (
    <section className="panel">
      <div className="spread">
        <h1>Event log preview</h1>
        <button className="primary" onClick={render} data-testid="preview-render">
          Render {count} events
        </button>
      </div>
      <p className="muted small" data-testid="preview-status" data-render-ms={renderMs ?? ""}>
        {events.length} events{renderMs !== null ? ` rendered in ${renderMs.toFixed(1)} ms` : ""}
      </p>
      <EventLog events={events} />
    </section>
  );
}
