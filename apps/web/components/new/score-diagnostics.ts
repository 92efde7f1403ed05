/** Where the server's `validateScore` problems show in the editor. Pure, no DOM. */
import type { Diagnostic } from "@codemirror/lint";
import type { Text } from "@codemirror/state";

export interface ScoreProblem {
  path: string;
  message: string;
  line: number | null;
}

/** Turns server problems into diagnostics; problems without a line are pinned to line 1. */
export function problemsToDiagnostics(doc: Text, problems: readonly ScoreProblem[]): Diagnostic[] {
  return problems.map((problem) => {
    const lineNumber =
      problem.line !== null && problem.line >= 1 && problem.line <= doc.lines ? problem.line : 1;
    const line = doc.line(lineNumber);
    return {
      from: line.from,
      to: Math.max(line.from, line.to),
      severity: "error",
      message: problem.path ? `${problem.path}: ${problem.message}` : problem.message,
    };
  });
}
