/**
 * Jinja-compatible rendering with nunjucks: undefined values are errors (as Jinja's
 * StrictUndefined), no autoescaping, Python-style dict methods (`.items()`) available.
 */
import nunjucks from "nunjucks";

nunjucks.installJinjaCompat();

const environment = new nunjucks.Environment([], { autoescape: false, throwOnUndefined: true });

export class TemplateRenderError extends Error {
  override name = "TemplateRenderError";
  constructor(
    message: string,
    readonly line: number | null,
  ) {
    super(message);
  }
}

/** The `{{ … }}` expression starting at (line, column), to name what was undefined. */
function expressionAt(template: string, line: number, column: number): string | null {
  const text = template.split("\n")[line - 1];
  if (text === undefined) return null;
  const start = text.indexOf("{{", Math.max(0, column - 1));
  if (start === -1) return null;
  const end = text.indexOf("}}", start);
  return end === -1 ? null : text.slice(start, end + 2);
}

export function renderTemplate(template: string, context: Record<string, unknown>): string {
  try {
    return environment.renderString(template, context);
  } catch (error) {
    const raw = (error as Error).message;
    const position = /\[Line (\d+), Column (\d+)\]/.exec(raw);
    const line = position ? Number(position[1]) : null;
    const reason = raw
      .split("\n")
      .map((part) => part.trim())
      .filter(
        (part) =>
          part !== "" &&
          !part.startsWith("(unknown path)") &&
          !part.startsWith("Template render error"),
      )
      .join(" ");
    let message = reason || raw;
    if (position && /null or undefined/.test(raw)) {
      const expression = expressionAt(template, line!, Number(position[2]));
      if (expression) message = `undefined value in ${expression}`;
    }
    throw new TemplateRenderError(
      `template error${line !== null ? ` at line ${line}` : ""}: ${message}`,
      line,
    );
  }
}
