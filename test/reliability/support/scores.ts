/**
 * Scores for the reliability suite, all on the `cli` instrument (the prompt is a bash script run
 * in the job's workspace). Each sheet appends its number to `counter.txt`, so the counter file is
 * the ground truth of what ran, independent of what the server recorded.
 */
export interface CounterScoreOptions {
  name: string;
  sheets: number;
  /** Bash run before the counter line, with `{{ sheet_num }}` available. */
  before?: string;
  /** Per-job cap on sheets playing at once (the score's parallel.max_concurrent). */
  maxConcurrent?: number;
  /** false: sheets wait for each other in number order; true: no dependencies at all. */
  independent?: boolean;
  maxRetries?: number;
  timeoutSeconds?: number;
  description?: string;
}

function indent(text: string, spaces: number): string {
  const pad = " ".repeat(spaces);
  return text
    .split("\n")
    .map((line) => (line.trim() === "" ? "" : pad + line))
    .join("\n");
}

export function counterScore(options: CounterScoreOptions): string {
  const lines = [
    `name: ${JSON.stringify(options.name)}`,
    options.description ? `description: ${JSON.stringify(options.description)}` : null,
    "instrument: cli",
    options.timeoutSeconds
      ? `instrument_config:\n  timeout_seconds: ${options.timeoutSeconds}`
      : null,
    "pause_between_sheets_seconds: 0",
    options.maxConcurrent
      ? `parallel:\n  enabled: true\n  max_concurrent: ${options.maxConcurrent}`
      : null,
    "retry:",
    `  max_retries: ${options.maxRetries ?? 1}`,
    "  base_delay_seconds: 0.1",
    "  max_delay_seconds: 0.2",
    "  jitter: false",
    "sheet:",
    "  size: 1",
    `  total_items: ${options.sheets}`,
    // Declared dependencies are the whole DAG: one edge makes every other sheet independent.
    options.independent && options.sheets > 1 ? "  dependencies:\n    2: [1]" : null,
    "prompt:",
    "  template: |",
    indent(options.before ?? "", 4),
    "    echo {{ sheet_num }} >> counter.txt",
  ];
  return `${lines.filter((line) => line !== null && line !== "").join("\n")}\n`;
}
