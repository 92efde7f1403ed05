import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { livingGroupMembers } from "../../../apps/server/src/instruments/process-group.ts";
import { BackendPool } from "../../../apps/server/src/instruments/pool.ts";
import { createMusician } from "../../../apps/server/src/musician/musician.ts";
import {
  attemptRequest,
  builtinWithExecutable,
  fakeCliProfile,
  FAKE_CLI_DIR,
  profileMap,
  signalNotAborted,
  tempDir,
} from "./helpers.ts";

// 2026-11-28 20:00:00 UTC, so "resets 9pm (UTC)" is one hour away.
const FIXED_NOW = Date.UTC(2026, 10, 28, 20, 0, 0);
const clock = { now: () => FIXED_NOW };

const pool = new BackendPool({
  profiles: profileMap(
    fakeCliProfile("claude-code", path.join(FAKE_CLI_DIR, "fake-claude")),
    fakeCliProfile("codex-cli", path.join(FAKE_CLI_DIR, "fake-codex")),
    fakeCliProfile("gemini-cli", path.join(FAKE_CLI_DIR, "fake-gemini")),
    builtinWithExecutable("cli", "bash"),
  ),
  clock,
  env: { ...process.env, OPENAI_API_KEY: undefined },
});
const musician = createMusician({ pool });

afterAll(async () => {
  await pool.close();
});

function isGroupGone(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return true;
  }
  // Only zombies (already dead, waiting to be reaped) may remain.
  return livingGroupMembers(pgid).length === 0;
}

