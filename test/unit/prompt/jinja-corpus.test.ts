import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { AttemptRequest } from "../../../apps/server/src/contracts/attempt.ts";
import { PromptRenderer } from "../../../apps/server/src/prompt/renderer.ts";
import { renderTemplate } from "../../../apps/server/src/prompt/template.ts";
import { ScoreSandbox } from "../../../apps/server/src/sandbox/score-sandbox.ts";
import { parseScore } from "../../../apps/server/src/score/index.ts";
import { upstreamPresent, upstreamScoresDir, warnIfUpstreamMissing } from "../score/support.ts";

const sandbox = new ScoreSandbox();
afterAll(() => sandbox.close());

const context = {
  stage: 3,
  name: "ada",
  items: ["b", "a", "c"],
  people: { 1: { name: "Ada" }, 2: { name: "Bo" } },
  scores: { x: 1, y: 2 },
  text: "hello world",
  rows: [{ n: 2 }, { n: 5 }],
  flag: true,
};

function render(template: string): Promise<string> {
  return renderTemplate({ name: "corpus", template, context }, sandbox);
}

// Jinja2 constructs as Python's Jinja2 renders them (output checked against Jinja2 3.1).
const corpus: Array<[string, string, string]> = [
  ["string, number, list literals", `{{ "a" }}{{ 'b' }}{{ 3 }}{{ 1.5 }}{{ [1, 2][1] }}`, "ab31.52"],
  ["dict literal with integer keys", `{{ {2: "a", 3: "b"}[stage] }}`, "b"],
  ["integer keys from the data", `{{ people[1].name }}{{ people[2]["name"] }}`, "AdaBo"],
  [
    "arithmetic and concatenation",
    `{{ 7 // 2 }} {{ 7 % 4 }} {{ 2 ** 3 }} {{ "n" ~ 1 }}`,
    "3 3 8 n1",
  ],
  ["comparisons and logic", `{{ 1 < 2 and not (3 == 4) }}`, "true"],
  ["conditional expression", `{{ "big" if stage > 2 else "small" }}`, "big"],
  ["slices", `{{ text[:5] }}|{{ text[-5:] }}|{{ items[::-1]|join }}`, "hello|world|cab"],
  [
    "filters",
    `{{ name|upper }} {{ name|capitalize }} {{ items|sort|join(",") }} {{ items|length }}`,
    "ADA Ada a,b,c 3",
  ],
  [
    "filter chains and arguments",
    `{{ text|replace("world", "you")|title }} {{ "x"|default("y") }}`,
    "Hello You x",
  ],
  ["default of an undefined value", `{{ nothing|default("fallback") }}`, "fallback"],
  [
    "map, select and attributes",
    `{{ rows|map(attribute="n")|join("+") }} {{ [0, 1, 2]|select|list|length }}`,
    "2+5 2",
  ],
  [
    "printf-style format filter",
    `{{ "%s has %d items, %.1f%%"|format(name, 3, 12.345) }}`,
    "ada has 3 items, 12.3%",
  ],
  [
    "truncate, center, wordcount",
    `{{ "a b c d e f g h i j"|truncate(9, leeway=0) }}|{{ "x"|center(5) }}|{{ text|wordcount }}`,
    "a b c...|  x  |2",
  ],
  [
    "tests",
    `{{ stage is odd }} {{ nothing is defined }} {{ none is none }} {{ items is sequence }}`,
    "true false true true",
  ],
  [
    "for loops with loop variables",
    `{% for i in items %}{{ loop.index }}{{ i }}{% if not loop.last %},{% endif %}{% endfor %}`,
    "1b,2a,3c",
  ],
  ["for-else", `{% for i in [] %}x{% else %}empty{% endfor %}`, "empty"],
  [
    "loop over .items()",
    `{% for k, v in scores.items() %}{{ k }}={{ v }};{% endfor %}`,
    "x=1;y=2;",
  ],
  [
    "dict methods",
    `{{ scores.keys()|list|join }} {{ scores.values()|sum }} {{ scores.get("x") }}`,
    "xy 3 1",
  ],
  [
    "string methods",
    `{{ " a,b ".strip().split(",")|join("|") }} {{ name.startswith("a") }} {{ name.upper() }}`,
    "a|b true ADA",
  ],
  [
    "set and set blocks",
    `{% set n = stage * 2 %}{% set block %}n={{ n }}{% endset %}{{ block }}`,
    "n=6",
  ],
  [
    "macros with defaults and keyword arguments",
    `{% macro tag(t, cls="x") %}<{{ t }} {{ cls }}>{% endmacro %}{{ tag("a") }}{{ tag("b", cls="y") }}`,
    "<a x><b y>",
  ],
  [
    "macro call blocks",
    `{% macro box() %}[{{ caller() }}]{% endmacro %}{% call box() %}in{% endcall %}`,
    "[in]",
  ],
  ["whitespace control", `{%- if flag -%}  yes  {%- endif -%}`, "yes"],
  ["raw blocks", `{% raw %}{{ not rendered }}{% endraw %}`, "{{ not rendered }}"],
  ["comments", `a{# hidden #}b`, "ab"],
  [
    "range and namespace",
    `{% set ns = namespace(total=0) %}{% for i in range(4) %}{% set ns.total = ns.total + i %}{% endfor %}{{ ns.total }}`,
    "6",
  ],
  ["no HTML escaping", `{{ "<b>&</b>" }}`, "<b>&</b>"],
];

