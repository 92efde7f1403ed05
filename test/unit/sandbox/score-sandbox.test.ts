import { afterEach, describe, expect, it } from "vitest";
import { ScoreSandbox } from "../../../apps/server/src/sandbox/score-sandbox.ts";
import { translatePythonRegexToRe2 } from "../../../apps/server/src/score/regex.ts";

const LONG_LOOP =
  "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}done";

let sandbox: ScoreSandbox | null = null;
afterEach(async () => {
  await sandbox?.close();
  sandbox = null;
});

describe("score sandbox", () => {
  it("stops a render that runs out of its instruction budget", async () => {
    sandbox = new ScoreSandbox({ fuel: 100_000 });
    await expect(sandbox.render("t", LONG_LOOP, {})).rejects.toMatchObject({
      kind: "budget",
      message: expect.stringContaining("fuel"),
    });
    expect(await sandbox.render("t", "{{ 1 + 1 }}", {})).toBe("2");
  });

  it("ends the thread of a render that overruns its time, and keeps serving", async () => {
    sandbox = new ScoreSandbox({ fuel: null, timeoutMs: 300, threads: 1 });
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 10);
    const overrun = sandbox.render("slow.j2", LONG_LOOP, {});
    await expect(overrun).rejects.toMatchObject({
      kind: "timeout",
      message: expect.stringMatching(/template slow\.j2 did not finish within 300 ms/),
    });
    clearInterval(ticker);
    // The event loop kept running while the template spun in its thread.
    expect(ticks).toBeGreaterThan(0);
    expect(await sandbox.render("t", "{{ 'next' }}", {})).toBe("next");
  });

  it("refuses output over the output budget", async () => {
    sandbox = new ScoreSandbox({ maxOutputChars: 1000 });
    await expect(sandbox.render("t", "{{ 'x' * 5000 }}", {})).rejects.toMatchObject({
      kind: "budget",
      message: expect.stringContaining("over the budget of 1000"),
    });
  });

  it("queues jobs beyond its threads and answers each", async () => {
    sandbox = new ScoreSandbox({ threads: 2 });
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, n) => sandbox!.render("t", "{{ n * 2 }}", { n })),
    );
    expect(results).toEqual(["0", "2", "4", "6", "8", "10", "12", "14"]);
  });

  it("passes only data into a template", async () => {
    sandbox = new ScoreSandbox();
    const context = { fn: () => "called", when: new Date(0), nested: { ok: 1 } };
    expect(await sandbox.render("t", "{{ fn is defined }} {{ nested.ok }}", context)).toBe(
      "false 1",
    );
  });

  it("reuses compiled templates without mixing up their data, names or errors", async () => {
    sandbox = new ScoreSandbox({ threads: 1 });
    const template = "sheet {{ sheet_num }}\n{{ label }}";
    for (const sheet_num of [1, 2, 3])
      expect(await sandbox.render("t", template, { sheet_num, label: `n${sheet_num}` })).toBe(
        `sheet ${sheet_num}\nn${sheet_num}`,
      );
    // The same text under another name is its own template: `.html` turns auto-escaping on.
    expect(await sandbox.render("page.html", "{{ label }}", { label: "<b>" })).toBe("&lt;b&gt;");
    expect(await sandbox.render("t", "{{ label }}", { label: "<b>" })).toBe("<b>");
    // A render of a compiled template that fails still names the line.
    await expect(sandbox.render("t", template, { sheet_num: 4 })).rejects.toMatchObject({
      kind: "syntax_or_render",
      line: 2,
      message: "undefined value",
    });
    // More templates than are kept compiled: the oldest are compiled again when they return.
    for (let n = 0; n < 300; n += 1)
      expect(await sandbox.render("t", `{{ ${n} + x }}`, { x: 1 })).toBe(String(n + 1));
    expect(await sandbox.render("t", "{{ 0 + x }}", { x: 2 })).toBe("2");
    expect(await sandbox.render("t", template, { sheet_num: 5, label: "e" })).toBe("sheet 5\ne");
  });

  it("matches a catastrophic-backtracking pattern in linear time", async () => {
    sandbox = new ScoreSandbox();
    const { source, flags } = translatePythonRegexToRe2("(a+)+$");
    expect(await sandbox.regexFinds(source, flags, `${"a".repeat(100_000)}b`)).toBe(false);
    expect(await sandbox.regexFinds(source, flags, "aaa")).toBe(true);
  });
});
