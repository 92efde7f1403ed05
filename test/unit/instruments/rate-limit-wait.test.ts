import { describe, expect, it } from "vitest";
import { parseRateLimitWait } from "../../../apps/server/src/instruments/rate-limit-wait.ts";
import { retryAfterSeconds } from "../../../apps/server/src/instruments/http-backend.ts";

// 2026-11-28 20:15:30 UTC
const NOW = Date.UTC(2026, 10, 28, 20, 15, 30);

describe("rate-limit wait parsing", () => {
  it.each([
    ["Rate limited. Please retry after 30s", 30],
    ["retry after 2 minutes", 120],
    ["Retry-After: 120", 120],
    ['{"retry_after": 7}', 7],
    ["Usage limit reached; resets in 2 hours", 7200],
    ["try again in 5 minutes", 300],
    ["Please try again in 1h 30m.", 5400],
    ["usage limit; resets in 1h30m", 5400],
    ["quota resets in 45 seconds", 45],
  ])("%s -> %i s", (text, seconds) => {
    expect(parseRateLimitWait(text, NOW)).toBe(seconds);
  });

  it("reads a time of day in a named zone relative to the clock", () => {
    expect(parseRateLimitWait("You've hit your limit · resets 9pm (UTC)", NOW)).toBe(44 * 60 + 30);
    expect(parseRateLimitWait("limit reached, resets at 21:00 (UTC)", NOW)).toBe(44 * 60 + 30);
    // 20:15 UTC is 21:15 in Berlin in November, so 9pm there is tomorrow.
    expect(parseRateLimitWait("resets 9pm (Europe/Berlin)", NOW)).toBe(24 * 3600 - 15 * 60 - 30);
  });

  it("reads a bare time of day in the process's zone", () => {
    const local = new Date(NOW);
    const target = new Date(NOW);
    target.setHours(local.getHours() + 2, 0, 0, 0);
    const hh = String(target.getHours()).padStart(2, "0");
    const expected = Math.round((target.getTime() - NOW) / 1000);
    expect(parseRateLimitWait(`resets at ${hh}:00`, NOW)).toBe(expected);
  });

  it("reads nothing when no wait is named", () => {
    expect(parseRateLimitWait("API Error: Rate limit reached", NOW)).toBeNull();
  });

  it("reads Retry-After headers in seconds or as a date", () => {
    expect(retryAfterSeconds("42", "", NOW)).toBe(42);
    expect(retryAfterSeconds(new Date(NOW + 90_000).toUTCString(), "", NOW)).toBe(90);
    expect(retryAfterSeconds(null, "please try again in 3 minutes", NOW)).toBe(180);
    // Nothing stated: the engine falls back to the score's rate_limit.wait_minutes.
    expect(retryAfterSeconds(null, "slow down", NOW)).toBeNull();
  });
});
