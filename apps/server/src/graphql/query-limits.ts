/**
 * Limits on what one operation may ask for, so that a single request cannot make the server read
 * the whole database or recurse without end:
 * - size: at most LIMITS.maxTokens tokens per document, enforced by the parser;
 * - depth: nesting of selection sets, checked at validation (introspection subtrees excluded, so
 *   GraphiQL's schema query always passes); each fragment's depth is computed once;
 * - cost: each field's cost (field-complexity.ts), at most LIMITS.maxQueryCost; introspection
 *   subtrees are costed the same way against their own LIMITS.maxIntrospectionCost;
 * - resolved cost: lists read at their real length (resolved-cost.ts).
 * Cost is checked before execution and before subscribing, once variables are known, by
 * @pothos/plugin-complexity's walk, which evaluates each fragment once per type however often it
 * is spread. Both walks take time linear in the document's size.
 * Rejections are GraphQL errors with extensions.code QUERY_TOO_DEEP or QUERY_TOO_COMPLEX.
 */
import { complexityFromQuery, type ComplexityResult } from "@pothos/plugin-complexity";
import {
  GraphQLError,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLString,
  Kind,
  parse,
  __Schema,
  __Type,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationRule,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import { LIMITS } from "./limits.ts";

export { LIST_MULTIPLIER } from "./field-complexity.ts";

/**
 * Nesting of the operation's selection sets, read from the document alone (unknown fields count
 * too: validation reports them beside the depth). Fragment wrappers add no level; a fragment's
 * depth is computed once however often it is spread; cycles count as 0 (validation reports them).
 */
export function operationDepth(document: DocumentNode, operation: OperationDefinitionNode): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
  }
  const known = new Map<string, number>();
  const entered = new Set<string>();
  const fragmentDepth = (name: string): number => {
    const memo = known.get(name);
    if (memo !== undefined) return memo;
    const fragment = fragments.get(name);
    if (!fragment || entered.has(name)) return 0;
    entered.add(name);
    const depth = selectionDepth(fragment.selectionSet);
    entered.delete(name);
    known.set(name, depth);
    return depth;
  };
  const selectionDepth = (selectionSet: SelectionSetNode): number => {
    let deepest = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith("__")) continue;
        const below = selection.selectionSet ? selectionDepth(selection.selectionSet) : 0;
        deepest = Math.max(deepest, 1 + below);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, selectionDepth(selection.selectionSet));
      } else {
        deepest = Math.max(deepest, fragmentDepth(selection.name.value));
      }
    }
    return deepest;
  };
  return selectionDepth(operation.selectionSet);
}

/** Validation rule rejecting operations nested deeper than `maxDepth` with QUERY_TOO_DEEP. */
export function depthLimitRule(maxDepth: number = LIMITS.maxQueryDepth): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const depth = operationDepth(context.getDocument(), operation);
      if (depth > maxDepth) {
        context.reportError(
          new GraphQLError(`Query depth ${depth} exceeds the limit of ${maxDepth}`, {
            nodes: [operation],
            extensions: { code: "QUERY_TOO_DEEP", depth, limit: maxDepth },
          }),
        );
      }
    },
  });
}

const introspectionViews = new WeakMap<GraphQLSchema, GraphQLSchema>();

/**
 * The schema as the cost walk sees it: the query type also has `__schema` and `__type`, so the
 * walk enters introspection subtrees and costs their lists like any other (10 per list). Only
 * `getType` and `getRootType` are consulted by the walk and by variable coercion.
 */
export function introspectionCostView(schema: GraphQLSchema): GraphQLSchema {
  const known = introspectionViews.get(schema);
  if (known) return known;
  const query = schema.getQueryType();
  if (!query) return schema;
  const config = query.toConfig();
  const queryWithMeta = new GraphQLObjectType({
    ...config,
    fields: {
      ...config.fields,
      __schema: { type: new GraphQLNonNull(__Schema) },
      __type: { type: __Type, args: { name: { type: new GraphQLNonNull(GraphQLString) } } },
    },
  });
  const view = {
    getType: (name: string) => (name === query.name ? queryWithMeta : schema.getType(name)),
    getRootType: (operation: string) =>
      operation === "query"
        ? queryWithMeta
        : schema.getRootType(operation as Parameters<GraphQLSchema["getRootType"]>[0]),
  } as unknown as GraphQLSchema;
  introspectionViews.set(schema, view);
  return view;
}

