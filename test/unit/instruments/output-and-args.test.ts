import { describe, expect, it } from "vitest";
import {
  buildInvocation,
  STDIN_THRESHOLD_BYTES,
} from "../../../apps/server/src/instruments/cli-command.ts";
import { loadInstrumentProfiles } from "../../../apps/server/src/instruments/loader.ts";
import { parseOutput, valuesAtPath } from "../../../apps/server/src/instruments/output-parse.ts";
import {
  classifyFailedRun,
  compileErrorPatterns,
} from "../../../apps/server/src/instruments/classify.ts";

const { profiles } = loadInstrumentProfiles({ userDirs: [] });
const cliOf = (name: string) => profiles.get(name)!.cli!;
const inputs = { prompt: "do it", model: null, workspace: "/tmp/ws", timeoutSeconds: 60 };

describe("argv from a profile", () => {
  it("claude: print mode with the prompt on stdin and no `-`, stream-json, auto-approve", () => {
    const invocation = buildInvocation(
      cliOf("claude-code"),
      null,
      { ...inputs, model: "claude-haiku-4-5" },
      {},
    );
    expect(invocation.executable).toBe("claude");
    expect(invocation.args.slice(0, 2)).toEqual(["--model", "claude-haiku-4-5"]);
    expect(invocation.args).toContain("--dangerously-skip-permissions");
    expect(invocation.args).toEqual(expect.arrayContaining(["--print", "--verbose"]));
    expect(invocation.args).not.toContain("-");
    expect(invocation.args).not.toContain("-p");
    expect(invocation.args.join(" ")).toContain("--output-format stream-json");
    expect(invocation.stdin).toBe("do it");
    expect(invocation.env.IS_SANDBOX).toBe("1");
  });

  it("codex: exec subcommand first, --json, no git check, the default model, no `-`", () => {
    const invocation = buildInvocation(cliOf("codex-cli"), "gpt-5-codex", inputs, {});
    expect(invocation.args[0]).toBe("exec");
    expect(invocation.args).toEqual(
      expect.arrayContaining(["--json", "--skip-git-repo-check", "--model", "gpt-5-codex"]),
    );
    expect(invocation.args).not.toContain("--full-auto");
    expect(invocation.args).not.toContain("-");
    expect(invocation.stdin).toBe("do it");
  });

  it("gemini: the default model is passed; stdin without a sentinel leaves the prompt out of argv", () => {
    const invocation = buildInvocation(cliOf("gemini-cli"), "gemini-2.5-pro", inputs, {});
    expect(invocation.args).toEqual([
      "--model",
      "gemini-2.5-pro",
      "--yolo",
      "--output-format",
      "stream-json",
      "--skip-trust",
    ]);
    expect(invocation.stdin).toBe("do it");
  });

  it("cli: the prompt is the -c argument until it passes 32 KB", () => {
    const small = buildInvocation(cliOf("cli"), null, inputs, {});
    expect(small.args).toEqual(["-c", "do it"]);
    expect(small.stdin).toBeNull();
    const big = buildInvocation(
      cliOf("cli"),
      null,
      { ...inputs, prompt: "x".repeat(STDIN_THRESHOLD_BYTES + 1) },
      {},
    );
    expect(big.args).toEqual([]);
    expect(big.promptVia).toBe("stdin");
  });

  it("narrows the environment to required_env plus basics and expands ${VAR}", () => {
    const cli = structuredClone(cliOf("cli"));
    cli.command.required_env = ["WANTED"];
    cli.command.env = { GREETING: "hello ${NAME}" };
    const invocation = buildInvocation(cli, null, inputs, {
      PATH: "/bin",
      WANTED: "1",
      SECRET_TOKEN: "x",
      NAME: "ada",
    });
    expect(invocation.env).toEqual({
      PATH: "/bin",
      WANTED: "1",
      GREETING: "hello ada",
      SHLVL: "1",
    });
  });
});

