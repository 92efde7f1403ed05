/**
 * A failed run's stored error message quoted the last line of everything after the match (for a
 * CLI that printed its usage after the error: the last line of `--help`) instead of the line that
 * matched the profile's error pattern.
 */
import { describe, expect, it } from "vitest";
import {
  classifyFailedRun,
  compileErrorPatterns,
} from "../../apps/server/src/instruments/classify.ts";
import { loadInstrumentProfiles } from "../../apps/server/src/instruments/loader.ts";

const { profiles } = loadInstrumentProfiles({ userDirs: [] });

describe("the stored error message of a classified failure", () => {
  it("is the line that matched, not whatever came last", () => {
    const errors = profiles.get("codex-cli")!.cli!.errors;
    const verdict = classifyFailedRun(errors, compileErrorPatterns(errors), {
      exitCode: 1,
      exitSignal: null,
      stderr: [
        "Reading prompt from stdin...",
        "error: unexpected status 401 Unauthorized: invalid api key",
        "Usage: codex exec [OPTIONS] [PROMPT]",
        "For more information, try '--help'.",
      ].join("\n"),
      stdout: "",
      structuredError: null,
      structured: false,
      events: [],
      nowMs: 0,
    });
    expect(verdict.errorClass).toBe("AUTH_FAILURE");
    expect(verdict.errorMessage).toContain("401 Unauthorized: invalid api key");
    expect(verdict.errorMessage).not.toContain("--help");
    expect(verdict.errorMessage).not.toContain("Usage:");
  });

  it("of a rate limit names the matched line and the provider's wait", () => {
    const errors = profiles.get("gemini-cli")!.cli!.errors;
    const verdict = classifyFailedRun(errors, compileErrorPatterns(errors), {
      exitCode: 1,
      exitSignal: null,
      stderr: "Attempt 3 failed: RESOURCE_EXHAUSTED, retry after 20s\nat Turn.run (chunk.js:1)",
      stdout: "",
      structuredError: null,
      structured: false,
      events: [],
      nowMs: 0,
    });
    expect(verdict).toMatchObject({ errorClass: "RATE_LIMIT", rateLimitWaitSeconds: 20 });
    expect(verdict.errorMessage).toContain("RESOURCE_EXHAUSTED, retry after 20s");
    expect(verdict.errorMessage).not.toContain("Turn.run");
  });
});
