/** How costs, durations, times and statuses read on the dashboard. */
import { describe, expect, it } from "vitest";
import {
  formatAge,
  formatClock,
  formatCost,
  formatDuration,
  humanStatus,
  isTerminalJobStatus,
  statusTone,
} from "../../../apps/web/lib/format.ts";

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe("formatCost", () => {
  it.each([
    [0, "$0"],
    [0.0042, "$0.0042"],
    [0.00001, "$0.0000"],
    [0.01, "$0.01"],
    [1.234, "$1.23"],
    [12, "$12.00"],
  ])("%s USD reads %s", (usd, text) => {
    expect(formatCost(usd)).toBe(text);
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [999, "0s"],
    [42 * SECOND, "42s"],
    [MINUTE - 1, "59s"],
    [MINUTE, "1m 00s"],
    [3 * MINUTE + 5 * SECOND, "3m 05s"],
    [HOUR - 1, "59m 59s"],
    [HOUR, "1h 00m"],
    [2 * HOUR + 10 * MINUTE + 59 * SECOND, "2h 10m"],
    [DAY - 1, "23h 59m"],
    [DAY, "1d 0h"],
    [4 * DAY + 2 * HOUR + 30 * MINUTE, "4d 2h"],
  ])("%s ms reads %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it("reads a negative span (clock skew) as zero, not as a minus sign", () => {
    expect(formatDuration(-5 * SECOND)).toBe("0s");
  });
});

describe("formatAge", () => {
  const started = "2026-11-28T12:00:00.000Z";

  it("is empty until the page knows the time (server render)", () => {
    expect(formatAge(started, null)).toBe("");
  });

  it("measures from the given time to now", () => {
    const now = Date.parse(started) + 3 * MINUTE + 7 * SECOND;
    expect(formatAge(started, now)).toBe("3m 07s");
    expect(formatAge(started, Date.parse(started))).toBe("0s");
  });
});

describe("formatClock", () => {
  it("shows UTC time of day to the millisecond", () => {
    expect(formatClock("2026-11-28T09:05:03.042Z")).toBe("09:05:03.042");
    expect(formatClock("2026-11-28T10:05:03.042+01:00")).toBe("09:05:03.042");
  });

  it("shows a dash when there is no time", () => {
    expect(formatClock(null)).toBe("—");
    expect(formatClock(undefined)).toBe("—");
    expect(formatClock("")).toBe("—");
  });
});

describe("humanStatus", () => {
  it("lower-cases and spaces every underscore", () => {
    expect(humanStatus("IN_PROGRESS")).toBe("in progress");
    expect(humanStatus("RETRY_SCHEDULED")).toBe("retry scheduled");
    expect(humanStatus("A_B_C")).toBe("a b c");
    expect(humanStatus("COMPLETED")).toBe("completed");
  });
});

describe("statusTone", () => {
  it.each([
    ["COMPLETED", "done"],
    ["RUNNING", "active"],
    ["DISPATCHED", "active"],
    ["IN_PROGRESS", "active"],
    ["WAITING", "waiting"],
    ["RETRY_SCHEDULED", "waiting"],
    ["READY", "waiting"],
    ["FAILED", "failed"],
    ["CANCELLED", "failed"],
    ["PAUSED", "held"],
    ["FERMATA", "held"],
    ["PENDING", "idle"],
    ["SOMETHING_NEW", "idle"],
  ])("%s -> %s", (status, tone) => {
    expect(statusTone(status)).toBe(tone);
  });
});

describe("isTerminalJobStatus", () => {
  it("is true only for the statuses a job never leaves", () => {
    for (const status of ["COMPLETED", "FAILED", "CANCELLED"])
      expect(isTerminalJobStatus(status)).toBe(true);
    for (const status of ["PENDING", "RUNNING", "PAUSED", "completed", ""])
      expect(isTerminalJobStatus(status)).toBe(false);
  });
});
