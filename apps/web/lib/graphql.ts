/**
 * The typed `graphql()` tag for every operation of the dashboard. Types come from the server's
 * printed schema through the generated introspection in `graphql-env.d.ts`
 * (`pnpm --filter @podium/web gql:generate` after the schema changes).
 */
import { initGraphQLTada } from "gql.tada";
import type { introspection } from "./graphql-env.d.ts";

export const graphql = initGraphQLTada<{
  introspection: introspection;
  scalars: {
    DateTime: string;
    JSON: unknown;
  };
}>();

export type { FragmentOf, ResultOf, VariablesOf } from "gql.tada";
export { readFragment } from "gql.tada";
