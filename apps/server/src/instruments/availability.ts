/**
 * Whether an instrument can be played on this machine: a CLI needs its executable on the PATH
 * its processes get; an HTTP instrument needs the API key variable its profile names. Read by
 * the `instruments` query and by submit-time warnings; a sheet whose CLI is missing moves along
 * its fallback chain at dispatch without spending retries (see cli-backend.ts).
 */
import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";
import type { InstrumentProfile } from "./profile-schema.ts";

export interface Availability {
  usable: boolean;
  /** Why not, in words a user can act on; null when usable. */
  reason: string | null;
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The executable's full path, found as a shell would (a name with a slash is taken as is). */
export function findExecutable(
  executable: string,
  pathVariable: string | undefined,
): string | null {
  if (executable.includes("/")) return isExecutableFile(executable) ? executable : null;
  for (const dir of (pathVariable ?? "").split(path.delimiter)) {
    if (dir === "") continue;
    const candidate = path.join(dir, executable);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

export function instrumentAvailability(
  profile: InstrumentProfile,
  env: NodeJS.ProcessEnv,
): Availability {
  if (profile.kind === "cli" && profile.cli !== null) {
    const executable = profile.cli.command.executable;
    return findExecutable(executable, env.PATH) === null
      ? { usable: false, reason: `executable '${executable}' not found on PATH` }
      : { usable: true, reason: null };
  }
  const keyVariable = profile.http?.auth_env_var ?? null;
  if (keyVariable !== null && !env[keyVariable])
    return { usable: false, reason: `${keyVariable} is not set` };
  return { usable: true, reason: null };
}