describe("CLI instruments driven by profiles (fake CLIs)", () => {
  it("reads Claude Code's JSON result, tokens and cost", async () => {
    const workspace = tempDir();
    const result = await musician.play(
      attemptRequest({
        workspace,
        instrument: "claude-code",
        model: "claude-sonnet-4-5",
        prompt: { template: "FAKE reply all done\nFAKE usage 1000 200" } as never,
      }),
      { signal: signalNotAborted() },
    );
    expect(result.errorMessage).toBeNull();
    expect(result.executionSuccess).toBe(true);
    expect(result.stdoutTail).toBe("all done");
    expect(result.inputTokens).toBe(1000);
    expect(result.outputTokens).toBe(200);
    // 1000 * 0.003 / 1000 + 200 * 0.015 / 1000
    expect(result.costUsd).toBeCloseTo(0.006, 10);
    expect(result.costUncertain).toBe(false);
    expect(result.passRate).toBe(100);
  });

  it("reads Codex's JSON lines: the agent message, and usage summed over turns", async () => {
    const result = await musician.play(
      attemptRequest({
        workspace: tempDir(),
        instrument: "codex-cli",
        model: "gpt-5",
        prompt: { template: "FAKE reply codex answer\nFAKE usage 3001 401" } as never,
      }),
      { signal: signalNotAborted() },
    );
    expect(result.executionSuccess).toBe(true);
    expect(result.stdoutTail).toBe("codex answer");
    expect(result.inputTokens).toBe(3001);
    expect(result.outputTokens).toBe(401);
    expect(result.costUsd).toBeCloseTo((3001 * 0.00125 + 401 * 0.01) / 1000, 10);
  });

  it("sums Gemini's tokens across its models and prices them at the default model", async () => {
    const result = await musician.play(
      attemptRequest({
        workspace: tempDir(),
        instrument: "gemini-cli",
        prompt: { template: "FAKE reply gemini answer\nFAKE usage 500 100" } as never,
      }),
      { signal: signalNotAborted() },
    );
    expect(result.stdoutTail).toBe("gemini answer");
    expect(result.inputTokens).toBe(500);
    expect(result.outputTokens).toBe(100);
    expect(result.costUsd).toBeCloseTo((500 * 0.00125 + 100 * 0.01) / 1000, 10);
  });

  it("marks cost uncertain, never invented, when the model has no price", async () => {
    const result = await musician.play(
      attemptRequest({
        workspace: tempDir(),
        instrument: "claude-code",
        model: "claude-unreleased-9",
        prompt: { template: "FAKE usage 10 10" } as never,
      }),
      { signal: signalNotAborted() },
    );
    expect(result.executionSuccess).toBe(true);
    expect(result.costUsd).toBe(0);
    expect(result.costUncertain).toBe(true);
  });

  it("turns a rate-limit notice on stdout into a rate-limited result with the parsed wait", async () => {
    const result = await musician.play(
      attemptRequest({
        workspace: tempDir(),
        instrument: "claude-code",
        prompt: {
          template: "FAKE stdout-raw You've hit your limit · resets 9pm (UTC)\nFAKE exit 1",
        } as never,
      }),
      { signal: signalNotAborted() },
    );
    expect(result.executionSuccess).toBe(false);
    expect(result.errorClass).toBe("RATE_LIMIT");
    expect(result.rateLimited).toBe(true);
    expect(result.rateLimitWaitSeconds).toBe(3600);
  });

  it("reads a relative wait from stderr", async () => {
    const result = await musician.play(
      attemptRequest({
        workspace: tempDir(),
        instrument: "gemini-cli",
        prompt: {
          template:
            "FAKE stderr RESOURCE_EXHAUSTED: quota exceeded, try again in 5 minutes\nFAKE exit 1",
        } as never,
      }),
      { signal: signalNotAborted() },
    );
    expect(result.errorClass).toBe("RATE_LIMIT");
    expect(result.rateLimitWaitSeconds).toBe(300);
  });

  it("does not read rate limits from a successful run", async () => {
    const result = await musician.play(
      attemptRequest({
        workspace: tempDir(),
        instrument: "claude-code",
        prompt: {
          template:
            "FAKE reply I added rate limit handling (429) to the client\nFAKE stderr warning: rate limit close",
        } as never,
      }),
      { signal: signalNotAborted() },
    );
    expect(result.executionSuccess).toBe(true);
    expect(result.rateLimited).toBe(false);
    expect(result.errorClass).toBeNull();
  });

  it("classifies an auth error", async () => {
    const result = await musician.play(
      attemptRequest({
        workspace: tempDir(),
        instrument: "gemini-cli",
        prompt: {
          template: "FAKE stderr Error: PERMISSION_DENIED for this project\nFAKE exit 1",
        } as never,
      }),
      { signal: signalNotAborted() },
    );
    expect(result.executionSuccess).toBe(false);
    expect(result.errorClass).toBe("AUTH_FAILURE");
    expect(result.rateLimited).toBe(false);
  });

  it("reports a missing executable as an instrument not usable here (falls back, no retry)", async () => {
    const lonely = new BackendPool({
      profiles: profileMap(fakeCliProfile("claude-code", "/nonexistent/claude")),
    });
    const result = await createMusician({ pool: lonely }).play(
      attemptRequest({
        workspace: tempDir(),
        instrument: "claude-code",
        prompt: { template: "hi" } as never,
      }),
      { signal: signalNotAborted() },
    );
    expect(result.executionSuccess).toBe(false);
    expect(result.errorClass).toBe("UNKNOWN_INSTRUMENT");
    expect(result.errorMessage).toContain("/nonexistent/claude");
    expect(result.errorMessage).toContain("not usable here");
    expect(lonely.inFlight("claude-code")).toBe(0);
  });
});