describe("Jinja2 compatibility corpus", () => {
  it.each(corpus)("%s", async (_what, template, expected) => {
    expect(await render(template)).toBe(expected);
  });

  it("makes an undefined value an error naming the template and line", async () => {
    await expect(render("one\n{{ missing }}")).rejects.toMatchObject({
      name: "TemplateRenderError",
      line: 2,
      message: expect.stringMatching(/corpus at line 2: undefined value.*\{\{ missing \}\}/),
    });
  });

  it("reaches no JavaScript from a template", async () => {
    for (const escape of [
      `{{ range.constructor("return process.pid")() }}`,
      `{{ "".constructor.constructor("return process")() }}`,
      `{{ items.__class__ }}`,
      `{{ cycler.__init__.__globals__ }}`,
      `{% include "/etc/passwd" %}`,
    ]) {
      await expect(render(escape), escape).rejects.toMatchObject({ name: "TemplateRenderError" });
    }
  });
});

warnIfUpstreamMissing("the upstream half of test/unit/prompt/jinja-corpus.test.ts");

describe.skipIf(!upstreamPresent)("upstream scores render in the sandbox", () => {
  const files = upstreamPresent
    ? fs
        .readdirSync(upstreamScoresDir)
        .filter((file) => file.endsWith(".yaml"))
        .sort()
    : [];
  const renderer = new PromptRenderer(sandbox);

  it.each(files)("%s: every sheet's prompt renders", async (file) => {
    const parsed = parseScore(fs.readFileSync(path.join(upstreamScoresDir, file), "utf8"), {
      baseDir: upstreamScoresDir,
    });
    if (!parsed.ok) throw new Error(parsed.message);
    for (const sheet of parsed.sheets) {
      const request: AttemptRequest = {
        jobId: "job",
        sheetNum: sheet.num,
        attemptNumber: 1,
        dispatchToken: "t",
        mode: "normal",
        instrument: sheet.instrument,
        model: null,
        timeoutSeconds: 60,
        workspace: "/tmp/ws",
        sheet,
        totalSheets: parsed.sheets.length,
        totalMovements: parsed.totalMovements,
        validations: parsed.config.validations as AttemptRequest["validations"],
        prompt: {
          template: parsed.config.prompt.template,
          variables: parsed.config.prompt.variables,
          previousOutputs: Object.fromEntries(sheet.dependsOn.map((dep) => [dep, `out ${dep}`])),
          previousFiles: {},
          failedValidations: [],
          retryNotice: null,
        },
      };
      const outcome = await renderer.render(request, { rawPrompt: false });
      expect(outcome, `sheet ${sheet.num}`).toMatchObject({ ok: true });
    }
  });
});
