import { describe, expect, it } from "vitest";
import type { AttemptRequest } from "../../../apps/server/src/contracts/attempt.ts";
import { PromptRenderer } from "../../../apps/server/src/prompt/renderer.ts";

function request(
  overrides: Partial<AttemptRequest> = {},
  prompt: Partial<AttemptRequest["prompt"]> = {},
): AttemptRequest {
  return {
    jobId: "job-7",
    sheetNum: 3,
    attemptNumber: 1,
    dispatchToken: "t",
    mode: "normal",
    instrument: "claude-code",
    model: null,
    timeoutSeconds: 60,
    workspace: "/data/ws/job-7",
    sheet: {
      num: 3,
      movement: 2,
      voice: 2,
      voiceCount: 3,
      startItem: 3,
      endItem: 3,
      description: "review the parser",
      instrument: "claude-code",
      instrumentFallbacks: [],
      model: null,
      timeoutSeconds: 60,
      instrumentConfig: {},
      dependsOn: [1],
      skipWhenCommand: null,
    },
    totalSheets: 5,
    totalMovements: 3,
    validations: [],
    ...overrides,
    prompt: {
      template: "Work on item {{ start_item }}.",
      variables: {},
      previousOutputs: {},
      previousFiles: {},
      failedValidations: [],
      retryNotice: null,
      ...prompt,
    },
  };
}

const renderer = new PromptRenderer();

async function rendered(req: AttemptRequest, rawPrompt = false): Promise<string> {
  const outcome = await renderer.render(req, { rawPrompt });
  if (!outcome.ok) throw new Error(outcome.message);
  return outcome.prompt;
}

describe("prompt rendering", () => {
  it("puts the preamble first: position, movement and voice, workspace", async () => {
    const text = await rendered(request());
    expect(text.startsWith("You are sheet 3 of 5.")).toBe(true);
    expect(text).toContain("movement 2 of 3, voice 2 of 3: review the parser");
    expect(text).toContain("Your workspace is /data/ws/job-7");
    expect(text).toContain("Work on item 3.");
  });

  it("fills the built-in variables and the score's variables, which win", async () => {
    const template =
      "{{ sheet_num }}/{{ total_sheets }} m{{ movement }} v{{ voice }}/{{ voice_count }} s{{ stage }} i{{ instance }} " +
      "{{ total_movements }} {{ workspace }} {{ instrument_name }} {{ topic }} {{ end_item }}";
    const text = await rendered(
      request({}, { template, variables: { topic: "parsers", end_item: 99 } }),
      true,
    );
    expect(text).toBe("3/5 m2 v2/3 s2 i2 3 /data/ws/job-7 claude-code parsers 99");
  });

  it("gives solo sheets voice 1", async () => {
    const req = request();
    req.sheet = { ...req.sheet, voice: null, voiceCount: 1 };
    expect(
      await rendered(
        { ...req, prompt: { ...req.prompt, template: "{{ voice }} of {{ voice_count }}" } },
        true,
      ),
    ).toBe("1 of 1");
  });

  it("injects previous outputs and files, and exposes them to the template", async () => {
    const req = request(
      {},
      {
        template:
          "{% for num, out in previous_outputs.items() %}[{{ num }}:{{ out }}]{% endfor %} {{ previous_files['notes.md'] }}",
        previousOutputs: { 2: "second", 1: "first" },
        previousFiles: { "notes.md": "file body" },
      },
    );
    const text = await rendered(req);
    expect(text).toContain("### Output of sheet 1\nfirst");
    expect(text.indexOf("Output of sheet 1")).toBeLessThan(text.indexOf("Output of sheet 2"));
    expect(text).toContain("### File notes.md");
    expect(text).toMatch(/\[(1|2):(first|second)\]\[(1|2):(first|second)\] file body/);
  });

  it("makes an undefined variable a clear error naming it and its line", async () => {
    const outcome = await renderer.render(
      request({}, { template: "line one\nUse {{ missing_thing }} here" }),
      { rawPrompt: false },
    );
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.line).toBe(2);
    expect(outcome.message).toContain("line 2");
    expect(outcome.message).toContain("missing_thing");
  });

  it("reports a syntax error", async () => {
    const outcome = await renderer.render(request({}, { template: "{% for x in %}" }), {
      rawPrompt: true,
    });
    expect(outcome.ok).toBe(false);
  });

  it("lists the applicable validations as a checklist with placeholders filled", async () => {
    const req = request({
      validations: [
        { type: "file_exists", path: "{workspace}/report-{sheet_num}.md" },
        { type: "content_contains", path: "x.md", pattern: "DONE", description: "x.md says DONE" },
        { type: "file_exists", path: "only-sheet-1.md", sheet: 1 },
      ],
    });
    const text = await rendered(req);
    expect(text).toContain("- [ ] file exists: /data/ws/job-7/report-3.md");
    expect(text).toContain("- [ ] x.md says DONE");
    expect(text).not.toContain("only-sheet-1.md");
  });

  it("adds a retry notice and, in completion mode, the unmet requirements last", async () => {
    const req = request(
      { mode: "completion", attemptNumber: 2 },
      {
        retryNotice: "Attempt 2: the previous one left work unfinished.",
        failedValidations: ["report.md exists"],
      },
    );
    const text = await rendered(req);
    expect(text).toContain("Attempt 2: the previous one left work unfinished.");
    const suffix = text.slice(text.lastIndexOf("## Finish the remaining work"));
    expect(suffix).toContain("- report.md exists");
    expect(text.trimEnd().endsWith("Complete them without redoing what already passes.")).toBe(
      true,
    );
  });

  it("gives raw-prompt instruments only the rendered template, trailing newline kept", async () => {
    const req = request(
      { mode: "completion", validations: [{ type: "file_exists", path: "a" }] },
      {
        template: "echo {{ sheet_num }} > out.txt\n",
        failedValidations: ["a"],
        previousOutputs: { 1: "x" },
      },
    );
    expect(await rendered(req, true)).toBe("echo 3 > out.txt\n");
  });

  it("does not escape HTML", async () => {
    expect(
      await rendered(
        request({}, { template: "{{ code }}", variables: { code: "<b>&</b>" } }),
        true,
      ),
    ).toBe("<b>&</b>");
  });
});
