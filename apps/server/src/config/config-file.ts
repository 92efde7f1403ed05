/**
 * `podium.config.yaml` (or `.yml` / `.json`): the settings environment variables express badly
 * (lists, notification defaults), checked with zod so a mistake stops the server with the file,
 * key and reason. Each key stands for one environment variable; the variable wins when both are
 * set (precedence: environment > config file > default).
 *
 * Found at `--config` / PODIUM_CONFIG, else ./podium.config.yaml|yml|json when present.
 * Relative paths in the file are read relative to the file's own folder.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { ConfigError } from "./errors.ts";
import { notificationSchema } from "../score/schema/orchestration.ts";

export const DEFAULT_CONFIG_FILES = [
  "podium.config.yaml",
  "podium.config.yml",
  "podium.config.json",
];

const stringList = z.union([z.string(), z.array(z.string())]);
const positiveInt = z.number().int().min(1);

export const configFileSchema = z.strictObject({
  port: z.number().int().min(0).max(65_535).optional(),
  host: z.string().min(1).optional(),
  database_url: z.string().min(1).optional(),
  data_dir: z.string().min(1).optional(),
  token: z.string().min(1).optional(),
  web_origin: stringList.optional(),
  max_concurrent_sheets: positiveInt.optional(),
  drain_grace_seconds: z.number().min(0).optional(),
  allowed_roots: z.array(z.string().min(1)).optional(),
  pass_env: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "not a variable name")).optional(),
  sqlite_synchronous: z.enum(["OFF", "NORMAL", "FULL", "EXTRA"]).optional(),
  log_format: z.enum(["json", "pretty"]).optional(),
  log_level: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).optional(),
  webhook_url: z.url({ protocol: /^https?$/ }).optional(),
  process_name: z.string().min(1).optional(),
  /** With several processes on PostgreSQL: the instruments this one may play. */
  instruments: z.array(z.string().min(1)).optional(),
  lease_seconds: z.number().min(1).optional(),
  /** Added to every job's own `notifications`. */
  notifications: z.array(notificationSchema).optional(),
});

export type ConfigFile = z.infer<typeof configFileSchema>;

export interface LoadedConfigFile {
  /** null when no file was named and none of the default names exists. */
  file: string | null;
  /** The file's settings under their environment variable names. */
  env: Record<string, string>;
  notifications: NotificationTarget[];
}

export type NotificationTarget = z.infer<typeof notificationSchema>;

export function findConfigFile(env: NodeJS.ProcessEnv, cwd: string): string | null {
  const named = env.PODIUM_CONFIG?.trim();
  if (named) {
    const file = path.resolve(cwd, named);
    if (!existsSync(file))
      throw new ConfigError(`PODIUM_CONFIG names ${file}, which does not exist`);
    return file;
  }
  for (const name of DEFAULT_CONFIG_FILES) {
    const file = path.join(cwd, name);
    if (existsSync(file)) return file;
  }
  return null;
}

function describeIssues(file: string, error: z.ZodError): string {
  const lines = error.issues.map((issue) => {
    const where = issue.path.length === 0 ? "" : `${issue.path.join(".")}: `;
    const keys = issue.code === "unrecognized_keys" ? ` (${issue.keys.join(", ")})` : "";
    return `  ${where}${issue.message}${keys}`;
  });
  return `${file} is not a valid Podium configuration:\n${lines.join("\n")}`;
}

function toEnv(config: ConfigFile, dir: string): Record<string, string> {
  const resolve = (value: string): string => path.resolve(dir, value);
  const list = (value: string | string[], separator: string): string =>
    Array.isArray(value) ? value.join(separator) : value;
  const entries: [string, string | undefined][] = [
    ["PORT", config.port?.toString()],
    ["HOST", config.host],
    [
      "DATABASE_URL",
      config.database_url?.startsWith("file:")
        ? `file:${resolve(config.database_url.slice("file:".length))}`
        : config.database_url,
    ],
    ["PODIUM_DATA_DIR", config.data_dir === undefined ? undefined : resolve(config.data_dir)],
    ["PODIUM_TOKEN", config.token],
    [
      "PODIUM_WEB_ORIGIN",
      config.web_origin === undefined ? undefined : list(config.web_origin, ","),
    ],
    ["PODIUM_MAX_CONCURRENT_SHEETS", config.max_concurrent_sheets?.toString()],
    ["PODIUM_DRAIN_GRACE_SECONDS", config.drain_grace_seconds?.toString()],
    ["PODIUM_ALLOWED_ROOTS", config.allowed_roots?.map(resolve).join(":")],
    ["PODIUM_PASS_ENV", config.pass_env?.join(",")],
    ["PODIUM_SQLITE_SYNCHRONOUS", config.sqlite_synchronous],
    ["PODIUM_LOG_FORMAT", config.log_format],
    ["PODIUM_LOG_LEVEL", config.log_level],
    ["PODIUM_WEBHOOK_URL", config.webhook_url],
    ["PODIUM_PROCESS_NAME", config.process_name],
    ["PODIUM_INSTRUMENTS", config.instruments?.join(",")],
    ["PODIUM_LEASE_SECONDS", config.lease_seconds?.toString()],
  ];
  return Object.fromEntries(
    entries.filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

export function loadConfigFile(
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): LoadedConfigFile {
  const file = findConfigFile(env, cwd);
  if (file === null) return { file: null, env: {}, notifications: [] };
  let raw: unknown;
  try {
    const text = readFileSync(file, "utf8");
    raw = file.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${file}: cannot be read: ${(error as Error).message}`);
  }
  const parsed = configFileSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new ConfigError(describeIssues(file, parsed.error));
  return {
    file,
    env: toEnv(parsed.data, path.dirname(file)),
    notifications: parsed.data.notifications ?? [],
  };
}
