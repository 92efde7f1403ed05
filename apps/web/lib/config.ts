/**
 * Where the dashboard finds the Podium server: the origin that served the page. The server serves
 * the dashboard itself, so there is nothing to configure and no token in any page; the browser's
 * session cookie (set by the login form) goes along with every same-origin request.
 */

export const GRAPHQL_PATH = "/graphql";

export interface PodiumEndpoint {
  /** GraphQL over HTTP, relative to the page's origin. */
  httpUrl: string;
  /** graphql-ws on the same path, e.g. ws://127.0.0.1:4000/graphql */
  wsUrl: string;
}

export function toWebSocketUrl(httpUrl: string): string {
  const url = new URL(httpUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

/** The endpoint of the page's own origin (`location` in the browser). */
export function sameOriginEndpoint(location: { href: string }): PodiumEndpoint {
  return {
    httpUrl: GRAPHQL_PATH,
    wsUrl: toWebSocketUrl(new URL(GRAPHQL_PATH, location.href).toString()),
  };
}

/** Where a browser whose session ended goes to sign in, coming back to `current` afterwards. */
export function loginHref(current: { pathname: string; search: string }): string {
  return `/login?next=${encodeURIComponent(current.pathname + current.search)}`;
}

/** A path on this site to return to after signing in; anything else (other sites, `//x`) is `/`. */
export function safeReturnPath(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  return next;
}
