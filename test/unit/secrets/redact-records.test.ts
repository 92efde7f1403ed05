import { describe, expect, it } from "vitest";
import { createRedactor } from "../../../apps/server/src/secrets/redact.ts";
import { redactDeep, redactEvent } from "../../../apps/server/src/secrets/redact-records.ts";

const redact = createRedactor({ MY_API_TOKEN: "tok-1234567890abcdef" });

describe("record redaction", () => {
  it("redacts every string inside event data, however deep, and keeps the rest", () => {
    const event = redactEvent(
      {
        jobId: "j",
        sheetNum: 0,
        event: "hook.completed",
        timestamp: 1,
        data: {
          exitCode: 0,
          stdoutTail: "out tok-1234567890abcdef",
          nested: [{ text: "Bearer abcdefghijklmnop" }, 3, null, true],
        },
      },
      redact,
    );
    expect(event.data).toEqual({
      exitCode: 0,
      stdoutTail: "out [REDACTED]",
      nested: [{ text: "Bearer [REDACTED]" }, 3, null, true],
    });
    expect(event.jobId).toBe("j");
  });

  it("leaves text without secrets untouched", () => {
    expect(redactDeep({ a: "plain", b: ["x"] }, redact)).toEqual({ a: "plain", b: ["x"] });
  });
});
