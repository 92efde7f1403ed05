/**
 * How long to wait out a rate limit, read from what the instrument printed: "retry after 30s",
 * "Retry-After: 120", "try again in 5 minutes", "resets in 2 hours", "resets at 21:00",
 * "resets 9pm (Europe/Berlin)". Times of day are taken relative to the clock passed in. When
 * nothing is stated the engine waits the score's `rate_limit.wait_minutes`.
 */
const MAX_WAIT_SECONDS = 24 * 3600;

const UNIT_SECONDS: Record<string, number> = {
  ms: 0.001,
  s: 1,
  sec: 1,
  secs: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hr: 3600,
  hrs: 3600,
  hour: 3600,
  hours: 3600,
  d: 86400,
  day: 86400,
  days: 86400,
};

const DURATION_PART =
  /(\d+(?:\.\d+)?)\s*(ms|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d)(?![a-z])/gi;

/** "2 hours 30 minutes", "1h30m", "45s" -> seconds; null when nothing reads as a duration. */
export function parseDuration(text: string): number | null {
  let total = 0;
  let matched = false;
  for (const match of text.matchAll(DURATION_PART)) {
    total += Number(match[1]) * (UNIT_SECONDS[match[2]!.toLowerCase()] ?? 1);
    matched = true;
  }
  return matched ? total : null;
}

const RELATIVE_PHRASES = [
  // "retry after 30s", "Retry-After: 30", "retry_after=30" (bare numbers are seconds)
  /retry[-_ ]?after["']?\s*[:=]?\s*((?:\d+(?:\.\d+)?\s*[a-z]*\s*)+)/i,
  /(?:resets?|try again|retry|available again|wait)\s+in\s+((?:\d+(?:\.\d+)?\s*[a-z]+[\s,]*(?:and\s+)?)+)/i,
];

const TIME_OF_DAY =
  /resets?\s+(?:at\s+)?(\d{1,2})(?::(\d{2}))?\s*(am|pm)?(?:\s*\(([A-Za-z_]+(?:\/[A-Za-z_+-]+)*)\))?/i;

/** Seconds to wait, or null when the text names no wait. */
export function parseRateLimitWait(text: string, nowMs: number): number | null {
  for (const phrase of RELATIVE_PHRASES) {
    const match = phrase.exec(text);
    if (!match) continue;
    const spec = match[1]!.trim();
    const seconds = /^\d+(?:\.\d+)?$/.test(spec) ? Number(spec) : parseDuration(spec);
    if (seconds !== null) return clampWait(seconds);
  }
  const clock = TIME_OF_DAY.exec(text);
  if (clock && (clock[2] !== undefined || clock[3] !== undefined)) {
    let hour = Number(clock[1]);
    const minute = Number(clock[2] ?? 0);
    const meridiem = clock[3]?.toLowerCase();
    if (meridiem === "pm" && hour < 12) hour += 12;
    if (meridiem === "am" && hour === 12) hour = 0;
    if (hour < 24 && minute < 60) {
      const seconds = secondsUntilWallClock(hour, minute, nowMs, clock[4] ?? null);
      if (seconds !== null) return clampWait(seconds);
    }
  }
  return null;
}

function clampWait(seconds: number): number {
  return Math.min(Math.max(Math.ceil(seconds), 1), MAX_WAIT_SECONDS);
}

/**
 * Seconds from `nowMs` until the next time the wall clock in `timeZone` (the process's local
 * zone when null) shows hour:minute. Null for an unknown time zone.
 */
function secondsUntilWallClock(
  hour: number,
  minute: number,
  nowMs: number,
  timeZone: string | null,
): number | null {
  let wall: { hour: number; minute: number; second: number };
  if (timeZone === null) {
    const now = new Date(nowMs);
    wall = { hour: now.getHours(), minute: now.getMinutes(), second: now.getSeconds() };
  } else {
    try {
      const parts = new Intl.DateTimeFormat("en-GB", {
        timeZone,
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
        hourCycle: "h23",
      }).formatToParts(new Date(nowMs));
      const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
      wall = { hour: part("hour"), minute: part("minute"), second: part("second") };
    } catch {
      return null;
    }
  }
  const nowSeconds = wall.hour * 3600 + wall.minute * 60 + wall.second;
  const targetSeconds = hour * 3600 + minute * 60;
  let diff = targetSeconds - nowSeconds;
  if (diff <= 0) diff += 24 * 3600;
  return diff;
}
