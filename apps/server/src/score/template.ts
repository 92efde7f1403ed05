/** The prompt template: where it comes from, and whether it is valid Jinja (V001, V003). */
import fs from "node:fs";
import path from "node:path";
import nunjucks from "nunjucks";
import type { ScoreConfig } from "./config.ts";
import type { ScoreProblem } from "./types.ts";

/** Inline `prompt.template`, else the contents of `prompt.template_file` (relative to baseDir). */
export function resolvePromptTemplate(
  config: Pick<ScoreConfig, "prompt">,
  baseDir: string,
): { template: string | null } | { problem: ScoreProblem } {
  const { template, template_file: templateFile } = config.prompt;
  if (template !== null) return { template };
  if (templateFile === null) return { template: null };
  const fullPath = path.resolve(baseDir, templateFile);
  try {
    return { template: fs.readFileSync(fullPath, "utf8") };
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === "ENOENT" ? "not found" : "cannot be read";
    return {
      problem: { path: "prompt.template_file", message: `template file ${reason}: ${fullPath}` },
    };
  }
}

// Scores are written for Jinja2 (slices like `text[:500]`, `dict.items()`): nunjucks needs its
// Jinja compatibility layer to parse them. It is process-wide and idempotent.
nunjucks.installJinjaCompat();

const syntaxEnvironment = new nunjucks.Environment(null, {
  autoescape: false,
  throwOnUndefined: false,
});

/** A Jinja syntax error in the template, or null. Compiles only; nothing is rendered. */
export function templateSyntaxProblem(
  template: string,
  keyPath: string,
): Omit<ScoreProblem, "line"> | null {
  try {
    new nunjucks.Template(template, syntaxEnvironment, undefined, true);
    return null;
  } catch (error) {
    const detail = (error as Error).message
      .replace(/^\(unknown path\)\s*/, "")
      .replace(/\s+/g, " ")
      .trim();
    return { path: keyPath, message: `template syntax error: ${detail}` };
  }
}
