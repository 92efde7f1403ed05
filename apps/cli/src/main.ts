/**
 * The `podium` command line. Exit codes: 0 done (a watched job completed), 1 failed (a problem,
 * a failed job), 2 a watched job was cancelled, 3 the server could not be reached.
 */
import { Command, InvalidArgumentError, Option } from "commander";
import {
  ConnectionError,
  DEFAULT_URL,
  endpointFrom,
  RequestError,
  type Endpoint,
} from "./client.ts";
import { doctorCommand } from "./commands/doctor.ts";
import {
  controlCommand,
  DECISIONS,
  decideCommand,
  logsCommand,
  processesCommand,
  statusCommand,
} from "./commands/jobs.ts";
import { runCommand } from "./commands/run.ts";
import { serveCommand } from "./commands/serve.ts";
import { validateCommand } from "./commands/validate.ts";
import { EXIT } from "./commands/watch.ts";
import { ScoreFileError } from "./score-file.ts";

function positiveInt(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new InvalidArgumentError("expected a sheet number (1, 2, ...)");
  return number;
}

const program = new Command("podium")
  .description("Run and watch Podium scores from the terminal.")
  .addOption(
    new Option("--url <url>", `GraphQL endpoint of the server (default ${DEFAULT_URL})`).env(
      "PODIUM_URL",
    ),
  )
  .addOption(new Option("--token <token>", "bearer token of the server").env("PODIUM_TOKEN"))
  .showHelpAfterError();

function endpoint(): Endpoint {
  return endpointFrom(program.opts<{ url?: string; token?: string }>());
}

/** Runs a command and turns its outcome or its error into the exit code. */
function action<Args extends unknown[]>(run: (...args: Args) => number | Promise<number>) {
  return async (...args: Args): Promise<void> => {
    try {
      process.exitCode = await run(...args);
    } catch (error) {
      if (error instanceof ConnectionError) {
        console.error(`podium: ${error.message}`);
        process.exitCode = EXIT.unreachable;
      } else if (error instanceof RequestError || error instanceof ScoreFileError) {
        console.error(`podium: ${error.message}`);
        process.exitCode = EXIT.failed;
      } else throw error;
    }
  };
}

program
  .command("run")
  .description("submit a score; with --watch, follow it to the end (exit code = its outcome)")
  .argument("<score>", "score YAML file")
  .option("-w, --watch", "follow the job: progress per movement, a live sheet table")
  .option("--sheet <n>", "with --watch, stream this sheet's output", positiveInt)
  .option("--workspace <dir>", "run in this workspace instead of the score's")
  .option("--start-sheet <n>", "treat sheets before this one as done", positiveInt)
  .option("--escalation", "hold exhausted sheets at a fermata for a decision")
  .option("--self-healing", "let failed sheets try to repair themselves")
  .action(action((score: string, options) => runCommand(score, options, endpoint())));

program
  .command("validate")
  .description("check a score without a server: problems at file:line:column, then warnings")
  .argument("<score>", "score YAML file")
  .action(action((score: string) => validateCommand(score)));

program
  .command("status")
  .description("list recent jobs, or show one job's sheets")
  .argument("[job]", "job id")
  .action(action((job: string | undefined) => statusCommand(endpoint(), job)));

program
  .command("processes")
  .description("the Podium processes sharing the database: alive, sheets playing, jobs held")
  .action(action(() => processesCommand(endpoint())));

program
  .command("logs")
  .description("print a job's event log")
  .argument("<job>", "job id")
  .option("-f, --follow", "keep printing events until the job ends")
  .option("--sheet <n>", "only this sheet's events, with its output", positiveInt)
  .action(action((job: string, options) => logsCommand(endpoint(), job, options)));

for (const verb of ["pause", "resume", "cancel"] as const) {
  const command = program
    .command(verb)
    .description(
      {
        pause: "stop dispatching new sheets",
        resume: "clear a pause",
        cancel: "cancel every unfinished sheet",
      }[verb],
    )
    .argument("<job>", "job id");
  if (verb === "resume")
    command.option("--retry-failed", "run failed sheets again with a fresh budget");
  command.action(
    action((job: string, options: { retryFailed?: boolean }) =>
      controlCommand(endpoint(), verb, job, options),
    ),
  );
}

program
  .command("decide")
  .description("decide a sheet held at a fermata")
  .argument("<job>", "job id")
  .argument("<sheet>", "sheet number", positiveInt)
  .addArgument(new Command().createArgument("<decision>", "what to do").choices(DECISIONS))
  .action(
    action((job: string, sheet: number, decision: (typeof DECISIONS)[number]) =>
      decideCommand(endpoint(), job, sheet, decision),
    ),
  );

program
  .command("doctor")
  .description("which instruments work here, profile problems, server and database state")
  .action(action(() => doctorCommand(endpoint())));

program
  .command("serve")
  .description("run the Podium server in this process")
  .option("--port <port>", "port (PORT, default 4000)")
  .option("--host <host>", "address to bind (HOST, default 127.0.0.1)")
  .option("--config <file>", "configuration file (PODIUM_CONFIG)")
  .action((options) => serveCommand(options));

await program.parseAsync();
