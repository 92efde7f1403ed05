/** Token guessing through the login form is slowed per address; other addresses are unaffected. */
import { describe, expect, it } from "vitest";
import { LoginThrottle } from "../../../apps/server/src/http/login-throttle.ts";

describe("LoginThrottle", () => {
  it("refuses an address after too many failures until its window passes", () => {
    let now = 0;
    const throttle = new LoginThrottle(3, 60_000, () => now);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect(throttle.waitMs("10.0.0.1")).toBe(0);
      throttle.failed("10.0.0.1");
      now += 1_000;
    }
    expect(throttle.waitMs("10.0.0.1")).toBe(57_000);
    expect(throttle.waitMs("10.0.0.2")).toBe(0);
    now = 60_001;
    expect(throttle.waitMs("10.0.0.1")).toBe(0);
  });

  it("forgets an address's failures when it signs in", () => {
    const throttle = new LoginThrottle(2, 60_000, () => 0);
    throttle.failed("a");
    throttle.succeeded("a");
    throttle.failed("a");
    expect(throttle.waitMs("a")).toBe(0);
  });
});
