import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { AttemptRequest } from "../../../apps/server/src/contracts/attempt.ts";
import { mayRunConcurrently } from "../../../apps/server/src/baton/core/request.ts";
import { collectCapturedFiles } from "../../../apps/server/src/prompt/context-files.ts";
import { PromptRenderer } from "../../../apps/server/src/prompt/renderer.ts";
import { Engine } from "../baton/support/engine.ts";
import { independent, plan, spec } from "../baton/support/fixtures.ts";

function request(workspace: string, prompt: Partial<AttemptRequest["prompt"]>): AttemptRequest {
  const sheet = plan(2);
  return {
    jobId: "j",
    sheetNum: 2,
    attemptNumber: 1,
    dispatchToken: "t",
    mode: "normal",
    instrument: "claude-code",
    model: null,
    timeoutSeconds: 60,
    workspace,
    sheet,
    totalSheets: 3,
    totalMovements: 3,
    validations: [],
    prompt: {
      template: "THE TASK",
      variables: {},
      previousOutputs: {},
      previousFiles: {},
      failedValidations: [],
      retryNotice: null,
      ...prompt,
    },
  };
}

describe("sheet context", () => {
  it("tells a sheet when others of its job may play at the same time", () => {
    const e = new Engine();
    e.register(spec("par", independent(3), { parallel: { enabled: true, maxConcurrent: 3 } }));
    e.register(spec("seq", independent(3)));
    const chain = [plan(1), plan(2, { dependsOn: [1] }), plan(3, { dependsOn: [2] })];
    e.register(spec("chain", chain, { parallel: { enabled: true, maxConcurrent: 3 } }));
    expect(mayRunConcurrently(e.state.jobs.get("par")!, 1)).toBe(true);
    expect(mayRunConcurrently(e.state.jobs.get("seq")!, 1)).toBe(false);
    expect(mayRunConcurrently(e.state.jobs.get("chain")!, 2)).toBe(false);
  });

  it("puts the concurrency note in the preamble, context before the task, skills and tools after", async () => {
    const workspace = mkdtempSync(path.join(tmpdir(), "podium-context-"));
    writeFileSync(path.join(workspace, "ctx-2.md"), "CONTEXT TEXT");
    mkdirSync(path.join(workspace, "skills"));
    writeFileSync(path.join(workspace, "skills", "a.md"), "SKILL TEXT");
    writeFileSync(path.join(workspace, "tool.md"), "TOOL TEXT");
    const outcome = await new PromptRenderer().render(
      request(workspace, {
        concurrentSheets: true,
        injections: [
          { file: "ctx-{{ sheet_num }}.md", directory: null, as: "context" },
          { file: null, directory: "{{ workspace }}/skills", as: "skill" },
          { file: "tool.md", directory: null, as: "tool" },
          { file: "missing.md", directory: null, as: "tool" },
        ],
      }),
      { rawPrompt: false },
    );
    if (!outcome.ok) throw new Error(outcome.message);
    const text = outcome.prompt;
    const at = (needle: string) => text.indexOf(needle);
    expect(at("Other sheets of this job may be running at the same time")).toBeGreaterThan(0);
    expect(at("## Injected context")).toBeLessThan(at("THE TASK"));
    expect(at("CONTEXT TEXT")).toBeLessThan(at("THE TASK"));
    expect(at("THE TASK")).toBeLessThan(at("## Skills"));
    expect(at("SKILL TEXT")).toBeLessThan(at("## Tools"));
    expect(at("TOOL TEXT")).toBeGreaterThan(at("## Tools"));
  });

  it("collects capture_files rendered as Jinja, heads kept with the truncation marker", async () => {
    const workspace = mkdtempSync(path.join(tmpdir(), "podium-capture-"));
    writeFileSync(path.join(workspace, "out-1.txt"), "abcdefghijklmnop");
    writeFileSync(path.join(workspace, "short.log"), "ok");
    const files = await collectCapturedFiles({
      request: request(workspace, {}),
      patterns: ["{{ workspace }}/out-{{ sheet_num - 1 }}.txt", "*.log", "{{ nope }}"],
      maxChars: 5,
    });
    expect(files).toEqual({
      [path.join(workspace, "out-1.txt")]: "abcde\n... [truncated]",
      [path.join(workspace, "short.log")]: "ok",
    });
  });
});
