/**
 * One HTTP server on one port for everything: Yoga answers /graphql (GET/POST, SSE
 * subscriptions, GraphiQL), graphql-ws answers WebSocket upgrades on the same path, /auth/* signs
 * browsers in and out, and every other path is the dashboard's static build. WebSocket operations
 * go through `yoga.getEnveloped`, so they share Yoga's schema, plugins and parse/validate caches.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { GraphQLError, type ExecutionArgs } from "graphql";
import { WebSocketServer, type WebSocket } from "ws";
import type { GatewayServices } from "./graphql/context.ts";
import { MAX_WEBSOCKET_MESSAGE_BYTES, refuseOversizedBody } from "./graphql/body-limit.ts";
import {
  asksForGraphiQL,
  requestAllowed,
  requestAuthenticated,
  tokenFromConnectionParams,
  tokenMatches,
} from "./graphql/security.ts";
import { authRoutes } from "./http/auth-routes.ts";
import { serveDashboard } from "./http/dashboard.ts";
import { BASE_HEADERS } from "./http/page-headers.ts";
import { redirect, routeRequests, sendText, type Route } from "./http/routes.ts";
import { SessionStore, sessionIdFromCookies } from "./http/sessions.ts";
import { serveGraphQLWs } from "./graphql/ws-transport.ts";
import { createGatewayYoga, GRAPHQL_PATH, type GatewayYoga } from "./graphql/yoga.ts";

/** graphql-ws pings every client this often and drops those that do not answer (≤ 30 s). */
export const KEEP_ALIVE_MS = 12_000;

export const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/** The dashboard's static export (`next build` in apps/web). */
export const DEFAULT_WEB_DIR = path.resolve(import.meta.dirname, "../../web/out");

export interface StartServerOptions {
  services: GatewayServices;
  /** 0 picks a free port. */
  port: number;
  host?: string;
  token?: string | null;
  webOrigins?: readonly string[];
  /** The dashboard's static build to serve; DEFAULT_WEB_DIR when not given. */
  webDir?: string;
  /** Extra HTTP routes, matched before the built-in ones. */
  routes?: readonly Route[];
  keepAliveMs?: number;
  logError?: (error: unknown) => void;
}

export interface RunningServer {
  url: string;
  wsUrl: string;
  port: number;
  gateway: GatewayYoga;
  httpServer: Server;
  close(): Promise<void>;
}

export class UnsafeBindError extends Error {
  constructor(host: string) {
    super(
      `Refusing to listen on ${host} without PODIUM_TOKEN: anyone who can reach this address could run jobs. ` +
        `Set PODIUM_TOKEN, or bind to 127.0.0.1 (HOST=127.0.0.1).`,
    );
    this.name = "UnsafeBindError";
  }
}

