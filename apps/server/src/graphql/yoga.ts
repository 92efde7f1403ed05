/**
 * The Yoga instance: the Pothos schema plus the gateway's plugins (security, CSRF prevention,
 * query limits, masked errors). HTTP serving and WebSockets are wired in ../server.ts; tests
 * may call `yoga.fetch` directly with no port.
 */
import { useCSRFPrevention } from "@graphql-yoga/plugin-csrf-prevention";
import { createYoga, maskError, type YogaServerInstance } from "graphql-yoga";
import { SessionStore } from "../http/sessions.ts";
import type { GatewayServices, GraphQLContext } from "./context.ts";
import { graphiqlWithPolicy } from "./graphiql-page.ts";
import { useQueryLimits } from "./query-limits.ts";
import { schema } from "./schema/index.ts";
import { useSharedSubscriptionResults } from "./shared-results.ts";
import { normalizeOrigin, useGatewaySecurity } from "./security.ts";
import { SubscriptionTracker } from "./subscriptions/channel.ts";

export const GRAPHQL_PATH = "/graphql";

/** Headers a client may send instead of a JSON content-type to pass CSRF prevention. */
export const CSRF_HEADERS = ["x-graphql-yoga-csrf", "graphql-preflight"];

export interface GatewayYogaOptions {
  services: GatewayServices;
  /** When set, every operation needs `Authorization: Bearer <token>`. */
  token?: string | null;
  /** Browser sessions signed in with the token; a fresh store when not given. */
  sessions?: SessionStore;
  /** Browser origins allowed besides the server's own (which serves the dashboard). */
  webOrigins?: readonly string[];
  /** Log unexpected errors (masked for clients) here. */
  logError?: (error: unknown) => void;
}

export interface GatewayYoga {
  yoga: YogaServerInstance<Record<string, unknown>, GraphQLContext>;
  subscriptions: SubscriptionTracker;
  allowedOrigins: ReadonlySet<string>;
  token: string | null;
  sessions: SessionStore;
}

export function createGatewayYoga(options: GatewayYogaOptions): GatewayYoga {
  const subscriptions = new SubscriptionTracker();
  const token = options.token ? options.token : null;
  const sessions = options.sessions ?? new SessionStore();
  const graphiql = graphiqlWithPolicy();
  const allowedOrigins = new Set(
    (options.webOrigins ?? [])
      .map(normalizeOrigin)
      .filter((origin): origin is string => origin !== null),
  );
  const yoga = createYoga<Record<string, unknown>, GraphQLContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    landingPage: false,
    graphiql: { title: "Podium GraphQL", subscriptionsProtocol: "WS" },
    // GraphiQL's scripts are served inline from the package, not fetched from a CDN: Podium
    // machines may have no internet access.
    renderGraphiQL: graphiql.render,
    maskedErrors: {
      maskError(error, message, isDev) {
        // Yoga's masking keeps GraphQLErrors thrown on purpose and hides everything else.
        const masked = maskError(error, message, isDev);
        if (masked !== error) options.logError?.(error);
        return masked;
      },
    },
    cors: {
      origin: [...allowedOrigins],
      methods: ["GET", "POST", "OPTIONS"],
      allowedHeaders: ["content-type", "authorization", ...CSRF_HEADERS],
      credentials: false,
      maxAge: 600,
    },
    logging: false,
    context: () => ({ services: options.services, subscriptions }),
    plugins: [
      useGatewaySecurity({ token, sessions, allowedOrigins }),
      graphiql.plugin,
      useCSRFPrevention({ requestHeaders: CSRF_HEADERS }),
      useQueryLimits(),
      useSharedSubscriptionResults(),
    ],
  });
  return { yoga, subscriptions, allowedOrigins, token, sessions };
}
