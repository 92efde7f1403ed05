/** The prompt template: where it comes from, and whether it is valid Jinja (V001, V003). */
import fs from "node:fs";
import path from "node:path";
import { Environment } from "minijinja-js";
import { readRegularFileSync } from "../files/regular-file.ts";
import type { ScoreConfig } from "./config.ts";
import type { ScoreProblem } from "./types.ts";

/** Largest template file read. */
export const MAX_TEMPLATE_FILE_BYTES = 1024 * 1024;

function isUnder(file: string, root: string): boolean {
  const relative = path.relative(root, file);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

function realRoots(roots: readonly string[]): string[] {
  return roots.flatMap((root) => {
    try {
      return [fs.realpathSync(path.resolve(root))];
    } catch {
      return [];
    }
  });
}

/**
 * Inline `prompt.template`, else the contents of `prompt.template_file` (relative to baseDir).
 * With `allowedRoots`, the file (symlinks resolved) must lie under one of them; a missing file
 * and a forbidden one get the same answer, so the server cannot be used to probe its disk.
 */
export function resolvePromptTemplate(
  config: Pick<ScoreConfig, "prompt">,
  baseDir: string,
  allowedRoots?: readonly string[],
): { template: string | null } | { problem: ScoreProblem } {
  const { template, template_file: templateFile } = config.prompt;
  if (template !== null) return { template };
  if (templateFile === null) return { template: null };
  const fullPath = path.resolve(baseDir, templateFile);
  const problem = (message: string) => ({
    problem: { path: "prompt.template_file", message: `template file ${message}: ${fullPath}` },
  });
  const unavailable = problem("not found or outside the allowed roots");
  let realPath: string;
  try {
    realPath = fs.realpathSync(fullPath);
  } catch {
    return unavailable;
  }
  if (allowedRoots && !realRoots(allowedRoots).some((root) => isUnder(realPath, root)))
    return unavailable;
  const read = readRegularFileSync(realPath, MAX_TEMPLATE_FILE_BYTES);
  if (read.ok) return { template: read.text };
  return read.reason === "missing" ? unavailable : problem(read.detail);
}

// Compiling only parses (linear in the template's size), so it stays on the calling thread;
// rendering, which runs the template, happens in the sandbox (sandbox/).
const syntaxEnvironment = new Environment();
syntaxEnvironment.enablePyCompat();

/** A Jinja syntax error in the template, or null. Compiles only; nothing is rendered. */
export function templateSyntaxProblem(
  template: string,
  keyPath: string,
): Omit<ScoreProblem, "line"> | null {
  try {
    syntaxEnvironment.addTemplate(keyPath, template);
    syntaxEnvironment.removeTemplate(keyPath);
    return null;
  } catch (error) {
    const first = String((error as Error).message).split("\n")[0] ?? "";
    const position = /\(in .*:(\d+)\)\s*$/.exec(first);
    const detail = position ? first.slice(0, position.index).trim() : first.trim();
    return {
      path: keyPath,
      message: `template syntax error${position ? ` at line ${position[1]}` : ""}: ${detail}`,
    };
  }
}
