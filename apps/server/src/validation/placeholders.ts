/**
 * `{name}` placeholders in validation paths and commands (SCORE-SCHEMA.md §33 C, D): Python
 * `str.format` style, so `{{` and `}}` are literal braces. These are not Jinja templates.
 */
export type PlaceholderValues = Readonly<Record<string, unknown>>;

export class UnknownPlaceholderError extends Error {
  override name = "UnknownPlaceholderError";
  constructor(readonly placeholder: string) {
    super(`unknown placeholder {${placeholder}}`);
  }
}

const TOKEN = /\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Python's str() of a value: null prints as None, booleans as True/False. */
export function pythonStr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

export function shellQuote(text: string): string {
  return /^[A-Za-z0-9_\-./=:@%+,]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** For paths: every placeholder must be known, or the check cannot run. */
export function expandPathPlaceholders(template: string, values: PlaceholderValues): string {
  return template.replace(TOKEN, (token, name: string | undefined) => {
    if (token === "{{") return "{";
    if (token === "}}") return "}";
    if (!(name! in values)) throw new UnknownPlaceholderError(name!);
    return pythonStr(values[name!]);
  });
}

/** For commands: known placeholders become shell-quoted values; unknown ones stay as written. */
export function expandCommandPlaceholders(template: string, values: PlaceholderValues): string {
  return template.replace(TOKEN, (token, name: string | undefined) => {
    if (token === "{{") return "{";
    if (token === "}}") return "}";
    return name! in values ? shellQuote(pythonStr(values[name!])) : token;
  });
}
