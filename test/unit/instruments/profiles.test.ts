import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  listInstruments,
  loadInstrumentProfiles,
  loadProfileFile,
  parseProfileText,
} from "../../../apps/server/src/instruments/loader.ts";
import { buildInvocation } from "../../../apps/server/src/instruments/cli-command.ts";
import { BackendPool } from "../../../apps/server/src/instruments/pool.ts";
import { parseScore } from "../../../apps/server/src/score/parse.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const upstreamInstruments = path.resolve(repoRoot, "../shared/upstream/instruments");
const haveUpstream = existsSync(upstreamInstruments);
if (!haveUpstream) {
  console.warn(`upstream profile tests did not run: ${upstreamInstruments} is missing`);
}

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), "podium-profiles-"));
}

describe("built-in profiles", () => {
  const { profiles, problems } = loadInstrumentProfiles({ userDirs: [] });

  it("all load without problems", () => {
    expect(problems).toEqual([]);
    expect([...profiles.keys()].sort()).toEqual([
      "aider",
      "anthropic_api",
      "claude-code",
      "cli",
      "cline",
      "codex-cli",
      "crush",
      "gemini-cli",
      "goose",
      "openai-compatible",
      "opencode",
    ]);
  });

  it("Marianne's other agent CLIs build the argv their CLIs read", () => {
    const invocation = (name: string) =>
      buildInvocation(
        profiles.get(name)!.cli!,
        null,
        { prompt: "do it", model: "m1", workspace: "/ws", timeoutSeconds: 60 },
        {},
      );
    expect(invocation("aider")).toMatchObject({
      args: ["--model", "m1", "--yes", "--no-stream", "--message", "do it"],
      stdin: null,
    });
    expect(invocation("goose")).toMatchObject({
      args: [
        "run",
        "--model",
        "m1",
        "--output-format",
        "json",
        "--no-session",
        "--quiet",
        "-i",
        "-",
      ],
      stdin: "do it",
    });
    expect(invocation("crush")).toMatchObject({
      args: ["run", "--model", "m1", "--yolo", "--cwd", "/ws", "--quiet", "do it"],
      stdin: null,
    });
    expect(invocation("opencode")).toMatchObject({
      args: ["run", "--model", "m1", "--auto", "--format", "json", "--dir", "/ws"],
      stdin: "do it",
    });
    expect(invocation("cline")).toMatchObject({
      args: ["--model", "m1", "--cwd", "/ws", "--auto-approve", "true", "do it"],
      stdin: null,
    });
  });

  it("cli runs the raw prompt with bash -c", () => {
    const cli = profiles.get("cli")!;
    expect(cli.raw_prompt).toBe(true);
    expect(cli.kind).toBe("cli");
    expect(cli.cli!.command.executable).toBe("bash");
    expect(cli.cli!.command.prompt_flag).toBe("-c");
    expect(cli.cli!.command.prompt_via_stdin).toBe(false);
  });

  it("agent CLIs declare structured output and priced models", () => {
    expect(profiles.get("claude-code")!.cli!.output).toMatchObject({
      format: "jsonl",
      completion_event_type: "result",
      result_path: "result",
      cost_path: "total_cost_usd",
    });
    expect(profiles.get("codex-cli")!.cli!.output).toMatchObject({
      format: "jsonl",
      completion_event_type: "item.completed",
    });
    expect(profiles.get("gemini-cli")!.cli!.output).toMatchObject({
      format: "jsonl",
      completion_event_type: "message",
      model_path: "stats.models",
    });
    for (const name of ["claude-code", "codex-cli", "gemini-cli", "openai-compatible"]) {
      expect(profiles.get(name)!.models.length).toBeGreaterThan(0);
    }
    expect(profiles.get("openai-compatible")!.http).toMatchObject({
      schema_family: "openai",
      auth_env_var: "OPENAI_API_KEY",
    });
  });

  it("lists instruments for the API with their concurrency caps", () => {
    const info = listInstruments(profiles);
    const gemini = info.find((entry) => entry.name === "gemini-cli")!;
    expect(gemini).toMatchObject({
      kind: "cli",
      displayName: "Gemini CLI",
      defaultModel: "gemini-2.5-pro",
      maxConcurrent: 4,
    });
    expect(gemini.models.find((model) => model.name === "gemini-2.5-flash")!.maxConcurrent).toBe(8);
    expect(info.find((entry) => entry.name === "openai-compatible")!.kind).toBe("http");
  });

  it("gives per-model limits, defaulting to 4; an instrument without models sets no cap of its own", () => {
    const pool = new BackendPool({ profiles });
    expect(pool.instrumentLimit("claude-code", "claude-haiku-4-5")).toBe(8);
    expect(pool.instrumentLimit("claude-code", "claude-opus-4-5")).toBe(4);
    expect(pool.instrumentLimit("claude-code", null)).toBe(4);
    expect(pool.instrumentLimit("cli", null)).toBe(Number.POSITIVE_INFINITY);
    expect(listInstruments(profiles).find((entry) => entry.name === "cli")!.maxConcurrent).toBe(
      null,
    );
    expect(pool.instrumentLimit("no-such-instrument", null)).toBe(4);
  });
});

