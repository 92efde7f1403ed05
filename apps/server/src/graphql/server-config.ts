/**
 * The server's settings from the environment (DESIGN.md §2), checked once at start so that a bad
 * value stops the process with a message naming the variable.
 */
import path from "node:path";
import { sqlitePathFromUrl } from "../store/database.ts";

export interface ServerConfig {
  port: number;
  host: string;
  databaseUrl: string;
  dataDir: string;
  token: string | null;
  webOrigins: string[];
  /** PODIUM_DRAIN_GRACE_SECONDS: how long in-flight attempts may finish after SIGTERM/SIGINT. */
  drainGraceSeconds: number;
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

function originsFrom(raw: string, webPort: number): string[] {
  const listed =
    raw.trim() === ""
      ? [`http://127.0.0.1:${webPort}`, `http://localhost:${webPort}`]
      : raw
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
  const webPort = portFrom("WEB_PORT", env.WEB_PORT, 3000);
  return {
    port: portFrom("PORT", env.PORT, 4000),
    host: env.HOST?.trim() || "127.0.0.1",
    databaseUrl: databaseUrlFrom(env.DATABASE_URL, cwd),
    dataDir,
    token: env.PODIUM_TOKEN?.trim() || null,
    webOrigins: originsFrom(env.PODIUM_WEB_ORIGIN ?? "", webPort),
    drainGraceSeconds: secondsFrom(
      "PODIUM_DRAIN_GRACE_SECONDS",
      env.PODIUM_DRAIN_GRACE_SECONDS,
      DEFAULT_DRAIN_GRACE_SECONDS,
    ),
  };
}
