/**
 * Marianne's instrument profile format (SCORE-SCHEMA.md §35) as a zod schema. Every object is
 * closed, as upstream's are, so a typo in a profile is reported rather than silently ignored.
 * One Podium addition: `cli.errors.scan_stdout` (see below).
 */
import { z } from "zod";

/** Lax int as pydantic reads it: integers, integral floats, numeric strings, booleans. */
const laxInt = z.preprocess((value) => {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string" && /^\s*[+-]?\d[\d_]*(\.0*)?\s*$/.test(value)) {
    return Number(value.replace(/_/g, ""));
  }
  return value;
}, z.number().int());

const laxFloat = z.preprocess((value) => {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))) {
    return Number(value);
  }
  return value;
}, z.number());

const TRUE_WORDS = new Set(["true", "yes", "on", "y", "t", "1"]);
const FALSE_WORDS = new Set(["false", "no", "off", "n", "f", "0"]);
const laxBool = z.preprocess((value) => {
  if (value === 0 || value === 1) return value === 1;
  if (typeof value === "string") {
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
  }
  return value;
}, z.boolean());

const nullableString = z.string().nullable().default(null);
const stringList = z.array(z.string()).default([]);
const stringMap = z.record(z.string(), z.string());

export const cliCommandSchema = z.strictObject({
  executable: z.string().min(1),
  subcommand: nullableString,
  prompt_flag: nullableString,
  model_flag: nullableString,
  auto_approve_flag: nullableString,
  output_format_flag: nullableString,
  output_format_value: nullableString,
  system_prompt_flag: nullableString,
  allowed_tools_flag: nullableString,
  mcp_config_flag: nullableString,
  mcp_disable_args: stringList,
  timeout_flag: nullableString,
  working_dir_flag: nullableString,
  extra_flags: stringList,
  env: stringMap.default({}),
  prompt_via_stdin: laxBool.default(true),
  stdin_sentinel: nullableString,
  start_new_session: laxBool.default(false),
  required_env: z.array(z.string()).nullable().default(null),
});

export const cliOutputSchema = z.strictObject({
  format: z.enum(["text", "json", "jsonl"]).default("text"),
  result_path: nullableString,
  error_path: nullableString,
  completion_event_type: nullableString,
  completion_event_filter: stringMap.nullable().default(null),
  input_tokens_path: nullableString,
  output_tokens_path: nullableString,
  aggregate_tokens: laxBool.default(false),
  /** Podium addition: the cost in USD the CLI reports itself; preferred over a computed one. */
  cost_path: nullableString,
  /**
   * Podium addition: where the CLI names the model it used (a string, or an object whose keys
   * are model names). Used when the score names no model, so the cost can still be priced.
   */
  model_path: nullableString,
  /**
   * Podium addition: how each line of stdout becomes live progress (sheet.output events).
   * Null: plain lines for text output, nothing for JSON output.
   */
  progress: z
    .enum(["none", "text", "claude_stream_json", "codex_json", "gemini_stream_json"])
    .nullable()
    .default(null),
});

export const cliErrorsSchema = z.strictObject({
  success_exit_codes: z.array(laxInt).default([0]),
  rate_limit_patterns: stringList,
  auth_error_patterns: stringList,
  capacity_patterns: stringList,
  timeout_patterns: stringList,
  crash_patterns: stringList,
  stale_patterns: stringList,
  rate_limit_event_type: nullableString,
  rate_limit_event_filter: stringMap.nullable().default(null),
  /**
   * Podium addition. Whether error patterns are also matched against stdout of a failed run.
   * Null (the default) means: stdout is scanned when it is not the structured output the
   * profile declares (text format, or JSON that does not parse), because that is where CLIs
   * such as Claude Code print their rate-limit notices; a parsed `error_path` is always scanned.
   */
  scan_stdout: laxBool.nullable().default(null),
  /**
   * Podium addition. A line of stdout or stderr matching one of these ends the run at once (the
   * process group is killed) and the run is classified as usual. For errors a CLI would only
   * retry on its own, such as a rejected API key.
   */
  fail_fast_patterns: stringList,
});

export const cliProfileSchema = z.strictObject({
  command: cliCommandSchema,
  output: cliOutputSchema,
  errors: cliErrorsSchema.default(() => cliErrorsSchema.parse({})),
});

export const httpProfileSchema = z.strictObject({
  base_url: z.string(),
  endpoint: z.string().default("/v1/chat/completions"),
  schema_family: z.enum(["openai", "anthropic", "gemini"]),
  auth_env_var: nullableString,
});

export const modelSchema = z.strictObject({
  name: z.string().min(1),
  context_window: laxInt.pipe(z.number().min(1)),
  cost_per_1k_input: laxFloat.pipe(z.number().min(0)),
  cost_per_1k_output: laxFloat.pipe(z.number().min(0)),
  max_output_tokens: laxInt.pipe(z.number().min(1)).nullable().default(null),
  max_concurrent: laxInt.pipe(z.number().min(1)).default(4),
});

const codeModeSchema = z.strictObject({
  interfaces: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        typescript: z.string().min(1),
        description: nullableString,
      }),
    )
    .default([]),
  runtime: z.enum(["deno", "node_vm", "v8_isolate"]).default("deno"),
  max_execution_ms: laxInt.pipe(z.number().min(100)).default(30000),
});

export const instrumentProfileSchema = z
  .strictObject({
    name: z.string().min(1),
    display_name: z.string().min(1),
    description: nullableString,
    kind: z.enum(["cli", "http"]),
    capabilities: z
      .array(z.string())
      .default([])
      .transform((tags) => [...new Set(tags)]),
    code_mode: codeModeSchema.nullable().default(null),
    models: z.array(modelSchema).default([]),
    default_model: nullableString,
    default_timeout_seconds: laxFloat.pipe(z.number().gt(0)).default(1800),
    raw_prompt: laxBool.default(false),
    cli: cliProfileSchema.nullable().default(null),
    http: httpProfileSchema.nullable().default(null),
  })
  .superRefine((profile, ctx) => {
    if (profile.kind === "cli" && profile.cli === null) {
      ctx.addIssue({
        code: "custom",
        path: ["cli"],
        message: "kind 'cli' requires a 'cli' section",
      });
    }
    if (profile.kind === "http" && profile.http === null) {
      ctx.addIssue({
        code: "custom",
        path: ["http"],
        message: "kind 'http' requires an 'http' section",
      });
    }
  });

export type InstrumentProfile = z.infer<typeof instrumentProfileSchema>;
export type CliProfile = z.infer<typeof cliProfileSchema>;
export type CliOutput = z.infer<typeof cliOutputSchema>;
export type HttpProfile = z.infer<typeof httpProfileSchema>;
export type ModelProfile = z.infer<typeof modelSchema>;

/** Human-readable summary of a zod failure: "cli.command.executable: Too small ...". */
export function describeProfileIssues(error: z.ZodError): string {
  return error.issues
    .map(
      (issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(profile)"}: ${issue.message}`,
    )
    .join("; ");
}
