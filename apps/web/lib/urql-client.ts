/**
 * The urql client: queries and mutations over HTTP, subscriptions over the shared graphql-ws
 * connection. Pages never hold a socket themselves.
 */
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from "urql";
import type { PodiumEndpoint } from "./config.ts";
import type { LiveConnection } from "./connection.ts";
import { sessionFetch } from "./session.ts";

export function createPodiumClient(endpoint: PodiumEndpoint, live: LiveConnection | null): Client {
  const subscriptions = live
    ? [
        subscriptionExchange({
          forwardSubscription(request) {
            const payload = { ...request, query: request.query ?? "" };
            return {
              subscribe(sink) {
                const unsubscribe = live.subscribe(payload, sink);
                return { unsubscribe };
              },
            };
          },
        }),
      ]
    : [];
  return new Client({
    url: endpoint.httpUrl,
    exchanges: [cacheExchange, fetchExchange, ...subscriptions],
    // Same origin: the session cookie goes along by itself; a 401 sends the tab to the login page.
    fetch: sessionFetch,
    requestPolicy: "cache-and-network",
    // POST with a JSON body: the server's CSRF prevention refuses simple GET requests.
    preferGetMethod: false,
  });
}
