"use client";
/**
 * Everything a page needs to talk to the server: the urql client and the live connection state.
 * Both exist only in the browser; during server rendering pages show their loading state.
 */
import { createContext, useContext, useState, useSyncExternalStore, type ReactNode } from "react";
import { Provider as UrqlProvider } from "urql";
import { GRAPHQL_PATH, sameOriginEndpoint, type PodiumEndpoint } from "../lib/config.ts";
import {
  createLiveConnection,
  type ConnectionSnapshot,
  type LiveConnection,
} from "../lib/connection.ts";
import {
  createHealthMonitor,
  UNKNOWN_HEALTH,
  type HealthMonitor,
  type HealthSnapshot,
} from "../lib/health.ts";
import { createPodiumClient } from "../lib/urql-client.ts";

const EndpointContext = createContext<PodiumEndpoint | null>(null);
const LiveContext = createContext<LiveConnection | null>(null);
const HealthContext = createContext<HealthMonitor | null>(null);

// One socket per browser tab for the lifetime of the page (the root layout never unmounts).
let tabConnection: LiveConnection | null = null;
function browserConnection(endpoint: PodiumEndpoint): LiveConnection {
  tabConnection ??= createLiveConnection(endpoint.wsUrl);
  return tabConnection;
}

// While the static build is rendered there is no origin yet; nothing connects then.
const PRERENDER_ENDPOINT: PodiumEndpoint = { httpUrl: GRAPHQL_PATH, wsUrl: GRAPHQL_PATH };

const OFFLINE_BEFORE_START: ConnectionSnapshot = { ws: "connecting", epoch: 0 };

export function Providers({ children }: { children: ReactNode }) {
  const [endpoint] = useState(() =>
    typeof window === "undefined" ? PRERENDER_ENDPOINT : sameOriginEndpoint(window.location),
  );
  const [live] = useState(() =>
    typeof window === "undefined" ? null : browserConnection(endpoint),
  );
  const [client] = useState(() => createPodiumClient(endpoint, live));
  const [health] = useState(() =>
    typeof window === "undefined" ? null : createHealthMonitor(endpoint),
  );
  return (
    <EndpointContext.Provider value={endpoint}>
      <LiveContext.Provider value={live}>
        <HealthContext.Provider value={health}>
          <UrqlProvider value={client}>{children}</UrqlProvider>
        </HealthContext.Provider>
      </LiveContext.Provider>
    </EndpointContext.Provider>
  );
}

export function useEndpoint(): PodiumEndpoint {
  const endpoint = useContext(EndpointContext);
  if (!endpoint) throw new Error("useEndpoint must be used inside <Providers>");
  return endpoint;
}

const noSubscription = () => () => {};

/** The live connection state; stable "connecting" during server rendering and hydration. */
export function useConnection(): ConnectionSnapshot {
  const live = useContext(LiveContext);
  return useSyncExternalStore(
    live ? live.subscribeToState : noSubscription,
    live ? live.getSnapshot : () => OFFLINE_BEFORE_START,
    () => OFFLINE_BEFORE_START,
  );
}

/** False on the server and during hydration, true afterwards: gates network work to the browser. */
export function useInBrowser(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}

/** Whether the server answers over HTTP (polled every few seconds while anyone is watching). */
export function useServerHealth(): HealthSnapshot {
  const health = useContext(HealthContext);
  return useSyncExternalStore(
    health ? health.subscribe : noSubscription,
    health ? health.getSnapshot : () => UNKNOWN_HEALTH,
    () => UNKNOWN_HEALTH,
  );
}
