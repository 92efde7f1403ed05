/**
 * Finds instrument profiles: Podium's built-ins, then `~/.podium/instruments/`, then
 * `./.podium/instruments/` (or the directories given), later ones replacing earlier ones by
 * name. A file that cannot be read, parsed or validated is reported and skipped; loading never
 * fails as a whole (SCORE-SCHEMA.md §35).
 */
import { instrumentAvailability } from "./availability.ts";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import {
  describeProfileIssues,
  instrumentProfileSchema,
  type InstrumentProfile,
} from "./profile-schema.ts";

export const BUILTIN_PROFILE_DIR = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  "builtin",
);

export const DEFAULT_USER_PROFILE_DIRS: readonly string[] = [
  path.join(homedir(), ".podium", "instruments"),
  path.resolve(".podium", "instruments"),
];

export interface ProfileProblem {
  file: string;
  message: string;
}

export interface LoadedProfiles {
  profiles: Map<string, InstrumentProfile>;
  problems: ProfileProblem[];
}

export interface LoadProfilesOptions {
  /** Directories searched after the built-ins, later winning. Default: DEFAULT_USER_PROFILE_DIRS. */
  userDirs?: readonly string[];
  /** Replaces the built-in directory (tests). */
  builtinDir?: string;
}

export function loadInstrumentProfiles(options: LoadProfilesOptions = {}): LoadedProfiles {
  const profiles = new Map<string, InstrumentProfile>();
  const problems: ProfileProblem[] = [];
  const dirs = [
    options.builtinDir ?? BUILTIN_PROFILE_DIR,
    ...(options.userDirs ?? DEFAULT_USER_PROFILE_DIRS),
  ];
  for (const dir of dirs) {
    for (const file of profileFilesIn(dir, problems)) {
      const loaded = loadProfileFile(file);
      if ("problem" in loaded) problems.push(loaded.problem);
      else profiles.set(loaded.profile.name, loaded.profile);
    }
  }
  return { profiles, problems };
}

/** `*.yaml` / `*.yml` directly in `dir`, alphabetically (so the last one wins a name clash). */
function profileFilesIn(dir: string, problems: ProfileProblem[]): string[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) return [];
    names = readdirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOENT")
      problems.push({ file: dir, message: `cannot read directory: ${String(error)}` });
    return [];
  }
  return names
    .filter((name) => /\.ya?ml$/i.test(name))
    .sort()
    .map((name) => path.join(dir, name));
}

export function loadProfileFile(
  file: string,
): { profile: InstrumentProfile } | { problem: ProfileProblem } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    return { problem: { file, message: `cannot read file: ${String(error)}` } };
  }
  return parseProfileText(text, file);
}

export function parseProfileText(
  text: string,
  file = "(inline)",
): { profile: InstrumentProfile } | { problem: ProfileProblem } {
  let document: unknown;
  try {
    document = parseYaml(text, { version: "1.1" });
  } catch (error) {
    return { problem: { file, message: `invalid YAML: ${(error as Error).message}` } };
  }
  if (document === null || typeof document !== "object" || Array.isArray(document)) {
    return { problem: { file, message: "a profile must be a YAML mapping" } };
  }
  const parsed = instrumentProfileSchema.safeParse(document);
  if (!parsed.success) return { problem: { file, message: describeProfileIssues(parsed.error) } };
  return { profile: parsed.data };
}

/** What the GraphQL `instruments` query shows about one profile. */
export interface InstrumentInfo {
  name: string;
  kind: "cli" | "http";
  displayName: string;
  description: string | null;
  defaultModel: string | null;
  models: {
    name: string;
    maxConcurrent: number;
    costPer1kInput: number;
    costPer1kOutput: number;
  }[];
  /**
   * Concurrency cap of the default model (or the default of 4); null for an instrument that
   * names no models (bash): only the job's and the server's caps apply to it.
   */
  maxConcurrent: number | null;
  capabilities: string[];
  /** Whether it can be played here (executable on PATH, API key set), and why not. */
  usable: boolean;
  unavailableReason: string | null;
}

export const DEFAULT_MAX_CONCURRENT = 4;

export function describeInstrument(
  profile: InstrumentProfile,
  env: NodeJS.ProcessEnv = process.env,
): InstrumentInfo {
  const availability = instrumentAvailability(profile, env);
  return {
    name: profile.name,
    kind: profile.kind,
    displayName: profile.display_name,
    description: profile.description,
    defaultModel: profile.default_model,
    models: profile.models.map((model) => ({
      name: model.name,
      maxConcurrent: model.max_concurrent,
      costPer1kInput: model.cost_per_1k_input,
      costPer1kOutput: model.cost_per_1k_output,
    })),
    maxConcurrent: profileLimit(profile, null),
    capabilities: [...profile.capabilities].sort(),
    usable: availability.usable,
    unavailableReason: availability.reason,
  };
}

export function listInstruments(
  profiles: ReadonlyMap<string, InstrumentProfile>,
  env: NodeJS.ProcessEnv = process.env,
): InstrumentInfo[] {
  return [...profiles.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((profile) => describeInstrument(profile, env));
}

/**
 * Concurrency cap for (profile, model): the model's max_concurrent, else 4. A profile that lists
 * no models (the built-in `cli`: plain bash) has nothing per model to protect, so it sets no cap
 * (null) and a job plays as many of its sheets as its own and the server's caps allow.
 */
export function profileLimit(profile: InstrumentProfile, model: string | null): number | null {
  if (profile.models.length === 0) return null;
  const wanted = model ?? profile.default_model;
  const entry = profile.models.find((candidate) => candidate.name === wanted);
  return entry?.max_concurrent ?? DEFAULT_MAX_CONCURRENT;
}
