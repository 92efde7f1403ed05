/** Shared set-up for execution tests: fake CLIs, test-local profiles, attempt requests. */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { AttemptRequest } from "../../../apps/server/src/contracts/attempt.ts";
import {
  BUILTIN_PROFILE_DIR,
  parseProfileText,
} from "../../../apps/server/src/instruments/loader.ts";
import type { InstrumentProfile } from "../../../apps/server/src/instruments/profile-schema.ts";

export const FAKE_CLI_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../fixtures/fake-clis",
);

export function tempDir(prefix = "podium-exec-"): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** A built-in profile with its executable pointed at a fake CLI (every flag kept as shipped). */
export function builtinWithExecutable(name: string, executable: string): InstrumentProfile {
  const loaded = parseProfileText(
    readFileSync(path.join(BUILTIN_PROFILE_DIR, `${name}.yaml`), "utf8"),
  );
  if ("problem" in loaded) throw new Error(loaded.problem.message);
  const profile = structuredClone(loaded.profile);
  profile.cli!.command.executable = executable;
  return profile;
}

/**
 * A profile in the shape the fake CLIs speak (test/fixtures/fake-clis/profiles), for error and
 * process cases; the built-in profiles themselves are tested with the real CLIs.
 */
export function fakeCliProfile(name: string, executable: string): InstrumentProfile {
  const loaded = parseProfileText(
    readFileSync(path.join(FAKE_CLI_DIR, "profiles", `${name}.yaml`), "utf8"),
  );
  if ("problem" in loaded) throw new Error(loaded.problem.message);
  const profile = structuredClone(loaded.profile);
  profile.cli!.command.executable = executable;
  return profile;
}

export function profileMap(...profiles: InstrumentProfile[]): Map<string, InstrumentProfile> {
  return new Map(profiles.map((profile) => [profile.name, profile]));
}

let tokenCounter = 0;

export function attemptRequest(
  overrides: Partial<AttemptRequest> & { workspace: string },
): AttemptRequest {
  const sheet = {
    num: 1,
    movement: 1,
    voice: null,
    voiceCount: 1,
    startItem: 1,
    endItem: 1,
    description: null,
    instrument: overrides.instrument ?? "cli",
    instrumentFallbacks: [],
    model: null,
    timeoutSeconds: 30,
    instrumentConfig: {},
    dependsOn: [],
    skipWhenCommand: null,
    ...overrides.sheet,
  };
  return {
    jobId: "job-1",
    sheetNum: sheet.num,
    attemptNumber: 1,
    dispatchToken: `token-${++tokenCounter}`,
    mode: "normal",
    instrument: "cli",
    model: null,
    timeoutSeconds: 30,
    totalSheets: 3,
    totalMovements: 3,
    validations: [],
    ...overrides,
    sheet,
    prompt: {
      template: null,
      variables: {},
      previousOutputs: {},
      previousFiles: {},
      failedValidations: [],
      retryNotice: null,
      ...overrides.prompt,
    },
  };
}

export function signalNotAborted(): AbortSignal {
  return new AbortController().signal;
}
