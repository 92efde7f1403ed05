/**
 * Jinja2 rendering in the score sandbox (sandbox/): undefined values are errors (as Jinja's
 * StrictUndefined), no autoescaping, Python-style methods (`.items()`, `.get()`) available, and
 * every render bounded in instructions, output size and time, off the event loop.
 */
import { SandboxError, sharedSandbox, type ScoreSandbox } from "../sandbox/score-sandbox.ts";

export class TemplateRenderError extends Error {
  override name = "TemplateRenderError";
  constructor(
    message: string,
    readonly line: number | null,
  ) {
    super(message);
  }
}

const LINE_QUOTE_CHARS = 120;

/** The template's text on `line`, to name what failed there. */
function lineText(template: string, line: number): string | null {
  const text = template.split("\n")[line - 1]?.trim();
  if (!text) return null;
  return text.length > LINE_QUOTE_CHARS ? `${text.slice(0, LINE_QUOTE_CHARS)}…` : text;
}

export interface TemplateInput {
  /** Where the template comes from, for messages: `prompt.template` or the template file. */
  name: string;
  template: string;
  context: Record<string, unknown>;
}

export async function renderTemplate(
  input: TemplateInput,
  sandbox: ScoreSandbox = sharedSandbox(),
): Promise<string> {
  try {
    return await sandbox.render(input.name, input.template, input.context);
  } catch (error) {
    if (!(error instanceof SandboxError)) throw error;
    const line = error.line;
    const quoted = line === null ? null : lineText(input.template, line);
    const where = `${input.name}${line !== null ? ` at line ${line}` : ""}`;
    throw new TemplateRenderError(
      `template error in ${where}: ${error.message}${quoted ? ` (in: ${quoted})` : ""}`,
      line,
    );
  }
}
