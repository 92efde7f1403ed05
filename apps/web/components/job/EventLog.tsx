"use client";
/**
 * The event log, virtualised: only the rows in view are in the DOM, so ten thousand events
 * scroll as smoothly as a hundred. While the reader is at the bottom it follows new events.
 */
import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useEffect, useLayoutEffect, useRef } from "react";
import { formatClock } from "../../lib/format.ts";
import type { LogEvent } from "./event-log-store.ts";

const ROW_HEIGHT = 22;
const FOLLOW_SLACK_PX = 2 * ROW_HEIGHT;

export function EventLog({ events }: { events: readonly LogEvent[] }) {
  const scroller = useRef<HTMLDivElement>(null);
  const following = useRef(true);
  const virtualizer = useVirtualizer({
    count: events.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    // The first paint (and server render) shows the first screenful before the size is measured.
    initialRect: { width: 900, height: 420 },
  });

  useEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const onScroll = () => {
      following.current =
        element.scrollHeight - element.scrollTop - element.clientHeight <= FOLLOW_SLACK_PX;
    };
    element.addEventListener("scroll", onScroll, { passive: true });
    return () => element.removeEventListener("scroll", onScroll);
  }, []);

  // Rows have a fixed height, so the end of the log is simply the bottom of the scroll area.
  useLayoutEffect(() => {
    const element = scroller.current;
    if (element && following.current && events.length > 0) element.scrollTop = element.scrollHeight;
  }, [events.length]);

  return (
    <div>
      <div className="log-row log-head" aria-hidden>
        <span>seq</span>
        <span>time</span>
        <span>sheet</span>
        <span>event</span>
        <span>data</span>
      </div>
      <div
        className="log"
        ref={scroller}
        data-testid="event-log"
        data-count={events.length}
        data-last-seq={events.at(-1)?.seq ?? ""}
        data-last-cursor={events.at(-1)?.cursor ?? ""}
        role="log"
        aria-live="off"
      >
        <div style={{ height: virtualizer.getTotalSize(), position: "relative", width: "100%" }}>
          {virtualizer.getVirtualItems().map((item) => {
            const event = events[item.index];
            if (!event) return null;
            return <EventRow key={event.seq} event={event} top={item.start} />;
          })}
        </div>
      </div>
    </div>
  );
}

const EventRow = memo(function EventRow({ event, top }: { event: LogEvent; top: number }) {
  return (
    <div
      className="log-row"
      style={{
        position: "absolute",
        top: 0,
        left: 0,
        right: 0,
        height: ROW_HEIGHT,
        transform: `translateY(${top}px)`,
      }}
      data-testid="event-row"
      data-seq={event.seq}
      data-event={event.event}
    >
      <span>{event.seq}</span>
      <span>{formatClock(event.timestamp)}</span>
      <span>{event.sheetNum === 0 ? "job" : event.sheetNum}</span>
      <span className={toneOf(event.event)}>{event.event}</span>
      <span className="data">{summarise(event.data)}</span>
    </div>
  );
});

function toneOf(name: string): string {
  if (name.endsWith(".failed") || name.endsWith(".cancelled")) return "error-text";
  return "";
}

function summarise(data: unknown): string {
  if (data === null || data === undefined) return "";
  const text = typeof data === "string" ? data : JSON.stringify(data);
  return text === "{}" ? "" : text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
