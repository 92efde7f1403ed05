/** Marianne's own profiles, unchanged except for the executable, drive the fake CLIs. */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PlayingMusician } from "../../../apps/server/src/contracts/attempt.ts";
import { loadInstrumentProfiles } from "../../../apps/server/src/instruments/loader.ts";
import { BackendPool } from "../../../apps/server/src/instruments/pool.ts";
import { createMusician } from "../../../apps/server/src/musician/musician.ts";
import { attemptRequest, FAKE_CLI_DIR, signalNotAborted, tempDir } from "./helpers.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const upstreamDir = path.resolve(repoRoot, "../shared/upstream/instruments");
const haveUpstream = existsSync(upstreamDir);
if (!haveUpstream)
  console.warn(`upstream profile run tests did not run: ${upstreamDir} is missing`);

describe.skipIf(!haveUpstream)("upstream profiles at run time", () => {
  // Built in beforeAll: a skipped describe still runs its body, and the files may be missing.
  let pool: BackendPool;
  let musician: PlayingMusician;
  beforeAll(() => {
    const { profiles } = loadInstrumentProfiles({ builtinDir: upstreamDir, userDirs: [] });
    for (const [name, fake] of [
      ["claude-code", "fake-claude"],
      ["gemini-cli", "fake-gemini"],
    ] as const) {
      profiles.get(name)!.cli!.command.executable = path.join(FAKE_CLI_DIR, fake);
    }
    pool = new BackendPool({ profiles });
    musician = createMusician({ pool });
  });
  afterAll(() => pool?.close());

  it("claude-code: result, tokens and the upstream Sonnet price", async () => {
    const result = await musician.play(
      attemptRequest({
        workspace: tempDir(),
        instrument: "claude-code",
        model: "claude-sonnet-4-6",
        prompt: { template: "FAKE reply upstream ok\nFAKE usage 2000 100" } as never,
      }),
      { signal: signalNotAborted() },
    );
    expect(result.errorMessage).toBeNull();
    expect(result.stdoutTail).toBe("upstream ok");
    expect(result.costUsd).toBeCloseTo((2000 * 0.003 + 100 * 0.015) / 1000, 10);
  });

  it("gemini-cli: aggregated tokens, and a rate limit read from stderr", async () => {
    const ok = await musician.play(
      attemptRequest({
        workspace: tempDir(),
        instrument: "gemini-cli",
        prompt: { template: "FAKE reply fine\nFAKE usage 400 40" } as never,
      }),
      { signal: signalNotAborted() },
    );
    expect(ok).toMatchObject({
      executionSuccess: true,
      stdoutTail: "fine",
      inputTokens: 400,
      outputTokens: 40,
    });
    const limited = await musician.play(
      attemptRequest({
        workspace: tempDir(),
        instrument: "gemini-cli",
        prompt: {
          template: "FAKE stderr 429 Too Many Requests; retry after 90s\nFAKE exit 1",
        } as never,
      }),
      { signal: signalNotAborted() },
    );
    expect(limited).toMatchObject({
      errorClass: "RATE_LIMIT",
      rateLimited: true,
      rateLimitWaitSeconds: 90,
    });
  });

  it("cli: the prompt runs as a bash script", async () => {
    const result = await musician.play(
      attemptRequest({
        workspace: tempDir(),
        instrument: "cli",
        prompt: { template: "echo $((20 + 22))" } as never,
      }),
      { signal: signalNotAborted() },
    );
    expect(result.stdoutTail.trim()).toBe("42");
  });
});
