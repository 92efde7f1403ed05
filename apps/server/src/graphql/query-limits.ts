/**
 * Limits on what one operation may ask for, so that a single request cannot make the server read
 * the whole database or recurse without end:
 * - depth: nesting of selection sets, checked at validation (introspection subtrees excluded,
 *   so GraphiQL's schema query always passes);
 * - cost: 1 per field, times the page size under a connection (`first`, default 50) and times
 *   LIST_MULTIPLIER under any other list; checked before execution, when variables are known.
 * - size: at most LIMITS.maxTokens tokens per document, enforced by the parser.
 * Rejections are GraphQL errors with extensions.code QUERY_TOO_DEEP or QUERY_TOO_COMPLEX.
 */
import {
  GraphQLError,
  Kind,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  isInterfaceType,
  parse,
  valueFromASTUntyped,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationRule,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import { LIMITS } from "./limits.ts";

/** Assumed length of a list that has no `first` argument (sheets of a job, attempts of a sheet). */
export const LIST_MULTIPLIER = 10;

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
  }
  return fragments;
}

function selectionDepth(
  selectionSet: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  visiting: Set<string>,
): number {
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    switch (selection.kind) {
      case Kind.FIELD: {
        if (selection.name.value.startsWith("__")) break;
        const below = selection.selectionSet
          ? selectionDepth(selection.selectionSet, fragments, visiting)
          : 0;
        deepest = Math.max(deepest, 1 + below);
        break;
      }
      case Kind.INLINE_FRAGMENT:
        deepest = Math.max(deepest, selectionDepth(selection.selectionSet, fragments, visiting));
        break;
      case Kind.FRAGMENT_SPREAD: {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || visiting.has(name)) break; // unknown or cyclic: other rules report it
        visiting.add(name);
        deepest = Math.max(deepest, selectionDepth(fragment.selectionSet, fragments, visiting));
        visiting.delete(name);
        break;
      }
      default: {
        const unexpected: never = selection;
        throw new Error(`Unexpected selection ${String(unexpected)}`);
      }
    }
  }
  return deepest;
}

export function operationDepth(document: DocumentNode, operation: OperationDefinitionNode): number {
  return selectionDepth(operation.selectionSet, fragmentsOf(document), new Set());
}

/** Validation rule rejecting operations nested deeper than `maxDepth`. */
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

interface CostWalk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  visiting: Set<string>;
}

function fieldMultiplier(
  field: GraphQLField<unknown, unknown>,
  args: Record<string, unknown>,
  parentIsConnection: boolean,
): number {
  const returnType = getNullableType(field.type);
  const named = getNamedType(field.type);
  if (named.name.endsWith("Connection")) {
    const first = args.first;
    return typeof first === "number" && first >= 0 ? first : LIMITS.defaultPageSize;
  }
  // A connection's `edges` list is already counted by the connection's page size.
  if (parentIsConnection) return 1;
  return isListType(returnType) ? LIST_MULTIPLIER : 1;
}

function argumentValues(
  node: { arguments?: readonly { name: { value: string }; value: import("graphql").ValueNode }[] },
  variables: Record<string, unknown>,
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const argument of node.arguments ?? []) {
    values[argument.name.value] = valueFromASTUntyped(argument.value, variables);
  }
  return values;
}

function selectionCost(
  walk: CostWalk,
  parentType: GraphQLOutputType,
  selectionSet: SelectionSetNode,
): number {
  const named = getNamedType(parentType);
  const parentIsConnection = named.name.endsWith("Connection");
  let cost = 0;
  for (const selection of selectionSet.selections) {
    switch (selection.kind) {
      case Kind.FIELD: {
        const name = selection.name.value;
        if (name.startsWith("__")) break;
        const field =
          isObjectType(named) || isInterfaceType(named) ? named.getFields()[name] : undefined;
        if (!field) break; // unknown fields are reported by validation
        const multiplier = fieldMultiplier(
          field,
          argumentValues(selection, walk.variables),
          parentIsConnection,
        );
        const below = selection.selectionSet
          ? selectionCost(walk, field.type, selection.selectionSet)
          : 0;
        cost += 1 + multiplier * below;
        break;
      }
      case Kind.INLINE_FRAGMENT: {
        const condition = selection.typeCondition
          ? walk.schema.getType(selection.typeCondition.name.value)
          : named;
        if (condition && (isObjectType(condition) || isInterfaceType(condition))) {
          cost += selectionCost(walk, condition, selection.selectionSet);
        }
        break;
      }
      case Kind.FRAGMENT_SPREAD: {
        const fragment = walk.fragments.get(selection.name.value);
        if (!fragment || walk.visiting.has(fragment.name.value)) break;
        const condition = walk.schema.getType(fragment.typeCondition.name.value);
        if (!condition || !(isObjectType(condition) || isInterfaceType(condition))) break;
        walk.visiting.add(fragment.name.value);
        cost += selectionCost(walk, condition, fragment.selectionSet);
        walk.visiting.delete(fragment.name.value);
        break;
      }
      default: {
        const unexpected: never = selection;
        throw new Error(`Unexpected selection ${String(unexpected)}`);
      }
    }
  }
  return cost;
}

export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> = {},
): number {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION,
  );
  const operation = operationName
    ? operations.find((candidate) => candidate.name?.value === operationName)
    : operations[0];
  if (!operation) return 0;
  const rootType =
    operation.operation === "query"
      ? schema.getQueryType()
      : operation.operation === "mutation"
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  if (!rootType) return 0;
  return selectionCost(
    { schema, fragments: fragmentsOf(document), variables, visiting: new Set() },
    rootType,
    operation.selectionSet,
  );
}

function costError(cost: number, maxCost: number): GraphQLError {
  return new GraphQLError(`Query cost ${cost} exceeds the limit of ${maxCost}`, {
    extensions: { code: "QUERY_TOO_COMPLEX", cost, limit: maxCost },
  });
}

/** Yoga plugin: depth at validation, cost before execution and before subscribing. */
export function useQueryLimits(
  maxDepth: number = LIMITS.maxQueryDepth,
  maxCost: number = LIMITS.maxQueryCost,
): Plugin {
  const depthRule = depthLimitRule(maxDepth);
  const check = (args: {
    schema: GraphQLSchema;
    document: DocumentNode;
    operationName?: string | null;
    variableValues?: Record<string, unknown> | null;
  }): GraphQLError | null => {
    const cost = operationCost(
      args.schema,
      args.document,
      args.operationName,
      args.variableValues ?? {},
    );
    return cost > maxCost ? costError(cost, maxCost) : null;
  };
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
      const error = check(args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = check(args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