describe("output parsing", () => {
  it("dot paths with wildcards and indexes", () => {
    const doc = { a: { b: [{ c: 1 }, { c: 2 }] }, m: { x: { t: 3 }, y: { t: 4 } } };
    expect(valuesAtPath(doc, "a.b[1].c")).toEqual([2]);
    expect(valuesAtPath(doc, "m.*.t")).toEqual([3, 4]);
    expect(valuesAtPath(doc, "a.missing")).toEqual([]);
  });

  it("json output with a banner line before the document", () => {
    const parsed = parseOutput(
      'warming up\n{"result":"ok","usage":{"input_tokens":5,"output_tokens":6}}\n',
      { ...cliOf("claude-code").output, format: "json" },
    );
    expect(parsed).toMatchObject({
      structured: true,
      resultText: "ok",
      inputTokens: 5,
      outputTokens: 6,
    });
  });

  it("claude stream-json: the result event gives answer, tokens, its own cost and the model", () => {
    const stdout = [
      '{"type":"system","subtype":"init","model":"claude-opus-5-5"}',
      '{"type":"assistant","message":{"model":"claude-opus-5-5","content":[{"type":"text","text":"hi"}]}}',
      '{"type":"result","subtype":"success","result":"hi there","total_cost_usd":0.0123,' +
        '"usage":{"input_tokens":120,"output_tokens":7},"modelUsage":{"claude-opus-5-5":{}}}',
    ].join("\n");
    expect(parseOutput(stdout, cliOf("claude-code").output)).toMatchObject({
      structured: true,
      resultText: "hi there",
      inputTokens: 120,
      outputTokens: 7,
      costUsd: 0.0123,
      modelUsed: "claude-opus-5-5",
    });
  });

  it("gemini stream-json: delta pieces join into one answer; stats give tokens and model", () => {
    const stdout = [
      '{"type":"init","model":"auto"}',
      '{"type":"message","role":"user","content":"q"}',
      '{"type":"message","role":"assistant","content":"The ans","delta":true}',
      '{"type":"message","role":"assistant","content":"wer","delta":true}',
      '{"type":"result","status":"success","stats":{"input_tokens":9,"output_tokens":3,' +
        '"models":{"gemini-2.5-pro":{}}}}',
    ].join("\n");
    expect(parseOutput(stdout, cliOf("gemini-cli").output)).toMatchObject({
      resultText: "The answer",
      inputTokens: 9,
      outputTokens: 3,
      modelUsed: "gemini-2.5-pro",
      costUsd: null,
    });
  });

  it("unparseable json output falls back to text", () => {
    const parsed = parseOutput("API Error: Rate limit reached\n", {
      ...cliOf("claude-code").output,
      format: "json",
    });
    expect(parsed.structured).toBe(false);
    expect(parsed.resultText).toContain("Rate limit");
  });
});

describe("failure classification", () => {
  const gemini = cliOf("gemini-cli");
  const patterns = compileErrorPatterns(gemini.errors);
  const facts = {
    exitCode: 1,
    exitSignal: null,
    stdout: "",
    structuredError: null,
    structured: false,
    events: [],
    nowMs: 0,
  };

  it("a plain non-zero exit is an execution error that still gets validated", () => {
    const verdict = classifyFailedRun(gemini.errors, patterns, {
      ...facts,
      stderr: "something broke",
    });
    expect(verdict).toMatchObject({
      errorClass: "EXECUTION_ERROR",
      plainFailure: true,
      rateLimited: false,
    });
    expect(verdict.errorMessage).toContain("something broke");
  });

  it("death by signal is a crash", () => {
    const verdict = classifyFailedRun(gemini.errors, patterns, {
      ...facts,
      exitCode: null,
      exitSignal: "SIGSEGV",
      stderr: "",
    });
    expect(verdict).toMatchObject({ errorClass: "CRASH", plainFailure: false });
  });

  it("capacity and timeout patterns", () => {
    expect(
      classifyFailedRun(gemini.errors, patterns, { ...facts, stderr: "503 UNAVAILABLE" })
        .errorClass,
    ).toBe("CAPACITY");
    expect(
      classifyFailedRun(gemini.errors, patterns, { ...facts, stderr: "DEADLINE_EXCEEDED" })
        .errorClass,
    ).toBe("TIMEOUT");
  });

  it("the structured error message is scanned", () => {
    const verdict = classifyFailedRun(gemini.errors, patterns, {
      ...facts,
      stderr: "",
      structured: true,
      structuredError: "Quota exceeded; retry after 12s",
    });
    expect(verdict).toMatchObject({ errorClass: "RATE_LIMIT", rateLimitWaitSeconds: 12 });
  });
});
