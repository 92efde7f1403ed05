"use client";
/**
 * Follows the event log of one job: loads the history page by page, then subscribes to
 * `sheetEvents(jobId, after: <last cursor>)`. After a reconnect it subscribes again from the
 * newest cursor it holds; while the socket is down it polls `events(after: <last cursor>)`.
 * Events arriving in bursts are rendered in batches, not one render per event.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { useClient } from "urql";
import { useConnection, useInBrowser } from "../../app/providers.tsx";
import { readFragment, type ResultOf } from "../../lib/graphql.ts";
import { POLL_INTERVAL_MS } from "../../lib/live-hooks.ts";
import { EventsQuery, SheetEventFields, SheetEventsSubscription } from "../../lib/operations.ts";
import { useLiveSubscription } from "../../lib/use-live-subscription.ts";
import { EventLogStore, type LogEvent } from "./event-log-store.ts";

const HISTORY_PAGE_SIZE = 500;
const RENDER_BATCH_MS = 50;

export interface EventLogState {
  events: readonly LogEvent[];
  historyLoaded: boolean;
  error: string | null;
  /** True while the live subscription is running. */
  live: boolean;
  /** The cursor the current live subscription started after. */
  subscribedAfter: string | null;
}

export function useEventLog(
  jobId: string,
  onNewEvents?: (events: readonly LogEvent[]) => void,
): EventLogState {
  const client = useClient();
  const inBrowser = useInBrowser();
  const { ws, epoch } = useConnection();
  const store = useRef(new EventLogStore());
  const [events, setEvents] = useState<readonly LogEvent[]>([]);
  const [historyLoaded, setHistoryLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const onNew = useRef(onNewEvents);
  onNew.current = onNewEvents;

  const pending = useRef<LogEvent[]>([]);
  const flushTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const receive = useCallback((incoming: readonly LogEvent[]) => {
    pending.current.push(...incoming);
    if (flushTimer.current) return;
    flushTimer.current = setTimeout(() => {
      flushTimer.current = null;
      const batch = pending.current;
      pending.current = [];
      if (store.current.append(batch) > 0) {
        setEvents(store.current.events);
        onNew.current?.(batch);
      }
    }, RENDER_BATCH_MS);
  }, []);
  useEffect(
    () => () => {
      if (flushTimer.current) clearTimeout(flushTimer.current);
    },
    [],
  );

  /** Reads `events(after: <last cursor>)` to the end; used for the history and for polling. */
  const catchUp = useCallback(
    async (isCurrent: () => boolean) => {
      // Events still waiting for the render batch are newer than the store's last cursor.
      let after = pending.current.at(-1)?.cursor ?? store.current.lastCursor;
      for (;;) {
        const result = await client
          .query(
            EventsQuery,
            { jobId, after, first: HISTORY_PAGE_SIZE },
            { requestPolicy: "network-only" },
          )
          .toPromise();
        if (!isCurrent()) return false;
        if (result.error || !result.data) {
          setError(result.error?.message ?? "no data");
          return false;
        }
        setError(null);
        const page = result.data.events;
        const nodes = page.edges.flatMap((edge) =>
          edge ? [toLogEvent(readFragment(SheetEventFields, edge.node))] : [],
        );
        if (nodes.length > 0) {
          store.current.append(nodes);
          setEvents(store.current.events);
          onNew.current?.(nodes);
        }
        if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return true;
        after = page.pageInfo.endCursor;
      }
    },
    [client, jobId],
  );

  // History: retried every poll interval until it loads once (the server may be down at first).
  useEffect(() => {
    if (!inBrowser || historyLoaded) return;
    let current = true;
    const load = async () => {
      if (await catchUp(() => current)) setHistoryLoaded(true);
    };
    void load();
    const timer = setInterval(() => void load(), POLL_INTERVAL_MS);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [inBrowser, historyLoaded, catchUp]);

  // Polling while the socket is down.
  useEffect(() => {
    if (!inBrowser || !historyLoaded || ws === "connected") return;
    let current = true;
    const timer = setInterval(() => void catchUp(() => current), POLL_INTERVAL_MS);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [inBrowser, historyLoaded, ws, catchUp]);

  // Live: one subscription per connection epoch, starting after the newest event held then.
  const [resume, setResume] = useState<{ epoch: number; after: string | null } | null>(null);
  useEffect(() => {
    if (!historyLoaded || ws !== "connected") return;
    setResume({ epoch, after: pending.current.at(-1)?.cursor ?? store.current.lastCursor });
  }, [historyLoaded, ws, epoch]);
  const onSheetEvent = useCallback(
    (data: ResultOf<typeof SheetEventsSubscription>) => {
      receive([toLogEvent(readFragment(SheetEventFields, data.sheetEvents))]);
    },
    [receive],
  );
  useLiveSubscription(
    SheetEventsSubscription,
    { jobId, after: resume?.after ?? null },
    onSheetEvent,
    {
      pause: resume === null || resume.epoch !== epoch,
      onError: setError,
    },
  );

  const live = resume !== null && resume.epoch === epoch && ws === "connected";
  return { events, historyLoaded, error, live, subscribedAfter: live ? resume.after : null };
}

function toLogEvent(node: {
  seq: number;
  cursor: string;
  sheetNum: number;
  event: string;
  data: unknown;
  timestamp: string;
}): LogEvent {
  return {
    seq: node.seq,
    cursor: node.cursor,
    sheetNum: node.sheetNum,
    event: node.event,
    data: node.data,
    timestamp: node.timestamp,
  };
}
