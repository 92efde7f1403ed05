import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseScore, type ScoreParseResult } from "../../../apps/server/src/score/index.ts";
import { examplesDir, repoRoot } from "./support.ts";

// The server package owns the yaml dependency; tests borrow it to write mutated scores.
const YAML = createRequire(path.join(repoRoot, "apps/server/package.json"))("yaml") as {
  parse(text: string): unknown;
  stringify(value: unknown): string;
};

function expectWellFormed(result: ScoreParseResult) {
  if (result.ok) {
    expect(Array.isArray(result.sheets)).toBe(true);
    expect(result.warnings.every((warning) => typeof warning === "string")).toBe(true);
    return;
  }
  expect(result.problems.length).toBeGreaterThan(0);
  for (const problem of result.problems) {
    expect(typeof problem.path).toBe("string");
    expect(problem.message.length).toBeGreaterThan(0);
    if (problem.line !== undefined)
      expect(Number.isInteger(problem.line) && problem.line >= 1).toBe(true);
  }
}

const TOKENS = [
  "name: x",
  "sheet:",
  "prompt:",
  "  size: 1",
  "  total_items: 3",
  "  fan_out: {2: 3}",
  "  dependencies: {2: [1], 3: [2]}",
  "  template: go",
  "retry: {max_retries: 2}",
  "movements:",
  "  1: {instrument: cli}",
  "validations:",
  "  - {type: content_regex, path: a, pattern: '(?i)x'}",
  ":",
  "-",
  " ",
  "\n",
  "  ",
  "{",
  "}",
  "[",
  "]",
  "yes",
  "on:",
  "~",
  "&a",
  "*a",
  "<<: *a",
  "0x1F",
  "1:30",
  "'",
  '"',
  "#",
  "?",
  "|",
  ">",
  "!!str",
  "2024-01-01",
  ".inf",
  "1e3",
  "\t",
];

const yamlish = fc
  .array(fc.constantFrom(...TOKENS), { maxLength: 40 })
  .map((parts) => parts.join(""));
const lineJoined = fc
  .array(fc.constantFrom(...TOKENS), { maxLength: 30 })
  .map((parts) => parts.join("\n"));

const validTexts = fs
  .readdirSync(examplesDir)
  .filter((file) => file.endsWith(".yaml"))
  .map((file) => fs.readFileSync(path.join(examplesDir, file), "utf8"));

/** Replaces, adds or removes one value at a random place in a parsed score. */
function mutate(root: unknown, steps: number[], replacement: unknown, remove: boolean): unknown {
  if (steps.length === 0 || root === null || typeof root !== "object") return replacement;
  const container = (Array.isArray(root) ? [...root] : { ...(root as object) }) as Record<
    string,
    unknown
  >;
  const keys = Object.keys(container);
  if (keys.length === 0) return replacement;
  const key = keys[steps[0]! % keys.length]!;
  if (steps.length === 1 && remove && !Array.isArray(container)) delete container[key];
  else container[key] = mutate(container[key], steps.slice(1), replacement, remove);
  return container;
}

const scalar = fc.oneof(
  fc.integer({ min: -5, max: 100_000_000 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 12 }),
  fc.constantFrom("(?i)x", "(unclosed", "cli", "nonesuch", "1e3", "", "{{ oops"),
);
const replacementValue = fc.oneof(
  scalar,
  fc.array(scalar, { maxLength: 4 }),
  fc.dictionary(
    fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom("1", "2", "3", "size", "type")),
    scalar,
    { maxKeys: 4 },
  ),
);

describe("parseScore never throws", () => {
  it("on random YAML-ish text", () => {
    fc.assert(
      fc.property(fc.oneof(yamlish, lineJoined, fc.string({ maxLength: 200 })), (text) => {
        expectWellFormed(parseScore(text));
      }),
      { numRuns: 250 },
    );
  });

  it("on random mutations of valid scores", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...validTexts),
        fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
        replacementValue,
        fc.boolean(),
        (text, steps, replacement, remove) => {
          const mutated = mutate(YAML.parse(text), steps, replacement, remove);
          expectWellFormed(parseScore(YAML.stringify(mutated)));
        },
      ),
      { numRuns: 250 },
    );
  });

  it("on valid scores with characters cut out or inserted", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...validTexts),
        fc.nat(),
        fc.nat({ max: 20 }),
        fc.string({ maxLength: 5 }),
        (text, at, cut, insert) => {
          const position = at % (text.length + 1);
          expectWellFormed(
            parseScore(text.slice(0, position) + insert + text.slice(position + cut)),
          );
        },
      ),
      { numRuns: 250 },
    );
  });
});
