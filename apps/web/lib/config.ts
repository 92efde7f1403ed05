/** Where the dashboard finds the Podium server, resolved on the server at request time. */

export interface PodiumEndpoint {
  /** GraphQL over HTTP, e.g. http://127.0.0.1:4000/graphql */
  httpUrl: string;
  /** graphql-ws on the same path, e.g. ws://127.0.0.1:4000/graphql */
  wsUrl: string;
  /** Bearer token the server asks for, when it asks for one. */
  token: string | null;
}

export const DEFAULT_PODIUM_URL = "http://127.0.0.1:4000/graphql";

export function toWebSocketUrl(httpUrl: string): string {
  const url = new URL(httpUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

/** Reads PODIUM_URL / NEXT_PUBLIC_PODIUM_URL / PODIUM_TOKEN from the environment of `next start`. */
export function readPodiumEndpoint(
  env: Record<string, string | undefined> = process.env,
): PodiumEndpoint {
  const httpUrl = env.PODIUM_URL || env.NEXT_PUBLIC_PODIUM_URL || DEFAULT_PODIUM_URL;
  return {
    httpUrl,
    wsUrl: toWebSocketUrl(httpUrl),
    token: env.PODIUM_TOKEN || null,
  };
}

export function authorizationHeader(token: string | null): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}
