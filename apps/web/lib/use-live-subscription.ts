"use client";
/**
 * Calls `onData` for every result of a GraphQL subscription, none dropped (urql's own hook keeps
 * only the latest result between renders). Subscribes only while the socket is connected, and
 * again after each reconnect with the variables of that moment.
 */
import { useEffect, useRef } from "react";
import { useClient, type AnyVariables, type TypedDocumentNode } from "urql";
import { useConnection, useInBrowser } from "../app/providers.tsx";

export function useLiveSubscription<Data, Variables extends AnyVariables>(
  query: TypedDocumentNode<Data, Variables>,
  variables: Variables,
  onData: (data: Data) => void,
  options: { pause?: boolean; onError?: (message: string) => void } = {},
): void {
  const client = useClient();
  const inBrowser = useInBrowser();
  const { ws, epoch } = useConnection();
  const handlers = useRef({ onData, onError: options.onError });
  handlers.current = { onData, onError: options.onError };
  const variablesKey = JSON.stringify(variables);
  const active = inBrowser && ws === "connected" && !options.pause;

  useEffect(() => {
    if (!active) return;
    const subscription = client
      .subscription(query, JSON.parse(variablesKey) as Variables)
      .subscribe((result) => {
        if (result.data) handlers.current.onData(result.data);
        if (result.error) handlers.current.onError?.(result.error.message);
      });
    return () => subscription.unsubscribe();
  }, [client, query, variablesKey, active, epoch]);
}
