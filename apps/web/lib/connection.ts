/**
 * The live link to the server: one graphql-ws client kept open for the whole page, and a small
 * store that tells components whether subscriptions flow (connected), are being re-established
 * (reconnecting) or are down so that pages fall back to polling over HTTP (offline).
 *
 * `epoch` grows by one on every successful (re)connection. Components that follow a stream key
 * their subscription on it, so that after a reconnect they subscribe again from their last cursor.
 */
import { createClient, type Client as WsClient } from "graphql-ws";
import { sessionEnded } from "./session.ts";

export type WsState = "connecting" | "connected" | "reconnecting" | "offline";

export interface ConnectionSnapshot {
  ws: WsState;
  epoch: number;
}

/** After this many failed attempts in a row the page stops saying "reconnecting" and polls. */
export const ATTEMPTS_BEFORE_OFFLINE = 3;
const MAX_RETRY_WAIT_MS = 3_000;
const KEEP_ALIVE_MS = 10_000;
const RECREATE_AFTER_FATAL_MS = 5_000;

export interface LiveConnection {
  getSnapshot(): ConnectionSnapshot;
  subscribeToState(listener: () => void): () => void;
  /** Runs a GraphQL subscription over the socket; returns the unsubscribe function. */
  subscribe: WsClient["subscribe"];
  dispose(): void;
}

/** What a closed socket means: still trying, or down long enough that pages should poll. */
export function stateWhileDisconnected(failuresInARow: number, everConnected: boolean): WsState {
  if (failuresInARow >= ATTEMPTS_BEFORE_OFFLINE) return "offline";
  return everConnected ? "reconnecting" : "connecting";
}

export type DisplayedConnection =
  "connecting" | "connected" | "reconnecting" | "polling" | "offline";

/**
 * One word for people: live over the socket; trying to get the socket back; socket down but
 * HTTP answers, so pages poll; or nothing answers at all.
 */
export function displayedConnection(
  ws: string,
  httpReachable: boolean | null,
): DisplayedConnection {
  if (ws === "connected") return "connected";
  if (httpReachable === false) return ws === "reconnecting" ? "reconnecting" : "offline";
  if (ws === "offline") return "polling";
  return ws === "reconnecting" ? "reconnecting" : "connecting";
}

export function createLiveConnection(wsUrl: string): LiveConnection {
  let snapshot: ConnectionSnapshot = { ws: "connecting", epoch: 0 };
  let everConnected = false;
  let failuresInARow = 0;
  let disposed = false;
  let recreateTimer: ReturnType<typeof setTimeout> | undefined;
  const listeners = new Set<() => void>();

  const publish = (next: Partial<ConnectionSnapshot>) => {
    snapshot = { ...snapshot, ...next };
    for (const listener of listeners) listener();
  };

  const open = (): WsClient =>
    createClient({
      url: wsUrl,
      lazy: false,
      keepAlive: KEEP_ALIVE_MS,
      retryAttempts: Infinity,
      shouldRetry: () => true,
      retryWait: (retries) =>
        new Promise((resolve) =>
          setTimeout(resolve, Math.min(MAX_RETRY_WAIT_MS, 300 * 2 ** retries)),
        ),
      // A fatal close (bad token, server error) ends this client: start a fresh one a bit later
      // rather than leaving the page without live updates for good.
      onNonLazyError: () => {
        failuresInARow = ATTEMPTS_BEFORE_OFFLINE;
        publish({ ws: "offline" });
        if (disposed) return;
        recreateTimer = setTimeout(() => {
          const dead = client;
          client = open();
          void dead.dispose();
        }, RECREATE_AFTER_FATAL_MS);
      },
      on: {
        connected: () => {
          everConnected = true;
          failuresInARow = 0;
          publish({ ws: "connected", epoch: snapshot.epoch + 1 });
        },
        closed: (event) => {
          // 4403: the server no longer accepts this browser's session cookie.
          if ((event as { code?: number } | undefined)?.code === 4403) sessionEnded();
          failuresInARow += 1;
          publish({ ws: stateWhileDisconnected(failuresInARow, everConnected) });
        },
      },
    });

  let client = open();

  return {
    getSnapshot: () => snapshot,
    subscribeToState(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    subscribe: (payload, sink) => client.subscribe(payload, sink),
    dispose() {
      disposed = true;
      clearTimeout(recreateTimer);
      void client.dispose();
    },
  };
}
