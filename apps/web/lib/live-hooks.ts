"use client";
/**
 * Keeping query results fresh. While subscriptions flow, pages refetch when an event says
 * something changed; when the socket is down they poll over HTTP; after a reconnect they
 * refetch once to catch up on what they missed.
 */
import { useEffect, useRef } from "react";
import { useConnection } from "../app/providers.tsx";

export const POLL_INTERVAL_MS = 2_000;

/** Polls `refetch` while the socket is not connected, and calls it once after each reconnect. */
export function useRefreshWhenNotLive(refetch: () => void, enabled = true): void {
  const { ws, epoch } = useConnection();
  const latest = useRef(refetch);
  latest.current = refetch;

  useEffect(() => {
    if (!enabled || ws === "connected") return;
    const timer = setInterval(() => latest.current(), POLL_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [ws, enabled]);

  const seenEpoch = useRef(epoch);
  useEffect(() => {
    if (!enabled) return;
    if (epoch > 1 && epoch !== seenEpoch.current) latest.current();
    seenEpoch.current = epoch;
  }, [epoch, enabled]);
}

/**
 * Returns a function that calls `action` at most once per `intervalMs`, always finishing with a
 * trailing call so the last change is never lost.
 */
export function useThrottledCallback(action: () => void, intervalMs: number): () => void {
  const latest = useRef(action);
  latest.current = action;
  const state = useRef<{ lastRun: number; timer: ReturnType<typeof setTimeout> | null }>({
    lastRun: 0,
    timer: null,
  });

  useEffect(
    () => () => {
      if (state.current.timer) clearTimeout(state.current.timer);
    },
    [],
  );

  const throttled = useRef(() => {
    const s = state.current;
    if (s.timer) return;
    const wait = Math.max(0, s.lastRun + intervalMs - Date.now());
    s.timer = setTimeout(() => {
      s.timer = null;
      s.lastRun = Date.now();
      latest.current();
    }, wait);
  });
  return throttled.current;
}

/**
 * The last data a query returned, kept while later refetches fail (server restarting, network
 * gone), so that the page keeps showing what it knew instead of going blank.
 */
export function useLastGoodData<Data>(data: Data | undefined, key: string): Data | undefined {
  const last = useRef<{ key: string; data: Data } | null>(null);
  if (data !== undefined) last.current = { key, data };
  return data ?? (last.current?.key === key ? last.current.data : undefined);
}
