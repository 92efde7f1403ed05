/**
 * Reading a score file for submission. The server reads `prompt.template_file` relative to its
 * own directory, which is rarely where the user's score lives, so the CLI inlines the template
 * (read relative to the score file, as Marianne does) before sending the score.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { isScalar, parseDocument } from "yaml";

export class ScoreFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScoreFileError";
  }
}

export function readScoreText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new ScoreFileError(
      `${file}: cannot read the score (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
}

/** The score text with `prompt.template_file` replaced by `prompt.template` (its contents). */
export function scoreForSubmission(file: string): string {
  const text = readScoreText(file);
  const document = parseDocument(text);
  // A score that does not parse is sent as it is: the server names every problem.
  if (document.errors.length > 0) return text;
  const node = document.getIn(["prompt", "template_file"], true);
  if (!isScalar(node) || typeof node.value !== "string" || node.value === "") return text;
  const templatePath = path.resolve(path.dirname(path.resolve(file)), node.value);
  let template: string;
  try {
    template = readFileSync(templatePath, "utf8");
  } catch (error) {
    const line = node.range ? lineOfOffset(text, node.range[0]) : null;
    throw new ScoreFileError(
      `${file}${line === null ? "" : `:${line.line}:${line.column}`}: prompt.template_file: cannot read ${templatePath} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
  document.deleteIn(["prompt", "template_file"]);
  document.setIn(["prompt", "template"], template);
  return document.toString();
}

export function lineOfOffset(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}
