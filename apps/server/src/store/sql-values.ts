/**
 * How values cross into SQLite on the raw writer so that Prisma reads them back unchanged.
 * Prisma's better-sqlite3 adapter stores DateTime as ISO-8601 text with a `+00:00` offset and
 * Boolean as 0/1; JSON columns are plain text.
 */

/**
 * The last few conversions: one commit stamps many rows with the same few instants, and
 * formatting a Date is a large part of writing a small row.
 */
const recentTimes = new Map<number, string>();
const RECENT_TIMES_KEPT = 8;

/** Epoch milliseconds -> the text Prisma writes for a DateTime column. */
export function toSqlTime(epochMs: number): string {
  const known = recentTimes.get(epochMs);
  if (known !== undefined) return known;
  const text = new Date(epochMs).toISOString().replace("Z", "+00:00");
  if (recentTimes.size >= RECENT_TIMES_KEPT) recentTimes.delete(recentTimes.keys().next().value!);
  recentTimes.set(epochMs, text);
  return text;
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
