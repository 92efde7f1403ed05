/**
 * One HTTP server for everything: Yoga answers HTTP (GET/POST, SSE subscriptions, GraphiQL) and
 * graphql-ws answers WebSocket upgrades on the same path. WebSocket operations go through
 * `yoga.getEnveloped`, so they share Yoga's schema, plugins and parse/validate caches.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { GraphQLError, type ExecutionArgs } from "graphql";
import { WebSocketServer } from "ws";
import type { GatewayServices } from "./graphql/context.ts";
import { requestAllowed, tokenFromConnectionParams, tokenMatches } from "./graphql/security.ts";
import { serveGraphQLWs } from "./graphql/ws-transport.ts";
import { createGatewayYoga, GRAPHQL_PATH, type GatewayYoga } from "./graphql/yoga.ts";

/** graphql-ws pings every client this often and drops those that do not answer (≤ 30 s). */
export const KEEP_ALIVE_MS = 12_000;

export const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

export interface StartServerOptions {
  services: GatewayServices;
  /** 0 picks a free port. */
  port: number;
  host?: string;
  token?: string | null;
  webOrigins?: readonly string[];
  keepAliveMs?: number;
  logError?: (error: unknown) => void;
  /** Paths answered before GraphQL (`/health`, `/ready`, `/metrics`: ops/routes.ts). */
  routes?: (request: IncomingMessage, response: ServerResponse) => boolean;
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
  const gateway = createGatewayYoga({
    services: options.services,
    token,
    webOrigins: options.webOrigins ?? [],
    logError,
  });
  const { yoga, allowedOrigins } = gateway;
  const { routes } = options;
  const httpServer = createServer(routes ? (req, res) => routes(req, res) || yoga(req, res) : yoga);
  const wsServer = new WebSocketServer({
    server: httpServer,
    path: GRAPHQL_PATH,
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
