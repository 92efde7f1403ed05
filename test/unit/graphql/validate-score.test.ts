import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLES_DIR } from "../../../apps/server/src/graphql/services.ts";
import { openInProcessGateway, type InProcessGateway } from "./in-process.ts";

const VALIDATE = /* GraphQL */ `
  query Validate($score: String!) {
    validateScore(score: $score) {
      valid
      sheetCount
      warnings
      problems {
        path
        message
        line
      }
    }
  }
`;

interface Validation {
  validateScore: {
    valid: boolean;
    sheetCount: number | null;
    warnings: string[];
    problems: { path: string; message: string; line: number | null }[];
  };
}

describe("validateScore over yoga.fetch", () => {
  let gateway: InProcessGateway;
  beforeAll(async () => {
    gateway = await openInProcessGateway();
  });
  afterAll(async () => {
    await gateway.close();
  });

  it("accepts an example score and counts its sheets", async () => {
    const score = readFileSync(path.join(EXAMPLES_DIR, "linear-pipeline.yaml"), "utf8");
    const { status, body } = await gateway.execute<Validation>(VALIDATE, { score });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data!.validateScore).toMatchObject({ valid: true, sheetCount: 3, problems: [] });
  });

  it("reports malformed YAML with its line, as data rather than an error", async () => {
    const score = "name: broken\nsheet:\n  size: 1\n  total_items: [1, 2\nprompt: {}\n";
    const { body } = await gateway.execute<Validation>(VALIDATE, { score });
    expect(body.errors).toBeUndefined();
    const result = body.data!.validateScore;
    expect(result.valid).toBe(false);
    expect(result.sheetCount).toBeNull();
    expect(result.problems.length).toBeGreaterThan(0);
    expect(result.problems[0]!.line).toBeGreaterThanOrEqual(4);
  });

  it("names the key path of a rule broken by a well-formed score", async () => {
    const score =
      "name: typo\nsheet:\n  size: 1\n  total_items: 2\n  dependencies:\n    2: [7]\nprompt:\n  template: hi\n";
    const { body } = await gateway.execute<Validation>(VALIDATE, { score });
    const result = body.data!.validateScore;
    expect(result.valid).toBe(false);
    expect(result.problems.some((problem) => problem.path.startsWith("sheet.dependencies"))).toBe(
      true,
    );
  });

  it("rejects a score over 1 MB with a problem at the document saying its size and the limit", async () => {
    const score = `name: big\n# ${"x".repeat(2 * 1024 * 1024)}\n`;
    const { status, body } = await gateway.execute<Validation>(VALIDATE, { score });
    expect(status).toBe(200);
    const result = body.data!.validateScore;
    expect(result.valid).toBe(false);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]!.path).toBe("");
    expect(result.problems[0]!.message).toContain(`${Buffer.byteLength(score)} bytes`);
    expect(result.problems[0]!.message).toContain("1048576 bytes");
  });

  it("answers the health query", async () => {
    const { body } = await gateway.execute<{
      health: { ok: boolean; database: boolean; activeSubscriptions: number };
    }>("{ health { ok database activeSubscriptions } }");
    expect(body.data!.health).toEqual({ ok: true, database: true, activeSubscriptions: 0 });
  });
});
