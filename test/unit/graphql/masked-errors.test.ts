import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openInProcessGateway, type InProcessGateway } from "./in-process.ts";

describe("unexpected errors", () => {
  let gateway: InProcessGateway;
  beforeAll(async () => {
    gateway = await openInProcessGateway();
  });
  afterAll(async () => {
    await gateway.close();
  });

  it("are masked for clients and logged with their cause, while expected ones pass through", async () => {
    const expected = await gateway.execute('mutation { cancelJob(id: "nope") { id } }');
    expect(expected.body.errors![0]).toMatchObject({ extensions: { code: "NOT_FOUND" } });
    expect(gateway.unexpected).toEqual([]);

    // Pull the table out from under the read model: the failure is not the client's business.
    await gateway.podium.db.prisma.$executeRawUnsafe('ALTER TABLE "Job" RENAME TO "JobMissing"');
    const { body } = await gateway.execute("{ jobs { edges { cursor } } }");
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]!.message).toBe("Unexpected error.");
    expect(JSON.stringify(body)).not.toMatch(/prisma|sqlite|database/i);
    expect(gateway.unexpected.length).toBeGreaterThan(0);
  });
});
