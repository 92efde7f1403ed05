/**
 * The environment a process started by Podium gets (instruments, and whatever else runs
 * user-supplied commands): the basics every program needs, the variables its profile declares,
 * and the names the operator lists in `PODIUM_PASS_ENV`. Nothing else of the server's own
 * environment leaks through, so an agent never sees `PODIUM_TOKEN`, `DATABASE_URL` or any key
 * it was not meant to have.
 */

/** Variables every process needs to find programs, its home, its locale and its terminal. */
export const BASIC_ENV_NAMES: readonly string[] = [
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "LANG",
  "LANGUAGE",
  "LC_ALL",
  "LC_CTYPE",
  "LC_MESSAGES",
  "TERM",
  "COLORTERM",
  "TMPDIR",
  "TZ",
  "SHLVL",
  // Tags every child with its database so orphans are found after a crash (conductor/orphans.ts).
  "PODIUM_DATABASE_TAG",
];

/** Never passed on, even when a profile or PODIUM_PASS_ENV names them. */
export const WITHHELD_ENV_NAMES: readonly string[] = ["PODIUM_TOKEN", "DATABASE_URL"];

export const PASS_ENV_VARIABLE = "PODIUM_PASS_ENV";

/** `PODIUM_PASS_ENV=A,B , C` -> ["A", "B", "C"]. */
export function passEnvNames(env: NodeJS.ProcessEnv): string[] {
  return (env[PASS_ENV_VARIABLE] ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
}

export interface ChildEnvOptions {
  /** Names the child's profile declares (API keys, base URLs, the tool's own settings). */
  declared?: readonly string[];
  /** Values set by the profile; `${VAR}` / `$VAR` refer to the parent environment. */
  overrides?: Record<string, string>;
}

/** `${VAR}` and `$VAR` in profile env values refer to the parent environment. */
export function expandEnvValue(value: string, parentEnv: NodeJS.ProcessEnv): string {
  return value.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (_, braced, bare) => parentEnv[(braced ?? bare) as string] ?? "",
  );
}

export function buildChildEnv(
  parentEnv: NodeJS.ProcessEnv,
  options: ChildEnvOptions = {},
): NodeJS.ProcessEnv {
  const withheld = new Set(WITHHELD_ENV_NAMES);
  const env: NodeJS.ProcessEnv = {};
  for (const name of [
    ...BASIC_ENV_NAMES,
    ...(options.declared ?? []),
    ...passEnvNames(parentEnv),
  ]) {
    if (!withheld.has(name) && parentEnv[name] !== undefined) env[name] = parentEnv[name];
  }
  // Without SHLVL, a `bash -c` whose stdin is a socket (node's pipes are socketpairs) believes
  // it was started by a remote shell daemon and sources ~/.bashrc (slow, and it may hang).
  env.SHLVL ??= "1";
  for (const [name, value] of Object.entries(options.overrides ?? {})) {
    if (!withheld.has(name)) env[name] = expandEnvValue(value, parentEnv);
  }
  return env;
}
