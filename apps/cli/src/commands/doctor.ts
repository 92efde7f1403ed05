/**
 * `podium doctor`: what would stop a score from running here. Which instruments this machine can
 * play and why not, instrument profiles that do not load, whether the server answers, and the
 * state of the database. Exit code 1 when something found needs fixing.
 */
import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";
import { readServerConfig } from "../../../server/src/graphql/server-config.ts";
import { loadInstrumentProfiles } from "../../../server/src/instruments/loader.ts";
import type { InstrumentProfile } from "../../../server/src/instruments/profile-schema.ts";
import { ConnectionError, request, type Endpoint } from "../client.ts";
import { HEALTH_QUERY } from "../operations.ts";

interface Finding {
  ok: boolean;
  text: string;
}

function onPath(executable: string, env: NodeJS.ProcessEnv): string | null {
  const candidates = executable.includes("/")
    ? [path.resolve(executable)]
    : (env.PATH ?? "")
        .split(path.delimiter)
        .filter(Boolean)
        .map((dir) => path.join(dir, executable));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export function instrumentFinding(profile: InstrumentProfile, env: NodeJS.ProcessEnv): Finding {
  if (profile.kind === "cli" && profile.cli) {
    const { executable, required_env } = profile.cli.command;
    const found = onPath(executable, env);
    if (!found) return { ok: false, text: `${profile.name}: '${executable}' is not on PATH` };
    const missing = (required_env ?? []).filter((name) => !env[name]);
    if (missing.length > 0)
      return {
        ok: false,
        text: `${profile.name}: ${found} found, but ${missing.join(", ")} not set`,
      };
    return { ok: true, text: `${profile.name}: ${found}` };
  }
  if (profile.kind === "http" && profile.http) {
    const variable = profile.http.auth_env_var;
    if (variable && !env[variable])
      return {
        ok: false,
        text: `${profile.name}: ${variable} is not set (${profile.http.base_url})`,
      };
    return { ok: true, text: `${profile.name}: ${profile.http.base_url}` };
  }
  return { ok: false, text: `${profile.name}: profile has no ${profile.kind} section` };
}

/** `unusable` marks what is missing but not broken (an agent CLI that is not installed). */
function print(title: string, findings: Finding[], unusable = "FAIL"): void {
  console.log(title);
  for (const finding of findings)
    console.log(`  ${finding.ok ? "ok  " : unusable} ${finding.text}`);
}

export async function doctorCommand(
  endpoint: Endpoint,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let needsFixing = false;
  const { profiles, problems } = loadInstrumentProfiles();
  const instruments = [...profiles.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((profile) => instrumentFinding(profile, env));
  print("instruments", instruments, "no  ");
  if (!instruments.some((finding) => finding.ok)) needsFixing = true;

  print(
    "instrument profiles",
    problems.length === 0
      ? [{ ok: true, text: "every profile loads" }]
      : problems.map((problem) => ({ ok: false, text: `${problem.file}: ${problem.message}` })),
  );
  if (problems.length > 0) needsFixing = true;

  try {
    const data = await request<{
      health: {
        ok: boolean;
        database: boolean;
        version: string;
        uptimeSeconds: number;
        activeSubscriptions: number;
      };
      instruments: { name: string }[];
    }>(endpoint, HEALTH_QUERY);
    const { health } = data;
    print("server", [
      {
        ok: health.ok,
        text: `${endpoint.url} answers (version ${health.version}, up ${Math.round(health.uptimeSeconds)}s, ${health.activeSubscriptions} subscriptions)`,
      },
      {
        ok: health.database,
        text: health.database ? "its database answers" : "its database does not answer",
      },
    ]);
    if (!health.ok || !health.database) needsFixing = true;
  } catch (error) {
    if (!(error instanceof ConnectionError)) throw error;
    print("server", [{ ok: false, text: `${error.message} (start it with podium serve)` }]);
  }

  let database: Finding;
  try {
    const config = readServerConfig(env);
    const file = config.databaseUrl.replace(/^file:/, "");
    try {
      const size = statSync(file).size;
      database = { ok: true, text: `${file} (${(size / 1024 / 1024).toFixed(1)} MB)` };
    } catch {
      database = { ok: true, text: `${file} does not exist yet; the server creates it on start` };
    }
  } catch (error) {
    database = { ok: false, text: (error as Error).message };
    needsFixing = true;
  }
  print("database", [database]);
  return needsFixing ? 1 : 0;
}
