"use client";
import { useConnection, useServerHealth } from "../app/providers.tsx";
import { displayedConnection, type DisplayedConnection } from "../lib/connection.ts";
import { POLL_INTERVAL_MS } from "../lib/live-hooks.ts";

const LABELS: Record<DisplayedConnection, string> = {
  connecting: "Connecting…",
  connected: "Live",
  reconnecting: "Reconnecting…",
  polling: `Polling every ${POLL_INTERVAL_MS / 1000}s`,
  offline: "Offline",
};

export function ConnectionBadge() {
  const { ws } = useConnection();
  const health = useServerHealth();
  const state = displayedConnection(ws, health.reachable);
  return (
    <span
      className={`connection connection-${state}`}
      data-testid="connection-state"
      data-state={state}
      title={health.problem ? `Server: ${health.problem}` : undefined}
      role="status"
    >
      <span className="dot" aria-hidden />
      {LABELS[state]}
    </span>
  );
}
