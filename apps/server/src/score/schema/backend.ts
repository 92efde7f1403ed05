/** `backend` (§17) and `bridge` (§18). */
import { z } from "zod";
import { bool, float, int, intMap, list, oneOf, str, withDefaults } from "./primitives.ts";

const sheetOverrideSchema = z.strictObject({
  cli_model: str().nullable().default(null),
  model: str().nullable().default(null),
  temperature: float({ gte: 0, lte: 1 }).nullable().default(null),
  max_tokens: int({ gte: 1 }).nullable().default(null),
  timeout_seconds: float({ gt: 0 }).nullable().default(null),
});

const recursiveLightSchema = z.strictObject({
  endpoint: str().default("http://localhost:8080"),
  user_id: str().nullable().default(null),
  timeout: float({ gt: 0 }).default(30),
});

const ollamaSchema = z.strictObject({
  base_url: str().default("http://localhost:11434"),
  model: str().default("llama3.1:8b"),
  num_ctx: int({ gte: 4096 }).default(32768),
  dynamic_tools: bool().default(true),
  compression_level: oneOf(["minimal", "moderate", "aggressive"]).default("moderate"),
  timeout_seconds: float({ gt: 0 }).default(300),
  keep_alive: str().default("5m"),
  max_tool_iterations: int({ gte: 1, lte: 50 }).default(10),
  health_check_timeout: float().default(10),
});

export const NATIVE_BACKEND_TYPES = [
  "claude_cli",
  "anthropic_api",
  "recursive_light",
  "ollama",
] as const;

/** Fields that only a given backend type reads (§17): setting them for another type warns. */
export const CLI_ONLY_BACKEND_FIELDS = {
  skip_permissions: true,
  disable_mcp: true,
  output_format: "text",
  cli_model: null,
  allowed_tools: null,
  system_prompt_file: null,
  cli_extra_args: [],
} as const;
export const API_ONLY_BACKEND_FIELDS = {
  model: "claude-sonnet-4-5-20250929",
  api_key_env: "ANTHROPIC_API_KEY",
  max_tokens: 16384,
  temperature: 0.7,
} as const;

export const backendSchema = z.strictObject({
  type: str().default("claude_cli"),
  skip_permissions: bool().default(true),
  disable_mcp: bool().default(true),
  output_format: oneOf(["json", "text", "stream-json"]).default("text"),
  cli_model: str().nullable().default(null),
  allowed_tools: list(str()).nullable().default(null),
  system_prompt_file: str().nullable().default(null),
  working_directory: str().nullable().default(null),
  timeout_seconds: float({ gt: 0 }).default(1800),
  timeout_overrides: intMap(float()).default(() => ({})),
  sheet_overrides: intMap(sheetOverrideSchema).default(() => ({})),
  cli_extra_args: list(str()).default(() => []),
  max_output_capture_bytes: int({ gt: 0 }).default(51200),
  model: str().default("claude-sonnet-4-5-20250929"),
  api_key_env: str().default("ANTHROPIC_API_KEY"),
  max_tokens: int({ gte: 1 }).default(16384),
  temperature: float({ gte: 0, lte: 1 }).default(0.7),
  recursive_light: withDefaults(recursiveLightSchema),
  ollama: withDefaults(ollamaSchema),
});

const BLOCKED_ENV = new Set([
  "PATH",
  "LD_PRELOAD",
  "LD_LIBRARY_PATH",
  "DYLD_INSERT_LIBRARIES",
  "DYLD_LIBRARY_PATH",
  "PYTHONPATH",
  "NODE_PATH",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "ANTHROPIC_API_KEY",
  "OPENAI_API_KEY",
]);

const mcpServerSchema = z.strictObject({
  name: str(),
  command: str(),
  args: list(str()).default(() => []),
  env: z
    .record(z.string(), str(), { error: "expected a mapping" })
    .default(() => ({}))
    .superRefine((env, ctx) => {
      for (const key of Object.keys(env)) {
        if (BLOCKED_ENV.has(key.toUpperCase())) {
          ctx.addIssue({
            code: "custom",
            message: `environment variable ${key} may not be set for an MCP server`,
            path: [key],
          });
        }
      }
    }),
  working_dir: str().nullable().default(null),
  timeout_seconds: float().default(30),
});

export const bridgeSchema = z.strictObject({
  enabled: bool().default(false),
  mcp_proxy_enabled: bool().default(true),
  mcp_servers: list(mcpServerSchema).default(() => []),
  hybrid_routing_enabled: bool().default(false),
  complexity_threshold: float({ gte: 0, lte: 1 }).default(0.7),
  fallback_to_claude: bool().default(true),
  context_budget_percent: int({ gte: 10, lte: 95 }).default(75),
});
