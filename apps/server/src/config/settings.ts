/**
 * The settings shared by several parts of the server, read once from the environment merged
 * over the config file, each checked with a message naming the variable.
 */
import { hostname } from "node:os";
import path from "node:path";
import { loadConfigFile, type NotificationTarget } from "./config-file.ts";
import { ConfigError } from "./errors.ts";

export const SQLITE_SYNCHRONOUS_MODES = ["OFF", "NORMAL", "FULL", "EXTRA"] as const;
export type SqliteSynchronous = (typeof SQLITE_SYNCHRONOUS_MODES)[number];
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface SharedSettings {
  maxConcurrentSheets: number;
  drainGraceSeconds: number;
  /** Extra roots score files may be read from. */
  allowedRoots: string[];
  /** Extra environment variable names passed to instrument processes. */
  passEnv: string[];
  sqliteSynchronous: SqliteSynchronous;
  /** null: pretty on a terminal, JSON otherwise. */
  logFormat: "json" | "pretty" | null;
  logLevel: LogLevel;
  /** Told of every job's end. */
  webhookUrl: string | null;
  /** This process among those sharing one database (`PODIUM_PROCESS_NAME`, default the host name). */
  processName: string;
  /** The instruments this process may play; "any"; null: those usable on this machine. */
  instruments: string[] | "any" | null;
  /** How long a job's lease outlives its owner's last heartbeat. */
  leaseSeconds: number;
}

export interface SettingsSource {
  /** The environment with the config file's values under it. */
  env: NodeJS.ProcessEnv;
  configFile: string | null;
  notifications: NotificationTarget[];
}

/** Environment > config file: an unset or empty variable lets the file's value through. */
export function settingsSource(
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): SettingsSource {
  const loaded = loadConfigFile(env, cwd);
  const merged: NodeJS.ProcessEnv = { ...loaded.env };
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== "") merged[name] = value;
    else if (!(name in merged)) merged[name] = value;
  }
  return { env: merged, configFile: loaded.file, notifications: loaded.notifications };
}

function numberFrom(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  integer: boolean,
): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value)))
    throw new ConfigError(
      `${name} must be ${integer ? "an integer" : "a number"} ≥ ${min}, got "${raw}"`,
    );
  return value;
}

function oneOf<T extends string>(
  env: NodeJS.ProcessEnv,
  name: string,
  allowed: readonly T[],
  normalize: (raw: string) => string,
): T | null {
  const raw = env[name]?.trim();
  if (!raw) return null;
  const value = normalize(raw);
  if (!(allowed as readonly string[]).includes(value))
    throw new ConfigError(`${name} must be one of ${allowed.join(", ")}, got "${raw}"`);
  return value as T;
}

function listFrom(env: NodeJS.ProcessEnv, name: string, separator: string): string[] {
  return (env[name] ?? "")
    .split(separator)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
}

function webhookFrom(env: NodeJS.ProcessEnv): string | null {
  const raw = env.PODIUM_WEBHOOK_URL?.trim();
  if (!raw) return null;
  try {
    const url = new URL(raw);
    if (url.protocol === "http:" || url.protocol === "https:") return url.href;
  } catch {
    // reported below
  }
  throw new ConfigError(`PODIUM_WEBHOOK_URL must be an http(s) URL, got "${raw}"`);
}

function instrumentsFrom(env: NodeJS.ProcessEnv): string[] | "any" | null {
  const listed = listFrom(env, "PODIUM_INSTRUMENTS", ",");
  if (listed.length === 0) return null;
  if (listed.length === 1 && listed[0]!.toLowerCase() === "any") return "any";
  return listed;
}

function processNameFrom(env: NodeJS.ProcessEnv): string {
  const raw = env.PODIUM_PROCESS_NAME?.trim();
  if (!raw) return hostname();
  if (!/^[\w.:@-]{1,128}$/.test(raw))
    throw new ConfigError(
      `PODIUM_PROCESS_NAME must be 1 to 128 letters, digits or . _ - : @, got "${raw}"`,
    );
  return raw;
}

export function readSharedSettings(env: NodeJS.ProcessEnv, cwd = process.cwd()): SharedSettings {
  const passEnv = listFrom(env, "PODIUM_PASS_ENV", ",");
  const badName = passEnv.find((name) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name));
  if (badName !== undefined)
    throw new ConfigError(`PODIUM_PASS_ENV must list variable names, got "${badName}"`);
  return {
    maxConcurrentSheets: numberFrom(env, "PODIUM_MAX_CONCURRENT_SHEETS", 10, 1, true),
    drainGraceSeconds: numberFrom(env, "PODIUM_DRAIN_GRACE_SECONDS", 300, 0, false),
    allowedRoots: listFrom(env, "PODIUM_ALLOWED_ROOTS", ":").map((root) => path.resolve(cwd, root)),
    passEnv,
    sqliteSynchronous:
      oneOf(env, "PODIUM_SQLITE_SYNCHRONOUS", SQLITE_SYNCHRONOUS_MODES, (raw) =>
        raw.toUpperCase(),
      ) ?? "NORMAL",
    logFormat: oneOf(env, "PODIUM_LOG_FORMAT", ["json", "pretty"] as const, (raw) =>
      raw.toLowerCase(),
    ),
    logLevel: oneOf(env, "PODIUM_LOG_LEVEL", LOG_LEVELS, (raw) => raw.toLowerCase()) ?? "info",
    webhookUrl: webhookFrom(env),
    processName: processNameFrom(env),
    instruments: instrumentsFrom(env),
    leaseSeconds: numberFrom(env, "PODIUM_LEASE_SECONDS", 15, 1, false),
  };
}
