/**
 * The one Pothos builder. It holds no types: every GraphQL type lives in its own file under
 * `schema/`, and `schema/index.ts` imports them all before building.
 */
import SchemaBuilder from "@pothos/core";
import ComplexityPlugin from "@pothos/plugin-complexity";
import DataloaderPlugin from "@pothos/plugin-dataloader";
import RelayPlugin from "@pothos/plugin-relay";
import type { GraphQLContext } from "./context.ts";
import { fieldComplexity } from "./field-complexity.ts";

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  Scalars: {
    DateTime: { Input: Date; Output: Date | number };
    JSON: { Input: unknown; Output: unknown };
  };
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: false;
}>({
  plugins: [RelayPlugin, ComplexityPlugin, DataloaderPlugin],
  defaultFieldNullability: false,
  // Costs only: the limits are checked by the gateway (query-limits.ts) once variables are known.
  complexity: { fieldComplexity },
  relay: {
    cursorType: "String",
    clientMutationId: "omit",
    // Jobs and events are addressed by their own ids and cursors, not by global node ids.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
  },
});
