/**
 * The progress parsers read lines the real CLIs printed (captured from Claude Code, Codex and
 * Gemini CLI at their pinned versions, driven by the model-API stand-in to write a file and
 * answer): tool calls, assistant text and tokens come out; other lines yield nothing.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadInstrumentProfiles } from "../../../apps/server/src/instruments/loader.ts";
import {
  progressParserFor,
  type ProgressItem,
} from "../../../apps/server/src/instruments/progress-parse.ts";

const FIXTURES = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../fixtures/cli-streams",
);
const { profiles } = loadInstrumentProfiles({ userDirs: [] });

function itemsOf(cli: string): ProgressItem[] {
  const parse = progressParserFor(profiles.get(cli)!.cli!.output);
  return readFileSync(path.join(FIXTURES, `${cli}.jsonl`), "utf8")
    .split("\n")
    .flatMap((line) => parse(line));
}

describe("progress parsers of the built-in CLI profiles", () => {
  it("Claude Code stream-json: the Write call, the answer and the result's tokens", () => {
    expect(itemsOf("claude-code")).toEqual([
      { kind: "tool", name: "Write", summary: "/workspace/answer.txt" },
      { kind: "text", text: "I wrote answer.txt" },
      { kind: "tokens", input: 1220, output: 75 },
    ]);
  });

  it("Codex exec --json: the shell command once (started), the message and the turn's tokens", () => {
    expect(itemsOf("codex-cli")).toEqual([
      {
        kind: "tool",
        name: "shell",
        summary: `/bin/bash -lc "printf '%s' 'written' > '/workspace/answer.txt'"`,
      },
      { kind: "text", text: "I wrote answer.txt" },
      { kind: "tokens", input: 1220, output: 75 },
    ]);
  });

  it("Gemini stream-json: the write_file call, the assistant message (not the user's) and stats", () => {
    expect(itemsOf("gemini-cli")).toEqual([
      { kind: "tool", name: "write_file", summary: "/workspace/answer.txt" },
      { kind: "text", text: "I wrote answer.txt" },
      { kind: "tokens", input: 1220, output: 75 },
    ]);
  });

  it("broken, partial and foreign lines yield nothing; text profiles pass lines through", () => {
    const claude = progressParserFor(profiles.get("claude-code")!.cli!.output);
    expect(claude('{"type":"assistant","message":{"content":[{"type":"te')).toEqual([]);
    expect(claude("not json")).toEqual([]);
    expect(claude('{"type":"assistant","message":null}')).toEqual([]);
    const bash = progressParserFor(profiles.get("cli")!.cli!.output);
    expect(bash("step 1 of 3")).toEqual([{ kind: "text", text: "step 1 of 3" }]);
    expect(bash("   ")).toEqual([]);
  });

  it("long tool arguments are cut to a short summary", () => {
    const gemini = progressParserFor(profiles.get("gemini-cli")!.cli!.output);
    const [item] = gemini(
      JSON.stringify({
        type: "tool_use",
        tool_name: "run_shell_command",
        parameters: { command: "x".repeat(500) },
      }),
    );
    expect(item).toMatchObject({ kind: "tool", name: "run_shell_command" });
    expect((item as { summary: string }).summary.length).toBeLessThanOrEqual(120);
    expect((item as { summary: string }).summary.endsWith("…")).toBe(true);
  });
});
