/**
 * Lists whose length the query's estimate cannot know (a job's sheets: up to 10,000) are charged
 * at their real length before they are read: the length times the cost of one item's selection.
 * Charges add up per operation (per event, for a subscription); past LIMITS.maxResolvedCost the
 * field fails with QUERY_TOO_COMPLEX instead of reading the rows.
 */
import { complexityFromQuery } from "@pothos/plugin-complexity";
import {
  GraphQLError,
  Kind,
  getNamedType,
  type DocumentNode,
  type FieldNode,
  type GraphQLResolveInfo,
} from "graphql";
import { LIMITS } from "./limits.ts";
import { introspectionCostView } from "./query-limits.ts";

interface Meter {
  spent: number;
  itemCost: Map<FieldNode, number>;
}

const meters = new WeakMap<object, Meter>();

/** One operation's meter: a subscription runs one execution per event, each with its own root value. */
function meterFor(context: object, info: GraphQLResolveInfo): Meter {
  const rootValue: unknown = info.rootValue;
  const key =
    info.operation.operation === "subscription" && typeof rootValue === "object" && rootValue
      ? rootValue
      : context;
  let meter = meters.get(key);
  if (!meter) {
    meter = { spent: 0, itemCost: new Map() };
    meters.set(key, meter);
  }
  return meter;
}

/** The variables as the client sent them (Yoga keeps them on the context), to coerce them again. */
function clientVariables(context: object): Record<string, unknown> {
  const params = (context as { params?: { variables?: unknown } }).params;
  const variables = params?.variables;
  return typeof variables === "object" && variables !== null
    ? (variables as Record<string, unknown>)
    : {};
}

/** Cost of one item of this field: its selection set, costed like a query on the item's type. */
function costOfOneItem(context: object, info: GraphQLResolveInfo, node: FieldNode): number {
  if (!node.selectionSet) return 0;
  const itemType = getNamedType(info.returnType);
  const document: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [
      {
        kind: Kind.OPERATION_DEFINITION,
        operation: info.operation.operation,
        variableDefinitions: info.operation.variableDefinitions ?? [],
        selectionSet: {
          kind: Kind.SELECTION_SET,
          selections: [
            {
              kind: Kind.INLINE_FRAGMENT,
              typeCondition: {
                kind: Kind.NAMED_TYPE,
                name: { kind: Kind.NAME, value: itemType.name },
              },
              selectionSet: node.selectionSet,
            },
          ],
        },
      },
      ...Object.values(info.fragments),
    ],
  };
  return complexityFromQuery(document, {
    schema: introspectionCostView(info.schema),
    variables: clientVariables(context),
    ctx: context,
  }).complexity;
}

/** Charges `length` items of the field being resolved; throws QUERY_TOO_COMPLEX past the limit. */
export function chargeListLength(
  context: object,
  info: GraphQLResolveInfo,
  length: number,
  limit: number = LIMITS.maxResolvedCost,
): void {
  const meter = meterFor(context, info);
  let perItem = 0;
  for (const node of info.fieldNodes) {
    let cost = meter.itemCost.get(node);
    if (cost === undefined) {
      cost = costOfOneItem(context, info, node);
      meter.itemCost.set(node, cost);
    }
    perItem += cost;
  }
  const spent = meter.spent + length * perItem;
  if (spent > limit) {
    throw new GraphQLError(
      `Reading ${length} items of ${info.parentType.name}.${info.fieldName} would bring this operation's cost to ${spent}, over the limit of ${limit}; ask for fewer fields or fewer items`,
      { extensions: { code: "QUERY_TOO_COMPLEX", cost: spent, limit } },
    );
  }
  meter.spent = spent;
}
