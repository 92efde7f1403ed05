/**
 * The CLI's connection to a Podium server: queries and mutations as HTTP POSTs, subscriptions
 * over graphql-ws. The URL and token come from flags or PODIUM_URL / PODIUM_TOKEN.
 */
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

export const DEFAULT_URL = "http://127.0.0.1:4000/graphql";

export interface Endpoint {
  url: string;
  token: string | null;
}

/** The server could not be reached, or answered with something that is not GraphQL. */
export class ConnectionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ConnectionError";
  }
}

/** The server answered with GraphQL errors. */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(message);
    this.name = "RequestError";
  }
}

export function endpointFrom(
  options: { url?: string; token?: string },
  env: NodeJS.ProcessEnv = process.env,
): Endpoint {
  const url = options.url ?? env.PODIUM_URL?.trim() ?? "";
  const token = options.token ?? env.PODIUM_TOKEN?.trim() ?? "";
  return { url: url === "" ? DEFAULT_URL : url, token: token === "" ? null : token };
}

export function wsUrlOf(url: string): string {
  return url.replace(/^http/, "ws");
}

interface GraphQLBody<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export async function request<T>(
  endpoint: Endpoint,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(endpoint.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        ...(endpoint.token ? { authorization: `Bearer ${endpoint.token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new ConnectionError(`cannot reach the Podium server at ${endpoint.url}`, {
      cause: error,
    });
  }
  const text = await response.text();
  let body: GraphQLBody<T>;
  try {
    body = JSON.parse(text) as GraphQLBody<T>;
  } catch {
    throw new ConnectionError(
      `${endpoint.url} answered ${response.status} with something that is not GraphQL: ${text.slice(0, 200)}`,
    );
  }
  const first = body.errors?.[0];
  if (first) throw new RequestError(first.message, first.extensions?.code ?? null);
  if (!body.data)
    throw new ConnectionError(`${endpoint.url} answered ${response.status} without data`);
  return body.data;
}

export function subscriptionClient(endpoint: Endpoint, onConnected?: () => void): Client {
  return createClient({
    on: onConnected ? { connected: onConnected } : {},
    url: wsUrlOf(endpoint.url),
    webSocketImpl: WebSocket,
    lazy: true,
    // Reconnection is the follower's job: it resubscribes from its own cursor.
    retryAttempts: 0,
    connectionParams: endpoint.token ? { authorization: `Bearer ${endpoint.token}` } : undefined,
  });
}
