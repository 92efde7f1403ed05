/**
 * Templates without Jinja syntax are answered without a round trip to the sandbox thread. The
 * answer must be what minijinja itself renders: checked over random texts built from the
 * characters that come close to Jinja syntax, and over every string of the upstream scores
 * and the examples.
 */
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { rendersAsItself, ScoreSandbox } from "../../../apps/server/src/sandbox/score-sandbox.ts";
import { readYaml } from "../../../apps/server/src/score/yaml.ts";
import {
  examplesDir,
  upstreamPresent,
  upstreamScoresDir,
  warnIfUpstreamMissing,
} from "../score/support.ts";

const inline = new ScoreSandbox();
const threaded = new ScoreSandbox({}, { inlinePlainText: false });
afterAll(() => Promise.all([inline.close(), threaded.close()]));

/** Integer keys make the thread put a prelude in front of the template. */
const contexts: Array<Record<string, unknown>> = [
  {},
  { sheet_num: 2, previous_outputs: { 1: "first {{ not a tag }}" }, name: "x" },
];

async function expectSameRender(template: string): Promise<void> {
  for (const context of contexts) {
    const viaThread = await threaded.render("t", template, context);
    expect(await inline.render("t", template, context)).toBe(viaThread);
  }
}

const NEAR_JINJA = [
  "{",
  "}",
  "%",
  "#",
  "-",
  "+",
  "~",
  "\n",
  "\r\n",
  "\t",
  " ",
  "a",
  "é",
  "😀",
  "\u0000",
  "\uD800",
  "\uDC00",
  "raw",
  "endraw",
  "}}",
  "%}",
  "#}",
  "{ {",
  "{-",
];

const nearJinjaText = fc
  .array(fc.oneof(fc.constantFrom(...NEAR_JINJA), fc.string({ maxLength: 4, unit: "binary" })), {
    maxLength: 40,
  })
  .map((parts) => parts.join(""));

function yamlStrings(value: unknown, into: string[]): string[] {
  if (typeof value === "string") into.push(value);
  else if (Array.isArray(value)) for (const item of value) yamlStrings(item, into);
  else if (value !== null && typeof value === "object")
    for (const item of Object.values(value)) yamlStrings(item, into);
  return into;
}

function scoreStrings(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const strings: string[] = [];
  for (const file of fs.readdirSync(dir).filter((name) => /\.ya?ml$/.test(name))) {
    const read = readYaml(fs.readFileSync(path.join(dir, file), "utf8"));
    if (read.ok) yamlStrings(read.value, strings);
  }
  return strings;
}

describe("plain-text templates rendered without the sandbox thread", () => {
  it("tells Jinja syntax apart", () => {
    expect(rendersAsItself("true\n")).toBe(true);
    expect(rendersAsItself("echo '{' '}' 50% #1")).toBe(true);
    expect(rendersAsItself("{{ x }}")).toBe(false);
    expect(rendersAsItself("{% raw %}")).toBe(false);
    expect(rendersAsItself("{# note #}")).toBe(false);
    expect(rendersAsItself("lone \uD800")).toBe(false);
  });

  it("renders random near-Jinja texts as minijinja does", async () => {
    await fc.assert(
      fc.asyncProperty(nearJinjaText, async (template) => {
        fc.pre(rendersAsItself(template));
        await expectSameRender(template);
      }),
      { numRuns: 400 },
    );
  });

  it("renders every plain string of the examples and upstream scores as minijinja does", async () => {
    warnIfUpstreamMissing("the upstream half of the plain-text corpus");
    const strings = [...scoreStrings(examplesDir), ...scoreStrings(upstreamScoresDir)];
    const plain = strings.filter(rendersAsItself);
    expect(plain.length).toBeGreaterThan(upstreamPresent ? 100 : 0);
    for (const template of plain) await expectSameRender(template);
  });

  it("keeps the output budget", async () => {
    const small = new ScoreSandbox({ maxOutputChars: 10 });
    try {
      await expect(small.render("t", "x".repeat(11), {})).rejects.toMatchObject({
        kind: "budget",
        message: "rendered text is 11 characters, over the budget of 10",
      });
      expect(await small.render("t", "x".repeat(10), {})).toBe("x".repeat(10));
    } finally {
      await small.close();
    }
  });
});
