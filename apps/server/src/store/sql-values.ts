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

export function toSqlBool(value: boolean): 0 | 1 {
  return value ? 1 : 0;
}
