/**
 * What one field costs in a query's estimate (see query-limits.ts): 1, and its selection counted
 * once per item it can return. A connection returns `first` items (LIMITS.defaultPageSize when
 * omitted) and its `edges` list adds nothing on top; any other list is assumed LIST_MULTIPLIER
 * long. Lists whose real length is known only when read (a job's sheets) are charged at that
 * length as they resolve (resolved-cost.ts).
 */
import type { FieldComplexityValue } from "@pothos/plugin-complexity";
import { getNamedType, getNullableType, isListType, type GraphQLOutputType } from "graphql";
import { LIMITS } from "./limits.ts";

/** Assumed length of a list that has no `first` argument (sheets of a job, attempts of a sheet). */
export const LIST_MULTIPLIER = 10;

export function fieldComplexity(
  args: Record<string, unknown>,
  _context: unknown,
  field: { name: string; type: GraphQLOutputType },
): FieldComplexityValue {
  const named = getNamedType(field.type);
  if (named.name.endsWith("Connection")) {
    const first = args.first;
    const pageSize = typeof first === "number" && first >= 0 ? first : LIMITS.defaultPageSize;
    return { field: 1, multiplier: pageSize };
  }
  const isList = isListType(getNullableType(field.type));
  if (isList && field.name === "edges" && named.name.endsWith("Edge")) {
    return { field: 1, multiplier: 1 };
  }
  return { field: 1, multiplier: isList ? LIST_MULTIPLIER : 1 };
}