describe.skipIf(!haveUpstream)("upstream Marianne profiles", () => {
  it("load unchanged", () => {
    const { profiles, problems } = loadInstrumentProfiles({
      builtinDir: upstreamInstruments,
      userDirs: [],
    });
    expect(problems).toEqual([]);
    expect([...profiles.keys()].sort()).toEqual(["claude-code", "cli", "codex-cli", "gemini-cli"]);
    expect(profiles.get("claude-code")!.cli!.command.mcp_disable_args).toContain(
      "--strict-mcp-config",
    );
    expect(profiles.get("codex-cli")!.cli!.output.completion_event_filter).toEqual({
      type: "agent_message",
    });
    expect(
      profiles.get("gemini-cli")!.models.find((m) => m.name === "gemini-2.5-flash")!.max_concurrent,
    ).toBe(8);
  });
});

describe("user profile directories", () => {
  it("later directories override by name; a broken file is reported, not fatal", () => {
    const home = tempDir();
    const project = tempDir();
    writeFileSync(
      path.join(home, "cli.yaml"),
      "name: cli\ndisplay_name: Home shell\nkind: cli\nraw_prompt: true\ncli:\n  command: {executable: sh, prompt_flag: '-c', prompt_via_stdin: false}\n  output: {}\n",
    );
    writeFileSync(
      path.join(project, "cli.yml"),
      "name: cli\ndisplay_name: Project shell\nkind: cli\nraw_prompt: true\ncli:\n  command: {executable: dash, prompt_flag: '-c', prompt_via_stdin: false}\n  output: {}\n",
    );
    writeFileSync(path.join(project, "broken.yaml"), "name: broken\ndisplay_name: [unclosed\n");
    writeFileSync(
      path.join(project, "typo.yaml"),
      "name: typo\ndisplay_name: Typo\nkind: cli\ncli:\n  command: {executable: x, prompt_flagg: '-c'}\n  output: {}\n",
    );
    writeFileSync(path.join(project, "notes.txt"), "not a profile");

    const { profiles, problems } = loadInstrumentProfiles({
      userDirs: [home, path.join(home, "missing"), project],
    });
    expect(profiles.get("cli")!.display_name).toBe("Project shell");
    expect(profiles.get("cli")!.cli!.command.executable).toBe("dash");
    expect(profiles.has("claude-code")).toBe(true);
    expect(profiles.has("broken")).toBe(false);
    expect(problems.map((problem) => path.basename(problem.file)).sort()).toEqual([
      "broken.yaml",
      "typo.yaml",
    ]);
    const typo = problems.find((problem) => problem.file.endsWith("typo.yaml"))!;
    expect(typo.message).toContain("cli.command");
    expect(typo.message).toContain("prompt_flagg");
  });
});

