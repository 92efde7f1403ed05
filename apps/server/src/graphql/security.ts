/**
 * Who may talk to the gateway: a bearer token (when PODIUM_TOKEN is set) and an Origin allow-list
 * (the dashboard's origins, plus the server's own origin for GraphiQL). Requests without an
 * Origin header (curl, scripts, the graphql-ws Node client) are not browsers and pass the origin
 * check; they still need the token when one is set.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";

/** Compares in constant time (both sides hashed to the same length first). */
export function tokenMatches(expected: string, presented: string | null | undefined): boolean {
  if (typeof presented !== "string") return false;
  const a = createHash("sha256").update(expected).digest();
  const b = createHash("sha256").update(presented).digest();
  return timingSafeEqual(a, b);
}

/** `Bearer abc` -> `abc`; anything else -> null. */
export function bearerToken(header: string | null | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

/** The token a graphql-ws client sent in `connection_init`: `{ authorization: "Bearer t" }` or `{ token: "t" }`. */
export function tokenFromConnectionParams(
  params: Readonly<Record<string, unknown>> | undefined,
): string | null {
  if (!params) return null;
  if (typeof params.authorization === "string") return bearerToken(params.authorization);
  if (typeof params.Authorization === "string") return bearerToken(params.Authorization);
  if (typeof params.token === "string") return params.token;
  return null;
}

export function normalizeOrigin(origin: string): string | null {
  try {
    return new URL(origin).origin;
  } catch {
    return null;
  }
}

const LOOPBACK_HOSTNAMES = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/** True when a `Host` header names this machine's loopback interface. */
export function isLoopbackHost(host: string | null | undefined): boolean {
  if (!host) return false;
  try {
    return LOOPBACK_HOSTNAMES.has(new URL(`http://${host}`).hostname);
  } catch {
    return false;
  }
}

/**
 * Without a token, the server answers only to loopback names: a page whose own name an attacker
 * re-points at 127.0.0.1 (DNS rebinding) sends its own name as Host and is refused, even for the
 * requests that carry no Origin. With a token, the token is the gate and any Host may ask.
 */
export function hostAllowed(host: string | null | undefined, tokenRequired: boolean): boolean {
  // No Host at all is no browser (browsers always send one): an in-process call, say.
  return tokenRequired || host === null || host === undefined || isLoopbackHost(host);
}

/**
 * True when a request with this Origin may proceed: no Origin at all, a listed origin, or the
 * server's own origin (the `Host` the request was sent to, which is how GraphiQL calls back) —
 * the latter only under a loopback name unless a token is required.
 */
export function originAllowed(
  origin: string | null | undefined,
  host: string | null | undefined,
  allowedOrigins: ReadonlySet<string>,
  tokenRequired = false,
): boolean {
  if (origin === null || origin === undefined || origin === "") return true;
  const normalized = normalizeOrigin(origin);
  if (normalized === null) return false;
  if (allowedOrigins.has(normalized)) return true;
  if (host === null || host === undefined) return false;
  return new URL(normalized).host === host.toLowerCase() && hostAllowed(host, tokenRequired);
}

/** The whole gate for a browser-reachable request: its Host, then its Origin. */
export function requestAllowed(
  origin: string | null | undefined,
  host: string | null | undefined,
  allowedOrigins: ReadonlySet<string>,
  tokenRequired: boolean,
): boolean {
  return (
    hostAllowed(host, tokenRequired) && originAllowed(origin, host, allowedOrigins, tokenRequired)
  );
}

export interface SecurityOptions {
  token: string | null;
  allowedOrigins: ReadonlySet<string>;
}

function rejection(status: number, code: string, message: string): Response {
  return new Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}

/** Yoga plugin: foreign browser origins get 403 on every request, operations need the token. */
export function useGatewaySecurity(options: SecurityOptions): Plugin {
  return {
    onRequest({ request, endResponse }) {
      const origin = request.headers.get("origin");
      const host = request.headers.get("host");
      if (!hostAllowed(host, options.token !== null)) {
        endResponse(rejection(403, "FORBIDDEN", `Host ${host} is not allowed`));
      } else if (!originAllowed(origin, host, options.allowedOrigins, options.token !== null)) {
        endResponse(rejection(403, "FORBIDDEN", `Origin ${origin} is not allowed`));
      }
    },
    onParams({ request }) {
      if (options.token === null) return;
      const presented = bearerToken(request.headers.get("authorization"));
      if (!tokenMatches(options.token, presented)) {
        throw new GraphQLError(
          presented === null
            ? "Missing token: send the header Authorization: Bearer <PODIUM_TOKEN>"
            : "Wrong token",
          { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } },
        );
      }
    },
  };
}
