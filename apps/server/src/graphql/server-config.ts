/**
 * The server's settings from the environment (DESIGN.md §2), checked once at start so that a bad
 * value stops the process with a message naming the variable.
 */
import path from "node:path";

export interface ServerConfig {
  port: number;
  host: string;
  databaseUrl: string;
  dataDir: string;
  token: string | null;
  webOrigins: string[];
  /** PODIUM_ALLOWED_ROOTS: directories score files may be read from, besides the data dir. */
  allowedRoots: string[];
}

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

export function readServerConfig(
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): ServerConfig {
  const dataDir = path.resolve(cwd, env.PODIUM_DATA_DIR?.trim() || "./data");
  const webPort = portFrom("WEB_PORT", env.WEB_PORT, 3000);
  return {
    port: portFrom("PORT", env.PORT, 4000),
    host: env.HOST?.trim() || "127.0.0.1",
    databaseUrl: env.DATABASE_URL?.trim() || `file:${path.resolve(cwd, "data/podium.db")}`,
    dataDir,
    token: env.PODIUM_TOKEN?.trim() || null,
    webOrigins: originsFrom(env.PODIUM_WEB_ORIGIN ?? "", webPort),
    allowedRoots: (env.PODIUM_ALLOWED_ROOTS ?? "")
      .split(":")
      .map((root) => root.trim())
      .filter((root) => root !== "")
      .map((root) => path.resolve(cwd, root)),
  };
}
