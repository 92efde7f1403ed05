import { getIntrospectionQuery, parse, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { LIMITS } from "../../../apps/server/src/graphql/limits.ts";
import {
  DEFAULT_QUERY_LIMITS,
  depthLimitRule,
  LIST_MULTIPLIER,
  measureOperation,
  operationCost,
  operationDepth,
  queryLimitErrors,
} from "../../../apps/server/src/graphql/query-limits.ts";
import { schema } from "../../../apps/server/src/graphql/schema/index.ts";

function depthOf(query: string): number {
  const document = parse(query);
  const operation = document.definitions.find(
    (definition) => definition.kind === "OperationDefinition",
  );
  return operationDepth(document, operation as never);
}

function limitErrors(query: string, limits = DEFAULT_QUERY_LIMITS) {
  return queryLimitErrors({ schema, document: parse(query) }, limits);
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
    expect(limitErrors(getIntrospectionQuery())).toEqual([]);
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
    expect(limitErrors(document.loc!.source.body)[0]!.message).toMatch(/cyclic fragment/);
  });

  it("measures fragments that each spread the next twice once each", () => {
    const fragments = ["fragment F0 on Job { sheets { num } }"];
    for (let i = 1; i <= 60; i += 1)
      fragments.push(`fragment F${i} on Job { ...F${i - 1} ...F${i - 1} }`);
    expect(depthOf(`{ job(id: 1) { ...F60 } } ${fragments.join(" ")}`)).toBe(3);
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

  it("prices fragments that each spread the next twice without expanding them", () => {
    // 2^60 copies of one field if expanded; evaluated once per fragment, the walk ends at once.
    const fragments = ["fragment F0 on Query { health { ok } }"];
    for (let i = 1; i <= 60; i += 1)
      fragments.push(`fragment F${i} on Query { ...F${i - 1} ...F${i - 1} }`);
    const errors = limitErrors(`{ ...F60 } ${fragments.join(" ")}`);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.extensions).toMatchObject({ code: "QUERY_TOO_COMPLEX", cost: 2 ** 61 });
  });
});

describe("introspection cost", () => {
  it("counts introspection lists like any other and keeps GraphiQL's full query within its limit", () => {
    const full = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
    });
    const measured = measureOperation(schema, parse(full), null)!;
    expect(measured.introspectionCost).toBeGreaterThan(LIMITS.maxQueryCost);
    expect(measured.introspectionCost).toBeLessThan(LIMITS.maxIntrospectionCost);
    expect(
      measureOperation(schema, parse('{ __type(name: "Job") { fields { name } } }'), null)!
        .introspectionCost,
    ).toBe(1 + LIST_MULTIPLIER); // `fields` and its items; `__type` itself counts in `cost`
  });

  it("refuses nested type chains with QUERY_TOO_COMPLEX", () => {
    const chain =
      "{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }";
    const errors = limitErrors(chain);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.extensions).toMatchObject({
      code: "QUERY_TOO_COMPLEX",
      limit: LIMITS.maxIntrospectionCost,
    });
  });
});