describe("process groups", () => {
  it("times out a hanging instrument and kills its whole group", async () => {
    let pgid = 0;
    let startedAt: string | null = null;
    const result = await musician.play(
      attemptRequest({
        workspace: tempDir(),
        instrument: "claude-code",
        timeoutSeconds: 1,
        prompt: { template: "FAKE leave-child\nFAKE hang" } as never,
      }),
      {
        signal: signalNotAborted(),
        onSpawn: (group, started) => {
          pgid = group;
          startedAt = started;
        },
      },
    );
    expect(result.errorClass).toBe("TIMEOUT");
    expect(result.executionSuccess).toBe(false);
    expect(pgid).toBeGreaterThan(0);
    expect(startedAt).toMatch(/^\d+$/);
    expect(isGroupGone(pgid)).toBe(true);
  });

  it("SIGKILLs a group that ignores SIGTERM after the grace period", async () => {
    let pgid = 0;
    const started = Date.now();
    const result = await musician.play(
      attemptRequest({
        workspace: tempDir(),
        instrument: "claude-code",
        timeoutSeconds: 1,
        prompt: { template: "FAKE ignore-term" } as never,
      }),
      { signal: signalNotAborted(), onSpawn: (group) => (pgid = group) },
    );
    const elapsed = Date.now() - started;
    expect(result.errorClass).toBe("TIMEOUT");
    // One second of timeout, then the two-second grace before SIGKILL.
    expect(elapsed).toBeGreaterThanOrEqual(2_900);
    expect(isGroupGone(pgid)).toBe(true);
  });

  it("kills children left behind by a successful run", async () => {
    let pgid = 0;
    const result = await musician.play(
      attemptRequest({
        workspace: tempDir(),
        instrument: "claude-code",
        prompt: { template: "FAKE leave-child\nFAKE reply finished" } as never,
      }),
      { signal: signalNotAborted(), onSpawn: (group) => (pgid = group) },
    );
    expect(result.executionSuccess).toBe(true);
    expect(result.stdoutTail).toBe("finished");
    expect(isGroupGone(pgid)).toBe(true);
  });

  it("cancels on abort: CANCELLED, group killed, slot released", async () => {
    const controller = new AbortController();
    let pgid = 0;
    let inFlightWhilePlaying = -1;
    const playing = musician.play(
      attemptRequest({
        workspace: tempDir(),
        instrument: "claude-code",
        prompt: { template: "FAKE hang" } as never,
      }),
      {
        signal: controller.signal,
        onSpawn: (group) => {
          pgid = group;
          inFlightWhilePlaying = pool.inFlight("claude-code");
          setTimeout(() => controller.abort(), 100);
        },
      },
    );
    const result = await playing;
    expect(result.errorClass).toBe("CANCELLED");
    expect(isGroupGone(pgid)).toBe(true);
    expect(inFlightWhilePlaying).toBe(1);
    expect(pool.inFlight("claude-code")).toBe(0);
  });

  it("closing the pool ends runs in flight as CANCELLED and refuses new ones", async () => {
    const closing = new BackendPool({
      profiles: profileMap(fakeCliProfile("claude-code", path.join(FAKE_CLI_DIR, "fake-claude"))),
    });
    const player = createMusician({ pool: closing });
    let pgid = 0;
    const playing = player.play(
      attemptRequest({
        workspace: tempDir(),
        instrument: "claude-code",
        prompt: { template: "FAKE hang" } as never,
      }),
      {
        signal: signalNotAborted(),
        onSpawn: (group) => {
          pgid = group;
          setTimeout(() => void closing.close(), 100);
        },
      },
    );
    const result = await playing;
    expect(result.errorClass).toBe("CANCELLED");
    expect(isGroupGone(pgid)).toBe(true);
    const after = await player.play(
      attemptRequest({
        workspace: tempDir(),
        instrument: "claude-code",
        prompt: { template: "FAKE reply x" } as never,
      }),
      { signal: signalNotAborted() },
    );
    expect(after.errorClass).toBe("CANCELLED");
    expect(after.errorMessage).toContain("shut down");
  });
});

describe("large prompts", () => {
  it("sends a 100 KB prompt through stdin intact", async () => {
    const filler = randomBytes(50 * 1024).toString("hex");
    const result = await musician.play(
      attemptRequest({
        workspace: tempDir(),
        instrument: "claude-code",
        prompt: { template: `FAKE digest\n${filler}` } as never,
      }),
      { signal: signalNotAborted() },
    );
    const sent = result.renderedPrompt!;
    expect(Buffer.byteLength(sent)).toBeGreaterThan(100 * 1024);
    const digest = createHash("sha256").update(sent).digest("hex");
    expect(result.stdoutTail).toBe(`length=${Buffer.byteLength(sent)} sha256=${digest}`);
  });

  it("moves a prompt over 32 KB to stdin even for an argument-style profile", async () => {
    const workspace = tempDir();
    // 200 KB is past Linux's 128 KB limit for one argument: it can only have arrived on stdin.
    const payload = randomBytes(100 * 1024).toString("hex");
    const script = `cat > received.txt <<'PAYLOAD'\n${payload}\nPAYLOAD\necho stored`;
    const result = await musician.play(
      attemptRequest({ workspace, instrument: "cli", prompt: { template: script } as never }),
      { signal: signalNotAborted() },
    );
    expect(result.errorMessage).toBeNull();
    expect(result.stdoutTail.trim()).toBe("stored");
    expect(readFileSync(path.join(workspace, "received.txt"), "utf8")).toBe(`${payload}\n`);
  });
});