function selectOperation(
  document: DocumentNode,
  operationName: string | null | undefined,
): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION,
  );
  return operationName
    ? operations.find((candidate) => candidate.name?.value === operationName)
    : operations[0];
}

/** The document reduced to one operation and the fragments, as the walk costs the first operation. */
function withOnlyOperation(
  document: DocumentNode,
  operation: OperationDefinitionNode,
): DocumentNode {
  return {
    ...document,
    definitions: document.definitions.filter(
      (definition) => definition === operation || definition.kind === Kind.FRAGMENT_DEFINITION,
    ),
  };
}

export interface OperationMeasure {
  /** Estimated cost of everything but introspection subtrees. */
  cost: number;
  /** Estimated cost of the introspection subtrees (`__schema`, `__type`). */
  introspectionCost: number;
}

/**
 * Cost of the named (or first) operation; null when there is no such operation.
 * Throws a GraphQLError when variables do not fit the operation or fragments are cyclic
 * (which validation reports before this is reached).
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> = {},
  context: object = {},
): OperationMeasure | null {
  const operation = selectOperation(document, operationName);
  if (!operation) return null;
  const single = withOnlyOperation(document, operation);
  const measure = (view: GraphQLSchema): ComplexityResult =>
    complexityFromQuery(single, { schema: view, variables, ctx: context });
  const withoutIntrospection = measure(schema);
  const withIntrospection = measure(introspectionCostView(schema));
  return {
    cost: withoutIntrospection.complexity,
    introspectionCost: withIntrospection.complexity - withoutIntrospection.complexity,
  };
}

export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> = {},
): number {
  return measureOperation(schema, document, operationName, variables)?.cost ?? 0;
}

export interface QueryLimits {
  maxCost: number;
  maxIntrospectionCost: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  maxCost: LIMITS.maxQueryCost,
  maxIntrospectionCost: LIMITS.maxIntrospectionCost,
};

function tooComplex(what: string, cost: number, limit: number): GraphQLError {
  return new GraphQLError(`${what} ${cost} exceeds the limit of ${limit}`, {
    extensions: { code: "QUERY_TOO_COMPLEX", cost, limit },
  });
}

/** The errors to answer instead of running the operation; empty when its cost is within the limits. */
export function queryLimitErrors(
  args: {
    schema: GraphQLSchema;
    document: DocumentNode;
    operationName?: string | null;
    variableValues?: Record<string, unknown> | null;
    contextValue?: unknown;
  },
  limits: QueryLimits = DEFAULT_QUERY_LIMITS,
): GraphQLError[] {
  let measured: OperationMeasure | null;
  try {
    measured = measureOperation(
      args.schema,
      args.document,
      args.operationName,
      args.variableValues ?? {},
      typeof args.contextValue === "object" && args.contextValue !== null ? args.contextValue : {},
    );
  } catch (error) {
    if (error instanceof GraphQLError) return [error];
    throw error;
  }
  if (!measured) return [];
  const { cost, introspectionCost } = measured;
  if (cost > limits.maxCost) return [tooComplex("Query cost", cost, limits.maxCost)];
  if (introspectionCost > limits.maxIntrospectionCost) {
    return [tooComplex("Introspection cost", introspectionCost, limits.maxIntrospectionCost)];
  }
  return [];
}

/** Yoga plugin: bounded parsing, depth at validation, cost before execution and subscribing. */
export function useQueryLimits(
  maxDepth: number = LIMITS.maxQueryDepth,
  limits: QueryLimits = DEFAULT_QUERY_LIMITS,
): Plugin {
  const depthRule = depthLimitRule(maxDepth);
  return {
    onParse({ setParseFn }) {
      // Bounds the parser's work (and its recursion) before any other check sees the document.
      setParseFn((source, parseOptions) => {
        try {
          return parse(source, { ...parseOptions, maxTokens: LIMITS.maxTokens });
        } catch (error) {
          if (!(error instanceof RangeError)) throw error;
          throw new GraphQLError("Document is nested too deeply to parse", {
            extensions: { code: "QUERY_TOO_DEEP" },
          });
        }
      });
    },
    onValidate({ addValidationRule }) {
      addValidationRule(depthRule);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const errors = queryLimitErrors(args, limits);
      if (errors.length > 0) setResultAndStopExecution({ errors });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const errors = queryLimitErrors(args, limits);
      if (errors.length > 0) setResultAndStopExecution({ errors });
    },
  };
}
