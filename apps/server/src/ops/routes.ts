/**
 * The operational HTTP endpoints beside /graphql: `/health` (the process is alive; always open,
 * for orchestrators), `/ready` (the database answers and recovery is done) and `/metrics`
 * (Prometheus). With a token, /ready and /metrics need `Authorization: Bearer <token>`; without
 * one, like the gateway, they answer only to loopback Host names (no DNS rebinding).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { bearerToken, isLoopbackHost, tokenMatches } from "../graphql/security.ts";
import type { Route } from "../http/routes.ts";
import type { PodiumMetrics } from "./metrics.ts";

export interface OpsRoutesOptions {
  token: string | null;
  metrics: PodiumMetrics;
  checkDatabase(): Promise<boolean>;
  recoveryDone(): boolean;
  onError?(error: unknown): void;
}

/** Handles the request and returns true when it is one of these paths. */
export type OpsRoutes = (request: IncomingMessage, response: ServerResponse) => boolean;

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
  });
  response.end(JSON.stringify(body));
}

export function createOpsRoutes(options: OpsRoutesOptions): OpsRoutes {
  const gated = (request: IncomingMessage, response: ServerResponse): boolean => {
    if (options.token !== null) {
      if (tokenMatches(options.token, bearerToken(request.headers.authorization))) return true;
      response.setHeader("www-authenticate", "Bearer");
      json(response, 401, { error: "this endpoint needs Authorization: Bearer <PODIUM_TOKEN>" });
      return false;
    }
    if (isLoopbackHost(request.headers.host)) return true;
    json(response, 403, { error: "Host not allowed" });
    return false;
  };

  const ready = async (response: ServerResponse): Promise<void> => {
    const database = await options.checkDatabase().catch(() => false);
    const recovery = options.recoveryDone();
    json(response, database && recovery ? 200 : 503, {
      ready: database && recovery,
      database,
      recovery,
    });
  };

  return (request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    if (path !== "/health" && path !== "/ready" && path !== "/metrics") return false;
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.setHeader("allow", "GET, HEAD");
      json(response, 405, { error: `${request.method} is not allowed on ${path}` });
      return true;
    }
    if (path === "/health") {
      json(response, 200, { status: "ok" });
      return true;
    }
    if (!gated(request, response)) return true;
    const answer = path === "/ready" ? ready(response) : options.metrics.handle(request, response);
    answer.catch((error: unknown) => {
      options.onError?.(error);
      if (!response.headersSent) json(response, 500, { error: "could not answer" });
      else response.destroy();
    });
    return true;
  };
}

/** The same endpoints as entries of the server's route table (http/routes.ts). */
export function opsRouteTable(routes: OpsRoutes): Route[] {
  return ["/health", "/ready", "/metrics"].map((path) => ({
    path,
    handle: (request, response) => {
      routes(request, response);
    },
  }));
}
