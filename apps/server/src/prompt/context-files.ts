/**
 * Files that become part of a sheet's prompt: `cross_sheet.capture_files` (read before each
 * sheet into `previous_files`) and prelude/cadenza injections (SCORE-SCHEMA.md §2a, §11, §33).
 * Paths and globs are Jinja templates over the sheet's variables; relative results are taken
 * relative to the workspace. Files are read only when regular, under a size cap.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { glob } from "tinyglobby";
import type { AttemptRequest } from "../contracts/attempt.ts";
import { truncateContext } from "../baton/index.ts";
import { readRegularFile } from "../files/regular-file.ts";
import type { ScoreSandbox } from "../sandbox/score-sandbox.ts";
import { renderTemplate } from "./template.ts";
import { templateVariables } from "./variables.ts";

/** Files one capture pattern or injected directory may contribute. */
const MAX_FILES_PER_PATTERN = 50;
/** Largest file read for the prompt. */
const MAX_CONTEXT_FILE_BYTES = 1024 * 1024;

/** A path or glob template, rendered; `{{ workspace }}` and `{{ sheet_num }}` at least. */
async function renderPath(
  template: string,
  request: AttemptRequest,
  sandbox: ScoreSandbox | undefined,
): Promise<string | null> {
  try {
    const rendered = await renderTemplate(
      { name: "path", template, context: templateVariables(request) },
      sandbox,
    );
    return rendered.trim() === "" ? null : rendered.trim();
  } catch {
    return null;
  }
}

async function readText(file: string): Promise<string | null> {
  const read = await readRegularFile(file, MAX_CONTEXT_FILE_BYTES);
  return read.ok ? read.text : null;
}

export interface CaptureQuery {
  request: AttemptRequest;
  patterns: string[];
  maxChars: number;
}

/** `previous_files`: path -> content (cut to `maxChars` with the truncation marker). */
export async function collectCapturedFiles(
  query: CaptureQuery,
  sandbox?: ScoreSandbox,
): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const workspace = query.request.workspace;
  for (const template of query.patterns) {
    const pattern = await renderPath(template, query.request, sandbox);
    if (pattern === null) continue;
    const matches = await glob(pattern, { cwd: workspace, absolute: true, onlyFiles: true });
    for (const file of matches.sort().slice(0, MAX_FILES_PER_PATTERN)) {
      if (file in files) continue;
      const text = await readText(file);
      if (text !== null) files[file] = truncateContext(text, query.maxChars);
    }
  }
  return files;
}

export interface Injections {
  context: string[];
  skill: string[];
  tool: string[];
}

/** A binary file is not pasted into the prompt; the agent is told where it is. */
function looksBinary(text: string): boolean {
  return text.includes("\u0000");
}

async function directoryTexts(directory: string): Promise<string[]> {
  let names: string[];
  try {
    names = (await fsp.readdir(directory)).sort().slice(0, MAX_FILES_PER_PATTERN);
  } catch {
    return [];
  }
  const texts: string[] = [];
  for (const name of names) {
    const file = path.join(directory, name);
    const text = await readText(file);
    if (text === null) continue;
    texts.push(
      looksBinary(text) ? `(binary file ${file}: read it from disk if you need it)` : text,
    );
  }
  return texts;
}

/** Prelude and cadenza items of the sheet, read; missing files are left out. */
export async function resolveInjections(
  request: AttemptRequest,
  sandbox?: ScoreSandbox,
): Promise<Injections> {
  const injections: Injections = { context: [], skill: [], tool: [] };
  for (const item of request.prompt.injections ?? []) {
    const template = item.file || item.directory;
    if (!template) continue;
    const rendered = await renderPath(template, request, sandbox);
    if (rendered === null) continue;
    const target = path.resolve(request.workspace, rendered);
    const texts = item.file ? [await readText(target)] : await directoryTexts(target);
    for (const text of texts) if (text !== null) injections[item.as].push(text);
  }
  return injections;
}
