/**
 * Whether the server answers over HTTP, checked every few seconds with the cheapest GraphQL
 * query there is. Shared by every component in the tab: one poller, many readers.
 */
import type { PodiumEndpoint } from "./config.ts";
import { sessionFetch } from "./session.ts";

export interface HealthSnapshot {
  /** null until the first answer (or failure) arrives. */
  reachable: boolean | null;
  checkedAt: number | null;
  /** Why the last check failed, for the tooltip. */
  problem: string | null;
  latencyMs: number | null;
}

const HEALTH_INTERVAL_MS = 4_000;
const HEALTH_TIMEOUT_MS = 3_000;
export const UNKNOWN_HEALTH: HealthSnapshot = {
  reachable: null,
  checkedAt: null,
  problem: null,
  latencyMs: null,
};

export interface HealthMonitor {
  getSnapshot(): HealthSnapshot;
  subscribe(listener: () => void): () => void;
}

export function createHealthMonitor(endpoint: PodiumEndpoint): HealthMonitor {
  let snapshot = UNKNOWN_HEALTH;
  let timer: ReturnType<typeof setInterval> | undefined;
  const listeners = new Set<() => void>();

  const check = async () => {
    const started = performance.now();
    let next: HealthSnapshot;
    try {
      const response = await sessionFetch(endpoint.httpUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "{ __typename }" }),
        signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS),
      });
      const latencyMs = Math.round(performance.now() - started);
      next = response.ok
        ? { reachable: true, checkedAt: Date.now(), problem: null, latencyMs }
        : {
            reachable: false,
            checkedAt: Date.now(),
            problem: `HTTP ${response.status}`,
            latencyMs,
          };
    } catch (error) {
      next = {
        reachable: false,
        checkedAt: Date.now(),
        problem: error instanceof Error ? error.message : String(error),
        latencyMs: null,
      };
    }
    snapshot = next;
    for (const listener of listeners) listener();
  };

  return {
    getSnapshot: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      if (listeners.size === 1) {
        void check();
        timer = setInterval(() => void check(), HEALTH_INTERVAL_MS);
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) clearInterval(timer);
      };
    },
  };
}
