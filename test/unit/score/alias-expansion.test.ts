import { describe, expect, it } from "vitest";
import { MAX_EXPANDED_SCORE_CHARS } from "../../../apps/server/src/score/yaml.ts";
import { parseInvalid, parseValid } from "./support.ts";

const LEAF = "x".repeat(100_000);

function aliasBomb(aliases: number, at = "prompt.variables"): string {
  const list = `[${Array(aliases).fill("*a").join(", ")}]`;
  return at === "prompt.variables"
    ? `name: bomb\nsheet: {size: 1, total_items: 1}\nprompt:\n  template: go\n  variables:\n    a: &a "${LEAF}"\n    b: ${list}\n`
    : `a: &a "${LEAF}"\nname: bomb\nsheet: {size: 1, total_items: 1}\nprompt: {template: go}\nvalidations: ${list}\n`;
}

describe("YAML aliases", () => {
  it("refuses a score whose aliases expand past the limit, in one short problem", () => {
    const text = aliasBomb(990);
    expect(text.length).toBeLessThan(110_000);
    const result = parseInvalid(text);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]!.message).toMatch(/expands to about \d+ KB once its YAML aliases/);
    expect(JSON.stringify(result).length).toBeLessThan(2_000);
  });

  it("keeps the answer small when aliased values are invalid where they land", () => {
    const result = parseInvalid(aliasBomb(30, "validations"));
    expect(JSON.stringify(result).length).toBeLessThan(100_000);
    for (const problem of result.problems) expect(problem.message.length).toBeLessThan(1_100);
  });

  it("accepts aliases that stay within the limit", () => {
    const aliases = Math.floor(MAX_EXPANDED_SCORE_CHARS / LEAF.length / 2);
    const parsed = parseValid(aliasBomb(aliases));
    expect((parsed.config.prompt.variables.b as string[]).length).toBe(aliases);
  });
});
