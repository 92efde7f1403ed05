/**
 * The server's settings from the environment (DESIGN.md §2), checked once at start so that a bad
 * value stops the process with a message naming the variable.
 */
import path from "node:path";
import {
  DEFAULT_SQLITE_SYNCHRONOUS,
  SQLITE_SYNCHRONOUS_LEVELS,
  sqlitePathFromUrl,
  type SqliteSynchronous,
} from "../store/database.ts";

export interface ServerConfig {
  port: number;
  host: string;
  databaseUrl: string;
  dataDir: string;
  token: string | null;
  /** Browser origins allowed besides the server's own (e.g. `next dev` on another port). */
  webOrigins: string[];
  sqliteSynchronous: SqliteSynchronous;
  /** The dashboard's static build, when not the one in apps/web/out. */
  webDir: string | null;
  /** PODIUM_DRAIN_GRACE_SECONDS: how long in-flight attempts may finish after SIGTERM/SIGINT. */
  drainGraceSeconds: number;
  /** PODIUM_ALLOWED_ROOTS: directories score files may be read from, besides the data dir. */
  allowedRoots: string[];
}

export const DEFAULT_DRAIN_GRACE_SECONDS = 300;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

function portFrom(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ConfigError(`${name} must be a port number (0–65535), got "${raw}"`);
  }
  return port;
}

function originsFrom(raw: string): string[] {
  const listed = raw
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  return listed.map((origin) => {
    try {
      const url = new URL(origin);
      if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("not http(s)");
      return url.origin;
    } catch {
      throw new ConfigError(
        `PODIUM_WEB_ORIGIN must be a comma-separated list of http(s) origins, got "${origin}"`,
      );
    }
  });
}

function sqliteSynchronousFrom(raw: string | undefined): SqliteSynchronous {
  const value = raw?.trim().toUpperCase() ?? "";
  if (value === "") return DEFAULT_SQLITE_SYNCHRONOUS;
  const level = SQLITE_SYNCHRONOUS_LEVELS.find((candidate) => candidate === value);
  if (!level) {
    throw new ConfigError(
      `PODIUM_SQLITE_SYNCHRONOUS must be one of ${SQLITE_SYNCHRONOUS_LEVELS.join(", ")}, got "${raw ?? ""}"`,
    );
  }
  return level;
}

function secondsFrom(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0)
    throw new ConfigError(`${name} must be a number of seconds (0 or more), got "${raw}"`);
  return seconds;
}

function databaseUrlFrom(raw: string | undefined, cwd: string): string {
  const url = raw?.trim() || `file:${path.resolve(cwd, "data/podium.db")}`;
  try {
    sqlitePathFromUrl(url, cwd);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  return url;
}

export function readServerConfig(
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): ServerConfig {
  const dataDir = path.resolve(cwd, env.PODIUM_DATA_DIR?.trim() || "./data");
  return {
    port: portFrom("PORT", env.PORT, 4000),
    host: env.HOST?.trim() || "127.0.0.1",
    databaseUrl: databaseUrlFrom(env.DATABASE_URL, cwd),
    dataDir,
    token: env.PODIUM_TOKEN?.trim() || null,
    sqliteSynchronous: sqliteSynchronousFrom(env.PODIUM_SQLITE_SYNCHRONOUS),
    webOrigins: originsFrom(env.PODIUM_WEB_ORIGIN ?? ""),
    webDir: env.PODIUM_WEB_DIR?.trim() ? path.resolve(cwd, env.PODIUM_WEB_DIR.trim()) : null,
    drainGraceSeconds: secondsFrom(
      "PODIUM_DRAIN_GRACE_SECONDS",
      env.PODIUM_DRAIN_GRACE_SECONDS,
      DEFAULT_DRAIN_GRACE_SECONDS,
    ),
    allowedRoots: (env.PODIUM_ALLOWED_ROOTS ?? "")
      .split(":")
      .map((root) => root.trim())
      .filter((root) => root !== "")
      .map((root) => path.resolve(cwd, root)),
  };
}
