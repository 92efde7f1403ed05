/**
 * How values cross into SQLite on the raw writer so that Prisma reads them back unchanged.
 * Prisma's better-sqlite3 adapter stores DateTime as ISO-8601 text with a `+00:00` offset and
 * Boolean as 0/1; JSON columns are plain text.
 */

/** Epoch milliseconds -> the text Prisma writes for a DateTime column. */
export function toSqlTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace("Z", "+00:00");
}

export function toSqlTimeOrNull(epochMs: number | null): string | null {
  return epochMs === null ? null : toSqlTime(epochMs);
}

/** Accepts what Prisma wrote, what we wrote, and SQLite's own `CURRENT_TIMESTAMP` form. */
export function fromSqlTime(text: string): number {
  const normalised = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text)
    ? `${text.replace(" ", "T")}Z`
    : text;
  const ms = Date.parse(normalised);
  if (Number.isNaN(ms)) throw new Error(`Unreadable timestamp in the database: "${text}"`);
  return ms;
}

export function fromSqlTimeOrNull(text: string | null): number | null {
  return text === null ? null : fromSqlTime(text);
}

export function toSqlBool(value: boolean): 0 | 1 {
  return value ? 1 : 0;
}

export function parseJsonColumn<T>(text: string, column: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`Column ${column} holds text that is not JSON: ${text.slice(0, 80)}`);
  }
}
