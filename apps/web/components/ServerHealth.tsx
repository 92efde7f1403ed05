"use client";
import { useEffect } from "react";
import { useQuery } from "urql";
import { useEndpoint, useInBrowser, useServerHealth } from "../app/providers.tsx";
import { formatDuration } from "../lib/format.ts";
import type { ResultOf } from "../lib/graphql.ts";
import { HealthQuery } from "../lib/operations.ts";

type ServerDetails = ResultOf<typeof HealthQuery>["health"];

/**
 * Whether the server answers, and when it does, what it says about itself and its database.
 * `initial` is what the server saw while rendering the page, shown until the browser has checked.
 */
export function ServerHealth({
  initial = null,
}: {
  initial?: { health: ServerDetails; latencyMs: number } | null;
}) {
  const endpoint = useEndpoint();
  const inBrowser = useInBrowser();
  const checked = useServerHealth();
  const health =
    checked.reachable === null && initial
      ? { reachable: true, latencyMs: initial.latencyMs, problem: null, checkedAt: null }
      : checked;
  const reachable = health.reachable;
  const [details, refetch] = useQuery({
    query: HealthQuery,
    pause: !inBrowser || reachable !== true,
    requestPolicy: "network-only",
  });
  useEffect(() => {
    if (reachable) refetch({ requestPolicy: "network-only" });
  }, [health.checkedAt, reachable, refetch]);
  const server = reachable ? (details.data?.health ?? initial?.health) : undefined;

  return (
    <section
      className="panel spread"
      data-testid="server-health"
      data-reachable={String(reachable)}
    >
      <span className="health" data-reachable={String(reachable)}>
        <span className="dot" aria-hidden />
        <strong>Server</strong>
        <span data-testid="server-health-text">
          {reachable === null
            ? "checking…"
            : reachable
              ? `reachable${health.latencyMs !== null ? ` (${health.latencyMs} ms)` : ""}`
              : "unreachable"}
        </span>
        {server ? (
          <span className="muted small">
            v{server.version} · database {server.database ? "ok" : "not answering"} · up{" "}
            {formatDuration(server.uptimeSeconds * 1000)} · {server.activeSubscriptions} live
            subscriptions
          </span>
        ) : null}
        {server?.draining ? (
          <span
            className="status tone-held"
            data-testid="server-draining"
            title="Shutting down: nothing new is dispatched while attempts in flight finish"
          >
            draining
          </span>
        ) : null}
      </span>
      <span className="muted small mono">
        {endpoint.httpUrl}
        {reachable === false && health.problem ? ` — ${health.problem}` : ""}
      </span>
    </section>
  );
}
