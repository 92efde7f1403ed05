/**
 * Turns a CLI profile plus one run's inputs into argv, stdin and environment
 * (SCORE-SCHEMA.md §35.2a). Prompts over 32 KB always go through stdin, whatever the profile
 * says, to stay clear of ARG_MAX.
 */
import { buildChildEnv } from "./child-env.ts";
import type { CliProfile } from "./profile-schema.ts";

export const STDIN_THRESHOLD_BYTES = 32 * 1024;

export interface CliInvocation {
  executable: string;
  args: string[];
  stdin: string | null;
  env: NodeJS.ProcessEnv;
  promptVia: "argument" | "stdin";
}

export interface InvocationInputs {
  prompt: string;
  model: string | null;
  workspace: string;
  timeoutSeconds: number;
}

export function buildInvocation(
  cli: CliProfile,
  defaultModel: string | null,
  inputs: InvocationInputs,
  parentEnv: NodeJS.ProcessEnv,
): CliInvocation {
  const command = cli.command;
  const args: string[] = [];
  if (command.subcommand !== null) args.push(command.subcommand);
  const model = inputs.model ?? defaultModel;
  if (command.model_flag !== null && model !== null) args.push(command.model_flag, model);
  if (command.auto_approve_flag !== null) args.push(command.auto_approve_flag);
  if (command.output_format_flag !== null) {
    args.push(command.output_format_flag);
    if (command.output_format_value !== null) args.push(command.output_format_value);
  }
  if (command.working_dir_flag !== null) args.push(command.working_dir_flag, inputs.workspace);
  if (command.timeout_flag !== null)
    args.push(command.timeout_flag, String(Math.ceil(inputs.timeoutSeconds)));
  args.push(...command.mcp_disable_args, ...command.extra_flags);

  const useStdin =
    command.prompt_via_stdin || Buffer.byteLength(inputs.prompt) > STDIN_THRESHOLD_BYTES;
  if (useStdin) {
    if (command.stdin_sentinel !== null) {
      if (command.prompt_flag !== null) args.push(command.prompt_flag);
      args.push(command.stdin_sentinel);
    }
  } else if (command.prompt_flag !== null) {
    args.push(command.prompt_flag, inputs.prompt);
  } else {
    args.push(inputs.prompt);
  }

  return {
    executable: command.executable,
    args,
    stdin: useStdin ? inputs.prompt : null,
    env: buildEnv(command.env, command.required_env, parentEnv),
    promptVia: useStdin ? "stdin" : "argument",
  };
}

/**
 * A minimal environment (child-env.ts): the basics, the profile's declared `required_env`, the
 * names in PODIUM_PASS_ENV, then the profile's own `env` values.
 */
export function buildEnv(
  profileEnv: Record<string, string>,
  requiredEnv: string[] | null,
  parentEnv: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
  return buildChildEnv(parentEnv, { declared: requiredEnv ?? [], overrides: profileEnv });
}
