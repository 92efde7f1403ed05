/**
 * The server's HTTP routes as one table: the first route whose path matches answers. Adding a
 * route is one line in server.ts (or a `routes` entry passed to `startServer`).
 */
import type { IncomingMessage, ServerResponse } from "node:http";

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface Route {
  /** Exact path, or with `prefix` every path under it (`/auth/` matches `/auth/login`). */
  path: string;
  prefix?: boolean;
  handle: NodeHandler;
}

export function pathnameOf(req: IncomingMessage): string {
  try {
    return new URL(req.url ?? "/", "http://localhost").pathname;
  } catch {
    return "/";
  }
}

export function routeRequests(
  routes: readonly Route[],
  fallback: NodeHandler,
  onError: (error: unknown) => void,
): NodeHandler {
  return async (req, res) => {
    const pathname = pathnameOf(req);
    const route = routes.find((candidate) =>
      candidate.prefix ? pathname.startsWith(candidate.path) : pathname === candidate.path,
    );
    try {
      await (route ?? { handle: fallback }).handle(req, res);
    } catch (error) {
      onError(error);
      if (!res.headersSent) sendText(res, 500, "Internal error");
      else res.destroy();
    }
  };
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
  res.end(text);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
  });
  res.end(JSON.stringify(value));
}

export function redirect(
  res: ServerResponse,
  location: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(303, { location, "cache-control": "no-store", ...headers });
  res.end();
}