type WsExecutionArgs = ExecutionArgs & {
  rootValue: {
    execute: (args: ExecutionArgs) => unknown;
    subscribe: (args: ExecutionArgs) => unknown;
  };
};

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  const token = options.token ? options.token : null;
  if (!LOOPBACK_HOSTS.has(host) && token === null) throw new UnsafeBindError(host);

  const logError = options.logError ?? ((error: unknown) => console.error("gateway:", error));
  const sessions = new SessionStore();
  const gateway = createGatewayYoga({
    services: options.services,
    token,
    sessions,
    webOrigins: options.webOrigins ?? [],
    logError,
  });
  const { yoga, allowedOrigins } = gateway;
  const credentials = { token, sessions };
  const admit = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (requestAllowed(req.headers.origin, req.headers.host, allowedOrigins, token !== null))
      return true;
    sendText(res, 403, "Origin or Host not allowed");
    return false;
  };
  const signedIn = (req: IncomingMessage): boolean =>
    requestAuthenticated(credentials, {
      authorization: req.headers.authorization,
      cookie: req.headers.cookie,
    });

  const routes: Route[] = [
    ...(options.routes ?? []),
    {
      path: GRAPHQL_PATH,
      handle: (req, res) => {
        // GraphiQL is a page like the dashboard's: same Host gate, and sign in first.
        if (asksForGraphiQL(req.method, req.headers.accept)) {
          if (!admit(req, res)) return;
          if (!signedIn(req))
            return redirect(res, `/login?next=${encodeURIComponent(req.url ?? "/")}`);
        }
        return yoga(req, res);
      },
    },
    ...authRoutes({ token, sessions, admit }),
  ];
  const dashboard = serveDashboard(options.webDir ?? DEFAULT_WEB_DIR, { admit, signedIn });
  const handle = routeRequests(routes, dashboard, logError);
  const httpServer = createServer((req, res) => {
    for (const [name, value] of Object.entries(BASE_HEADERS)) res.setHeader(name, value);
    // Nothing is buffered for a client that has not authenticated (see graphql/body-limit.ts).
    if (refuseOversizedBody(req, res, signedIn)) return;
    void handle(req, res);
  });
  // Signing out also ends the live feeds that session opened.
  const socketsOfSession = new Map<string, Set<WebSocket>>();
  sessions.onEnd((id) => {
    for (const socket of socketsOfSession.get(id) ?? []) socket.close(4403, "Signed out");
    socketsOfSession.delete(id);
  });
  const wsServer = new WebSocketServer({
    server: httpServer,
    path: GRAPHQL_PATH,
    maxPayload: MAX_WEBSOCKET_MESSAGE_BYTES,
    verifyClient: (info, callback) => {
      if (requestAllowed(info.origin, info.req.headers.host, allowedOrigins, token !== null))
        callback(true);
      else callback(false, 403, "Origin or Host not allowed");
    },
  });

  const wsTransport = serveGraphQLWs(
    {
      execute: (args) => (args as WsExecutionArgs).rootValue.execute(args) as never,
      subscribe: (args) => (args as WsExecutionArgs).rootValue.subscribe(args) as never,
      onConnect: (ctx) => {
        if (token === null) return true;
        // A browser's session cookie came with the upgrade request; scripts send the token.
        const session = sessionIdFromCookies(ctx.extra.request.headers.cookie);
        if (session !== null && sessions.valid(session)) {
          const sockets = socketsOfSession.get(session) ?? new Set<WebSocket>();
          socketsOfSession.set(session, sockets.add(ctx.extra.socket));
          ctx.extra.socket.once("close", () => {
            sockets.delete(ctx.extra.socket);
            if (sockets.size === 0 && socketsOfSession.get(session) === sockets)
              socketsOfSession.delete(session);
          });
          return true;
        }
        // false closes the socket with 4403 Forbidden: the client learns its token was refused.
        return tokenMatches(token, tokenFromConnectionParams(ctx.connectionParams));
      },
      onSubscribe: async (ctx, _id, params) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
        });
        let document;
        try {
          document = parse(params.query);
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const args: WsExecutionArgs = {
          schema,
          operationName: params.operationName,
          document,
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        if (errors.length > 0) return errors;
        return args;
      },
    },
    wsServer,
    options.keepAliveMs ?? KEEP_ALIVE_MS,
    logError,
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(options.port, host, () => {
      httpServer.off("error", reject);
      resolve();
    });
  });
  const { port } = httpServer.address() as AddressInfo;
  const urlHost = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  const displayHost = urlHost === "0.0.0.0" || urlHost === "[::]" ? "127.0.0.1" : urlHost;

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await wsTransport.dispose();
      for (const client of wsServer.clients) client.terminate();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await yoga.dispose();
    })();
    return closing;
  };

  return {
    url: `http://${displayHost}:${port}${GRAPHQL_PATH}`,
    wsUrl: `ws://${displayHost}:${port}${GRAPHQL_PATH}`,
    port,
    gateway,
    httpServer,
    close,
  };
}
