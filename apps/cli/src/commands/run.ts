/** `podium run score.yaml [--watch]`: submit a score, optionally follow it to the end. */
import path from "node:path";
import { request, type Endpoint } from "../client.ts";
import { SUBMIT_MUTATION, type SubmitResult } from "../operations.ts";
import { readScoreText, scoreForSubmission } from "../score-file.ts";
import { formatDiagnostic, locate } from "./diagnostics.ts";
import { EXIT, watchJob } from "./watch.ts";

export interface RunOptions {
  watch?: boolean;
  sheet?: number;
  workspace?: string;
  startSheet?: number;
  escalation?: boolean;
  selfHealing?: boolean;
}

export async function runCommand(
  file: string,
  options: RunOptions,
  endpoint: Endpoint,
): Promise<number> {
  const score = scoreForSubmission(file);
  const input: Record<string, unknown> = { score };
  if (options.workspace !== undefined) input.workspace = path.resolve(options.workspace);
  if (options.startSheet !== undefined) input.startSheet = options.startSheet;
  if (options.escalation) input.escalation = true;
  if (options.selfHealing) input.selfHealing = true;
  const { submitJob } = await request<{ submitJob: SubmitResult }>(endpoint, SUBMIT_MUTATION, {
    input,
  });
  if (submitJob.__typename === "ScoreInvalid") {
    const text = readScoreText(file);
    for (const problem of submitJob.problems) {
      console.error(
        formatDiagnostic(
          file,
          locate(text, problem.line, problem.path),
          "error",
          problem.path,
          problem.message,
        ),
      );
    }
    if (submitJob.problems.length === 0) console.error(`${file}: error: ${submitJob.message}`);
    return EXIT.failed;
  }
  const { job } = submitJob;
  for (const warning of submitJob.warnings) console.error(`${file}: warning: ${warning}`);
  console.log(`submitted job ${job.id} "${job.name}" (${job.totalSheets} sheets)`);
  if (!options.watch) {
    console.log(`follow it with: podium logs ${job.id} --follow   (or podium status ${job.id})`);
    return EXIT.completed;
  }
  return watchJob(endpoint, job.id, { sheet: options.sheet });
}
