/**
 * Events are short notices of state changes; long texts (a score's name, a tail, a message) live
 * in the job, sheet and attempt rows. Bounding every string in an event's data keeps the log, the
 * replay of a subscriber and the memory held for a slow one small, whatever a score contains.
 */
export const MAX_EVENT_STRING_CHARS = 2_048;

function bound(value: unknown): unknown {
  if (typeof value === "string") {
    if (value.length <= MAX_EVENT_STRING_CHARS) return value;
    const cut = value.length - MAX_EVENT_STRING_CHARS;
    return `${value.slice(0, MAX_EVENT_STRING_CHARS)}… [${cut} more characters]`;
  }
  if (Array.isArray(value)) return value.map(bound);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, bound(child)]));
  }
  return value;
}

/** The event data as logged: every string cut to MAX_EVENT_STRING_CHARS. */
export function boundEventData(data: Record<string, unknown>): Record<string, unknown> {
  return bound(data) as Record<string, unknown>;
}
