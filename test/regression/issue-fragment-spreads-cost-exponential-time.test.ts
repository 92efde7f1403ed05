/**
 * A ~420-token document whose fragments each spread the next twice hung the server: the depth
 * and cost walks in graphql/query-limits.ts re-entered every spread fragment, so the work doubled
 * with each fragment (2^40 visits here). Each fragment is now measured once, and the operation is
 * refused with QUERY_TOO_COMPLEX straight away.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openInProcessGateway, type InProcessGateway } from "../unit/graphql/in-process.ts";

describe("fragments that each spread the next twice", () => {
  let gateway: InProcessGateway;
  beforeAll(async () => {
    gateway = await openInProcessGateway();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it("are costed without being expanded and refused as too complex", async () => {
    const fragments = ["fragment F0 on Query { health { ok } }"];
    for (let i = 1; i <= 40; i += 1) {
      fragments.push(`fragment F${i} on Query { ...F${i - 1} ...F${i - 1} }`);
    }
    const { body } = await gateway.execute(`{ ...F40 } ${fragments.join(" ")}`);
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: "QUERY_TOO_COMPLEX" });
    const { body: after } = await gateway.execute("{ health { ok } }");
    expect(after.data).toEqual({ health: { ok: true } });
  });
});
