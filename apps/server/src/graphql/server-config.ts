/**
 * The server's settings from the environment (DESIGN.md §2), checked once at start so that a bad
 * value stops the process with a message naming the variable.
 */
import path from "node:path";
import { databaseTarget } from "../store/open-store.ts";
import type { NotificationTarget } from "../config/config-file.ts";
import { ConfigError } from "../config/errors.ts";
import { readSharedSettings, settingsSource, type SharedSettings } from "../config/settings.ts";

export { ConfigError };

export interface ServerConfig {
  port: number;
  host: string;
  databaseUrl: string;
  dataDir: string;
  token: string | null;
  /** Browser origins allowed besides the server's own (e.g. `next dev` on another port). */
  webOrigins: string[];
  /** The dashboard's static build, when not the one in apps/web/out. */
  webDir: string | null;
  settings: SharedSettings;
  /** Notifications added to every job (config file). */
  notifications: NotificationTarget[];
  configFile: string | null;
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

function databaseUrlFrom(raw: string | undefined, cwd: string): string {
  const url = raw?.trim() || `file:${path.resolve(cwd, "data/podium.db")}`;
  try {
    databaseTarget(url, cwd);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  return url;
}

/** Environment first, then the config file (config/config-file.ts), then the defaults. */
export function readServerConfig(
  processEnv: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): ServerConfig {
  const source = settingsSource(processEnv, cwd);
  const env = source.env;
  const dataDir = path.resolve(cwd, env.PODIUM_DATA_DIR?.trim() || "./data");
  return {
    port: portFrom("PORT", env.PORT, 4000),
    host: env.HOST?.trim() || "127.0.0.1",
    databaseUrl: databaseUrlFrom(env.DATABASE_URL, cwd),
    dataDir,
    token: env.PODIUM_TOKEN?.trim() || null,
    webOrigins: originsFrom(env.PODIUM_WEB_ORIGIN ?? ""),
    webDir: env.PODIUM_WEB_DIR?.trim() ? path.resolve(cwd, env.PODIUM_WEB_DIR.trim()) : null,
    settings: readSharedSettings(env, cwd),
    notifications: source.notifications,
    configFile: source.configFile,
  };
}
