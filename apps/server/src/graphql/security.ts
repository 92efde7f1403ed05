/**
 * Who may talk to the gateway: a bearer token (when PODIUM_TOKEN is set) or the session cookie a
 * browser got by signing in with it, and an Origin allow-list (the server's own origin, which
 * serves the dashboard and GraphiQL, plus any listed in PODIUM_WEB_ORIGIN). Requests without an
 * Origin header (curl, scripts, the graphql-ws Node client) are not browsers and pass the origin
 * check; they still need the token when one is set. Cookie-authenticated requests are also held
 * by SameSite=Strict and Yoga's CSRF prevention (a JSON content-type or a CSRF header).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";
import { sessionIdFromCookies, type SessionStore } from "../http/sessions.ts";

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

/** What proves a caller may act: the token itself (scripts) or a live browser session. */
export interface Credentials {
  token: string | null;
  sessions: SessionStore;
}

/** True when no token is required, or the request carries the token or a valid session cookie. */
export function requestAuthenticated(
  credentials: Credentials,
  headers: { authorization?: string | null; cookie?: string | null },
): boolean {
  if (credentials.token === null) return true;
  if (tokenMatches(credentials.token, bearerToken(headers.authorization))) return true;
  return credentials.sessions.valid(sessionIdFromCookies(headers.cookie));
}

export interface SecurityOptions extends Credentials {
  allowedOrigins: ReadonlySet<string>;
}

/**
 * GraphiQL is what Yoga answers to a browser's GET for text/html on the endpoint. Yoga renders
 * it before any plugin of ours runs, so the server gates these requests before handing them over.
 */
export function asksForGraphiQL(
  method: string | undefined,
  accept: string | null | undefined,
): boolean {
  return method === "GET" && (accept ?? "").includes("text/html");
}

function rejection(status: number, code: string, message: string): Response {
  return new Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}

function authenticated(options: Credentials, request: Request): boolean {
  return requestAuthenticated(options, {
    authorization: request.headers.get("authorization"),
    cookie: request.headers.get("cookie"),
  });
}

/** Yoga plugin: foreign browser origins and rebound Hosts get 403, operations need the token or a session. */
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
      if (authenticated(options, request)) return;
      const presented = bearerToken(request.headers.get("authorization"));
      throw new GraphQLError(
        presented === null
          ? "Missing token: send the header Authorization: Bearer <PODIUM_TOKEN>, or sign in at /login"
          : "Wrong token",
        { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } },
      );
    },
  };
}