describe("profile validation", () => {
  it("requires the section matching the kind", () => {
    const result = parseProfileText("name: x\ndisplay_name: X\nkind: http\n");
    expect("problem" in result && result.problem.message).toContain("http");
  });

  it("rejects a non-mapping document and an unknown output format", () => {
    expect("problem" in parseProfileText("- a\n- b\n")).toBe(true);
    const bad = parseProfileText(
      "name: x\ndisplay_name: X\nkind: cli\ncli:\n  command: {executable: x}\n  output: {format: xml}\n",
    );
    expect("problem" in bad && bad.problem.message).toContain("cli.output.format");
  });

  it("fills Marianne's defaults", () => {
    const result = parseProfileText(
      "name: x\ndisplay_name: X\nkind: cli\ncli:\n  command: {executable: x}\n  output: {}\n",
    );
    if (!("profile" in result)) throw new Error(result.problem.message);
    expect(result.profile.default_timeout_seconds).toBe(1800);
    expect(result.profile.cli!.command.prompt_via_stdin).toBe(true);
    expect(result.profile.cli!.errors.success_exit_codes).toEqual([0]);
    expect(result.profile.cli!.output.format).toBe("text");
  });

  it("reports an unreadable file", () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, "a.yaml"));
    const result = loadProfileFile(path.join(dir, "a.yaml"));
    expect("problem" in result && result.problem.message).toContain("cannot read");
  });
});

describe("instrument availability", () => {
  const { profiles } = loadInstrumentProfiles({ userDirs: [] });

  it("a CLI is usable when its executable is on PATH, and says why not otherwise", () => {
    const bin = path.join(repoRoot, "node_modules/.bin");
    const listed = listInstruments(profiles, { PATH: `${bin}:/usr/bin:/bin` });
    for (const name of ["claude-code", "codex-cli", "gemini-cli", "cli"]) {
      expect(listed.find((entry) => entry.name === name)).toMatchObject({
        usable: true,
        unavailableReason: null,
      });
    }
    const bare = listInstruments(profiles, { PATH: tempDir() });
    expect(bare.find((entry) => entry.name === "claude-code")).toMatchObject({
      usable: false,
      unavailableReason: "executable 'claude' not found on PATH",
    });
    for (const name of ["aider", "goose", "opencode", "crush", "cline"]) {
      expect(bare.find((entry) => entry.name === name)).toMatchObject({
        usable: false,
        unavailableReason: `executable '${name}' not found on PATH`,
      });
    }
  });

  it("an HTTP instrument is usable only with its API key variable set", () => {
    expect(
      listInstruments(profiles, {}).find((entry) => entry.name === "openai-compatible"),
    ).toMatchObject({ usable: false, unavailableReason: "OPENAI_API_KEY is not set" });
    expect(
      listInstruments(profiles, { OPENAI_API_KEY: "k" }).find(
        (entry) => entry.name === "openai-compatible",
      ),
    ).toMatchObject({ usable: true });
  });
});

describe("submit-time warnings for instruments not usable here", () => {
  it("names each unusable instrument, its sheets and the reason; usable ones stay quiet", async () => {
    const { profiles } = loadInstrumentProfiles({ userDirs: [] });
    const pool = new BackendPool({ profiles, env: { PATH: "/usr/bin:/bin" } });
    const score = [
      "name: fallbacks",
      "instrument: codex-cli",
      "instrument_fallbacks: [cli]",
      "sheet: {size: 1, total_items: 2}",
      "prompt: {template: hi}",
      "",
    ].join("\n");
    const parsed = parseScore(score, {
      knownInstruments: profiles.keys(),
      instrumentUnusable: (name) => pool.unusableReason(name),
    });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const about = parsed.warnings.filter((warning) => warning.includes("not usable here"));
    expect(about).toEqual([
      "instrument 'codex-cli' (sheets 1, 2) is not usable here: executable 'codex' not found on PATH; such a sheet moves to its next fallback instrument, or fails, without spending retries",
    ]);
    await pool.close();
  });
});
