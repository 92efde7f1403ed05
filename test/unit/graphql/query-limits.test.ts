import { getIntrospectionQuery, parse, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { LIMITS } from "../../../apps/server/src/graphql/limits.ts";
import {
  depthLimitRule,
  LIST_MULTIPLIER,
  operationCost,
  operationDepth,
} from "../../../apps/server/src/graphql/query-limits.ts";
import { schema } from "../../../apps/server/src/graphql/schema/index.ts";

function depthOf(query: string): number {
  const document = parse(query);
  const operation = document.definitions.find(
    (definition) => definition.kind === "OperationDefinition",
  );
  return operationDepth(document, operation as never);
}

describe("query depth", () => {
  it("counts nested fields through fragments, not fragment wrappers", () => {
    expect(depthOf("{ health { ok } }")).toBe(2);
    expect(
      depthOf(
        "query { job(id: 1) { ...J } } fragment J on Job { sheets { ... on Sheet { attempts { costUsd } } } }",
      ),
    ).toBe(4);
  });

  it("lets GraphiQL's introspection query through", () => {
    const errors = validate(schema, parse(getIntrospectionQuery()), [
      depthLimitRule(LIMITS.maxQueryDepth),
    ]);
    expect(errors).toEqual([]);
  });

  it("reports an operation deeper than the limit with QUERY_TOO_DEEP", () => {
    const errors = validate(
      schema,
      parse("{ jobs { edges { node { sheets { attempts { costUsd } } } } } }"),
      [depthLimitRule(4)],
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]!.extensions).toEqual({ code: "QUERY_TOO_DEEP", depth: 6, limit: 4 });
  });

  it("survives fragment cycles (reported by the standard rules instead)", () => {
    const document = parse("{ job(id: 1) { ...A } } fragment A on Job { sheets { num } ...A }");
    expect(() => validate(schema, document, [depthLimitRule(12)])).not.toThrow();
  });
});

describe("query cost", () => {
  it("charges one per field", () => {
    expect(operationCost(schema, parse("{ health { ok version } }"), null)).toBe(3);
  });

  it("multiplies a connection's selection by `first`, from literals or variables", () => {
    const query = "query ($n: Int) { jobs(first: $n) { edges { node { id name } } } }";
    // jobs(1) + n × (edges(1) + node(1) + id + name)
    expect(operationCost(schema, parse(query), null, { n: 10 })).toBe(1 + 10 * 4);
    expect(operationCost(schema, parse("{ jobs(first: 2) { edges { node { id } } } }"), null)).toBe(
      1 + 2 * 3,
    );
    expect(operationCost(schema, parse("{ jobs { edges { node { id } } } }"), null)).toBe(
      1 + LIMITS.defaultPageSize * 3,
    );
  });

  it("multiplies other lists by LIST_MULTIPLIER", () => {
    expect(operationCost(schema, parse('{ job(id: "x") { sheets { num status } } }'), null)).toBe(
      1 + (1 + LIST_MULTIPLIER * 2),
    );
  });

  it("picks the named operation", () => {
    const document = parse("query A { health { ok } } query B { instruments { name } }");
    expect(operationCost(schema, document, "B")).toBe(1 + LIST_MULTIPLIER);
  });

  it("prices the dashboard's heaviest views well under the limit and a runaway one over it", () => {
    const jobPage =
      parse(`query ($id: ID!) { job(id: $id) { id name status sheets { num status instrument dependsOn
      attempts { attemptNumber passRate validationDetails { index passed message } } }
      events(first: 200) { edges { cursor node { seq event data timestamp } } } } }`);
    expect(operationCost(schema, jobPage, null, { id: "x" })).toBeLessThan(LIMITS.maxQueryCost);
    const runaway = parse(
      "{ jobs(first: 500) { edges { node { sheets { attempts { validationDetails { message } } } } } } }",
    );
    expect(operationCost(schema, runaway, null)).toBeGreaterThan(LIMITS.maxQueryCost);
  });
});
